"""What the war-room board loads when it opens: clusters, new and overdue requests,
escalations, counters, and the event id to stream from so that nothing falls in between.

Every list holds the views of ``geosvc.live.views``: the shapes the event stream sends.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from geosvc.live.events import resume_point
from geosvc.live.views import (
    CLUSTER_VIEW_COLUMNS,
    CLUSTER_VIEW_FROM,
    REQUEST_VIEW_FROM,
    jsonable,
    request_view_columns,
)
from geosvc.requests.standards_sql import breaching_sql, overdue_since_sql

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


def summary(conn: Connection, limit: int = 50, now: datetime | None = None) -> dict[str, Any]:
    """Everything the board shows, and ``last_event_id`` to stream from.

    The id is read first: every event after it is either in these lists or will be sent
    by the stream (some are both; the page merges them by event id, reference and key).
    """
    if limit < 1:
        raise ValueError("a board list holds at least one row")
    last_event_id = resume_point(conn)
    at = now or datetime.now(UTC)
    return {
        "last_event_id": last_event_id,
        "generated_at": jsonable({"at": at})["at"],
        "counts": counters(conn, at),
        "clusters": active_clusters(conn, max(limit, 200), at),
        "requests": newest_requests(conn, limit, at),
        "overdue": overdue_requests(conn, limit, at),
        "escalations": recent_escalations(conn, limit, at),
    }


__all__ = [
    "active_clusters",
    "counters",
    "newest_requests",
    "overdue_requests",
    "recent_escalations",
    "summary",
]
