"""The SQL of the layers of ward outlines: wards, their hotspot classes and needs scores."""

from __future__ import annotations

from geosvc.analytics.needs.components import COMPONENTS
from geosvc.features.repo.clauses import Where
from geosvc.features.repo.layer_query import LayerQuery
from geosvc.wards.repo import simplified_sql


def _outline(column: str, simplify_m: float | None) -> str:
    return f"ST_Multi({simplified_sql(column)})" if simplify_m else column


WARD_PROPERTIES = """w.code, w.name, w.ward_no, w.municipality_code, w.municipality_name,
    w.district, w.province, w.households, w.population, w.area_ha, w.demarcation_year"""


def wards_layer(where: Where, simplify_m: float | None) -> LayerQuery:
    """The wards matching ``where`` by code, outlines simplified to ``simplify_m`` metres."""
    return LayerQuery(
        layer="wards",
        properties=WARD_PROPERTIES,
        source="ward AS w",
        where=where,
        order="w.code",
        id_column="code",
        geometry=_outline("w.geom", simplify_m),
        geometry_type="MultiPolygon",
        params={"tolerance_m": simplify_m},
    )


HOTSPOT_PROPERTIES = """h.ward_code, w.name AS ward_name, w.municipality_code, h.service,
    h.period, h.statistic, h.incidents, h.households, h.value, h.z, h.p_norm, h.p_sim, h.q,
    h.class, h.confidence, h.island, h.excluded"""


def hotspots_layer(
    where: Where, run_id: int, statistic: str, simplify_m: float | None
) -> LayerQuery:
    """Each ward's hotspot class by ``statistic`` in run ``run_id``, narrowed by ``where``."""
    where.add("h.run_id = :run AND h.statistic = :statistic", run=run_id, statistic=statistic)
    return LayerQuery(
        layer="hotspots",
        properties=HOTSPOT_PROPERTIES,
        source="ward_hotspot AS h JOIN ward AS w ON w.code = h.ward_code",
        where=where,
        order="h.ward_code",
        id_column="ward_code",
        geometry=_outline("w.geom", simplify_m),
        geometry_type="MultiPolygon",
        params={"tolerance_m": simplify_m},
    )


_COMPONENT_COLUMNS = ",\n    ".join(
    f"CAST(n.components->>'{name}_{part}' AS float8) AS {name}_{part}"
    for name in COMPONENTS
    for part in ("raw", "norm", "contribution")
)
NEED_PROPERTIES = f"""n.ward_code, w.name AS ward_name, w.municipality_code, n.service,
    n.period, n.score, n.rank, n.coverage,
    {_COMPONENT_COLUMNS}"""


def needs_layer(where: Where, run_id: int, simplify_m: float | None) -> LayerQuery:
    """The needs index of run ``run_id`` per ward and service, with each component."""
    where.add("n.run_id = :run", run=run_id)
    return LayerQuery(
        layer="needs",
        properties=NEED_PROPERTIES,
        source="ward_need AS n JOIN ward AS w ON w.code = n.ward_code",
        where=where,
        order="n.service, n.rank NULLS LAST, n.ward_code",
        id_column="ward_code",
        geometry=_outline("w.geom", simplify_m),
        geometry_type="MultiPolygon",
        params={"tolerance_m": simplify_m},
    )
