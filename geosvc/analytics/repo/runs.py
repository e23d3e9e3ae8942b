"""Storing analysis runs and their results; the API and the pages read the newest run.

Every run records its parameters, start and finish; its results reference it and are deleted
with it, so ``prune_runs`` keeps the table from growing without bound.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, text

from geosvc.analytics.hotspots import statistics as hotspots
from geosvc.analytics.trends import emerging as trends
from geosvc.db import copy_rows, frame_rows

HOTSPOT_COLUMNS = ("service", "period", *hotspots.COLUMNS)
TREND_COLUMNS = ("service", *trends.TREND_COLUMNS)
GAP_COLUMNS = (
    "service",
    "period",
    "ward_code",
    "need_score",
    "need_share",
    "delivery_share",
    "gap",
    "realised",
    "unrealised",
)
PLACEHOLDER_KEY = 1 << 62  # new clusters' keys until the sequence hands out real ones
CLUSTER_COLUMNS = (
    "key",
    "service_code",
    "state",
    "member_count",
    "previous_count",
    "member_ids",
    "wards",
    "first_at",
    "last_at",
    "radius_m",
    "closed_into",
    "hull",
    "centroid",
)


def start_run(conn: Connection, kind: str, params: Mapping[str, Any]) -> int:
    """Record that a run of ``kind`` started with ``params``; returns its id."""
    return int(
        conn.execute(
            text(
                "INSERT INTO analysis_run (kind, params) VALUES (:kind, CAST(:params AS jsonb)) "
                "RETURNING id"
            ),
            {"kind": kind, "params": json.dumps(params, default=str)},
        ).scalar_one()
    )


def finish_run(conn: Connection, run_id: int, summary: Mapping[str, Any]) -> None:
    """Record a run's finish time and summary."""
    conn.execute(
        text(
            "UPDATE analysis_run SET finished_at = clock_timestamp(), "
            "summary = CAST(:summary AS jsonb) WHERE id = :id"
        ),
        {"id": run_id, "summary": json.dumps(summary, default=str)},
    )


def latest_run(conn: Connection, kind: str = "analyse") -> int | None:
    """The newest finished run of ``kind``, or None."""
    found = conn.execute(
        text(
            "SELECT id FROM analysis_run WHERE kind = :kind AND finished_at IS NOT NULL "
            "ORDER BY finished_at DESC, id DESC LIMIT 1"
        ),
        {"kind": kind},
    ).scalar()
    return None if found is None else int(found)


def prune_runs(conn: Connection, kind: str, keep: int) -> int:
    """Delete all but the ``keep`` newest finished runs of ``kind``; returns how many went."""
    deleted = conn.execute(
        text(
            "DELETE FROM analysis_run WHERE kind = :kind AND finished_at IS NOT NULL AND id NOT IN "
            "(SELECT id FROM analysis_run WHERE kind = :kind AND finished_at IS NOT NULL "
            " ORDER BY finished_at DESC, id DESC LIMIT :keep)"
        ),
        {"kind": kind, "keep": keep},
    )
    return int(deleted.rowcount)


def previous_run_clusters(conn: Connection, period: str) -> pd.DataFrame:
    """The clusters of the newest finished analysis of ``period``: key, service_code,
    member_ids, count, state (none when no run analysed it)."""
    rows = conn.execute(
        text(
            "SELECT c.key, c.service_code, c.member_ids, c.member_count AS count, c.state "
            "FROM cluster AS c JOIN analysis_run AS r ON r.id = c.run_id "
            "WHERE r.id = (SELECT id FROM analysis_run WHERE kind = 'analyse' "
            "  AND finished_at IS NOT NULL AND params->>'period' = :period "
            "  ORDER BY finished_at DESC, id DESC LIMIT 1)"
        ),
        {"period": period},
    ).all()
    return pd.DataFrame(rows, columns=["key", "service_code", "member_ids", "count", "state"])


def write_frame(
    conn: Connection, table: str, run_id: int, frame: pd.DataFrame, columns: Sequence[str]
) -> int:
    """COPY ``frame``'s ``columns`` (plus ``run_id``) into ``table``."""
    rows = frame.loc[:, list(columns)].assign(run_id=run_id)
    return copy_rows(conn, table, [*columns, "run_id"], frame_rows(rows))


def write_needs(conn: Connection, run_id: int, index: pd.DataFrame, period: str) -> int:
    """Store a needs index (``needs_index`` output): score, rank, coverage, components."""
    component_columns = [c for c in index.columns if c.endswith(("_raw", "_norm", "_contribution"))]
    components = _json_rows(index[component_columns])
    frame = index[["ward_code", "service", "score", "rank", "coverage"]].assign(
        period=period, components=components
    )
    columns = ("ward_code", "service", "period", "score", "rank", "coverage", "components")
    return write_frame(conn, "ward_need", run_id, frame, columns)


def write_scoreboard(
    conn: Connection, run_id: int, board: pd.DataFrame, level: str, area: str, period: str
) -> int:
    """Store a scoreboard (``scoreboard`` output) at municipality or ward ``level``."""
    fixed = {area, "service", "requests", "rank", "suppressed"}
    metric_columns = [c for c in board.columns if c not in fixed]
    metrics = _json_rows(board[metric_columns])
    frame = board.assign(level=level, area_code=board[area], period=period, metrics=metrics).dropna(
        subset=["area_code"]
    )
    columns = (
        "level",
        "area_code",
        "service",
        "period",
        "requests",
        "rank",
        "suppressed",
        "metrics",
    )
    return write_frame(conn, "scoreboard", run_id, frame, columns)


def cluster_rows(clusters: pd.DataFrame) -> pd.DataFrame:
    """Tracked clusters as rows for ``cluster`` / ``live_cluster``: geometries as EWKT."""
    rows = pd.DataFrame(clusters).rename(columns={"count": "member_count"})
    for column in ("hull", "centroid"):
        values = rows[column].to_numpy() if column in rows else np.full(len(rows), None)
        rows[column] = [
            None if value is None else f"SRID=4326;{shapely.to_wkt(value)}" for value in values
        ]
    for column in ("member_ids", "wards"):
        rows[column] = [[] if value is None else list(value) for value in rows[column]]
    return rows.loc[:, list(CLUSTER_COLUMNS)]


def with_real_keys(conn: Connection, tracked: pd.DataFrame) -> pd.DataFrame:
    """Swap the placeholder keys of new clusters for values of ``cluster_key_seq``."""
    new = tracked["key"] >= PLACEHOLDER_KEY
    if not new.any():
        return tracked
    keys = conn.execute(
        text("SELECT nextval('cluster_key_seq') FROM generate_series(1, :n)"), {"n": int(new.sum())}
    ).scalars()
    tracked = tracked.copy()
    tracked.loc[new, "key"] = list(keys)
    return tracked


def _json_rows(frame: pd.DataFrame) -> list[str]:
    """Each row of ``frame`` as a JSON object, for a jsonb column."""
    return [
        json.dumps({str(key): _plain(value) for key, value in row.items()})
        for row in frame.to_dict("records")
    ]


def _plain(value: object) -> object:
    """A JSON-ready scalar: numpy numbers as Python ones, NaN as null."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
