"""Writing a generated demo data set into the database, as real loaders would.

Incidents become service requests with their ward from the batch path of the ward-
assignment module, a history of events, and a plausible status. Surveys are written as a
KoboToolbox export, which ``geosvc surveys load`` loads as any CDW's upload. Loading is
idempotent: a data set already loaded (recognised by its file hashes) is left as it is.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from geosvc.arrowcsv import ewkb_points
from geosvc.config import get_settings
from geosvc.db import frame_rows
from geosvc.demo.kobo import write_kobo_csv
from geosvc.demo.repo import (
    DEMO_EVENT_COLUMNS,
    DEMO_REQUEST_COLUMNS,
    demo_set_loaded,
    service_standards,
)
from geosvc.requests.reference import reference_number
from geosvc.requests.repo.imports import copy_request_rows, reserve_request_ids
from geosvc.requests.working_days import calendar_for
from geosvc.wards.assign import WardIndex

INCIDENTS_FILE = "incidents.csv"
SURVEYS_FILE = "surveys_kobo.csv"
HOTSPOTS_FILE = "hotspots.geojson"
_ACTOR = "demo-loader"


@dataclass(frozen=True)
class DemoLoadResult:
    """What a demo load wrote; zero counts when it had been loaded before."""

    requests: int
    requests_outside_wards: int
    already_loaded: bool


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_demo(directory: Path) -> pd.DataFrame:
    """The incidents written by ``geosvc demo generate``."""
    return pd.read_csv(directory / INCIDENTS_FILE, parse_dates=["requested_at"])


def store_demo(conn: Connection, directory: Path, now: datetime | None = None) -> DemoLoadResult:
    """Load the demo's service requests in ``directory`` in the caller's transaction.

    Its household surveys are a KoboToolbox export (``SURVEYS_FILE``), loaded as a CDW
    would upload it: ``geosvc surveys load``.
    """
    prefix = "DEMO" + file_hash(directory / INCIDENTS_FILE)[:6].upper()
    if demo_set_loaded(conn, prefix):
        return DemoLoadResult(0, 0, already_loaded=True)
    incidents = read_demo(directory)
    index = WardIndex.from_db(conn)
    requests, outside = _store_requests(conn, incidents, index, prefix, now or datetime.now(UTC))
    return DemoLoadResult(requests, outside, already_loaded=False)


def _store_requests(
    conn: Connection, incidents: pd.DataFrame, index: WardIndex, prefix: str, now: datetime
) -> tuple[int, int]:
    frame = incidents.copy()
    frame["ward_code"] = index.assign(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    frame = _lifecycle(frame, now)
    frame = _due_dates(conn, frame)
    first_id = reserve_request_ids(conn, len(frame))
    frame["id"] = np.arange(first_id, first_id + len(frame))
    frame["reference"] = [
        reference_number(prefix, t, int(i))
        for t, i in zip(frame["requested_at"], frame["incident_id"], strict=True)
    ]
    frame["geom"] = ewkb_points(frame["lon"], frame["lat"]).to_numpy(zero_copy_only=False)
    requests = frame_rows(frame[list(DEMO_REQUEST_COLUMNS)])
    copy_request_rows(conn, DEMO_REQUEST_COLUMNS, requests, DEMO_EVENT_COLUMNS, _events(frame))
    return len(frame), int(frame["ward_code"].isna().sum())


def _lifecycle(frame: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """A plausible state for each request: most older ones acknowledged and closed."""
    rng = np.random.default_rng(len(frame))
    age_days = ((pd.Timestamp(now) - frame["requested_at"]).dt.total_seconds() / 86400).to_numpy()
    ack_days = rng.gamma(1.5, 1.2, len(frame))
    close_days = ack_days + rng.gamma(2.0, 6.0, len(frame))
    acknowledged = (age_days > ack_days) & (rng.random(len(frame)) < 0.9)
    closed = acknowledged & (age_days > close_days) & (rng.random(len(frame)) < 0.85)
    requested = frame["requested_at"]
    frame["acknowledged_at"] = (requested + pd.to_timedelta(ack_days, unit="D")).where(acknowledged)
    frame["closed_at"] = (requested + pd.to_timedelta(close_days, unit="D")).where(closed)
    frame["status"] = np.select([closed, acknowledged], ["closed", "acknowledged"], "received")
    frame["resolution"] = pd.Series("fixed", index=frame.index).where(closed)
    frame["updated_at"] = frame["closed_at"].fillna(frame["acknowledged_at"]).fillna(requested)
    return frame


def _due_dates(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """Each request's due dates from its service type's standards, as on lodging."""
    targets = service_standards(conn)
    calendar = calendar_for(get_settings())
    per_row = targets.reindex(frame["service_code"]).fillna(21).astype(int).to_numpy()
    for column, days in zip(
        ("acknowledge_due_at", "notify_due_at", "due_at"), per_row.T, strict=True
    ):
        frame[column] = calendar.add_working_days_many(frame["requested_at"], days).to_numpy()
    return frame


def _events(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """received, then acknowledged and closed where they happened, in order per request.

    Each row holds the ``DEMO_EVENT_COLUMNS``, in their order.
    """
    steps = [
        ("received", "requested_at", None),
        ("acknowledged", "acknowledged_at", "received"),
        ("closed", "closed_at", "acknowledged"),
    ]
    parts = [
        frame.loc[frame[column].notna(), ["id", column]]
        .rename(columns={column: "at"})
        .assign(kind=kind, status_from=before, status_to=kind)
        for kind, column, before in steps
    ]
    events = pd.concat(parts).sort_values(["id", "at"]).assign(actor=_ACTOR)
    columns = ["id", "kind", "actor", "at", "status_from", "status_to"]
    return list(frame_rows(events[columns]))


def write_demo_files(
    directory: Path, incidents: pd.DataFrame, surveys: pd.DataFrame, hotspots: dict[str, object]
) -> None:
    """Write the generated tables and the planted hotspots' ground truth."""
    directory.mkdir(parents=True, exist_ok=True)
    incidents.to_csv(directory / INCIDENTS_FILE, index=False, date_format="%Y-%m-%dT%H:%M:%S%z")
    write_kobo_csv(surveys, directory / SURVEYS_FILE)
    (directory / HOTSPOTS_FILE).write_text(json.dumps(hotspots, indent=1), encoding="utf-8")
