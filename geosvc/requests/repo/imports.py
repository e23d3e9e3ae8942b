"""The bulk import's path into ``service_request`` and ``request_event``: COPY and its lookups.

An import COPYs CSV text straight into the tables, in the column orders below, with ids
drawn beforehand from the request table's sequence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, text

from geosvc.db import column_names, copy_csv, copy_rows
from geosvc.requests.tables import request_event, service_request

REQUEST_COLUMNS = column_names(
    service_request,
    # Left to their defaults: what a request imported from another system does not carry.
    exclude=(
        "status_notes",
        "contact",
        "attributes",
        "priority",
        "parent_id",
        "satisfaction",
        "due_at",
        "assigned_to",
        "service_notice",
        "media_url",
        "acknowledge_due_at",
        "notify_due_at",
        "notified_at",
        "on_hold_since",
        "resume_status",
        "escalations",
        "escalated_at",
        "resolved_by_citizen",
        "feedback",
        "rated_at",
        "recommend",
    ),
)
EVENT_COLUMNS = column_names(request_event, exclude=("id", "at", "status_from", "data"))
"""``data`` is left '{}': the note names the file, and parsing the same JSON a million
times was a fifth of the events' COPY."""


def lock_imports(conn: Connection, key: str) -> None:
    """Wait for, then hold until the transaction ends, the lock of the imports named ``key``."""
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def has_requests_from(conn: Connection, source: str) -> bool:
    """Whether any request imported from ``source`` is stored."""
    return bool(
        conn.execute(
            text("SELECT EXISTS (SELECT 1 FROM service_request WHERE source = :source)"),
            {"source": source},
        ).scalar_one()
    )


def stored_source_ids(conn: Connection, source: str, source_ids: list[str | None]) -> list[str]:
    """Which of ``source_ids`` requests from ``source`` stored already carry."""
    found = conn.execute(
        text(
            "SELECT source_id FROM service_request WHERE source = :source AND source_id = ANY(:ids)"
        ),
        {"source": source, "ids": source_ids},
    ).scalars()
    return list(found)


def new_request_ids(conn: Connection, n: int) -> npt.NDArray[np.int64]:
    """``n`` request ids from the table's own sequence, in increasing order.

    Unless another session drew ids meanwhile, they are consecutive, and three numbers
    say which they are instead of ``n`` rows.
    """
    draw = "SELECT nextval('service_request_id_seq') AS id FROM generate_series(1, :n)"
    low, high = conn.execute(
        text(f"SELECT min(id), max(id) FROM ({draw}) AS drawn"), {"n": n}
    ).one()
    if high - low + 1 == n:
        return np.arange(low, high + 1, dtype=np.int64)
    # Interleaved with another session: these n are lost, draw a list instead.
    return np.fromiter(conn.execute(text(draw), {"n": n}).scalars(), dtype=np.int64, count=n)


def copy_requests(conn: Connection, csv: bytes) -> None:
    """COPY requests, CSV in ``REQUEST_COLUMNS`` order, into ``service_request``."""
    copy_csv(conn, "service_request", REQUEST_COLUMNS, csv)


def copy_events(conn: Connection, csv: bytes) -> None:
    """COPY events, CSV in ``EVENT_COLUMNS`` order, into ``request_event``."""
    copy_csv(conn, "request_event", EVENT_COLUMNS, csv)


def reserve_request_ids(conn: Connection, n: int) -> int:
    """Take ``n`` consecutive ids from service_request's sequence at once; the first of them."""
    last = conn.execute(
        text("SELECT setval('service_request_id_seq', nextval('service_request_id_seq') + :n)"),
        {"n": n},
    ).scalar_one()
    return int(last) - n


def copy_request_rows(
    conn: Connection,
    columns: Sequence[str],
    requests: Iterable[Sequence[object]],
    event_columns: Sequence[str],
    events: Iterable[Sequence[object]],
) -> None:
    """COPY whole requests as rows (ids from ``reserve_request_ids``), then their events:
    the demo's path, which builds its rows in Python rather than as CSV."""
    copy_rows(conn, "service_request", columns, requests)
    copy_rows(conn, "request_event", event_columns, events)
