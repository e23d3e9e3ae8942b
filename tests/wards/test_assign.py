"""Ward assignment: the database path and the batch path give one ward, the same one."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text

from geosvc.wards.assign import WardIndex, locate


def _shared_boundary_points(conn: Connection, limit: int = 200) -> np.ndarray:
    """Vertices and edge midpoints lying on boundaries shared by two Gauteng wards."""
    sql = """
        SELECT ST_AsBinary(ST_Intersection(a.geom, b.geom))
        FROM ward a JOIN ward b ON a.code < b.code AND ST_Touches(a.geom, b.geom)
        LIMIT :limit
    """
    shared = shapely.from_wkb([bytes(r[0]) for r in conn.execute(text(sql), {"limit": limit})])
    lines = [g for g in shapely.get_parts(shared) if g.geom_type == "LineString"]
    vertices = shapely.get_coordinates(lines)
    midpoints = shapely.get_coordinates(shapely.line_interpolate_point(lines, 0.5, normalized=True))
    return np.vstack([vertices, midpoints])


def test_batch_and_database_agree_on_shared_boundaries(conn: Connection) -> None:
    points = _shared_boundary_points(conn)
    assert len(points) > 500
    index = WardIndex.from_db(conn)
    batch = index.assign(points[:, 0], points[:, 1])
    single = [locate(conn, x, y) for x, y in points]
    assert [w.code if w else None for w in single] == list(batch)
    vertex_codes = batch[: len(points) // 2]
    assert all(code is not None for code in vertex_codes), "boundary points belong to a ward"


def test_shared_boundary_goes_to_the_smallest_code(conn: Connection) -> None:
    x, y = _shared_boundary_points(conn, limit=1)[0]
    touching = conn.execute(
        text("SELECT code FROM ward WHERE ST_Intersects(geom, ST_SetSRID(ST_Point(:x, :y), 4326))"),
        {"x": x, "y": y},
    ).scalars()
    codes = sorted(touching)
    assert len(codes) >= 2
    assert WardIndex.from_db(conn).assign([x], [y])[0] == codes[0]


def test_batch_agrees_with_a_postgis_join_on_random_points(conn: Connection) -> None:
    rng = np.random.default_rng(7)
    lon = rng.uniform(27.7, 28.9, 3000)
    lat = rng.uniform(-26.6, -25.3, 3000)
    batch = WardIndex.from_db(conn).assign(lon, lat)
    sql = """
        SELECT (SELECT min(code) FROM ward
                WHERE ST_Intersects(geom, ST_SetSRID(ST_Point(x, y), 4326)))
        FROM unnest(CAST(:lon AS float8[]), CAST(:lat AS float8[])) WITH ORDINALITY AS p(x, y, i)
        ORDER BY i
    """
    joined = conn.execute(text(sql), {"lon": lon.tolist(), "lat": lat.tolist()}).scalars().all()
    assert list(batch) == joined
    assert 0 < sum(c is None for c in joined) < 3000


def test_points_outside_and_missing_get_none(conn: Connection) -> None:
    index = WardIndex.from_db(conn)
    assert index.assign([18.42, np.nan, 0.0], [-33.92, -26.0, 0.0]).tolist() == [None, None, None]
    assert locate(conn, 18.42, -33.92) is None


def test_municipality_index_holds_only_its_wards(conn: Connection) -> None:
    assert len(WardIndex.from_db(conn, municipality="JHB")) == 135


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 10, allow_nan=False), st.floats(0, 10, allow_nan=False)),
        min_size=1,
        max_size=50,
    )
)
def test_each_point_gets_at_most_one_ward_and_the_smallest_touching(
    points: list[tuple[float, float]],
) -> None:
    # A 2 x 2 grid of squares sharing edges and a corner at (5, 5); codes against the order.
    squares = [
        shapely.box(0, 0, 5, 5),
        shapely.box(5, 0, 10, 5),
        shapely.box(0, 5, 5, 10),
        shapely.box(5, 5, 10, 10),
    ]
    codes = ["D", "C", "B", "A"]
    index = WardIndex(codes, squares)
    xs, ys = np.array(points).T
    assigned = index.assign(xs, ys)
    for x, y, code in zip(xs, ys, assigned, strict=True):
        touching = sorted(
            c for c, sq in zip(codes, squares, strict=True) if sq.intersects(shapely.Point(x, y))
        )
        assert code == touching[0]
