"""Point → ward for 1,000,000 points in 4,468 wards: our WardIndex against PostGIS and geopandas.

Run: .venv/bin/python bench/bench_ward_assign.py [--points N]
The baseline is PostGIS's native join (the best form measured: the planner looping over
wards through LATERAL ... OFFSET 0); geopandas sjoin is shown too. All three must agree.
"""

from __future__ import annotations

import argparse

import geopandas as gpd
import numpy as np
from sqlalchemy import Engine, text

from bench.common import bench_engine, best_of, report
from geosvc.wards.assign import WardIndex

_POSTGIS_JOIN = """
CREATE TEMP TABLE assigned AS
SELECT p.i, w.code
FROM points p
LEFT JOIN LATERAL (
    SELECT min(code) AS code FROM ward WHERE ST_Intersects(ward.geom, p.geom) OFFSET 0
) w ON true
"""


def main() -> None:
    """Time the three ways and check they agree."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=1_000_000)
    args = parser.parse_args()
    engine = bench_engine()
    rng = np.random.default_rng(0)
    with engine.connect() as conn:
        index = WardIndex.from_db(conn)
        minx, miny, maxx, maxy = conn.execute(
            text(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                "FROM (SELECT ST_Extent(geom) AS e FROM ward) AS extent"
            )
        ).one()
    lon = rng.uniform(minx, maxx, args.points)
    lat = rng.uniform(miny, maxy, args.points)
    ours, codes = best_of(3, lambda: index.assign(lon, lat))
    sjoin_time, _ = best_of(1, lambda: _sjoin(index, lon, lat))
    postgis_time, postgis_codes = _postgis(engine, lon, lat)
    agree = np.array_equal(np.asarray(postgis_codes, dtype=object), codes)
    print(f"{args.points} points, {len(index)} wards, {np.sum(codes != None)} inside a ward")  # noqa: E711
    report("ward assignment", ours, "PostGIS LATERAL join", postgis_time)
    report("ward assignment", ours, "geopandas sjoin", sjoin_time)
    print(f"PostGIS and WardIndex agree on every point: {agree}")


def _sjoin(index: WardIndex, lon: np.ndarray, lat: np.ndarray) -> gpd.GeoDataFrame:
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    wards = gpd.GeoDataFrame({"code": index.codes}, geometry=index.polygons, crs=4326)
    return gpd.sjoin(points, wards, how="left", predicate="intersects")


def _postgis(engine: Engine, lon: np.ndarray, lat: np.ndarray) -> tuple[float, list[str | None]]:
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMP TABLE points (i int, geom geometry(Point, 4326))"))
        conn.execute(
            text(
                "INSERT INTO points SELECT i, ST_SetSRID(ST_Point(x, y), 4326) FROM "
                "unnest(CAST(:x AS float8[]), CAST(:y AS float8[])) WITH ORDINALITY AS u(x, y, i)"
            ),
            {"x": lon.tolist(), "y": lat.tolist()},
        )
        elapsed, _ = best_of(1, lambda: conn.execute(text(_POSTGIS_JOIN)))
        codes = conn.execute(text("SELECT code FROM assigned ORDER BY i")).scalars().all()
    return elapsed, list(codes)


if __name__ == "__main__":
    main()
