"""The ``live_cluster`` table: the war room's clusters of open incidents, read and written
by ``geosvc.analytics.jobs.live_clusters``, the lock that serialises their updates, and the
war room's view of a live cluster (what the live bus and the board's lists carry)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from geosvc.analytics.repo.runs import CLUSTER_COLUMNS, cluster_rows
from geosvc.live.payloads import jsonable

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


#: The columns of a live cluster's view (``c`` is live_cluster, ``t`` its service type).
CLUSTER_VIEW_COLUMNS = """
    c.key, c.service_code, coalesce(t.name, c.service_code) AS service_name,
    coalesce(t.group_name, c.service_code) AS service_group, c.state,
    c.member_count AS count, c.previous_count,
    c.member_count - coalesce(c.previous_count, 0) AS growth,
    (SELECT count(*) FROM service_request m
     WHERE m.id = ANY(c.member_ids) AND m.requested_at > :at - interval '2 hours')
        AS last_2h,
    c.wards,
    ARRAY(SELECT w.name FROM ward w WHERE w.code = ANY(c.wards) ORDER BY w.code) AS ward_names,
    ST_X(c.centroid) AS lon, ST_Y(c.centroid) AS lat,
    ST_AsGeoJSON(c.hull, 5)::json AS hull, c.radius_m,
    c.first_at, c.last_at, c.detected_at, c.updated_at, c.closed_at
"""
CLUSTER_VIEW_FROM = "live_cluster c LEFT JOIN service_type t ON t.code = c.service_code"


def cluster_views(
    conn: Connection, keys: Sequence[int], at: datetime | None = None
) -> list[dict[str, Any]]:
    """The board's view of the live clusters ``keys``, in key order."""
    if not keys:
        return []
    rows = conn.execute(
        text(
            f"SELECT {CLUSTER_VIEW_COLUMNS} FROM {CLUSTER_VIEW_FROM} "
            "WHERE c.key = ANY(:keys) ORDER BY c.key"
        ),
        {"keys": [int(key) for key in keys], "at": at or datetime.now(UTC)},
    ).mappings()
    return [jsonable(row) for row in rows]
