"""Ward outlines with a run's needs or hotspot results, read as GeoDataFrames (EPSG:4326)."""

from __future__ import annotations

import geopandas as gpd
from sqlalchemy import Connection, text

from geosvc.wards.repo import simplified_sql

_WARD_COLUMNS = "w.code AS ward_code, w.name, w.municipality_code, w.households"


def _geometry(simplify_m: float | None) -> str:
    return f"ST_Multi({simplified_sql('w.geom')})" if simplify_m else "w.geom"


def _read(conn: Connection, sql: str, params: dict[str, object]) -> gpd.GeoDataFrame:
    frame = gpd.read_postgis(text(sql), conn, geom_col="geometry", params=params)
    return frame.set_crs(4326, allow_override=True)


def ward_needs_frame(
    conn: Connection,
    run_id: int,
    service: str,
    period: str,
    municipality: str | None,
    simplify_m: float | None,
) -> gpd.GeoDataFrame:
    """Every ward (of ``municipality``, or all) with its needs ``score``, ``rank``, ``coverage``.

    NaN where run ``run_id`` has no score for the ward, ``service`` and ``period``; outlines
    simplified to ``simplify_m`` metres.
    """
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
        "run": run_id,
        "service": service,
        "period": period,
        "municipality": municipality,
        "tolerance_m": simplify_m,
    }
    return _read(conn, sql, params)


def ward_hotspots_frame(
    conn: Connection,
    run_id: int,
    service: str,
    period: str,
    statistic: str,
    municipality: str | None,
    simplify_m: float | None,
) -> gpd.GeoDataFrame:
    """Every ward (of ``municipality``, or all) with its hotspot class by ``statistic``.

    Also ``z``, ``q``, ``incidents`` and ``rate``; NaN where run ``run_id`` has no result.
    """
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
        "run": run_id,
        "service": service,
        "period": period,
        "statistic": statistic,
        "municipality": municipality,
        "tolerance_m": simplify_m,
    }
    return _read(conn, sql, params)


def neighbours_frame(
    conn: Connection,
    run_id: int,
    code: str,
    service: str | None,
    period: str,
    simplify_m: float | None,
) -> gpd.GeoDataFrame:
    """Ward ``code`` (``focus`` True, first) and the wards touching it, with needs scores.

    Empty when there is no such ward.
    """
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
        "run": run_id,
        "code": code,
        "service": service,
        "period": period,
        "tolerance_m": simplify_m,
    }
    return _read(conn, sql, params)
