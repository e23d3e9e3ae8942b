"""The incidents layer: service requests as points, with nothing personal in them.

Public, as Open311's GET requests is: the reference, what and where, its status and
dates. Never the reporter's contact details, the description (citizens write names and
phone numbers into it) or the street address.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection

from geosvc.features.filters import FeatureFilters, Filter
from geosvc.features.names import check_names
from geosvc.features.repo.clauses import (
    LayerFilters,
    any_of,
    in_bbox,
    in_municipality,
    service_or_group,
    status_in,
    within_period,
)
from geosvc.features.repo.incidents import LAYER, incidents_layer
from geosvc.features.repo.layer_query import LayerQuery

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


def incidents_query(
    conn: Connection, filters: FeatureFilters, *, now: datetime | None = None
) -> LayerQuery:
    """The incidents matching ``filters``, newest first; ``overdue`` as of ``now``.

    Requests lodged with an address only have no geometry (null in GeoJSON).
    """
    where = FILTERS.where(filters)
    check_names(conn, filters)
    return incidents_layer(where, now or datetime.now(UTC))
