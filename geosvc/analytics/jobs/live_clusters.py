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
cluster (``geosvc.analytics.repo.live_clusters``). The rows written are those the full
computation (summaries of every cluster from ``cluster_incidents``) wrote before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from geosvc.analytics.clustering.clusters import (
    ClusterParams,
    PointClusters,
    cluster_points,
    summarise_points,
)
from geosvc.analytics.clustering.tracking import track_clusters
from geosvc.analytics.repo.inputs import (
    IncidentFilter,
    read_incident_points,
    read_incidents,
    service_cluster_settings,
)
from geosvc.analytics.repo.live_clusters import (
    SUMMARY_COLUMNS,
    cluster_views,
    delete_closed_clusters,
    lock_service,
    read_open_clusters,
    write_live_clusters,
)
from geosvc.analytics.repo.runs import PLACEHOLDER_KEY, with_real_keys
from geosvc.config import Settings
from geosvc.live.events import Topic, publish_many

CLOSED_RETENTION = timedelta(days=1)


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
    return {
        code: ClusterParams(
            eps_m=eps if eps is not None else settings.cluster_eps_m,
            min_count=count if count is not None else settings.cluster_min_count,
        )
        for code, eps, count in service_cluster_settings(conn)
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
    lock_service(conn, service_code)
    where = IncidentFilter(service_code, open_only=True, since=now - timedelta(hours=window_h))
    clustered = cluster_points(read_incident_points(conn, where), service_code, params)
    previous = read_open_clusters(conn, service_code)
    tracked = track_clusters(previous, clustered.clusters, next_key=PLACEHOLDER_KEY)
    changed = _changed(tracked, previous)
    changed = with_real_keys(conn, _summarised(conn, changed, clustered))
    write_live_clusters(conn, changed, now)
    delete_closed_clusters(conn, now - CLOSED_RETENTION)
    if len(changed):
        _announce(conn, changed, now)
    closed = int((changed["state"] == "closed").sum()) if len(changed) else 0
    incidents = len(clustered.points.ids)
    return LiveUpdate(service_code, incidents, len(tracked) - closed, len(changed), closed)


def _summarised(conn: Connection, changed: pd.DataFrame, clustered: PointClusters) -> pd.DataFrame:
    """``changed`` with the summary of each cluster that is not closed, built from its members.

    Only these members are read in full (times, wards). Closed rows get None:
    ``write_live_clusters`` keeps their last outline, wards and times.
    """
    is_open = changed["state"] != "closed"
    ids = [int(i) for members in changed.loc[is_open, "member_ids"] for i in members]
    summaries: dict[int, dict[str, Any]] = {}
    if ids:
        found = summarise_points(read_incidents(conn, IncidentFilter(ids=ids)), clustered)
        records = found[["cluster_no", *SUMMARY_COLUMNS]].to_dict("records")
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
        for column in SUMMARY_COLUMNS
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


def _announce(conn: Connection, changed: pd.DataFrame, now: datetime) -> None:
    """Publish one live event per changed cluster, with the board's view of it as written."""
    keys = [int(key) for key in changed["key"]]
    publish_many(conn, Topic.CLUSTER, cluster_views(conn, keys, now))
