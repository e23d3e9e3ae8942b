"""The newest run's needs and hotspot results as GeoDataFrames of ward outlines.

For notebooks and reports: ``maps`` turns these frames into folium maps. Every ward of the
chosen area is a row, with NaN where the run has no result for it, so a map shows the
wards without evidence instead of leaving holes.
"""

from __future__ import annotations

import geopandas as gpd
from sqlalchemy import Connection

from geosvc.errors import NotFoundError
from geosvc.planning.repo.frames import neighbours_frame, ward_hotspots_frame, ward_needs_frame
from geosvc.planning.repo.results import RESULT_TABLES, stored_services_and_periods
from geosvc.planning.runs import run_facts

DEFAULT_SIMPLIFY_M = 50.0
"""Outlines are simplified to this tolerance (metres) unless asked otherwise: a map of a
metro's wards stays small enough for a notebook."""


def _check_service(conn: Connection, measure: str, run_id: int, service: str, period: str) -> None:
    found = stored_services_and_periods(conn, measure, run_id)
    if (service, period) not in {(row.service, row.period) for row in found}:
        services = ", ".join(sorted({row.service for row in found})) or "none"
        periods = ", ".join(sorted({row.period for row in found})) or "none"
        raise NotFoundError(
            f"The newest analysis run has no {RESULT_TABLES[measure]} results for {service!r} "
            f"in {period!r}; it has services {services} and periods {periods}."
        )


def needs_frame(
    conn: Connection,
    service: str,
    *,
    municipality: str | None = None,
    period: str | None = None,
    simplify_m: float | None = DEFAULT_SIMPLIFY_M,
) -> gpd.GeoDataFrame:
    """Wards with their needs ``score``, ``rank`` and ``coverage`` for a service group.

    ``municipality`` is a code (all wards when None); ``period`` defaults to the run's.
    NotFoundError when the run has no needs scores for the service and period.
    """
    run = run_facts(conn)
    chosen = period or run.period
    _check_service(conn, "needs", run.id, service, chosen)
    return ward_needs_frame(conn, run.id, service, chosen, municipality, simplify_m)


def hotspot_frame(
    conn: Connection,
    service: str,
    *,
    municipality: str | None = None,
    period: str | None = None,
    simplify_m: float | None = DEFAULT_SIMPLIFY_M,
) -> gpd.GeoDataFrame:
    """Wards with their hotspot ``class``, ``z``, ``q``, ``incidents`` and ``rate``.

    The run's statistic (Gi* or Local Moran); ``period`` defaults to the run's.
    NotFoundError when the run has no hotspot results for the service and period.
    """
    run = run_facts(conn)
    chosen = period or run.period
    _check_service(conn, "hotspots", run.id, service, chosen)
    return ward_hotspots_frame(
        conn, run.id, service, chosen, run.statistic, municipality, simplify_m
    )


def neighbourhood_frame(
    conn: Connection,
    code: str,
    service: str | None,
    *,
    simplify_m: float | None = DEFAULT_SIMPLIFY_M,
) -> gpd.GeoDataFrame:
    """Ward ``code`` and the wards touching it, with their needs score for ``service``.

    ``focus`` is True for the ward itself. With ``service`` None the scores are NaN.
    """
    run = run_facts(conn)
    frame = neighbours_frame(conn, run.id, code, service, run.period, simplify_m)
    if frame.empty:
        raise NotFoundError(f"There is no ward {code!r}.")
    return frame
