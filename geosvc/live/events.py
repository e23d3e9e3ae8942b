"""The live event log: what the war room is told, kept in ``live_event`` and announced by NOTIFY.

``publish`` appends an event (topic ``request`` or ``cluster``, a JSON payload) to
``live_event`` and NOTIFYs ``geosvc_live`` with its id, both in the caller's transaction:
PostgreSQL delivers a notification when the transaction commits and never if it rolls back,
so nothing is announced that a listener cannot read. The rows, with their increasing ids,
are what a Server-Sent Events stream replays after ``Last-Event-ID``; NOTIFY only wakes the
listeners (its message is ``{"id": ..., "topic": ...}``, far under PostgreSQL's 8,000 bytes).

Request events carry the board's view of the request, never personal data: the requests
domain builds it (``geosvc.requests.repo.requests.request_event_view``) and publishes it here. Old
events are pruned by ``prune_events`` (the live-cluster worker runs it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from geosvc.errors import InvalidInputError
from geosvc.live import repo

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


def publish_many(
    conn: Connection, topic: Topic, payloads: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Append several events of one topic in one statement; returns their ids in order."""
    if not payloads:
        return []
    ids = repo.insert_events(conn, topic.value, json.dumps(list(payloads), default=str))
    repo.notify(conn, LIVE_CHANNEL, [json.dumps({"id": i, "topic": topic.value}) for i in ids])
    return ids


def read_events(conn: Connection, after: int, limit: int = 1000) -> list[LiveEvent]:
    """The events with an id greater than ``after``, oldest first, at most ``limit``."""
    rows = repo.events_after(conn, after, limit)
    return [LiveEvent(int(r.id), r.topic, r.payload, r.created_at) for r in rows]


def event_bounds(conn: Connection) -> tuple[int, int]:
    """The smallest and largest id in the log, (0, 0) when it is empty."""
    return repo.id_bounds(conn)


def resume_point(conn: Connection, margin: timedelta = timedelta(seconds=30)) -> int:
    """The id a board that loads its lists now should stream from, so it misses nothing.

    Not simply the newest id: an event with a smaller id may belong to a transaction that
    has not committed yet, so this is just before the first event of transactions begun in
    the last ``margin`` (the newest id when there are none; 0 for an empty log). The board
    is sent a few events it has already loaded and merges them by reference and key.
    """
    return repo.resume_point(conn, margin)


def prune_events(conn: Connection, keep: timedelta, now: datetime | None = None) -> int:
    """Delete the events older than ``keep``; returns how many."""
    before = (now or datetime.now(UTC)) - keep
    return repo.delete_before(conn, before)
