"""The clusters layer's SQL: live clusters or a run's, and the filters only clusters have.

A cluster may touch several wards (``wards``); the ward and municipality filters keep a
cluster that touches any of them, the period filter one active during the period (its
first incident before the period's end and its last after its start).
"""

from __future__ import annotations

from collections.abc import Sequence

from geosvc.features.filters import FeatureFilters
from geosvc.features.repo.clauses import MUNICIPALITY_WARDS, Where
from geosvc.features.repo.layer_query import LayerQuery


def touches_wards(filters: FeatureFilters, where: Where) -> None:
    """The cluster touches one of the filter's wards."""
    if filters.wards:
        where.add("c.wards && CAST(:ward AS text[])", ward=list(filters.wards))


def touches_municipality(filters: FeatureFilters, where: Where) -> None:
    """The cluster touches a ward of the filter's municipality (by code or name)."""
    if filters.municipality:
        where.add(
            f"c.wards && ARRAY(SELECT CAST(code AS text) FROM ({MUNICIPALITY_WARDS}) AS m)",
            municipality=filters.municipality,
        )


def active_in_period(filters: FeatureFilters, where: Where) -> None:
    """The cluster's first incident is before the period's end and its last after its start."""
    period = filters.period
    if period is not None and period.start is not None:
        where.add(
            "c.last_at >= :period_start AND c.first_at < :period_end",
            period_start=period.start,
            period_end=period.end,
        )


PROPERTIES = """c.key, c.service_code, c.state, c.member_count AS count, c.previous_count,
    c.wards, c.first_at, c.last_at, c.radius_m, c.closed_into,
    cardinality(c.member_ids) AS members,
    ST_X(c.centroid) AS centroid_lon, ST_Y(c.centroid) AS centroid_lat"""


def clusters_layer(where: Where, states: Sequence[str], run_id: int | None) -> LayerQuery:
    """Clusters in ``states`` matching ``where``, largest first: run ``run_id``'s, or live."""
    where.add("c.state = ANY(:states)", states=list(states))
    if run_id is None:
        source = "live_cluster AS c"
    else:
        source = "cluster AS c"
        where.add("c.run_id = :run", run=run_id)
    return LayerQuery(
        layer="clusters",
        properties=PROPERTIES,
        source=source,
        where=where,
        order="c.member_count DESC, c.key",
        id_column="key",
        geometry="c.hull",
        geometry_type="Unknown",
        params={},
    )
