"""The clusters layer: incident clusters with their hull, live or from the newest run.

A cluster may touch several wards (``wards``); the ward and municipality filters keep a
cluster that touches any of them, the period filter one active during the period (its
first incident before the period's end and its last after its start).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from geosvc.errors import InvalidInputError
from geosvc.features.collection import LayerQuery
from geosvc.features.filters import FeatureFilters, Filter
from geosvc.features.names import check_names
from geosvc.features.runs import newest_run
from geosvc.features.sql import MUNICIPALITY_WARDS, LayerFilters, Where, in_bbox, service_or_group

STATES = ("new", "growing", "stable", "fading", "closed")
DEFAULT_STATES = ("new", "growing", "stable", "fading")


def _touches_wards(filters: FeatureFilters, where: Where) -> None:
    if filters.wards:
        where.add("c.wards && CAST(:ward AS text[])", ward=list(filters.wards))


def _touches_municipality(filters: FeatureFilters, where: Where) -> None:
    if filters.municipality:
        where.add(
            f"c.wards && ARRAY(SELECT CAST(code AS text) FROM ({MUNICIPALITY_WARDS}) AS m)",
            municipality=filters.municipality,
        )


def _active_in_period(filters: FeatureFilters, where: Where) -> None:
    period = filters.period
    if period is not None and period.start is not None:
        where.add(
            "c.last_at >= :period_start AND c.first_at < :period_end",
            period_start=period.start,
            period_end=period.end,
        )


FILTERS = LayerFilters(
    "clusters",
    {
        Filter.SERVICE: service_or_group("c.service_code"),
        Filter.WARD: _touches_wards,
        Filter.MUNICIPALITY: _touches_municipality,
        Filter.PERIOD: _active_in_period,
        Filter.BBOX: in_bbox("c.hull", points=False),
    },
)
PROPERTIES = """c.key, c.service_code, c.state, c.member_count AS count, c.previous_count,
    c.wards, c.first_at, c.last_at, c.radius_m, c.closed_into,
    cardinality(c.member_ids) AS members,
    ST_X(c.centroid) AS centroid_lon, ST_Y(c.centroid) AS centroid_lat"""


def clusters_query(
    conn: Connection,
    filters: FeatureFilters,
    *,
    live: bool = True,
    states: Sequence[str] = (),
) -> LayerQuery:
    """The war room's live clusters, or the newest run's, largest first.

    ``states`` defaults to every state but closed.
    """
    unknown = [s for s in states if s not in STATES]
    if unknown:
        raise InvalidInputError(f"state {unknown[0]!r} is not one of {', '.join(STATES)}")
    where = FILTERS.where(filters)
    where.add("c.state = ANY(:states)", states=list(states or DEFAULT_STATES))
    if live:
        source = "live_cluster AS c"
    else:
        source = "cluster AS c"
        where.add("c.run_id = :run", run=newest_run(conn).id)
    check_names(conn, filters)
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
