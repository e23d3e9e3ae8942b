"""The survey-points layer: surveyed households as points with their access to services.

For planners and community development workers only: a household's point is close to
personal information. Access levels are given by name (``piped_in_yard``) and by code
(0 is the best level of the service's scale, ``geosvc.surveys.scales``). The answers kept
as JSON are not shown.
"""

from __future__ import annotations

from sqlalchemy import Connection

from geosvc.features.collection import LayerQuery
from geosvc.features.filters import FeatureFilters, Filter
from geosvc.features.names import check_names
from geosvc.features.sql import LayerFilters, any_of, in_bbox, in_municipality, within_period
from geosvc.surveys.scales import SCALES

LAYER = "survey-points"
FILTERS = LayerFilters(
    LAYER,
    {
        Filter.WARD: any_of("s.ward_code", Filter.WARD),
        Filter.MUNICIPALITY: in_municipality("s.ward_code"),
        Filter.PERIOD: within_period("s.collected_at"),
        Filter.BBOX: in_bbox("s.geom", points=True),
    },
)
SOURCE = "survey_response AS s LEFT JOIN ward AS w ON w.code = s.ward_code"


def _access_columns() -> str:
    columns = []
    for scale in SCALES.values():
        name = scale.column
        columns.append(f"(CAST(:{scale.service}_levels AS text[]))[s.{name} + 1] AS {name}")
        columns.append(f"s.{name} AS {name}_code")
    return ",\n    ".join(columns)


PROPERTIES = f"""s.submission_id, s.batch_id, s.ward_code, w.name AS ward_name,
    w.municipality_code, s.collected_at, s.precision_m,
    {_access_columns()},
    s.needs"""
LEVEL_PARAMS = {f"{scale.service}_levels": list(scale.levels) for scale in SCALES.values()}


def survey_points_query(conn: Connection, filters: FeatureFilters) -> LayerQuery:
    """The surveyed households matching ``filters``, most recently collected first."""
    where = FILTERS.where(filters)
    check_names(conn, filters)
    return LayerQuery(
        layer=LAYER,
        properties=PROPERTIES,
        source=SOURCE,
        where=where,
        order="s.collected_at DESC NULLS LAST, s.id DESC",
        id_column="submission_id",
        geometry="s.geom",
        geometry_type="Point",
        params=LEVEL_PARAMS,
    )
