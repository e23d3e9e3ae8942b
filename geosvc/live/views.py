"""What the war room sees of a request or a live cluster: one shape for events and lists.

A request's view names the request (reference, service, kind, status, ward, point, dates,
the standards it breaches) and never its reporter: no contact details, no description, no
address, no notes, no actor. The same functions build the payload of a live event and the
rows of the board's lists, so the page merges both without translating.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, text

from geosvc.requests.standards_sql import breaches_sql


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

#: The columns of a live cluster's view (``c`` is live_cluster, ``t`` its service type).
CLUSTER_VIEW_COLUMNS = """
    c.key, c.service_code, coalesce(t.name, c.service_code) AS service_name,
    coalesce(t.group_name, c.service_code) AS service_group, c.state,
    c.member_count AS count, c.previous_count,
    c.member_count - coalesce(c.previous_count, 0) AS growth,
    (SELECT count(*) FROM service_request m
     WHERE m.id = ANY(c.member_ids) AND m.requested_at > :at - interval '2 hours')
        AS last_2h,
    c.wards,
    ARRAY(SELECT w.name FROM ward w WHERE w.code = ANY(c.wards) ORDER BY w.code) AS ward_names,
    ST_X(c.centroid) AS lon, ST_Y(c.centroid) AS lat,
    ST_AsGeoJSON(c.hull, 5)::json AS hull, c.radius_m,
    c.first_at, c.last_at, c.detected_at, c.updated_at, c.closed_at
"""
CLUSTER_VIEW_FROM = "live_cluster c LEFT JOIN service_type t ON t.code = c.service_code"


def jsonable(row: Mapping[Any, Any]) -> dict[str, Any]:
    """``row`` with datetimes as ISO 8601 UTC strings and decimals as floats."""
    return {str(key): _plain(value) for key, value in row.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def request_event_view(conn: Connection, event_id: int) -> dict[str, Any]:
    """The board's view of request event ``event_id``: what happened and to which request.

    Raises LookupError when there is no such event (the caller's transaction must see it).
    """
    row = conn.execute(text(_REQUEST_EVENT), {"event_id": event_id}).mappings().first()
    if row is None:
        raise LookupError(f"there is no request event {event_id}")
    return jsonable(row)


def cluster_views(
    conn: Connection, keys: Sequence[int], at: datetime | None = None
) -> list[dict[str, Any]]:
    """The board's view of the live clusters ``keys``, in key order."""
    if not keys:
        return []
    rows = conn.execute(
        text(
            f"SELECT {CLUSTER_VIEW_COLUMNS} FROM {CLUSTER_VIEW_FROM} "
            "WHERE c.key = ANY(:keys) ORDER BY c.key"
        ),
        {"keys": [int(key) for key in keys], "at": at or datetime.now(UTC)},
    ).mappings()
    return [jsonable(row) for row in rows]
