"""A request's history: the ``request_event`` rows, read and appended."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class EventRecord:
    """One entry of a request's history."""

    id: int
    kind: str
    actor: str
    at: datetime
    status_from: str | None
    status_to: str | None
    note: str
    public: bool
    data: dict[str, Any] = field(default_factory=dict)


def request_history(
    conn: Connection, request_id: int, *, public_only: bool = False
) -> list[EventRecord]:
    """The events of a request, oldest first; ``public_only`` keeps what a citizen may see."""
    rows = conn.execute(
        text(
            """
            SELECT id, kind, actor, at, status_from, status_to, note, public, data
            FROM request_event
            WHERE request_id = :id AND (public OR NOT :public_only)
            ORDER BY at, id
            """
        ),
        {"id": request_id, "public_only": public_only},
    ).mappings()
    return [EventRecord(**row) for row in rows]


def public_notes(conn: Connection, request_ids: Sequence[int]) -> dict[int, list[EventRecord]]:
    """The public events of each of the requests, oldest first, in one query."""
    notes: dict[int, list[EventRecord]] = {request_id: [] for request_id in request_ids}
    if not request_ids:
        return notes
    rows = conn.execute(
        text(
            """
            SELECT request_id, id, kind, actor, at, status_from, status_to, note, public, data
            FROM request_event
            WHERE public AND request_id = ANY(:ids)
            ORDER BY request_id, at, id
            """
        ),
        {"ids": list(request_ids)},
    ).mappings()
    for row in rows:
        fields = dict(row)
        notes[fields.pop("request_id")].append(EventRecord(**fields))
    return notes


def insert_event(
    conn: Connection,
    request_id: int,
    kind: str,
    actor: str,
    *,
    at: datetime,
    status_from: str | None,
    status_to: str | None,
    note: str,
    public: bool,
    data: dict[str, Any] | None,
) -> int:
    """Append one event to the history of request ``request_id``; returns the event's id."""
    event_id: int = conn.execute(
        text(
            """
            INSERT INTO request_event
                (request_id, kind, actor, at, status_from, status_to, note, public, data)
            VALUES (:request_id, :kind, :actor, :at, :status_from, :status_to, :note, :public,
                    CAST(:data AS jsonb))
            RETURNING id
            """
        ),
        {
            "request_id": request_id,
            "kind": kind,
            "actor": actor,
            "at": at,
            "status_from": status_from,
            "status_to": status_to,
            "note": note,
            "public": public,
            "data": json.dumps(data or {}),
        },
    ).scalar_one()
    return event_id
