"""The ``service_request`` rows: read as one shape shared by Open311, the staff API and CLI,
written by intake, the lifecycle and escalation, and viewed by the war room's board."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, text

from geosvc.db import SRID
from geosvc.errors import NotFoundError
from geosvc.live.payloads import jsonable
from geosvc.requests.repo.standards import (
    breaches_sql,
    clock_running_sql,
    overdue_sql,
    unescalated_breach_sql,
)
from geosvc.requests.standards import TIME_COLUMNS
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


def next_request_id(conn: Connection) -> int:
    """A new request id from the table's sequence (the reference number is made from it)."""
    return int(conn.execute(text("SELECT nextval('service_request_id_seq')")).scalar_one())


def insert_request(conn: Connection, values: dict[str, Any]) -> None:
    """Insert one lodged request; ``values`` binds every parameter of the INSERT below
    (``geom`` as EWKT or None, ``contact`` and ``attributes`` as JSON text)."""
    conn.execute(
        text(
            """
            INSERT INTO service_request
                (id, reference, kind, service_code, description, channel, contact, anonymous,
                 actionable, attributes, geom, ward_code, address, parent_id, service_notice,
                 media_url, requested_at, updated_at, acknowledge_due_at, notify_due_at, due_at)
            VALUES (:id, :reference, :kind, :service_code, :description, :channel,
                    CAST(:contact AS jsonb), :anonymous, :actionable, CAST(:attributes AS jsonb),
                    ST_GeomFromEWKT(:geom), :ward_code, :address, :parent_id, :notice,
                    :media_url, :now, :now, :ack_due, :notify_due, :due)
            """
        ),
        values,
    )


@dataclass(frozen=True)
class DuplicateSearch:
    """Where and when an open request of a type repeats a new one: within ``radius_m`` of
    (``lon``, ``lat``), lodged in the ``window_hours`` before ``now``; ``dlon`` and ``dlat``
    are the half-sides of a box, in degrees, a little larger than the circle."""

    service_code: str
    now: datetime
    window_hours: int
    lon: float
    lat: float
    dlon: float
    dlat: float
    radius_m: float


def duplicate_root(conn: Connection, search: DuplicateSearch) -> int | None:
    """The id of the earliest open request of the group ``search`` finds (a duplicate's
    parent, or the request itself), or None.

    The bounding-box test lets PostGIS use the geometry index before measuring metres.
    """
    row = conn.execute(
        text(
            """
            SELECT coalesce(r.parent_id, r.id) AS root
            FROM service_request r
            WHERE r.service_code = :code AND r.status <> 'closed'
              AND r.requested_at >= :now - make_interval(hours => :hours)
              AND r.geom && ST_MakeEnvelope(:lon - :dlon, :lat - :dlat, :lon + :dlon,
                                            :lat + :dlat, :srid)
              AND ST_DWithin(r.geom::geography,
                             ST_SetSRID(ST_MakePoint(:lon, :lat), :srid)::geography, :radius)
            ORDER BY r.requested_at, r.id
            LIMIT 1
            """
        ),
        {
            "code": search.service_code,
            "now": search.now,
            "hours": search.window_hours,
            "lon": search.lon,
            "lat": search.lat,
            "dlon": search.dlon,
            "dlat": search.dlat,
            "srid": SRID,
            "radius": search.radius_m,
        },
    ).first()
    return None if row is None else int(row.root)


def update_request(conn: Connection, request_id: int, updates: dict[str, Any]) -> None:
    """Set the columns named by ``updates`` to its values on request ``request_id``."""
    assignments = ", ".join(f"{column} = :{column}" for column in updates)
    conn.execute(
        text(f"UPDATE service_request SET {assignments} WHERE id = :id"),
        updates | {"id": request_id},
    )


def open_duplicate_ids(conn: Connection, parent_id: int) -> list[int]:
    """The ids of the requests linked to ``parent_id`` as duplicates and not yet closed."""
    children = conn.execute(
        text("SELECT id FROM service_request WHERE parent_id = :id AND status <> 'closed'"),
        {"id": parent_id},
    ).scalars()
    return list(children)


#: Requests imported from another system were received there, long ago: they are not
#: "urgent on receipt" here.
_URGENT_ON_RECEIPT = "t.urgent AND r.source = 'geosvc'"

# The requests with a breach to escalate, by the rule breaches() applies, so that only
# those come back; breaches() then names each breach.
_ESCALATION_CANDIDATES = text(
    f"""
    SELECT r.id, r.status, {_URGENT_ON_RECEIPT} AS urgent, r.actionable, r.escalations,
           {", ".join(f"r.{column}" for column in TIME_COLUMNS)}
    FROM service_request r JOIN service_type t ON t.code = r.service_code
    WHERE {clock_running_sql()}
      AND (({_URGENT_ON_RECEIPT} AND NOT 'urgent' = ANY(r.escalations))
           OR {unescalated_breach_sql(":now")})
    ORDER BY r.id
    LIMIT :limit
    """
)


def escalation_candidates(
    conn: Connection, now: datetime, limit: int | None
) -> Sequence[RowMapping]:
    """The open requests, by id, with a breach at ``now`` not escalated in their cycle (at
    most ``limit``; all if None): id, status, urgent, actionable, escalations and the
    standards' ``TIME_COLUMNS``."""
    return conn.execute(_ESCALATION_CANDIDATES, {"now": now, "limit": limit}).mappings().all()


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
