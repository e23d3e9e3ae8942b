"""Layers of ward outlines: the wards themselves, their hotspot classes and needs scores.

Hotspots and needs are read from the newest analysis run, for one period label (``all``,
``2026-Q3``, ...: the analysis stores results per period), by default the run's own.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection

from geosvc.analytics.periods import parse_period
from geosvc.errors import InvalidInputError
from geosvc.features.filters import FeatureFilters, Filter
from geosvc.features.names import check_names
from geosvc.features.repo.areas import hotspots_layer, needs_layer, wards_layer
from geosvc.features.repo.clauses import (
    LayerFilters,
    any_of,
    in_bbox,
    in_municipality,
    period_label,
)
from geosvc.features.repo.layer_query import LayerQuery
from geosvc.features.runs import newest_run


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


def wards_query(
    conn: Connection, filters: FeatureFilters, *, simplify_m: float | None = None
) -> LayerQuery:
    """The wards matching ``filters`` by code, outlines simplified to ``simplify_m`` metres."""
    where = WARD_FILTERS.where(filters)
    check_names(conn, filters)
    return wards_layer(where, simplify_m)


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
    check_names(conn, filters)
    return hotspots_layer(where, run_id, statistic, simplify_m)


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


def needs_query(
    conn: Connection, filters: FeatureFilters, *, simplify_m: float | None = None
) -> LayerQuery:
    """The needs index of the newest run per ward and service, with each component."""
    run_id, filters = _with_run_period(conn, filters)
    where = NEED_FILTERS.where(filters)
    check_names(conn, filters)
    return needs_layer(where, run_id, simplify_m)
