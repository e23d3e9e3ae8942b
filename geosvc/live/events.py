"""The live event log: what the war room is told, kept in ``live_event`` and announced by NOTIFY.

``publish`` appends an event (topic ``request`` or ``cluster``, a JSON payload) to
``live_event`` and NOTIFYs ``geosvc_live`` with its id, both in the caller's transaction:
PostgreSQL delivers a notification when the transaction commits and never if it rolls back,
so nothing is announced that a listener cannot read. The rows, with their increasing ids,
are what a Server-Sent Events stream replays after ``Last-Event-ID``; NOTIFY only wakes the
listeners (its message is ``{"id": ..., "topic": ...}``, far under PostgreSQL's 8,000 bytes).

Request events carry the board's view of the request (``geosvc.live.views``), never
personal data. Old events are pruned by ``prune_events`` (the live-cluster worker runs it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, text

from geosvc.errors import InvalidInputError
from geosvc.live.views import request_event_view

LIVE_CHANNEL = "geosvc_live"


class Topic(StrEnum):
    """What a live event is about."""

    REQUEST = "request"
    CLUSTER = "cluster"


@dataclass(frozen=True)
class LiveEvent:
    """One row of the live event log."""

    id: int
    topic: str
    payload: dict[str, Any]
    created_at: datetime


def topic_of(name: str) -> Topic:
    """The topic called ``name``; InvalidInputError if there is none."""
    try:
        return Topic(name)
    except ValueError:
        names = ", ".join(t.value for t in Topic)
        raise InvalidInputError(f"a live event's topic is one of {names}, not {name!r}.") from None


def publish(conn: Connection, topic: str, payload: Mapping[str, Any]) -> int:
    """Append ``payload`` to the live event log under ``topic``; returns the event's id.

    Listeners hear of it when the caller's transaction commits.
    """
    (event_id,) = publish_many(conn, topic_of(topic), [payload])
    return event_id


def publish_request_event(conn: Connection, event_id: int) -> int:
    """Publish the ``request_event`` row ``event_id`` as the board's view of it.

    The payload is built here from the row, never passed in, so no caller can leak the
    reporter's details into the log.
    """
    (live_id,) = publish_many(conn, Topic.REQUEST, [request_event_view(conn, event_id)])
    return live_id


def publish_many(
    conn: Connection, topic: Topic, payloads: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Append several events of one topic in one statement; returns their ids in order."""
    if not payloads:
        return []
    rows = conn.execute(
        text(
            """
            INSERT INTO live_event (topic, payload)
            SELECT :topic, p.value
            FROM jsonb_array_elements(CAST(:payloads AS jsonb)) WITH ORDINALITY AS p(value, n)
            ORDER BY p.n
            RETURNING id
            """
        ),
        {"topic": topic.value, "payloads": json.dumps(list(payloads), default=str)},
    ).scalars()
    ids = sorted(int(i) for i in rows)
    conn.execute(
        text("SELECT pg_notify(:channel, m) FROM unnest(CAST(:messages AS text[])) AS m"),
        {
            "channel": LIVE_CHANNEL,
            "messages": [json.dumps({"id": i, "topic": topic.value}) for i in ids],
        },
    )
    return ids


_SELECT = "SELECT id, topic, payload, created_at FROM live_event"


def read_events(conn: Connection, after: int, limit: int = 1000) -> list[LiveEvent]:
    """The events with an id greater than ``after``, oldest first, at most ``limit``."""
    rows = conn.execute(
        text(f"{_SELECT} WHERE id > :after ORDER BY id LIMIT :limit"),
        {"after": after, "limit": limit},
    ).all()
    return [LiveEvent(int(r.id), r.topic, r.payload, r.created_at) for r in rows]


def event_bounds(conn: Connection) -> tuple[int, int]:
    """The smallest and largest id in the log, (0, 0) when it is empty."""
    low, high = conn.execute(text("SELECT min(id), max(id) FROM live_event")).one()
    return int(low or 0), int(high or 0)


def resume_point(conn: Connection, margin: timedelta = timedelta(seconds=30)) -> int:
    """The id a board that loads its lists now should stream from, so it misses nothing.

    Not simply the newest id: an event with a smaller id may belong to a transaction that
    has not committed yet, so this is just before the first event of transactions begun in
    the last ``margin`` (the newest id when there are none; 0 for an empty log). The board
    is sent a few events it has already loaded and merges them by reference and key.
    """
    point = conn.execute(
        text(
            """
            SELECT coalesce(
                (SELECT min(id) - 1 FROM live_event WHERE created_at >= now() - :margin),
                (SELECT max(id) FROM live_event), 0)
            """
        ),
        {"margin": margin},
    ).scalar_one()
    return int(point)


def prune_events(conn: Connection, keep: timedelta, now: datetime | None = None) -> int:
    """Delete the events older than ``keep``; returns how many."""
    before = (now or datetime.now(UTC)) - keep
    result = conn.execute(
        text("DELETE FROM live_event WHERE created_at < :before"), {"before": before}
    )
    return int(result.rowcount)
