"""Reading requests and their history: one row shape shared by Open311, the staff API and CLI."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from geosvc.db import copy_rows
from geosvc.errors import NotFoundError
from geosvc.live.payloads import jsonable
from geosvc.requests.standards_sql import breaches_sql, overdue_sql
from geosvc.requests.transitions import OPEN

#: The columns of a request as every reader sees it (``r`` is service_request, ``t`` its type).
REQUEST_COLUMNS = """
    r.id, r.reference, r.token::text AS token, r.kind, r.service_code, t.name AS service_name,
    t.urgent, r.description, r.status, r.status_notes, r.resolution, r.channel, r.contact,
    r.anonymous, r.actionable, r.attributes, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat,
    r.ward_code, w.name AS ward_name, w.municipality_code, r.address, r.priority,
    r.parent_id, p.reference AS parent_reference, r.assigned_to, r.service_notice, r.media_url,
    r.requested_at, r.updated_at, r.acknowledged_at, r.acknowledge_due_at, r.notify_due_at,
    r.due_at, r.notified_at, r.on_hold_since, r.resume_status, r.escalations, r.escalated_at,
    r.closed_at, r.satisfaction, r.resolved_by_citizen, r.feedback, r.rated_at, r.source,
    r.source_id
"""
REQUEST_FROM = """
    service_request r
    JOIN service_type t ON t.code = r.service_code
    LEFT JOIN ward w ON w.code = r.ward_code
    LEFT JOIN service_request p ON p.id = r.parent_id
"""


@dataclass(frozen=True)
class RequestRecord:
    """One service request, with its type's name and its ward and parent resolved."""

    id: int
    reference: str
    token: str | None
    kind: str
    service_code: str
    service_name: str
    urgent: bool
    description: str
    status: str
    status_notes: str
    resolution: str | None
    channel: str
    contact: dict[str, Any]
    anonymous: bool
    actionable: bool
    attributes: dict[str, Any]
    lon: float | None
    lat: float | None
    ward_code: str | None
    ward_name: str | None
    municipality_code: str | None
    address: str | None
    priority: int
    parent_id: int | None
    parent_reference: str | None
    assigned_to: str | None
    service_notice: str | None
    media_url: str | None
    requested_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    acknowledge_due_at: datetime | None
    notify_due_at: datetime | None
    due_at: datetime | None
    notified_at: datetime | None
    on_hold_since: datetime | None
    resume_status: str | None
    escalations: list[str]
    escalated_at: datetime | None
    closed_at: datetime | None
    satisfaction: int | None
    resolved_by_citizen: bool | None
    feedback: str | None
    rated_at: datetime | None
    source: str
    source_id: str | None


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


def get_request(conn: Connection, key: int | str, *, lock: bool = False) -> RequestRecord:
    """The request with id ``key`` (an int) or reference ``key`` (a str); NotFoundError if none.

    ``lock`` takes a row lock for the rest of the transaction, so that two changes to the
    same request are applied one after the other.
    """
    where = "r.id = :key" if isinstance(key, int) else "r.reference = :key"
    lock_clause = " FOR UPDATE OF r" if lock else ""
    return _one(conn, where + lock_clause, key, f"There is no service request {key}.")


def get_by_token(conn: Connection, token: str) -> RequestRecord:
    """The request created with Open311 token ``token``."""
    missing = f"There is no service request with token {token}."
    try:
        key = uuid.UUID(token)
    except ValueError:
        raise NotFoundError(missing) from None
    return _one(conn, "r.token = :key", key, missing)


def _one(conn: Connection, where: str, key: object, missing: str) -> RequestRecord:
    sql = text(f"SELECT {REQUEST_COLUMNS} FROM {REQUEST_FROM} WHERE {where}")
    row = conn.execute(sql, {"key": key}).mappings().first()
    if row is None:
        raise NotFoundError(missing)
    return RequestRecord(**row)


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


@dataclass(frozen=True)
class RequestFilter:
    """What a list of requests is narrowed to; every field left as None does not narrow it.

    ``status`` takes geosvc statuses and the Open311 ``open`` and ``closed``; ``bbox`` is
    (min_lon, min_lat, max_lon, max_lat); ``overdue`` keeps open requests past their due date.
    """

    references: tuple[str, ...] | None = None
    service_codes: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    requested_from: datetime | None = None
    requested_to: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None
    ward_code: str | None = None
    municipality_code: str | None = None
    assigned_to: str | None = None
    overdue_at: datetime | None = None
    page: int = 1
    page_size: int = 50


def list_requests(conn: Connection, where: RequestFilter) -> tuple[list[RequestRecord], int]:
    """The requests matching ``where``, newest first, one page of them, and how many match."""
    clauses, params = _filter_sql(where)
    condition = " AND ".join(clauses) or "true"
    total = int(
        conn.execute(
            text(f"SELECT count(*) FROM {REQUEST_FROM} WHERE {condition}"), params
        ).scalar_one()
    )
    rows = conn.execute(
        text(
            f"SELECT {REQUEST_COLUMNS} FROM {REQUEST_FROM} WHERE {condition} "
            "ORDER BY r.requested_at DESC, r.id DESC LIMIT :limit OFFSET :offset"
        ),
        params | {"limit": where.page_size, "offset": (where.page - 1) * where.page_size},
    ).mappings()
    return [RequestRecord(**row) for row in rows], total


def _filter_sql(where: RequestFilter) -> tuple[list[str], dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}

    def add(clause: str, **values: Any) -> None:
        clauses.append(clause)
        params.update(values)

    if where.references is not None:
        # Open311: a list of ids overrides every other argument.
        return ["r.reference = ANY(:refs)"], {"refs": list(where.references)}
    if where.service_codes:
        add("r.service_code = ANY(:codes)", codes=list(where.service_codes))
    if where.statuses:
        statuses = set(where.statuses)
        if "open" in statuses:
            statuses |= {s.value for s in OPEN}
        add("r.status = ANY(:statuses)", statuses=sorted(statuses - {"open"}))
    if where.requested_from:
        add("r.requested_at >= :requested_from", requested_from=where.requested_from)
    if where.requested_to:
        add("r.requested_at <= :requested_to", requested_to=where.requested_to)
    if where.updated_after:
        add("r.updated_at > :updated_after", updated_after=where.updated_after)
    if where.updated_before:
        add("r.updated_at < :updated_before", updated_before=where.updated_before)
    if where.bbox:
        west, south, east, north = where.bbox
        add(
            "r.geom && ST_MakeEnvelope(:west, :south, :east, :north, 4326)",
            west=west,
            south=south,
            east=east,
            north=north,
        )
    if where.ward_code:
        add("r.ward_code = :ward", ward=where.ward_code)
    if where.municipality_code:
        add("w.municipality_code = :muni", muni=where.municipality_code)
    if where.assigned_to:
        add("r.assigned_to = :assignee", assignee=where.assigned_to)
    if where.overdue_at:
        add(overdue_sql(":overdue_at"), overdue_at=where.overdue_at)
    return clauses, params


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


# The war room's view of a request: what the live bus and the board's lists carry. It names
# the request (reference, service, kind, status, ward, point, dates, the standards it
# breaches) and never its reporter: no contact details, description, address, notes or actor.


def request_view_columns(at: str) -> str:
    """The columns of a request's view, breaches measured at ``at`` (``r`` service_request,
    ``t`` its type, ``w`` its ward, ``p`` its parent: see ``REQUEST_VIEW_FROM``)."""
    return f"""
    r.reference, r.kind, r.service_code, t.name AS service_name,
    t.group_name AS service_group, t.urgent, r.status, r.priority,
    r.ward_code, w.name AS ward_name, w.municipality_code,
    ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat,
    r.requested_at, r.due_at, r.escalations, {breaches_sql(at)} AS breaches,
    p.reference AS duplicate_of"""


REQUEST_VIEW_FROM = """
    service_request r
    JOIN service_type t ON t.code = r.service_code
    LEFT JOIN ward w ON w.code = r.ward_code
    LEFT JOIN service_request p ON p.id = r.parent_id
"""

_REQUEST_EVENT = f"""
    SELECT e.id AS event_id, e.kind AS event, e.at, e.data ->> 'breach' AS breach,
           {request_view_columns("e.at")}
    FROM request_event e JOIN {REQUEST_VIEW_FROM} ON r.id = e.request_id
    WHERE e.id = :event_id
"""


def request_event_view(conn: Connection, event_id: int) -> dict[str, Any]:
    """The board's view of request event ``event_id``: what happened and to which request.

    Raises LookupError when there is no such event (the caller's transaction must see it).
    """
    row = conn.execute(text(_REQUEST_EVENT), {"event_id": event_id}).mappings().first()
    if row is None:
        raise LookupError(f"there is no request event {event_id}")
    return jsonable(row)


def reserve_request_ids(conn: Connection, n: int) -> int:
    """Take ``n`` consecutive ids from service_request's sequence at once; the first of them."""
    last = conn.execute(
        text("SELECT setval('service_request_id_seq', nextval('service_request_id_seq') + :n)"),
        {"n": n},
    ).scalar_one()
    return int(last) - n


def copy_requests(
    conn: Connection,
    columns: Sequence[str],
    requests: Iterable[Sequence[object]],
    event_columns: Sequence[str],
    events: Iterable[Sequence[object]],
) -> None:
    """COPY whole requests (ids from ``reserve_request_ids``), then their events."""
    copy_rows(conn, "service_request", columns, requests)
    copy_rows(conn, "request_event", event_columns, events)
