"""Checking a chunk of an export: which rows to import, which to refuse and why.

Pure, vectorised functions over pandas frames of the export's text; nothing here touches
the database. A refused row gets one reason, from the first check it fails, in this order:

1. the source id is present and does not repeat an earlier row's;
2. the created date parses, and so does the closed date where there is one;
3. the status is one the mapping lists; a closed one has a closed date, not before created;
4. the location: coordinates that pass ``coordinate_problems``, are no placeholder and lie
   in a ward; or no coordinates but an address (imported, with a warning).

An imported row may also carry warnings (an address-only request, a ward that disagrees
with the source's, a date that was ignored, a description that was cut).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geosvc.geo import CoordinateProblem
from geosvc.requests.import_mapping import ImportMapping
from geosvc.rowchecks.issues import IssueLog
from geosvc.rowchecks.location import PlacedPoints, place_points, problem_refusals
from geosvc.rowchecks.report import report_columns
from geosvc.rowchecks.seen import SeenIds
from geosvc.wards.places import Places

ID_COLUMN = "source_id"
REPORT_COLUMNS = report_columns(ID_COLUMN)
STAGING_COLUMNS = [
    "row_no",
    "source_id",
    "service_code",
    "description",
    "status",
    "resolution",
    "channel",
    "anonymous",
    "lon",
    "lat",
    "address",
    "ward_code",
    "requested_us",
    "updated_us",
    "closed_us",
]
FIRST_DATA_ROW = 2  # numbered as a spreadsheet does: the header is row 1
MAX_DESCRIPTION = 4000
_NAT = np.datetime64("NaT", "us")

Mask = npt.NDArray[np.bool_]
Times = npt.NDArray[np.datetime64]
Values = npt.NDArray[np.object_]


class Reason(StrEnum):
    """The report's reasons: fixed sentences, so that rows can be counted by reason."""

    NO_ID = "the source id is empty"
    REPEATED_ID = "the source id repeats an earlier row's; only the first row is imported"
    NO_CREATED = "the created date is empty"
    BAD_DATE = "the date does not match the mapping's datetime_format"
    UNKNOWN_STATUS = "the status is not one the mapping lists"
    CLOSED_NO_DATE = "the status is a closed one but the closed date is empty"
    CLOSED_BEFORE_OPENED = "closed before it was opened"
    NO_LOCATION = "no coordinates and no address"
    PLACEHOLDER = "the location is a placeholder point listed in the mapping's default_points"
    NO_WARD = "the location is inside no ward of this municipality"
    ADDRESS_ONLY = "no coordinates: imported as an address-only request in the source's ward"
    ADDRESS_ONLY_NO_WARD = "no coordinates: imported as an address-only request without a ward"
    WARD_DIFFERS = "the source's ward is not the one the point lies in; the point's is stored"
    CLOSED_DATE_IGNORED = "the closed date is ignored: the status is not a closed one"
    BAD_UPDATED = "the updated date does not match the datetime_format; the other dates are used"
    DESCRIPTION_CUT = "the description is longer than 4,000 characters and was cut"


@dataclass(frozen=True)
class CheckedChunk:
    """One chunk checked: the rows to import (``STAGING_COLUMNS``) and its report lines."""

    rows: pd.DataFrame
    issues: pd.DataFrame
    read: int


def _joined(mask: Mask, first: pd.Series, *rest: pd.Series | str) -> Values:
    """Evidence text assembled from columns, for the rows of ``mask`` only (None elsewhere)."""
    out = np.full(len(mask), None, dtype=object)
    if mask.any():
        text = first[mask].astype("string[pyarrow]")
        for part in rest:
            text = text + (
                part[mask].astype("string[pyarrow]") if isinstance(part, pd.Series) else part
            )
        out[mask] = text.to_numpy(dtype=object)
    return out


@dataclass
class _Chunk:
    """One chunk's text by mapped field, and its issues."""

    mapping: ImportMapping
    raw: pd.DataFrame
    rows: npt.NDArray[np.int64]
    issues: IssueLog = field(init=False)
    _texts: dict[str, pd.Series] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.issues = IssueLog(self.rows, self.text("source_id"), ID_COLUMN)

    def text(self, name: str) -> pd.Series:
        """The stripped text of mapped field ``name`` ('' where the field is not mapped)."""
        if name not in self._texts:
            column = getattr(self.mapping.columns, name)
            if column is None:
                self._texts[name] = pd.Series("", index=self.raw.index, dtype=object)
            else:
                # Arrow-backed strings (as read already): stripping and comparing run in
                # C++, not per value.
                text = self.raw[column].astype("string[pyarrow]").fillna("")
                self._texts[name] = text.str.strip()
        return self._texts[name]

    def column(self, name: str) -> str:
        """The export's column behind field ``name``."""
        return str(getattr(self.mapping.columns, name))

    def location_column(self) -> str:
        """How the report names the location: 'Latitude/Longitude', or the address column."""
        columns = self.mapping.columns
        return f"{columns.lat}/{columns.lon}" if columns.lat else str(columns.address)


@dataclass(frozen=True)
class _Times:
    created: Times
    closed: Times
    updated: Times
    bad_updated: Mask


@dataclass(frozen=True)
class _Statuses:
    status: Values
    resolution: Values
    closed_date_ignored: Mask


@dataclass(frozen=True)
class _Location:
    lon: npt.NDArray[np.float64]
    """NaN where the row has no point to store."""
    lat: npt.NDArray[np.float64]
    ward: Values
    has_point: Mask
    source_ward: pd.Series
    source_ward_known: Mask


def check_chunk(
    raw: pd.DataFrame, first_row: int, mapping: ImportMapping, places: Places, seen: SeenIds
) -> CheckedChunk:
    """Check one chunk of an export read as text; ``first_row`` is its first row's number.

    Returns the rows to import in ``STAGING_COLUMNS``, times as microseconds since the
    epoch (UTC), and the chunk's report lines in ``REPORT_COLUMNS``.
    """
    rows = np.arange(first_row, first_row + len(raw), dtype=np.int64)
    chunk = _Chunk(mapping, raw.reset_index(drop=True), rows)
    _check_ids(chunk, seen)
    times = _check_times(chunk)
    statuses = _check_status(chunk, times)
    location = _check_location(chunk, places)
    _warn(chunk, times, statuses, location)
    staged = _staging_frame(chunk, times, statuses, location)
    return CheckedChunk(rows=staged, issues=chunk.issues.frame(), read=len(raw))


def _check_ids(chunk: _Chunk, seen: SeenIds) -> None:
    ids = chunk.text("source_id")
    column = chunk.column("source_id")
    present = (ids != "").to_numpy()
    chunk.issues.reject(~present, column, Reason.NO_ID, ids)
    first = chunk.rows.copy()
    first[present] = seen.first_rows(ids[present], chunk.rows[present])
    repeated = first != chunk.rows
    evidence = _joined(repeated, pd.Series(first.astype(str)).radd("first in row "))
    chunk.issues.reject(repeated, column, Reason.REPEATED_ID, evidence)


def _check_times(chunk: _Chunk) -> _Times:
    created_text = chunk.text("created")
    created = parse_times(created_text, chunk.mapping)
    column = chunk.column("created")
    chunk.issues.reject((created_text == "").to_numpy(), column, Reason.NO_CREATED, created_text)
    chunk.issues.reject(np.isnat(created), column, Reason.BAD_DATE, created_text)
    closed_text = chunk.text("closed")
    closed = parse_times(closed_text, chunk.mapping)
    bad_closed = np.isnat(closed) & (closed_text != "").to_numpy()
    chunk.issues.reject(bad_closed, chunk.column("closed"), Reason.BAD_DATE, closed_text)
    updated_text = chunk.text("updated")
    updated = parse_times(updated_text, chunk.mapping)
    bad_updated = np.isnat(updated) & (updated_text != "").to_numpy()
    return _Times(created, closed, updated, bad_updated)


def parse_times(text: pd.Series, mapping: ImportMapping) -> Times:
    """Times in the mapping's format and zone as UTC microseconds; NaT where none parses.

    A local time that happens twice (the hour the clocks go back) is taken as the first;
    one that never happens (the hour they go forward) is moved forward.
    """
    fmt = mapping.datetime_format
    # Arrow's strptime reads the same formats as pandas' at twenty times the speed.
    values = pa.array(text.astype("string[pyarrow]"), type=pa.string())
    parsed = pc.strptime(values, format=fmt, unit="us", error_is_null=True)
    naive = pd.DatetimeIndex(parsed.to_numpy(zero_copy_only=False))
    if "%z" in fmt:  # already UTC
        utc: Times = naive.to_numpy(dtype="datetime64[us]")
        return utc
    first = np.ones(len(naive), dtype=bool)
    local = naive.tz_localize(mapping.timezone, ambiguous=first, nonexistent="shift_forward")
    utc = local.tz_convert("UTC").tz_localize(None).to_numpy(dtype="datetime64[us]")
    return utc


def _check_status(chunk: _Chunk, times: _Times) -> _Statuses:
    statuses = chunk.mapping.statuses
    text = chunk.text("status")
    status = text.map({k: v.status for k, v in statuses.items()}).to_numpy(dtype=object)
    resolution = text.map({k: v.resolution for k, v in statuses.items()}).to_numpy(dtype=object)
    known = pd.notna(status)
    column = chunk.column("status")
    chunk.issues.reject(~known, column, Reason.UNKNOWN_STATUS, text)
    closing = known & (status == "closed")
    has_closed = ~np.isnat(times.closed)
    chunk.issues.reject(closing & ~has_closed, column, Reason.CLOSED_NO_DATE, text)
    before = closing & has_closed & (times.closed < times.created)
    evidence = _joined(before, chunk.text("closed"), " < ", chunk.text("created"))
    chunk.issues.reject(before, chunk.column("closed"), Reason.CLOSED_BEFORE_OPENED, evidence)
    return _Statuses(status, resolution, known & ~closing & has_closed)


def _check_location(chunk: _Chunk, places: Places) -> _Location:
    lon_text, lat_text = chunk.text("lon"), chunk.text("lat")
    lon = pd.to_numeric(lon_text, errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(lat_text, errors="coerce").to_numpy(dtype=float)
    placed = place_points(lon, lat, places, chunk.issues.rejected, chunk.mapping.default_points)
    _refuse_unplaced(chunk, placed)
    has_point, ward = placed.has_point, placed.ward
    source_ward = chunk.text("ward")
    known = source_ward.isin(places.ward_codes).to_numpy()
    ward[~has_point & known] = source_ward.to_numpy(dtype=object)[~has_point & known]
    located = has_point & ~chunk.issues.rejected
    return _Location(
        lon=np.where(located, lon, np.nan),
        lat=np.where(located, lat, np.nan),
        ward=ward,
        has_point=has_point,
        source_ward=source_ward,
        source_ward_known=known,
    )


_PROBLEM_REASONS: dict[CoordinateProblem, str] = {
    p: p.value for p in CoordinateProblem if p is not CoordinateProblem.MISSING
}


def _refuse_unplaced(chunk: _Chunk, placed: PlacedPoints) -> None:
    """Refuse rows with a bad point, a placeholder, a point in no ward, or no place at all."""
    no_address = (chunk.text("address") == "").to_numpy()
    refusals = [
        (~placed.has_point & no_address, Reason.NO_LOCATION),
        *problem_refusals(placed.problems, _PROBLEM_REASONS),
        (placed.placeholder, Reason.PLACEHOLDER),
        (placed.in_no_ward, Reason.NO_WARD),
    ]
    refused = np.logical_or.reduce([mask for mask, _ in refusals])
    point = _joined(refused, chunk.text("lat"), ", ", chunk.text("lon"))
    for mask, reason in refusals:
        chunk.issues.reject(mask, chunk.location_column(), reason, point)


def _warn(chunk: _Chunk, times: _Times, statuses: _Statuses, location: _Location) -> None:
    """Warnings on the rows imported, once every rejection is known."""
    issues, columns = chunk.issues, chunk.mapping.columns
    ward_column = columns.ward or chunk.location_column()
    address_only, known = ~location.has_point, location.source_ward_known
    issues.warn(address_only & known, ward_column, Reason.ADDRESS_ONLY, location.source_ward)
    issues.warn(
        address_only & ~known, ward_column, Reason.ADDRESS_ONLY_NO_WARD, location.source_ward
    )
    source = location.source_ward.to_numpy(dtype=object)
    differs = location.has_point & known & (source != location.ward)
    point_ward = pd.Series(location.ward, dtype=object)
    evidence = _joined(
        differs, location.source_ward, " in the source, ", point_ward, " by the point"
    )
    issues.warn(differs, ward_column, Reason.WARD_DIFFERS, evidence)
    ignored, closed = statuses.closed_date_ignored, chunk.text("closed")
    issues.warn(ignored, chunk.column("closed"), Reason.CLOSED_DATE_IGNORED, closed)
    updated = chunk.text("updated")
    issues.warn(times.bad_updated, chunk.column("updated"), Reason.BAD_UPDATED, updated)


def _staging_frame(
    chunk: _Chunk, times: _Times, statuses: _Statuses, location: _Location
) -> pd.DataFrame:
    """The values of the rows to import, in ``STAGING_COLUMNS``."""
    mapping = chunk.mapping
    service_types, channels = mapping.service_types, mapping.channels
    closed = np.where(statuses.status == "closed", times.closed, _NAT)
    frame = pd.DataFrame(
        {
            "row_no": chunk.rows,
            "source_id": chunk.text("source_id"),
            "service_code": chunk.text("service_type")
            .map(service_types.values)
            .fillna(service_types.default),
            "description": _description(chunk),
            "status": statuses.status,
            "resolution": statuses.resolution,
            "channel": chunk.text("channel").map(channels.values).fillna(channels.default),
            "anonymous": chunk.text("anonymous").isin(mapping.anonymous_values),
            "lon": location.lon,
            "lat": location.lat,
            "address": chunk.text("address"),
            "ward_code": location.ward,
            "requested_us": _micros(times.created),
            "updated_us": _micros(np.fmax(np.fmax(times.created, closed), times.updated)),
            "closed_us": _micros(closed),
        },
        columns=STAGING_COLUMNS,
    )
    return frame.loc[~chunk.issues.rejected].reset_index(drop=True)


def _description(chunk: _Chunk) -> pd.Series:
    text = chunk.text("description")
    long = (text.str.len() > MAX_DESCRIPTION).to_numpy()
    if long.any():
        chunk.issues.warn(long, chunk.column("description"), Reason.DESCRIPTION_CUT, text)
        text = text.where(~long, text.str.slice(0, MAX_DESCRIPTION))
    return text


def _micros(times: Times) -> pd.arrays.IntegerArray:
    """Microseconds since the epoch as nullable integers: cheap to write, exact in SQL."""
    values = times.astype("datetime64[us]")
    return pd.arrays.IntegerArray(values.view(np.int64), np.isnat(values))
