"""The war room's live clusters: open incidents of one service type, re-clustered on demand.

An update is a bounded recomputation rather than incremental DBSCAN: it clusters the open
incidents of one service type received in the live window (bench/bench_live_clusters.py
measures it at 100,000 open incidents), then matches the result to the stored clusters by
shared members so every cluster keeps its identity (``key``) and gets a state. Only clusters
that changed are written, and each change is published as a ``cluster`` live event carrying
the war room's view of the cluster (``geosvc.live.views``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, text

from geosvc.analytics.clusters import ClusterParams, cluster_incidents
from geosvc.analytics.inputs import IncidentFilter, read_incidents
from geosvc.analytics.store import CLUSTER_COLUMNS, PLACEHOLDER_KEY, cluster_rows, with_real_keys
from geosvc.analytics.tracking import track_clusters
from geosvc.config import Settings
from geosvc.events import Topic, publish_many
from geosvc.live.views import cluster_views

CLOSED_RETENTION = timedelta(days=1)
_LOCK_NAMESPACE = 0x4C43  # "LC": one live update per service type at a time
_PREVIOUS = """
    SELECT key, service_code, member_ids, member_count AS count, state
    FROM live_cluster WHERE service_code = :service AND state <> 'closed'
"""


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
    incidents = read_incidents(conn, where)
    result = cluster_incidents(incidents, {service_code: params})
    previous = pd.DataFrame(
        conn.execute(text(_PREVIOUS), {"service": service_code}).all(),
        columns=["key", "service_code", "member_ids", "count", "state"],
    )
    tracked = track_clusters(previous, result.clusters, next_key=PLACEHOLDER_KEY)
    tracked = with_real_keys(conn, tracked)
    changed = _changed(tracked, previous)
    _write(conn, changed, now)
    conn.execute(
        text("DELETE FROM live_cluster WHERE state = 'closed' AND closed_at < :before"),
        {"before": now - CLOSED_RETENTION},
    )
    if len(changed):
        _announce(conn, changed, now)
    closed = int((changed["state"] == "closed").sum()) if len(changed) else 0
    return LiveUpdate(service_code, len(incidents), len(tracked) - closed, len(changed), closed)


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
    return tracked[keep]


def _write(conn: Connection, changed: pd.DataFrame, now: datetime) -> None:
    if changed.empty:
        return
    rows = cluster_rows(changed)
    columns = ", ".join(CLUSTER_COLUMNS)
    values = ", ".join(
        f"ST_GeomFromEWKT(:{c})" if c in ("hull", "centroid") else f":{c}" for c in CLUSTER_COLUMNS
    )
    # A closed cluster keeps its last outline, wards and times: closed rows carry none.
    kept = ("hull", "centroid", "wards", "first_at", "last_at", "radius_m")
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
