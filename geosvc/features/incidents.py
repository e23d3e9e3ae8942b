"""The incidents layer: service requests as points, with nothing personal in them.

Public, as Open311's GET requests is: the reference, what and where, its status and
dates. Never the reporter's contact details, the description (citizens write names and
phone numbers into it) or the street address.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection

from geosvc.features.collection import LayerQuery
from geosvc.features.filters import FeatureFilters, Filter
from geosvc.features.names import check_names
from geosvc.features.sql import (
    LayerFilters,
    any_of,
    in_bbox,
    in_municipality,
    service_or_group,
    status_in,
    within_period,
)
from geosvc.requests.standards_sql import overdue_sql

LAYER = "incidents"
FILTERS = LayerFilters(
    LAYER,
    {
        Filter.SERVICE: service_or_group("r.service_code"),
        Filter.WARD: any_of("r.ward_code", Filter.WARD),
        Filter.MUNICIPALITY: in_municipality("r.ward_code"),
        Filter.PERIOD: within_period("r.requested_at"),
        Filter.STATUS: status_in("r.status"),
        Filter.BBOX: in_bbox("r.geom", points=True),
    },
)
SOURCE = """service_request AS r
    JOIN service_type AS t ON t.code = r.service_code
    LEFT JOIN ward AS w ON w.code = r.ward_code"""
OVERDUE = f"coalesce({overdue_sql(':now')}, false)"
PROPERTIES = f"""r.reference, r.service_code, t.name AS service_name,
    t.group_name AS service_group, r.kind, r.status, r.channel, r.ward_code,
    w.name AS ward_name, w.municipality_code, r.requested_at, r.due_at, r.closed_at,
    {OVERDUE} AS overdue"""


def incidents_query(
    conn: Connection, filters: FeatureFilters, *, now: datetime | None = None
) -> LayerQuery:
    """The incidents matching ``filters``, newest first; ``overdue`` as of ``now``.

    Requests lodged with an address only have no geometry (null in GeoJSON).
    """
    where = FILTERS.where(filters)
    check_names(conn, filters)
    return LayerQuery(
        layer=LAYER,
        properties=PROPERTIES,
        source=SOURCE,
        where=where,
        order="r.requested_at DESC, r.id DESC",
        id_column="reference",
        geometry="r.geom",
        geometry_type="Point",
        params={"now": now or datetime.now(UTC)},
    )
