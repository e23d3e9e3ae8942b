"""Bulk values laid out for COPY, read back by a real PostGIS."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from sqlalchemy import Connection, text

from geosvc.arrowcsv import csv_bytes, ewkb_points
from geosvc.db import copy_csv


def test_ewkb_points_are_the_same_doubles_in_postgis_and_nan_is_null(conn: Connection) -> None:
    lon = np.array([28.0473051, -118.294017712, np.nan, 0.1 + 0.2, 1e-300])
    lat = np.array([-26.2041028, 34.0676390557, 5.0, -90.0, np.nan])
    conn.execute(text("CREATE TEMP TABLE points (n int, geom geometry(Point, 4326))"))
    table = pa.table({"n": pa.array(range(len(lon))), "geom": ewkb_points(lon, lat)})
    copy_csv(conn, "points", ["n", "geom"], csv_bytes(table))
    rows = conn.execute(
        text("SELECT ST_X(geom), ST_Y(geom), ST_SRID(geom) FROM points ORDER BY n")
    ).all()
    assert rows[:2] == [(lon[0], lat[0], 4326), (lon[1], lat[1], 4326)]
    assert rows[2] == (None, None, None)
    assert rows[4] == (None, None, None)
    assert rows[3] == (0.1 + 0.2, -90.0, 4326)  # bit for bit, no decimal text between


def test_ewkb_points_of_nothing() -> None:
    assert len(ewkb_points(np.array([]), np.array([]))) == 0
