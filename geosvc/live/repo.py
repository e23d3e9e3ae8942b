"""The SQL of the live event log (``live_event``): append and NOTIFY, read, prune.

The synchronous functions take a SQLAlchemy connection; the hub's take its own psycopg
async connection, which it keeps open for LISTEN.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import Connection, Row, text

_INSERT = """
    INSERT INTO live_event (topic, payload)
    SELECT :topic, p.value
    FROM jsonb_array_elements(CAST(:payloads AS jsonb)) WITH ORDINALITY AS p(value, n)
    ORDER BY p.n
    RETURNING id
"""
_NOTIFY = "SELECT pg_notify(:channel, m) FROM unnest(CAST(:messages AS text[])) AS m"
_SELECT = "SELECT id, topic, payload, created_at FROM live_event"
_RESUME_POINT = """
    SELECT coalesce(
        (SELECT min(id) - 1 FROM live_event WHERE created_at >= now() - :margin),
        (SELECT max(id) FROM live_event), 0)
"""
_SCAN = f"{_SELECT} WHERE id > %(cursor)s OR id = ANY(%(late)s) ORDER BY id LIMIT %(limit)s"


def insert_events(conn: Connection, topic: str, payloads_json: str) -> list[int]:
    """Insert the events of a JSON array under ``topic``, in array order; their ids, sorted."""
    rows = conn.execute(text(_INSERT), {"topic": topic, "payloads": payloads_json}).scalars()
    return sorted(int(i) for i in rows)


def notify(conn: Connection, channel: str, messages: Sequence[str]) -> None:
    """NOTIFY ``channel`` once per message; delivered when the transaction commits."""
    conn.execute(text(_NOTIFY), {"channel": channel, "messages": list(messages)})


def events_after(conn: Connection, after: int, limit: int) -> Sequence[Row[Any]]:
    """Rows (id, topic, payload, created_at) with an id greater than ``after``, oldest first."""
    return conn.execute(
        text(f"{_SELECT} WHERE id > :after ORDER BY id LIMIT :limit"),
        {"after": after, "limit": limit},
    ).all()


def id_bounds(conn: Connection) -> tuple[int, int]:
    """The smallest and largest event id, (0, 0) when the log is empty."""
    low, high = conn.execute(text("SELECT min(id), max(id) FROM live_event")).one()
    return int(low or 0), int(high or 0)


def resume_point(conn: Connection, margin: timedelta) -> int:
    """Just before the first event of transactions begun in the last ``margin``; else the
    newest id; 0 for an empty log (``geosvc.live.events.resume_point`` says why)."""
    return int(conn.execute(text(_RESUME_POINT), {"margin": margin}).scalar_one())


def delete_before(conn: Connection, before: datetime) -> int:
    """Delete the events created before ``before``; returns how many."""
    result = conn.execute(
        text("DELETE FROM live_event WHERE created_at < :before"), {"before": before}
    )
    return int(result.rowcount)


async def listen(conn: psycopg.AsyncConnection[Any], channel: str) -> None:
    """LISTEN on ``channel`` (a fixed identifier of ours, never user input)."""
    await conn.execute(f"LISTEN {channel}")


def listen_blocking(conn: psycopg.Connection[Any], channel: str) -> None:
    """LISTEN on ``channel`` on a blocking (autocommit) connection, as ``listen`` does."""
    conn.execute(f"LISTEN {channel}")


async def newest_id(conn: psycopg.AsyncConnection[Any]) -> int:
    """The largest event id, 0 for an empty log."""
    cursor = await conn.execute("SELECT coalesce(max(id), 0) FROM live_event")
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def scan(
    conn: psycopg.AsyncConnection[Any], cursor: int, late: Sequence[int], limit: int
) -> list[tuple[Any, ...]]:
    """Rows (id, topic, payload, created_at) after ``cursor`` or among ``late``, by id."""
    result = await conn.execute(_SCAN, {"cursor": cursor, "late": list(late), "limit": limit})
    return await result.fetchall()
