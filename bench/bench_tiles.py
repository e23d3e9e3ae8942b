"""Vector tiles over 1,000,000 incidents: ours against PostGIS's plain ST_AsMVT of raw points.

Run: .venv/bin/python -m bench.bench_tiles [--incidents N] [--repeat N]

The bench database ``geosvc_bench_tiles`` holds Gauteng's 354 wards and N synthetic
incidents from the demo generator (placed by households, with planted hotspots); they are
kept between runs and reloaded only when N changes. For each of z8, z12 and z14 the bench
takes the tile holding the most incidents and times, in the same run, our tile function
(``geosvc.features.tiles.render_tile``: below zoom 12 incidents are counted in 4-pixel
cells) and the baseline: the textbook PostGIS query, ST_AsMVT of every raw point in the
tile with the same attributes and the same index-using envelope filter. At z12 and z14
both draw raw points, so the ratio shows our overhead; at z8 it shows what counting in
cells saves. At z8 it also times the textbook way to count in cells, ST_SnapToGrid of the
transformed points grouped by geometry, against our arithmetic on the same grid. JIT is
off for all of them, as render_tile turns it off (it costs about 100 ms per tile).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Engine, text

from bench.common import ROOT, best_of, migrated_database, report
from geosvc.db import copy_rows, frame_rows
from geosvc.demo.generator import generate
from geosvc.features import tiles
from geosvc.features.filters import FeatureFilters
from geosvc.features.repo import tiles as tile_repo
from geosvc.features.settings import TileSettings
from geosvc.requests.catalogue import read_catalogue, store_catalogue
from geosvc.wards.loader import load_wards

WARDS = ROOT / "data" / "wards" / "gauteng_metros_wards_2020.geojson"
ZOOMS = (8, 12, 14)
END = datetime(2026, 11, 1, tzinfo=UTC)
SETTINGS = TileSettings(_env_file=None)  # type: ignore[call-arg]
_SNAPPED = f"""
WITH cells AS MATERIALIZED (
    SELECT ST_SnapToGrid(ST_Transform(r.geom, 3857), :grid, :grid, :cell, :cell) AS cell,
           count(*) AS count
    FROM service_request AS r WHERE r.geom && ST_Transform({tile_repo.TILE_3857}, 4326) GROUP BY 1
)
SELECT ST_AsMVT(f, 'incidents', 4096, 'geom') FROM (
    SELECT ST_AsMVTGeom(cell, {tile_repo.TILE_3857}, 4096, 0, true) AS geom, count FROM cells
) AS f WHERE f.geom IS NOT NULL
"""
_BASELINE = f"""
SELECT ST_AsMVT(f, 'incidents', 4096, 'geom') FROM (
    SELECT ST_AsMVTGeom(ST_Transform(r.geom, 3857), {tile_repo.TILE_3857}, 4096, 64, true) AS geom,
           {tiles.INCIDENTS.rows.properties}
    FROM {tiles.INCIDENTS.rows.source}
    WHERE r.geom && {tile_repo.BOX_4326}
) AS f WHERE f.geom IS NOT NULL
"""


def bench_engine(incidents: int) -> Engine:
    """The bench database with Gauteng's wards and ``incidents`` incidents (kept if there)."""
    engine = migrated_database("geosvc_bench_tiles")
    with engine.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM service_request")).scalar_one() == incidents:
            return engine
        conn.execute(text("TRUNCATE request_event, service_request CASCADE"))
        if not conn.execute(text("SELECT count(*) FROM ward")).scalar_one():
            load_wards(conn, WARDS)
        store_catalogue(conn, read_catalogue())
        wards = gpd.read_postgis(
            "SELECT code, households, geom AS geometry FROM ward", conn, geom_col="geometry"
        )
        data = generate(wards, incidents=incidents, surveys=0, seed=11, end=END)
        generated = data.incidents
        rows = pd.DataFrame(
            {
                "reference": "T-" + generated["incident_id"].astype(str),
                "service_code": generated["service_code"],
                "geom": "SRID=4326;POINT(" + generated["lon"].astype(str) + " "
                + generated["lat"].astype(str) + ")",
                "requested_at": generated["requested_at"],
            }
        )  # fmt: skip
        copy_rows(conn, "service_request", list(rows.columns), frame_rows(rows))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE service_request"))
    return engine


def densest_tile(lon: np.ndarray, lat: np.ndarray, z: int) -> tuple[tiles.Tile, int]:
    """The tile at zoom ``z`` holding the most of the points, and how many it holds."""
    n = 2**z
    x = np.floor((lon + 180) / 360 * n).astype(np.int64)
    y = np.floor((1 - np.arcsinh(np.tan(np.radians(lat))) / np.pi) / 2 * n).astype(np.int64)
    keys, counts = np.unique(x * n + y, return_counts=True)
    best = int(np.argmax(counts))
    key = int(keys[best])
    return tiles.Tile(z, key // n, key % n), int(counts[best])


def time_zoom(engine: Engine, tile: tiles.Tile, inside: int, repeat: int) -> None:
    """Time one tile three ways (two at raw-point zooms) and print sizes and ratios."""
    counted = tiles.is_aggregated(tiles.INCIDENTS, tile, SETTINGS)
    params = {"z": tile.z, "x": tile.x, "y": tile.y, "now": END, "margin": 64 / 4096}
    cell = tile.size_m * SETTINGS.cell_px / tiles.TILE_PX
    snap = {**params, "cell": cell, "grid": -tiles.WORLD_HALF_M + cell / 2}
    with engine.connect() as conn:
        conn.execute(text("SET jit = off"))  # as render_tile does: the same for all three

        def ours() -> bytes:
            return tiles.render_tile(
                conn, tiles.INCIDENTS, tile, FeatureFilters(), SETTINGS, now=END
            )

        def query(sql: str, values: dict[str, object]) -> bytes:
            return bytes(conn.execute(text(sql), values).scalar_one() or b"")

        ours_s, ours_tile = best_of(repeat, ours)
        base_s, base_tile = best_of(repeat, lambda: query(_BASELINE, params))
        if counted:
            snap_s, snap_tile = best_of(repeat, lambda: query(_SNAPPED, snap))
    print(
        f"z{tile.z} tile {tile.x}/{tile.y} ({inside:,} incidents): ours "
        f"({'cells' if counted else 'points'}) {len(ours_tile) / 1e3:,.1f} kB; "
        f"raw points {len(base_tile) / 1e3:,.1f} kB"
    )
    report(f"z{tile.z} tile", ours_s * 1e3, "ST_AsMVT of raw points", base_s * 1e3, unit="ms")
    if counted:
        snapped = f"ST_SnapToGrid cells ({len(snap_tile) / 1e3:,.1f} kB)"
        report(f"z{tile.z} tile", ours_s * 1e3, snapped, snap_s * 1e3, unit="ms")


def main() -> None:
    """Time our tiles and the raw-point baseline at z8, z12 and z14; print ratios and sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engine = bench_engine(args.incidents)
    with engine.connect() as conn:
        points = conn.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM service_request")).all()
    lon, lat = (np.array(v, dtype=float) for v in zip(*points, strict=True))
    print(f"{len(lon):,} incidents over Gauteng's 354 wards")
    for z in ZOOMS:
        tile, inside = densest_tile(lon, lat, z)
        time_zoom(engine, tile, inside, args.repeat)
    engine.dispose()


if __name__ == "__main__":
    main()
