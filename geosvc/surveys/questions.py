"""Finding the questions a schema names among the columns of a reader's chunk.

A chunk's columns are the canonical ones (``geosvc.surveys.frames``) and the form's
questions under their full paths. A schema names a question by its full path or by its
last segment; a question named like a canonical column is found under ``answers.<name>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass
from fnmatch import fnmatchcase

from geosvc.errors import InvalidInputError
from geosvc.surveys.frames import CANONICAL, CLASHING_PREFIX
from geosvc.surveys.scales import Service
from geosvc.surveys.schema import SurveySchema

_GLOB = frozenset("*?[")


@dataclass(frozen=True)
class LocationColumns:
    """The columns a schema's location questions were found in; None where not found."""

    geopoint: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    precision: str | None = None


@dataclass(frozen=True)
class Questions:
    """The chunk's column behind each question the schema uses."""

    services: Mapping[Service, str]
    needs: tuple[str, ...]
    ward_code: str | None
    collected_at: tuple[str, ...]
    location: LocationColumns
    kept: tuple[str, ...]


def question_name(column: str) -> str:
    """The question's full path: the column name without the prefix a name clash adds."""
    return column.removeprefix(CLASHING_PREFIX)


def find_question(reference: str, columns: Sequence[str]) -> str | None:
    """The column of the question named ``reference`` (a full path or a last segment).

    Returns None when no question matches; InvalidInputError when a last segment names
    more than one question.

    Examples
    --------
    >>> cols = ["row", "latitude", "hh/water_source", "answers.latitude", "a/x", "b/x"]
    >>> find_question("water_source", cols), find_question("latitude", cols)
    ('hh/water_source', 'answers.latitude')
    """
    questions = [c for c in columns if c not in CANONICAL]
    for column in (reference, CLASHING_PREFIX + reference):
        if column in questions:
            return column
    if "/" in reference:
        return None
    ends = [c for c in questions if question_name(c).rsplit("/", 1)[-1] == reference]
    if len(ends) > 1:
        raise InvalidInputError(
            f"The schema names question {reference!r}, which could be any of "
            f"{', '.join(ends)}; name it by its full path."
        )
    return ends[0] if ends else None


def resolve_questions(schema: SurveySchema, columns: Sequence[str]) -> Questions:
    """Where each question the schema uses is in a chunk with ``columns``.

    The questions the schema maps to a service, to needs or to the ward must be in the
    file (InvalidInputError otherwise: the file is not the schema's form); the location
    and time questions may be absent, and then the reader's canonical columns are used.
    """
    services = {s: _required(q.question, columns, s) for s, q in schema.services.items()}
    named_needs = schema.needs.named() if schema.needs else []
    needs = tuple(_required(q, columns, "needs") for q in named_needs)
    ward = _required(schema.ward_code, columns, "ward_code") if schema.ward_code else None
    times = tuple(c for c in (find_question(q, columns) for q in schema.collected_at) if c)
    location = _location(schema, columns)
    mapped = {*services.values(), *needs, ward, *times, *astuple(location)}
    return Questions(
        services=services,
        needs=needs,
        ward_code=ward,
        collected_at=times,
        location=location,
        kept=_kept(schema, columns, mapped),
    )


def _required(reference: str, columns: Sequence[str], use: str) -> str:
    column = find_question(reference, columns)
    if column is None:
        raise InvalidInputError(
            f"The file has no question {reference!r}, which the schema reads for {use}; "
            "is it the schema of this form?"
        )
    return column


def _location(schema: SurveySchema, columns: Sequence[str]) -> LocationColumns:
    named = schema.location
    if named is None:
        return LocationColumns()
    if named.question is not None:
        return LocationColumns(geopoint=find_question(named.question, columns))
    lat = find_question(named.latitude or "", columns)
    lon = find_question(named.longitude or "", columns)
    if lat is None or lon is None:
        return LocationColumns()
    precision = find_question(named.precision, columns) if named.precision else None
    return LocationColumns(latitude=lat, longitude=lon, precision=precision)


def _kept(schema: SurveySchema, columns: Sequence[str], mapped: set[str | None]) -> tuple[str, ...]:
    """The questions whose answers are stored as JSON, in the file's order."""
    keep = schema.answers.keep
    if keep == "all":
        chosen = [c for c in columns if c not in CANONICAL and c not in mapped]
    else:
        found = {find_question(q, columns) for q in keep}
        chosen = [c for c in columns if c in found]
    patterns = [p for p in schema.answers.drop if _GLOB & set(p)]
    named = {find_question(q, columns) for q in schema.answers.drop if not _GLOB & set(q)}
    return tuple(
        c
        for c in chosen
        if c not in named and not any(fnmatchcase(question_name(c), p) for p in patterns)
    )
