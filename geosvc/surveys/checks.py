"""Checking a chunk of survey responses: which households to store, which to refuse and why.

Pure, vectorised functions over one canonical chunk (``geosvc.surveys.frames``); nothing
here touches the database. A refused row gets one reason, from the first check it fails,
in this order:

1. its submission id does not repeat an earlier row's (a file without ids gets ids from
   each row's content, ``geosvc.surveys.answers.content_ids``);
2. the location: present, numbers, passing ``coordinate_problems``, precise enough,
   inside a ward; then the ward code on the form, when there is one, is that ward;
3. the collection time: readable, not in the future, inside the campaign;
4. every service answer is one the schema maps to an access level.

A kept row may carry warnings: a precision that is not a number (not stored), top needs
the schema does not list (left out), and, when ``CheckOptions.ward_mismatch`` is "warn",
a ward code that is unknown or not the point's (the point's ward is stored).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from geosvc.geo import CoordinateProblem
from geosvc.rowchecks.issues import IssueLog, Mask, Values
from geosvc.rowchecks.location import place_points, problem_refusals
from geosvc.rowchecks.report import report_columns
from geosvc.rowchecks.seen import SeenIds
from geosvc.surveys.answers import (
    ChunkText,
    access_levels,
    answers_json,
    content_ids,
    top_needs,
    unlisted_evidence,
)
from geosvc.surveys.frames import (
    CANONICAL,
    DEPRECATED_ID,
    LATITUDE,
    LONGITUDE,
    PRECISION,
    ROOT_ID,
    ROW,
    SUBMISSION_ID,
    SUBMITTED_AT,
)
from geosvc.surveys.questions import Questions, resolve_questions
from geosvc.surveys.scales import SCALES, Service
from geosvc.surveys.schema import SurveySchema
from geosvc.surveys.times import campaign_bounds, parse_times
from geosvc.wards.places import Places

REPORT_COLUMNS = report_columns(SUBMISSION_ID)
ROW_COLUMNS = [
    "row",
    "submission_id",
    "root_id",
    "deprecated_id",
    "lon",
    "lat",
    "ward_code",
    "collected_at",
    "precision_m",
    *(SCALES[s].column for s in Service),
    "needs",
    "answers",
]

Floats = npt.NDArray[np.float64]


class Reason(StrEnum):
    """The report's reasons: fixed sentences, so that rows can be counted by reason."""

    REPEATED = "the submission repeats an earlier row's id; only the first row is stored"
    NO_LOCATION = "the GPS location is empty: record the point at the household"
    BAD_LOCATION = "the GPS location is not a latitude and longitude in decimal degrees"
    OUT_OF_RANGE = "latitude must be within -90..90 and longitude within -180..180"
    NULL_ISLAND = "the location is (0, 0): the device had no GPS fix; record the point again"
    SWAPPED = "latitude and longitude appear to be swapped"
    OUTSIDE_AREA = "the location is outside the area of this municipality's wards"
    IMPRECISE = "the GPS precision is too coarse; record the point again outdoors"
    NO_WARD = "the location lies in no ward of this municipality"
    UNKNOWN_WARD = "the ward code on the form is not a ward of this municipality"
    WARD_DIFFERS = "the ward code on the form is not the ward the GPS point lies in"
    BAD_TIME = "the collection time is not a date and time the schema can read"
    FUTURE = "the collection time is in the future: check the device's date and clock"
    BEFORE_CAMPAIGN = "collected before the survey campaign started"
    AFTER_CAMPAIGN = "collected after the survey campaign ended"
    NOT_ON_SCALE = "the answer is not one the schema maps to an access level"
    BAD_PRECISION = "the GPS precision is not a number of metres; it is not stored"
    UNLISTED_NEED = "top needs the schema does not list were left out"


_PROBLEM_REASONS = {
    CoordinateProblem.OUT_OF_RANGE: Reason.OUT_OF_RANGE,
    CoordinateProblem.NULL_ISLAND: Reason.NULL_ISLAND,
    CoordinateProblem.SWAPPED: Reason.SWAPPED,
    CoordinateProblem.OUTSIDE_EXTENT: Reason.OUTSIDE_AREA,
}


@dataclass(frozen=True)
class CheckOptions:
    """Limits of the checks; ``now`` (aware) is the check's time, the clock's when None."""

    max_precision_m: float = 50.0
    now: datetime | None = None
    future_tolerance: timedelta = timedelta(minutes=5)
    ward_mismatch: Literal["reject", "warn"] = "reject"

    def __post_init__(self) -> None:
        if self.now is not None and self.now.utcoffset() is None:
            raise ValueError("CheckOptions.now must be timezone-aware")


@dataclass(frozen=True)
class CheckedChunk:
    """One chunk checked: the rows to store (``ROW_COLUMNS``) and its report lines.

    ``rows`` dtypes: row int64; submission_id, root_id, deprecated_id, ward_code object
    (str, None where absent); lon, lat, precision_m float64 (precision NaN when unknown);
    collected_at datetime64[us, UTC] (NaT when unknown); the four ``*_access`` columns
    Int16 (NA when unanswered); needs object (a list of need codes, possibly empty);
    answers str (pandas' Arrow-backed strings: JSON objects). ``issues`` has
    ``REPORT_COLUMNS``, one line per refused row and per warning.
    """

    rows: pd.DataFrame
    issues: pd.DataFrame


@dataclass(frozen=True)
class _Point:
    lon: Floats
    lat: Floats
    precision_m: Floats
    ward: Values


@dataclass
class _Chunk:
    """One chunk's text, the schema's questions in it, and its report."""

    schema: SurveySchema
    questions: Questions
    text: ChunkText
    rows: npt.NDArray[np.int64]
    ids: Values
    issues: IssueLog = field(init=False)

    def __post_init__(self) -> None:
        self.issues = IssueLog(self.rows, self.ids, SUBMISSION_ID)


def check_chunk(
    frame: pd.DataFrame,
    schema: SurveySchema,
    places: Places,
    seen: SeenIds,
    options: CheckOptions | None = None,
) -> CheckedChunk:
    """Check one canonical chunk of a survey file against ``schema`` and the wards.

    ``seen`` carries the submission ids of the file's earlier chunks. Raises
    InvalidInputError when the file lacks a question the schema maps (not this form).
    """
    options = options or CheckOptions()
    missing = [c for c in CANONICAL if c not in frame.columns]
    if missing:
        raise ValueError(f"the chunk lacks the canonical columns {', '.join(missing)}")
    frame = frame.reset_index(drop=True)
    text = ChunkText(frame, schema.blank_values)
    questions = resolve_questions(schema, list(frame.columns))
    chunk = _Chunk(schema, questions, text, frame[ROW].to_numpy(np.int64), _ids(frame, text))
    _check_repeats(chunk, seen)
    point = _check_location(chunk, places, options)
    _check_ward_code(chunk, point, places, options)
    collected = _check_times(chunk, frame, options)
    levels = _check_levels(chunk)
    needs = _read_needs(chunk)
    rows = _stored_rows(chunk, point, collected, levels, needs)
    return CheckedChunk(rows=rows, issues=chunk.issues.frame())


def _ids(frame: pd.DataFrame, text: ChunkText) -> Values:
    """The file's submission ids, and ids from the content where the file has none."""
    ids = text.text(SUBMISSION_ID)
    absent = pd.isna(ids)
    if absent.any():
        ids[absent] = content_ids(frame, text)[absent]
    return ids


def _check_repeats(chunk: _Chunk, seen: SeenIds) -> None:
    first = seen.first_rows(pd.Series(chunk.ids, dtype=object), chunk.rows)
    repeated = first != chunk.rows
    evidence = _texts(repeated, lambda m: [f"first in row {r}" for r in first[m]])
    chunk.issues.reject(repeated, SUBMISSION_ID, Reason.REPEATED, evidence)


def _check_location(chunk: _Chunk, places: Places, options: CheckOptions) -> _Point:
    """Parse and place each point; refuse those that cannot be a household in a ward."""
    lat_text, lon_text, precision_text, where = _location_text(chunk)
    lat, lat_blank = chunk.text.numbers(lat_text)
    lon, lon_blank = chunk.text.numbers(lon_text)
    precision, precision_blank = chunk.text.numbers(precision_text)
    missing = lat_blank | lon_blank
    unreadable = ~missing & ~(np.isfinite(lat) & np.isfinite(lon))
    coarse = precision > options.max_precision_m
    placed = place_points(lon, lat, places, coarse | chunk.issues.rejected)
    refusals = [
        (missing, Reason.NO_LOCATION),
        (unreadable, Reason.BAD_LOCATION),
        *problem_refusals(placed.problems, _PROBLEM_REASONS),
        (coarse, Reason.IMPRECISE),
        (placed.in_no_ward, Reason.NO_WARD),
    ]
    point_text = _texts(
        np.logical_or.reduce([mask for mask, r in refusals if r is not Reason.IMPRECISE]),
        lambda m: _pairs(lat_text[m], lon_text[m]),
    )
    limit = f" m (the limit is {options.max_precision_m:g} m)"
    coarse_text = _texts(coarse, lambda m: [f"{_shown(p)}{limit}" for p in precision_text[m]])
    for mask, reason in refusals:
        evidence = coarse_text if reason is Reason.IMPRECISE else point_text
        chunk.issues.reject(mask, where, reason, evidence)
    bad_precision = ~precision_blank & ~(precision >= 0)
    chunk.issues.warn(bad_precision, where, Reason.BAD_PRECISION, precision_text)
    return _Point(lon, lat, np.where(bad_precision, np.nan, precision), placed.ward)


def _location_text(chunk: _Chunk) -> tuple[Values, Values, Values, Values]:
    """Latitude, longitude and precision as written, and the field each row's came from.

    The reader's location columns come first; the schema's location questions fill the
    rows where those are empty.
    """
    text = chunk.text
    lat, lon, precision = text.raw(LATITUDE), text.raw(LONGITUDE), text.raw(PRECISION)
    where = np.full(len(lat), f"{LATITUDE}/{LONGITUDE}", dtype=object)
    asked = _asked_location(chunk)
    if asked is not None:
        empty = pd.isna(lat) & pd.isna(lon)
        for values, answers in zip((lat, lon, precision, where), asked, strict=True):
            values[empty] = answers[empty]
    return lat, lon, precision, where


def _asked_location(chunk: _Chunk) -> tuple[Values, Values, Values, Values] | None:
    """The location from the schema's questions, as ``_location_text``; None without any."""
    columns, text = chunk.questions.location, chunk.text
    if columns.geopoint is not None:
        lat, lon, precision = _geopoint_parts(text.text(columns.geopoint))
        return lat, lon, precision, np.full(len(lat), columns.geopoint, dtype=object)
    if columns.latitude is None or columns.longitude is None:
        return None
    lat, lon = text.raw(columns.latitude), text.raw(columns.longitude)
    precision = text.raw(columns.precision) if columns.precision else _nones(len(lat))
    where = np.full(len(lat), f"{columns.latitude}/{columns.longitude}", dtype=object)
    return lat, lon, precision, where


def _geopoint_parts(geopoints: Values) -> tuple[Values, Values, Values]:
    """Latitude, longitude and accuracy from ODK geopoints, ``"lat lon altitude accuracy"``."""
    parts = pd.Series(geopoints, dtype=object).str.split(n=3, expand=True)
    parts = parts.reindex(columns=range(4)).astype(object)
    lat, lon, _, accuracy = (parts[i].to_numpy(dtype=object) for i in range(4))
    return _none_for_nan(lat), _none_for_nan(lon), _none_for_nan(accuracy)


def _check_ward_code(chunk: _Chunk, point: _Point, places: Places, options: CheckOptions) -> None:
    """The form's ward code, where there is one, must be the ward of the point."""
    column = chunk.questions.ward_code
    if column is None:
        return
    answers = chunk.text.column(column)
    codes = [_ward_code(u) for u in answers.uniques]
    form_ward = answers.spread(codes, None)
    known = answers.spread([c in places.ward_codes for c in codes], True).astype(bool)
    placed = pd.notna(form_ward) & pd.notna(point.ward)
    differs = placed & known & (form_ward != point.ward)
    evidence = _texts(
        differs,
        lambda m: [
            f"{f} on the form, {p} by the point"
            for f, p in zip(form_ward[m], point.ward[m], strict=True)
        ],
    )
    record = chunk.issues.reject if options.ward_mismatch == "reject" else chunk.issues.warn
    record(placed & ~known, column, Reason.UNKNOWN_WARD, form_ward)
    record(differs, column, Reason.WARD_DIFFERS, evidence)


def _ward_code(answer: str) -> str:
    """A ward code as written, less the ``.0`` a spreadsheet adds to a number."""
    number = answer.removesuffix(".0")
    return number if number.isdigit() else answer


def _check_times(chunk: _Chunk, frame: pd.DataFrame, options: CheckOptions) -> pd.Series:
    """When each household was visited: the first time question answered, else submitted_at.

    submitted_at is when the server received the form, after the visit: it can show that
    a visit was in the future or before the campaign, not that it was after the campaign.
    """
    answer, where = _first_answer(chunk)
    answered = pd.notna(answer)
    parsed = parse_times(answer, chunk.schema)
    submitted = pd.to_datetime(frame[SUBMITTED_AT], utc=True).dt.as_unit("us")
    collected = parsed.where(answered, submitted)
    unread = answered & parsed.isna().to_numpy()
    chunk.issues.reject(unread, where, Reason.BAD_TIME, answer)
    now = pd.Timestamp(options.now or datetime.now(UTC)) + options.future_tolerance
    start, end = campaign_bounds(chunk.schema)
    none = np.zeros(len(answer), dtype=bool)
    before = (collected < start).to_numpy() if start is not None else none
    after = answered & (collected >= end).to_numpy() if end is not None else none
    refusals = [
        ((collected > now).to_numpy(), Reason.FUTURE),
        (before, Reason.BEFORE_CAMPAIGN),
        (after, Reason.AFTER_CAMPAIGN),
    ]
    shown = _texts(
        np.logical_or.reduce([mask for mask, _ in refusals]),
        lambda m: [
            a if isinstance(a, str) else t.isoformat()
            for a, t in zip(answer[m], collected[m], strict=True)
        ],
    )
    for mask, reason in refusals:
        chunk.issues.reject(mask, where, reason, shown)
    return collected


def _first_answer(chunk: _Chunk) -> tuple[Values, Values]:
    """Each row's first answered time question, and that question (submitted_at if none)."""
    answer = _nones(len(chunk.rows))
    where = np.full(len(answer), SUBMITTED_AT, dtype=object)
    for column in chunk.questions.collected_at:
        unanswered = pd.isna(answer)
        if not unanswered.any():
            break
        times = chunk.text.text(column)
        fill = unanswered & pd.notna(times)
        answer[fill] = times[fill]
        where[fill] = column
    return answer, where


def _check_levels(chunk: _Chunk) -> dict[Service, pd.arrays.IntegerArray]:
    """Each mapped service's level codes; an answer the schema does not list is refused."""
    levels = {}
    for service, codes in chunk.schema.access_codes().items():
        column = chunk.questions.services[service]
        answers = chunk.text.column(column)
        levels[service], unlisted = access_levels(answers, codes)
        evidence = unlisted_evidence(answers, chunk.schema.services[service].values)
        chunk.issues.reject(unlisted, column, Reason.NOT_ON_SCALE, evidence)
    return levels


def _read_needs(chunk: _Chunk) -> Values | None:
    """Each row's needs (None when the schema has no needs question); warns of unlisted ones."""
    needs_schema, columns = chunk.schema.needs, chunk.questions.needs
    if needs_schema is None:
        return None
    answers = [chunk.text.column(c) for c in columns]
    needs, unlisted = top_needs(answers, needs_schema.lookup(), needs_schema.separator)
    chunk.issues.warn(pd.notna(unlisted), ", ".join(columns), Reason.UNLISTED_NEED, unlisted)
    return needs


def _stored_rows(
    chunk: _Chunk,
    point: _Point,
    collected: pd.Series,
    levels: dict[Service, pd.arrays.IntegerArray],
    needs: Values | None,
) -> pd.DataFrame:
    """The kept rows, in ``ROW_COLUMNS``."""
    kept = ~chunk.issues.rejected
    count = int(kept.sum())
    unanswered = pd.arrays.IntegerArray(np.zeros(count, np.int16), np.ones(count, bool))
    access = {SCALES[s].column: levels[s][kept] if s in levels else unanswered for s in Service}
    text = chunk.text
    return pd.DataFrame(
        {
            "row": chunk.rows[kept],
            "submission_id": _objects(chunk.ids[kept]),
            "root_id": _objects(text.text(ROOT_ID)[kept]),
            "deprecated_id": _objects(text.text(DEPRECATED_ID)[kept]),
            "lon": point.lon[kept],
            "lat": point.lat[kept],
            "ward_code": _objects(point.ward[kept]),
            "collected_at": collected[kept].reset_index(drop=True),
            "precision_m": point.precision_m[kept],
            **access,
            "needs": _objects(needs[kept] if needs is not None else _empty_lists(count)),
            "answers": answers_json(text, chunk.questions.kept, kept),
        },
        columns=ROW_COLUMNS,
    )


def _nones(count: int) -> Values:
    return np.full(count, None, dtype=object)


def _empty_lists(count: int) -> Values:
    lists = _nones(count)
    for i in range(count):
        lists[i] = []
    return lists


def _none_for_nan(values: Values) -> Values:
    out = values.copy()
    out[pd.isna(values)] = None
    return out


def _objects(values: Values) -> pd.Series:
    """A text column that stays object dtype, None where missing (pandas would infer str)."""
    return pd.Series(values, dtype=object)


def _pairs(lat: Values, lon: Values) -> list[str]:
    """``lat, lon`` as written, for the report."""
    return [f"{_shown(a)}, {_shown(b)}" for a, b in zip(lat, lon, strict=True)]


def _shown(value: object) -> str:
    """A value as the report shows it: trimmed, empty for a missing one."""
    return "" if value is None else str(value).strip()


def _texts(mask: Mask, make: Callable[[Mask], list[str]]) -> Values:
    """Evidence for the rows of ``mask`` only (None elsewhere): ``make(mask)`` lists it."""
    out = _nones(len(mask))
    if mask.any():
        out[mask] = make(mask)
    return out
