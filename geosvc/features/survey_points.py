"""The survey-points layer: surveyed households as points with their access to services.

For planners and community development workers only: a household's point is close to
personal information. Access levels are given by name (``piped_in_yard``) and by code
(0 is the best level of the service's scale, ``geosvc.surveys.scales``). The answers kept
as JSON are not shown.
"""

from __future__ import annotations

from sqlalchemy import Connection

from geosvc.features.filters import FeatureFilters, Filter
from geosvc.features.names import check_names
from geosvc.features.repo.clauses import (
    LayerFilters,
    any_of,
    in_bbox,
    in_municipality,
    within_period,
)
from geosvc.features.repo.layer_query import LayerQuery
from geosvc.features.repo.survey_points import LAYER, survey_points_layer

FILTERS = LayerFilters(
    LAYER,
    {
        Filter.WARD: any_of("s.ward_code", Filter.WARD),
        Filter.MUNICIPALITY: in_municipality("s.ward_code"),
        Filter.PERIOD: within_period("s.collected_at"),
        Filter.BBOX: in_bbox("s.geom", points=True),
    },
)


def survey_points_query(conn: Connection, filters: FeatureFilters) -> LayerQuery:
    """The surveyed households matching ``filters``, most recently collected first."""
    where = FILTERS.where(filters)
    check_names(conn, filters)
    return survey_points_layer(where)
