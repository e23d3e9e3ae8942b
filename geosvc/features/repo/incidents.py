"""The incidents layer's SQL: service requests with their type and ward, nothing personal."""

from __future__ import annotations

from datetime import datetime

from geosvc.features.repo.clauses import Where
from geosvc.features.repo.layer_query import LayerQuery
from geosvc.requests.repo.standards import overdue_sql

LAYER = "incidents"
SOURCE = """service_request AS r
    JOIN service_type AS t ON t.code = r.service_code
    LEFT JOIN ward AS w ON w.code = r.ward_code"""
OVERDUE = f"coalesce({overdue_sql(':now')}, false)"
PROPERTIES = f"""r.reference, r.service_code, t.name AS service_name,
    t.group_name AS service_group, r.kind, r.status, r.channel, r.ward_code,
    w.name AS ward_name, w.municipality_code, r.requested_at, r.due_at, r.closed_at,
    {OVERDUE} AS overdue"""


def incidents_layer(where: Where, now: datetime) -> LayerQuery:
    """The incidents matching ``where``, newest first; ``overdue`` as of ``now``."""
    return LayerQuery(
        layer=LAYER,
        properties=PROPERTIES,
        source=SOURCE,
        where=where,
        order="r.requested_at DESC, r.id DESC",
        id_column="reference",
        geometry="r.geom",
        geometry_type="Point",
        params={"now": now},
    )
