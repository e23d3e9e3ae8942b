"""The newest run's needs and hotspot results as GeoDataFrames of ward outlines.

For notebooks and reports: ``maps`` turns these frames into folium maps. Every ward of the
chosen area is a row, with NaN where the run has no result for it, so a map shows the
wards without evidence instead of leaving holes.
"""

from __future__ import annotations

import geopandas as gpd
from sqlalchemy import Connection, text

from geosvc.errors import NotFoundError
from geosvc.planning.runs import run_facts
from geosvc.wards.repo import simplified_sql

DEFAULT_SIMPLIFY_M = 50.0
"""Outlines are simplified to this tolerance (metres) unless asked otherwise: a map of a
metro's wards stays small enough for a notebook."""

_WARD_COLUMNS = "w.code AS ward_code, w.name, w.municipality_code, w.households"


def _geometry(simplify_m: float | None) -> str:
    return f"ST_Multi({simplified_sql('w.geom')})" if simplify_m else "w.geom"


def _read(conn: Connection, sql: str, params: dict[str, object]) -> gpd.GeoDataFrame:
    frame = gpd.read_postgis(text(sql), conn, geom_col="geometry", params=params)
    return frame.set_crs(4326, allow_override=True)


def _check_service(conn: Connection, table: str, run_id: int, service: str, period: str) -> None:
    found = conn.execute(
        text(f"SELECT DISTINCT service, period FROM {table} WHERE run_id = :run"), {"run": run_id}
    ).all()
    if (service, period) not in {(row.service, row.period) for row in found}:
        services = ", ".join(sorted({row.service for row in found})) or "none"
        periods = ", ".join(sorted({row.period for row in found})) or "none"
        raise NotFoundError(
            f"The newest analysis run has no {table} results for {service!r} in {period!r}; "
            f"it has services {services} and periods {periods}."
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
    _check_service(conn, "ward_need", run.id, service, chosen)
    sql = f"""
        SELECT {_WARD_COLUMNS}, n.service, n.score, n.rank, n.coverage,
               {_geometry(simplify_m)} AS geometry
        FROM ward AS w
        LEFT JOIN ward_need AS n ON n.ward_code = w.code AND n.run_id = :run
             AND n.service = :service AND n.period = :period
        WHERE CAST(:municipality AS text) IS NULL OR w.municipality_code = :municipality
        ORDER BY w.code
    """
    params = {
        "run": run.id,
        "service": service,
        "period": chosen,
        "municipality": municipality,
        "tolerance_m": simplify_m,
    }
    return _read(conn, sql, params)


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
    _check_service(conn, "ward_hotspot", run.id, service, chosen)
    sql = f"""
        SELECT {_WARD_COLUMNS}, h.service, h.statistic, h.class, h.z, h.p_sim, h.q,
               h.confidence, h.incidents, h.value AS rate, {_geometry(simplify_m)} AS geometry
        FROM ward AS w
        LEFT JOIN ward_hotspot AS h ON h.ward_code = w.code AND h.run_id = :run
             AND h.service = :service AND h.period = :period AND h.statistic = :statistic
        WHERE CAST(:municipality AS text) IS NULL OR w.municipality_code = :municipality
        ORDER BY w.code
    """
    params = {
        "run": run.id,
        "service": service,
        "period": chosen,
        "statistic": run.statistic,
        "municipality": municipality,
        "tolerance_m": simplify_m,
    }
    return _read(conn, sql, params)


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
    sql = f"""
        SELECT {_WARD_COLUMNS}, w.code = :code AS focus, n.score, n.rank,
               {_geometry(simplify_m)} AS geometry
        FROM ward AS w
        JOIN ward AS f ON f.code = :code AND (w.code = f.code OR ST_Intersects(w.geom, f.geom))
        LEFT JOIN ward_need AS n ON n.ward_code = w.code AND n.run_id = :run
             AND n.service = :service AND n.period = :period
        ORDER BY w.code = :code DESC, w.code
    """
    params = {
        "run": run.id,
        "code": code,
        "service": service,
        "period": run.period,
        "tolerance_m": simplify_m,
    }
    frame = _read(conn, sql, params)
    if frame.empty:
        raise NotFoundError(f"There is no ward {code!r}.")
    return frame
