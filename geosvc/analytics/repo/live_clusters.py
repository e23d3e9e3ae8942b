"""The ``live_cluster`` table: the war room's clusters of open incidents, read and written
by ``geosvc.analytics.jobs.live_clusters``, and the lock that serialises their updates."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, text

from geosvc.analytics.repo.runs import CLUSTER_COLUMNS, cluster_rows

_LOCK_NAMESPACE = 0x4C43  # "LC": one live update per service type at a time
_PREVIOUS = """
    SELECT key, service_code, member_ids, member_count AS count, state
    FROM live_cluster WHERE service_code = :service AND state <> 'closed'
"""
#: What a written cluster carries beyond its members and state; closed rows carry none.
SUMMARY_COLUMNS = ("hull", "centroid", "wards", "first_at", "last_at", "radius_m")


def lock_service(conn: Connection, service_code: str) -> None:
    """Wait for, then hold until the transaction ends, the live update lock of a service type."""
    conn.execute(
        text("SELECT pg_advisory_xact_lock(:ns, hashtext(:service))"),
        {"ns": _LOCK_NAMESPACE, "service": service_code},
    )


def read_open_clusters(conn: Connection, service_code: str) -> pd.DataFrame:
    """The stored live clusters of a service type that are not closed: key, service_code,
    member_ids, count, state."""
    return pd.DataFrame(
        conn.execute(text(_PREVIOUS), {"service": service_code}).all(),
        columns=["key", "service_code", "member_ids", "count", "state"],
    )


def write_live_clusters(conn: Connection, changed: pd.DataFrame, now: datetime) -> None:
    """Insert or update the tracked clusters ``changed`` (summaries None when closed) at ``now``."""
    if changed.empty:
        return
    rows = cluster_rows(changed)
    columns = ", ".join(CLUSTER_COLUMNS)
    values = ", ".join(
        f"ST_GeomFromEWKT(:{c})" if c in ("hull", "centroid") else f":{c}" for c in CLUSTER_COLUMNS
    )
    # A closed cluster keeps its last outline, wards and times: closed rows carry none.
    kept = SUMMARY_COLUMNS
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


def delete_closed_clusters(conn: Connection, before: datetime) -> None:
    """Delete the live clusters that closed before ``before``."""
    conn.execute(
        text("DELETE FROM live_cluster WHERE state = 'closed' AND closed_at < :before"),
        {"before": before},
    )
