"""Layers of ward outlines: the wards themselves, their hotspot classes and needs scores.

Hotspots and needs are read from the newest analysis run, for one period label (``all``,
``2026-Q3``, ...: the analysis stores results per period), by default the run's own.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection

from geosvc.analytics.needs.components import COMPONENTS
from geosvc.analytics.periods import parse_period
from geosvc.errors import InvalidInputError
from geosvc.features.collection import LayerQuery
from geosvc.features.filters import FeatureFilters, Filter
from geosvc.features.names import check_names
from geosvc.features.runs import newest_run
from geosvc.features.sql import Clause, LayerFilters, Where, any_of, in_bbox, in_municipality
from geosvc.wards.repo import simplified_sql


def period_label(column: str) -> Clause:
    """The stored result's period label is the filter's (set by the layer when absent)."""

    def clause(filters: FeatureFilters, where: Where) -> None:
        if filters.period is not None:
            where.add(f"{column} = :period_label", period_label=filters.period.label)

    return clause


def _outline(column: str, simplify_m: float | None) -> str:
    return f"ST_Multi({simplified_sql(column)})" if simplify_m else column


def _with_run_period(conn: Connection, filters: FeatureFilters) -> tuple[int, FeatureFilters]:
    run = newest_run(conn)
    if filters.period is None:
        filters = replace(filters, period=parse_period(run.period))
    return run.id, filters


WARD_FILTERS = LayerFilters(
    "wards",
    {
        Filter.WARD: any_of("w.code", Filter.WARD),
        Filter.MUNICIPALITY: in_municipality("w.code"),
        Filter.BBOX: in_bbox("w.geom", points=False),
    },
)
WARD_PROPERTIES = """w.code, w.name, w.ward_no, w.municipality_code, w.municipality_name,
    w.district, w.province, w.households, w.population, w.area_ha, w.demarcation_year"""


def wards_query(
    conn: Connection, filters: FeatureFilters, *, simplify_m: float | None = None
) -> LayerQuery:
    """The wards matching ``filters`` by code, outlines simplified to ``simplify_m`` metres."""
    where = WARD_FILTERS.where(filters)
    check_names(conn, filters)
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


HOTSPOT_FILTERS = LayerFilters(
    "hotspots",
    {
        Filter.SERVICE: any_of("h.service", Filter.SERVICE),
        Filter.WARD: any_of("h.ward_code", Filter.WARD),
        Filter.MUNICIPALITY: in_municipality("h.ward_code"),
        Filter.PERIOD: period_label("h.period"),
        Filter.BBOX: in_bbox("w.geom", points=False),
    },
)
HOTSPOT_PROPERTIES = """h.ward_code, w.name AS ward_name, w.municipality_code, h.service,
    h.period, h.statistic, h.incidents, h.households, h.value, h.z, h.p_norm, h.p_sim, h.q,
    h.class, h.confidence, h.island, h.excluded"""


def hotspots_query(
    conn: Connection,
    filters: FeatureFilters,
    *,
    statistic: str = "gi_star",
    simplify_m: float | None = None,
) -> LayerQuery:
    """Each ward's hotspot class for one service (required) in the newest run."""
    if len(filters.services) != 1:
        raise InvalidInputError(
            "hotspots need exactly one service (a group such as water, or a type), "
            f"not {len(filters.services)}"
        )
    run_id, filters = _with_run_period(conn, filters)
    where = HOTSPOT_FILTERS.where(filters)
    where.add("h.run_id = :run AND h.statistic = :statistic", run=run_id, statistic=statistic)
    check_names(conn, filters)
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


NEED_FILTERS = LayerFilters(
    "needs",
    {
        Filter.SERVICE: any_of("n.service", Filter.SERVICE),
        Filter.WARD: any_of("n.ward_code", Filter.WARD),
        Filter.MUNICIPALITY: in_municipality("n.ward_code"),
        Filter.PERIOD: period_label("n.period"),
        Filter.BBOX: in_bbox("w.geom", points=False),
    },
)
_COMPONENT_COLUMNS = ",\n    ".join(
    f"CAST(n.components->>'{name}_{part}' AS float8) AS {name}_{part}"
    for name in COMPONENTS
    for part in ("raw", "norm", "contribution")
)
NEED_PROPERTIES = f"""n.ward_code, w.name AS ward_name, w.municipality_code, n.service,
    n.period, n.score, n.rank, n.coverage,
    {_COMPONENT_COLUMNS}"""


def needs_query(
    conn: Connection, filters: FeatureFilters, *, simplify_m: float | None = None
) -> LayerQuery:
    """The needs index of the newest run per ward and service, with each component."""
    run_id, filters = _with_run_period(conn, filters)
    where = NEED_FILTERS.where(filters)
    where.add("n.run_id = :run", run=run_id)
    check_names(conn, filters)
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
