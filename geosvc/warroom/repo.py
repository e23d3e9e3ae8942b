"""The war-room board's lists and counters, read from requests, their events and live clusters.

Every list holds the views the live bus carries (``geosvc.requests.repo`` for requests,
``geosvc.analytics.repo.live_clusters`` for clusters), so the page merges both.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from geosvc.analytics.repo.live_clusters import CLUSTER_VIEW_COLUMNS, CLUSTER_VIEW_FROM
from geosvc.live.payloads import jsonable
from geosvc.requests.repo.requests import REQUEST_VIEW_FROM, request_view_columns
from geosvc.requests.repo.standards import breaching_sql, overdue_since_sql

#: Open requests that breach a standard at ``:at``.
_BREACHING = breaching_sql(":at")


def active_clusters(conn: Connection, limit: int, at: datetime) -> list[dict[str, Any]]:
    """The live clusters that are not closed, largest first."""
    rows = conn.execute(
        text(
            f"SELECT {CLUSTER_VIEW_COLUMNS} FROM {CLUSTER_VIEW_FROM} "
            "WHERE c.state <> 'closed' ORDER BY c.member_count DESC, c.key LIMIT :limit"
        ),
        {"limit": limit, "at": at},
    ).mappings()
    return [jsonable(row) for row in rows]


def newest_requests(conn: Connection, limit: int, at: datetime) -> list[dict[str, Any]]:
    """The ``limit`` requests received last, newest first."""
    rows = conn.execute(
        text(
            f"SELECT {request_view_columns(':at')} FROM {REQUEST_VIEW_FROM} "
            "WHERE r.requested_at <= :at ORDER BY r.requested_at DESC, r.id DESC LIMIT :limit"
        ),
        {"limit": limit, "at": at},
    ).mappings()
    return [jsonable(row) for row in rows]


def overdue_requests(conn: Connection, limit: int, at: datetime) -> list[dict[str, Any]]:
    """Open requests breaching a service standard at ``at``, the longest overdue first.

    How long is measured from the earliest standard breached (acknowledge, notify, complete).
    """
    rows = conn.execute(
        text(
            f"""
            SELECT {request_view_columns(":at")}, {overdue_since_sql()} AS overdue_since
            FROM {REQUEST_VIEW_FROM}
            WHERE {_BREACHING}
            ORDER BY overdue_since, r.id
            LIMIT :limit
            """
        ),
        {"limit": limit, "at": at},
    ).mappings()
    return [jsonable(row) for row in rows]


def recent_escalations(conn: Connection, limit: int, at: datetime) -> list[dict[str, Any]]:
    """The ``limit`` newest escalations, newest first, as the stream sends them."""
    rows = conn.execute(
        text(
            f"""
            SELECT e.id AS event_id, e.kind AS event, e.at, e.data ->> 'breach' AS breach,
                   {request_view_columns("e.at")}
            FROM request_event e JOIN {REQUEST_VIEW_FROM} ON r.id = e.request_id
            WHERE e.kind = 'escalated' AND e.at <= :at
            ORDER BY e.at DESC, e.id DESC
            LIMIT :limit
            """
        ),
        {"limit": limit, "at": at},
    ).mappings()
    return [jsonable(row) for row in rows]


def counters(conn: Connection, at: datetime) -> dict[str, int]:
    """Open requests, received and escalated in the last 24 hours, overdue, active clusters."""
    row = conn.execute(
        text(
            f"""
            SELECT
              (SELECT count(*) FROM service_request r WHERE r.status <> 'closed') AS open,
              (SELECT count(*) FROM service_request r
               WHERE r.requested_at > :since AND r.requested_at <= :at) AS received_24h,
              (SELECT count(*) FROM service_request r WHERE {_BREACHING}) AS overdue,
              (SELECT count(*) FROM request_event e
               WHERE e.kind = 'escalated' AND e.at > :since AND e.at <= :at) AS escalated_24h,
              (SELECT count(*) FROM live_cluster c WHERE c.state <> 'closed') AS clusters
            """
        ),
        {"at": at, "since": at - timedelta(hours=24)},
    ).mappings()
    return {key: int(value) for key, value in row.one().items()}


__all__ = [
    "active_clusters",
    "counters",
    "newest_requests",
    "overdue_requests",
    "recent_escalations",
]
