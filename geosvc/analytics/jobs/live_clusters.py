"""The war room's live clusters: open incidents of one service type, re-clustered on demand.

An update is a bounded recomputation, not incremental DBSCAN: it re-clusters all the open
incidents of one service type received in the live window, so it is exact whatever changed
since the last update (new requests, closures, edits, bulk imports, incidents ageing out of
the window), and costs what that many incidents cost. At 100,000 open incidents of one type
(bench/bench_live_clusters.py, the worst case) it takes well under half of its one-second
budget (1.15 s before these steps), because each step does only what a change needs:

1. read only the ids and positions of the incidents, packed by PostgreSQL into one binary
   value (``read_incident_points``), not 100,000 rows of Python tuples;
2. DBSCAN in metres (``cluster_points``) with ``geosvc.analytics.clustering.dbscan``, which gives
   scikit-learn's labels from a grid-based DBSCAN, without listing every pair of
   neighbours;
3. match the clusters' members to the stored clusters (``track_clusters``) so every cluster
   keeps its identity (``key``) and gets a state;
4. summarise (hull, centroid, wards, times, radius) and write only the clusters whose
   members or state changed, reading in full only their members: a new request usually
   changes one cluster of 1,700.

Each change is published as a ``cluster`` live event carrying the war room's view of the
cluster (``geosvc.live.views``). The rows written are those the full computation (summaries
of every cluster from ``cluster_incidents``) wrote before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from geosvc.analytics.clustering.clusters import (
    ClusterParams,
    PointClusters,
    cluster_points,
    summarise_points,
)
from geosvc.analytics.clustering.tracking import track_clusters
from geosvc.analytics.repo.inputs import IncidentFilter, read_incident_points, read_incidents
from geosvc.analytics.repo.runs import (
    CLUSTER_COLUMNS,
    PLACEHOLDER_KEY,
    cluster_rows,
    with_real_keys,
)
from geosvc.config import Settings
from geosvc.live.events import Topic, publish_many
from geosvc.live.views import cluster_views

CLOSED_RETENTION = timedelta(days=1)
_LOCK_NAMESPACE = 0x4C43  # "LC": one live update per service type at a time
_PREVIOUS = """
    SELECT key, service_code, member_ids, member_count AS count, state
    FROM live_cluster WHERE service_code = :service AND state <> 'closed'
"""
# What a written cluster carries beyond its members and state; closed rows carry none.
_SUMMARY_COLUMNS = ("hull", "centroid", "wards", "first_at", "last_at", "radius_m")


@dataclass(frozen=True)
class LiveUpdate:
    """What one live update found and wrote."""

    service_code: str
    incidents: int
    clusters: int
    changed: int
    closed: int


def cluster_params(conn: Connection, settings: Settings) -> dict[str, ClusterParams]:
    """Every service type's clustering parameters: its own, or the configured defaults."""
    rows = conn.execute(
        text("SELECT code, cluster_eps_m, cluster_min_count FROM service_type")
    ).all()
    return {
        code: ClusterParams(
            eps_m=eps if eps is not None else settings.cluster_eps_m,
            min_count=count if count is not None else settings.cluster_min_count,
        )
        for code, eps, count in rows
    }


def update_live_clusters(
    conn: Connection,
    service_code: str,
    params: ClusterParams,
    window_h: float,
    now: datetime | None = None,
) -> LiveUpdate:
    """Re-cluster one service type's open incidents of the last ``window_h`` hours.

    Runs in the caller's transaction, serialised per service type by an advisory lock.
    """
    now = now or datetime.now(UTC)
    conn.execute(
        text("SELECT pg_advisory_xact_lock(:ns, hashtext(:service))"),
        {"ns": _LOCK_NAMESPACE, "service": service_code},
    )
    where = IncidentFilter(service_code, open_only=True, since=now - timedelta(hours=window_h))
    clustered = cluster_points(read_incident_points(conn, where), service_code, params)
    previous = pd.DataFrame(
        conn.execute(text(_PREVIOUS), {"service": service_code}).all(),
        columns=["key", "service_code", "member_ids", "count", "state"],
    )
    tracked = track_clusters(previous, clustered.clusters, next_key=PLACEHOLDER_KEY)
    changed = _changed(tracked, previous)
    changed = with_real_keys(conn, _summarised(conn, changed, clustered))
    _write(conn, changed, now)
    conn.execute(
        text("DELETE FROM live_cluster WHERE state = 'closed' AND closed_at < :before"),
        {"before": now - CLOSED_RETENTION},
    )
    if len(changed):
        _announce(conn, changed, now)
    closed = int((changed["state"] == "closed").sum()) if len(changed) else 0
    incidents = len(clustered.points.ids)
    return LiveUpdate(service_code, incidents, len(tracked) - closed, len(changed), closed)


def _summarised(conn: Connection, changed: pd.DataFrame, clustered: PointClusters) -> pd.DataFrame:
    """``changed`` with the summary of each cluster that is not closed, built from its members.

    Only these members are read in full (times, wards). Closed rows get None: ``_write``
    keeps their last outline, wards and times.
    """
    is_open = changed["state"] != "closed"
    ids = [int(i) for members in changed.loc[is_open, "member_ids"] for i in members]
    summaries: dict[int, dict[str, Any]] = {}
    if ids:
        found = summarise_points(read_incidents(conn, IncidentFilter(ids=ids)), clustered)
        records = found[["cluster_no", *_SUMMARY_COLUMNS]].to_dict("records")
        summaries = {int(record["cluster_no"]): record for record in records}
    rows = [
        summaries.get(int(number)) if still_open else None
        for number, still_open in zip(changed["cluster_no"], is_open, strict=True)
    ]
    columns = {
        column: pd.Series(
            [None if row is None else row[column] for row in rows],
            index=changed.index,
            dtype=object,
        )
        for column in _SUMMARY_COLUMNS
    }
    return changed.assign(**columns)


def _changed(tracked: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """The tracked rows whose members or state differ from what is stored."""
    stored = {
        int(key): (sorted(members), state)
        for key, members, state in previous[["key", "member_ids", "state"]].itertuples(index=False)
    }
    keep = [
        stored.get(int(key)) != (sorted(members or []), state)
        for key, members, state in tracked[["key", "member_ids", "state"]].itertuples(index=False)
    ]
    return tracked[np.asarray(keep, dtype=bool)]  # a boolean array: [] would select columns


def _write(conn: Connection, changed: pd.DataFrame, now: datetime) -> None:
    if changed.empty:
        return
    rows = cluster_rows(changed)
    columns = ", ".join(CLUSTER_COLUMNS)
    values = ", ".join(
        f"ST_GeomFromEWKT(:{c})" if c in ("hull", "centroid") else f":{c}" for c in CLUSTER_COLUMNS
    )
    # A closed cluster keeps its last outline, wards and times: closed rows carry none.
    kept = _SUMMARY_COLUMNS
    updates = ", ".join(
        f"{c} = EXCLUDED.{c}" for c in CLUSTER_COLUMNS if c != "key" and c not in kept
    )
    keep_last = ", ".join(
        f"{c} = CASE WHEN EXCLUDED.state = 'closed' THEN live_cluster.{c} ELSE EXCLUDED.{c} END"
        for c in kept
    )
    statement = text(
        f"INSERT INTO live_cluster ({columns}, detected_at, updated_at, closed_at) "
        f"VALUES ({values}, :now, :now, CASE WHEN :state = 'closed' THEN :now END) "
        f"ON CONFLICT (key) DO UPDATE SET {updates}, {keep_last}, "
        "updated_at = EXCLUDED.updated_at, closed_at = EXCLUDED.closed_at"
    )
    params = [
        {**{str(column): value for column, value in record.items()}, "now": now}
        for record in rows.astype(object).where(rows.notna(), None).to_dict("records")
    ]
    conn.execute(statement, params)


def _announce(conn: Connection, changed: pd.DataFrame, now: datetime) -> None:
    """Publish one live event per changed cluster, with the board's view of it as written."""
    keys = [int(key) for key in changed["key"]]
    publish_many(conn, Topic.CLUSTER, cluster_views(conn, keys, now))
