"""Which column of a survey table is what: ids, time, location and questions.

The names are the exporters' own (see REFERENCE.md, "KoboToolbox and ODK export
conventions"): a table is read as a Kobo, ODK Central or OData export when its columns say
so, and as a plain table otherwise. Everything here works on column names only, before a
row is read, so that a file without a location is refused at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from geosvc.errors import SourceFileError
from geosvc.surveys.formats.repeats import is_repeat_column, repeat_template
from geosvc.surveys.frames import CANONICAL, CLASHING_PREFIX

_KOBO_GEOPOINT = re.compile(r"^_(?P<name>[^\[\]]+)_latitude$")
_ODK_GEOPOINT = re.compile(r"^(?P<name>[^\[\]]+)-Latitude$")
_KOBO_SIGNATURE = frozenset(
    {"_uuid", "_submission_time", "_validation_status", "_submitted_by", "meta/rootUuid"}
)
_PLAIN_LATITUDE = ("latitude", "lat", "y")
_PLAIN_LONGITUDE = ("longitude", "lon", "lng", "long", "x")
_PLAIN_ALTITUDE = ("altitude", "alt", "elevation")
_PLAIN_PRECISION = ("precision", "accuracy")
_LISTED_COLUMNS = 25


class Dialect(StrEnum):
    """Whose column names a table uses."""

    KOBO = "kobo"
    ODK = "odk"
    ODATA = "odata"
    PLAIN = "plain"


@dataclass(frozen=True)
class _Roles:
    """Candidate source columns of the canonical ids and time, best first."""

    submission_id: tuple[str, ...]
    root_id: tuple[str, ...]
    deprecated_id: tuple[str, ...]
    submitted_at: tuple[str, ...]


_ROLES = {
    Dialect.KOBO: _Roles(
        submission_id=("_uuid", "meta/instanceID"),
        root_id=("meta/rootUuid",),
        deprecated_id=("meta/deprecatedID",),
        submitted_at=("_submission_time",),
    ),
    # KEY and __id are the submission's first instanceID, which edits keep: its root.
    Dialect.ODK: _Roles(
        submission_id=("meta-instanceID", "KEY"),
        root_id=("KEY",),
        deprecated_id=("meta-deprecatedID",),
        submitted_at=("SubmissionDate",),
    ),
    Dialect.ODATA: _Roles(
        submission_id=("meta/instanceID", "__id"),
        root_id=("__id",),
        deprecated_id=("meta/deprecatedID",),
        submitted_at=("__system/submissionDate",),
    ),
    # Plain tables are matched case-insensitively.
    Dialect.PLAIN: _Roles(
        submission_id=("submission_id", "_uuid", "uuid", "instanceid", "meta/instanceid", "id"),
        root_id=("root_id", "rootuuid", "meta/rootuuid"),
        deprecated_id=("deprecated_id", "deprecatedid", "meta/deprecatedid"),
        submitted_at=(
            "submitted_at",
            "submission_time",
            "_submission_time",
            "submissiondate",
            "submission_date",
        ),
    ),
}


@dataclass(frozen=True)
class Geopoint:
    """Where one location's parts are: one column each, or one "lat lon alt acc" text column.

    A part column, where there is one, wins over the text column.
    """

    name: str
    latitude: str | None = None
    longitude: str | None = None
    altitude: str | None = None
    precision: str | None = None
    text: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """The source columns this location is read from."""
        parts = (self.latitude, self.longitude, self.altitude, self.precision, self.text)
        return tuple(c for c in parts if c is not None)


@dataclass(frozen=True)
class Layout:
    """Where each canonical column comes from, and what every other column is called.

    ``questions`` maps a source column to its question name; ``repeat_columns`` are Kobo's
    wide ``group[n]/q`` columns, which become one JSON-list question per ``repeats`` entry
    (the columns' template ``group/q`` → question name). ``order`` is the questions' order.
    """

    submission_id: tuple[str, ...]
    root_id: str | None
    deprecated_id: str | None
    submitted_at: str | None
    location: Geopoint
    questions: dict[str, str] = field(default_factory=dict)
    repeat_columns: tuple[str, ...] = ()
    repeats: dict[str, str] = field(default_factory=dict)
    order: tuple[str, ...] = ()


def table_dialect(names: Sequence[str]) -> Dialect:
    """ODK Central if the table starts like its CSV, Kobo if it has Kobo's columns, else plain."""
    if names and names[0] == "SubmissionDate" and "KEY" in names:
        return Dialect.ODK
    present = set(names)
    if _KOBO_SIGNATURE & present or _kobo_geopoints(names, present):
        return Dialect.KOBO
    return Dialect.PLAIN


def resolve_layout(
    names: Sequence[str],
    dialect: Dialect,
    *,
    location: str | None,
    label: str,
    geopoints: Sequence[Geopoint] = (),
    id_column: str | None = None,
) -> Layout:
    """The layout of a table with columns ``names``.

    ``geopoints`` adds locations the reader found itself (OData points, a GeoJSON
    geometry); ``id_column`` names the submission id when the reader knows it.
    Refuses a table without a location, or with several and none named in ``location``.
    """
    roles = _ROLES[dialect]
    columns = _Columns(names, case_sensitive=dialect is not Dialect.PLAIN)
    ids = _id_columns(columns, roles, dialect) if id_column is None else (id_column,)
    root_id = columns.first(roles.root_id)
    deprecated_id = columns.first(roles.deprecated_id)
    submitted_at = columns.first(roles.submitted_at)
    candidates = [*geopoints, *_geopoints(names, dialect)]
    chosen = _choose_location(names, candidates, location, label)
    used = {*ids, root_id, deprecated_id, submitted_at, *chosen.columns}
    rest = [n for n in names if n not in used]
    return _with_questions(Layout(ids, root_id, deprecated_id, submitted_at, chosen), rest, dialect)


def _id_columns(columns: _Columns, roles: _Roles, dialect: Dialect) -> tuple[str, ...]:
    """An export's id columns (each row takes the first filled), a plain table's best one."""
    if dialect is Dialect.PLAIN:
        best = columns.first(roles.submission_id)
        return (best,) if best is not None else ()
    return columns.every(roles.submission_id)


class _Columns:
    """Looks up a table's columns by candidate names, best candidate first."""

    def __init__(self, names: Sequence[str], *, case_sensitive: bool) -> None:
        self._case_sensitive = case_sensitive
        self._by_key: dict[str, str] = {}
        for name in names:
            self._by_key.setdefault(self._key(name), name)

    def _key(self, name: str) -> str:
        return name if self._case_sensitive else name.casefold()

    def every(self, candidates: Iterable[str]) -> tuple[str, ...]:
        """Every candidate the table has, as the table spells it."""
        keys = (self._key(c) for c in candidates)
        return tuple(self._by_key[k] for k in keys if k in self._by_key)

    def first(self, candidates: Iterable[str]) -> str | None:
        """The best candidate the table has."""
        return next(iter(self.every(candidates)), None)


def _geopoints(names: Sequence[str], dialect: Dialect) -> list[Geopoint]:
    present = set(names)
    if dialect is Dialect.KOBO:
        return _kobo_geopoints(names, present)
    if dialect is Dialect.ODK:
        return _odk_geopoints(names, present)
    return []


def _kobo_geopoints(names: Sequence[str], present: set[str]) -> list[Geopoint]:
    """Kobo's ``<q>`` text column followed by ``_<q>_latitude`` … ``_<q>_precision``."""
    found = []
    for name in names:
        match = _KOBO_GEOPOINT.match(name)
        if match is None or f"_{match['name']}_longitude" not in present:
            continue
        q = match["name"]
        found.append(
            Geopoint(
                name=q,
                latitude=name,
                longitude=f"_{q}_longitude",
                altitude=_present(f"_{q}_altitude", present),
                precision=_present(f"_{q}_precision", present),
                text=_present(q, present),
            )
        )
    return found


def _odk_geopoints(names: Sequence[str], present: set[str]) -> list[Geopoint]:
    """ODK Central's ``<path>-Latitude``, ``-Longitude``, ``-Altitude``, ``-Accuracy``."""
    found = []
    for name in names:
        match = _ODK_GEOPOINT.match(name)
        if match is None or f"{match['name']}-Longitude" not in present:
            continue
        path = match["name"]
        found.append(
            Geopoint(
                name=path.replace("-", "/"),
                latitude=name,
                longitude=f"{path}-Longitude",
                altitude=_present(f"{path}-Altitude", present),
                precision=_present(f"{path}-Accuracy", present),
            )
        )
    return found


def _present(name: str, present: set[str]) -> str | None:
    return name if name in present else None


def _plain_location(names: Sequence[str]) -> Geopoint | None:
    """Latitude and longitude columns under a common name, matched case-insensitively."""
    columns = _Columns(names, case_sensitive=False)
    latitude = columns.first(_PLAIN_LATITUDE)
    longitude = columns.first(_PLAIN_LONGITUDE)
    if latitude is None or longitude is None:
        return None
    return Geopoint(
        name=f"{latitude}/{longitude}",
        latitude=latitude,
        longitude=longitude,
        altitude=columns.first(_PLAIN_ALTITUDE),
        precision=columns.first(_PLAIN_PRECISION),
    )


def _choose_location(
    names: Sequence[str], candidates: Sequence[Geopoint], location: str | None, label: str
) -> Geopoint:
    if location is not None:
        return _named_location(names, candidates, location, label)
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        listed = ", ".join(g.name for g in candidates)
        raise SourceFileError(
            f"{label} has several geopoint questions ({listed}); name the one that is "
            "the household's location."
        )
    plain = _plain_location(names)
    if plain is None:
        raise SourceFileError(
            f"{label} has no location: no geopoint question and no latitude/longitude "
            f"columns; its columns are {_listed(names)}."
        )
    return plain


def _named_location(
    names: Sequence[str], candidates: Sequence[Geopoint], location: str, label: str
) -> Geopoint:
    """The geopoint called ``location`` (ODK's ``a-b`` spelling accepted for ``a/b``), or a
    column holding "lat lon alt acc" text."""
    wanted = location.strip()
    plain = _plain_location(names)
    for geopoint in [*candidates, *([plain] if plain else [])]:
        if wanted in (geopoint.name, geopoint.name.replace("/", "-")):
            return geopoint
    if wanted in names:
        return Geopoint(name=wanted, text=wanted)
    known = ", ".join(g.name for g in candidates) or "none"
    raise SourceFileError(
        f"{label} has no geopoint question or column {wanted!r}; its geopoint questions: "
        f"{known}; its columns are {_listed(names)}."
    )


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_LISTED_COLUMNS])
    more = len(names) - _LISTED_COLUMNS
    return f"{shown} … and {more} more" if more > 0 else shown


def _with_questions(layout: Layout, rest: Sequence[str], dialect: Dialect) -> Layout:
    """``layout`` with every remaining column named as a question, in the file's order."""
    taken: set[str] = set(CANONICAL)
    questions: dict[str, str] = {}
    repeats: dict[str, str] = {}
    repeat_columns: list[str] = []
    order: list[str] = []
    for source in rest:
        name = source.replace("-", "/") if dialect is Dialect.ODK else source
        if is_repeat_column(source):
            repeat_columns.append(source)
            template = repeat_template(source)
            if template in repeats:
                continue
            repeats[template] = _unique(repeat_template(name), taken)
            order.append(repeats[template])
        else:
            questions[source] = _unique(name, taken)
            order.append(questions[source])
    return Layout(
        submission_id=layout.submission_id,
        root_id=layout.root_id,
        deprecated_id=layout.deprecated_id,
        submitted_at=layout.submitted_at,
        location=layout.location,
        questions=questions,
        repeat_columns=tuple(repeat_columns),
        repeats=repeats,
        order=tuple(order),
    )


def _unique(name: str, taken: set[str]) -> str:
    """``name``, moved under ``answers.`` if canonical, suffixed ``~2``… if already used."""
    if name in CANONICAL:
        name = CLASHING_PREFIX + name
    unique, count = name, 1
    while unique in taken:
        count += 1
        unique = f"{name}~{count}"
    taken.add(unique)
    return unique
