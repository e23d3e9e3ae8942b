"""The demo's household surveys as a CDW would upload them: a KoboToolbox CSV export.

The layout follows KoboToolbox's export (../shared/REFERENCE.md): semicolon-delimited,
question names as headers, the geopoint ``gps`` followed by its ``_gps_latitude`` …
``_gps_precision`` columns, ``meta/instanceID``, then the system columns ``_id``,
``_uuid``, ``_submission_time`` (UTC, no offset), ``_validation_status`` and ``_index``.
Answers are the choice names of the default survey schema (``surveys/default.yaml``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geosvc.surveys.scales import SCALES, AccessScale

SUBMISSION_DELAY = pd.Timedelta(minutes=47)  # the CDW found signal after the visit
VISIT = pd.Timedelta(minutes=18)
_QUESTIONS = {
    "water_access": "water_source",
    "sanitation_access": "toilet_type",
    "electricity_access": "electricity",
    "refuse_access": "refuse_removal",
}


def kobo_export(surveys: pd.DataFrame, zone: str = "Africa/Johannesburg") -> pd.DataFrame:
    """The generated ``surveys`` as the columns of a KoboToolbox CSV export."""
    collected = pd.to_datetime(surveys["collected_at"], utc=True)
    local_end = collected.dt.tz_convert(zone)
    uuid = surveys["submission_id"].astype("string").str.removeprefix("uuid:")
    lat = surveys["lat"].round(7).astype(str)
    lon = surveys["lon"].round(7).astype(str)
    altitude = pd.Series(np.full(len(surveys), "1650.0"))
    precision = surveys["precision_m"].astype(str)
    columns: dict[str, pd.Series | str | np.ndarray] = {
        "start": _iso_with_offset(local_end - VISIT),
        "end": _iso_with_offset(local_end),
        "gps": lat + " " + lon + " " + altitude + " " + precision,
        "_gps_latitude": lat,
        "_gps_longitude": lon,
        "_gps_altitude": altitude,
        "_gps_precision": precision,
        "ward_code": surveys["ward_code"].astype(str),
    }
    for level_column, question in _QUESTIONS.items():
        levels = np.array(_scale_of(level_column).levels, dtype=object)
        columns[question] = levels[surveys[level_column].to_numpy(dtype=np.int64)]
    columns["top_needs"] = surveys["needs"].map(" ".join)
    columns["meta/instanceID"] = surveys["submission_id"]
    columns["_id"] = pd.Series(np.arange(1, len(surveys) + 1) + 40_000_000).astype(str)
    columns["_uuid"] = uuid
    columns["_submission_time"] = (collected + SUBMISSION_DELAY).dt.strftime("%Y-%m-%dT%H:%M:%S")
    columns["_validation_status"] = ""
    columns["_index"] = pd.Series(np.arange(1, len(surveys) + 1)).astype(str)
    return pd.DataFrame({k: _values(v) for k, v in columns.items()})


def write_kobo_csv(surveys: pd.DataFrame, path: Path) -> None:
    """Write ``kobo_export(surveys)`` to ``path`` as Kobo does: UTF-8, ``;``-delimited."""
    kobo_export(surveys).to_csv(path, sep=";", index=False)


def _scale_of(level_column: str) -> AccessScale:
    return next(scale for scale in SCALES.values() if scale.column == level_column)


def _iso_with_offset(times: pd.Series) -> pd.Series:
    text = times.dt.strftime("%Y-%m-%dT%H:%M:%S.000%z")
    iso: pd.Series = text.str[:-2] + ":" + text.str[-2:]  # +0200 -> +02:00, as Kobo writes
    return iso


def _values(value: pd.Series | str | np.ndarray) -> pd.Series | np.ndarray | str:
    return value.reset_index(drop=True) if isinstance(value, pd.Series) else value
