"""What the war-room board loads when it opens: clusters, new and overdue requests,
escalations, counters, and the event id to stream from so that nothing falls in between."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from geosvc.live.events import resume_point
from geosvc.live.payloads import jsonable
from geosvc.warroom.repo import (
    active_clusters,
    counters,
    newest_requests,
    overdue_requests,
    recent_escalations,
)


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
