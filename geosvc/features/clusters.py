"""The clusters layer: incident clusters with their hull, live or from the newest run.

A cluster may touch several wards; the ward, municipality and period filters are those
of ``repo.clusters``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from geosvc.errors import InvalidInputError
from geosvc.features.filters import FeatureFilters, Filter
from geosvc.features.names import check_names
from geosvc.features.repo.clauses import LayerFilters, in_bbox, service_or_group
from geosvc.features.repo.clusters import (
    active_in_period,
    clusters_layer,
    touches_municipality,
    touches_wards,
)
from geosvc.features.repo.layer_query import LayerQuery
from geosvc.features.runs import newest_run

STATES = ("new", "growing", "stable", "fading", "closed")
DEFAULT_STATES = ("new", "growing", "stable", "fading")

FILTERS = LayerFilters(
    "clusters",
    {
        Filter.SERVICE: service_or_group("c.service_code"),
        Filter.WARD: touches_wards,
        Filter.MUNICIPALITY: touches_municipality,
        Filter.PERIOD: active_in_period,
        Filter.BBOX: in_bbox("c.hull", points=False),
    },
)


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
    run_id = None if live else newest_run(conn).id
    check_names(conn, filters)
    return clusters_layer(where, states or DEFAULT_STATES, run_id)
