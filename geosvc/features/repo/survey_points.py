"""The survey-points layer's SQL: surveyed households with their access levels by name."""

from __future__ import annotations

from geosvc.features.repo.clauses import Where
from geosvc.features.repo.layer_query import LayerQuery
from geosvc.surveys.scales import SCALES

LAYER = "survey-points"
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
#: The names of each service's access levels, bound for the columns that show them.
LEVEL_PARAMS = {f"{scale.service}_levels": list(scale.levels) for scale in SCALES.values()}


def survey_points_layer(where: Where) -> LayerQuery:
    """The surveyed households matching ``where``, most recently collected first."""
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
