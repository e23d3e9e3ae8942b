"""Vector tiles decoded with mapbox_vector_tile: features, counted cells, filters, refusals."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import httpx
import mapbox_vector_tile
import numpy as np
import pytest
from sqlalchemy import Connection, text

from geosvc.features import tiles
from tests.features.conftest import T0, add_surveys

MVT = "application/vnd.mapbox-vector-tile"
CBD = (28.0473, -26.2041)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile column and row holding a point."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tile_bounds(z: int, x: int, y: int, margin: float = 0.0) -> tuple[float, float, float, float]:
    """A tile's west, south, east, north in degrees, grown by ``margin`` tile widths."""
    n = 2**z

    def lon(col: float) -> float:
        return col / n * 360 - 180

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return lon(x - margin), lat(y + 1 + margin), lon(x + 1 + margin), lat(y - margin)


@pytest.fixture
def points(conn: Connection) -> list[tuple[str, str, float, float]]:
    """300 incidents scattered over a 4 km box around Johannesburg's centre: 200 potholes
    and 100 water leaks."""
    rng = np.random.default_rng(7)
    rows = []
    for i in range(300):
        lon = CBD[0] + rng.uniform(-0.02, 0.02)
        lat = CBD[1] + rng.uniform(-0.02, 0.02)
        service = "pothole" if i < 200 else "water_leak"
        rows.append((f"TILE-{i:03d}", service, lon, lat))
    conn.execute(
        text(
            "INSERT INTO service_request (reference, service_code, geom, requested_at)"
            " VALUES (:ref, :service, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :at)"
        ),
        [{"ref": r, "service": s, "lon": x, "lat": y, "at": T0} for r, s, x, y in rows],
    )
    return rows


def _tile(api: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(f"{api}/tiles/{path}", timeout=60, **kwargs)


def _decode(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MVT
    return dict(mapbox_vector_tile.decode(response.content))


def test_a_z14_tile_holds_each_incident_in_it_with_its_attributes(
    api: str, points: list[tuple[str, str, float, float]]
) -> None:
    x, y = tile_of(*CBD, 14)
    response = _tile(api, f"incidents/14/{x}/{y}.pbf")
    assert response.headers["cache-control"] == "public, max-age=60"
    layer = _decode(response)["incidents"]
    west, south, east, north = tile_bounds(14, x, y, margin=64 / 4096)
    expected = {r for r, _, lon, lat in points if west <= lon <= east and south <= lat <= north}
    assert 0 < len(expected) < len(points)
    assert {f["properties"]["reference"] for f in layer["features"]} == expected
    feature = layer["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert {"reference", "service_code", "service_group", "status", "overdue"} <= set(
        feature["properties"]
    )


def test_the_service_filter_narrows_a_tile(
    api: str, points: list[tuple[str, str, float, float]]
) -> None:
    x, y = tile_of(*CBD, 14)
    layer = _decode(_tile(api, f"incidents/14/{x}/{y}.pbf", params={"service": "water"}))
    services = {f["properties"]["service_code"] for f in layer["incidents"]["features"]}
    assert services == {"water_leak"}


def test_low_zoom_tiles_count_points_in_cells_and_each_point_once(
    api: str, points: list[tuple[str, str, float, float]]
) -> None:
    z = 10
    by_tile = Counter(tile_of(lon, lat, z) for _, _, lon, lat in points)
    total = 0
    for (x, y), inside in by_tile.items():
        layer = _decode(_tile(api, f"incidents/{z}/{x}/{y}.pbf"))["incidents"]
        counts = [f["properties"]["count"] for f in layer["features"]]
        assert sum(counts) == inside
        assert set(layer["features"][0]["properties"]) == {"count"}
        # 4-pixel cells of about 550 m: many points share a cell
        assert len(counts) < inside or inside < 5
        total += sum(counts)
    assert total == len(points)


def test_cells_are_the_web_mercator_grid_of_st_snaptogrid(
    conn: Connection, points: list[tuple[str, str, float, float]]
) -> None:
    """The cell arithmetic agrees with PostGIS snapping the transformed point to the grid
    of cell centres, for every test point, at the zooms that count cells."""
    for z in (4, 8, 11):
        cell = 2 * tiles.WORLD_HALF_M / 2**z * 4 / 256
        disagree = conn.execute(
            text(
                """
                SELECT count(*) FROM (
                    SELECT ST_SnapToGrid(ST_Transform(geom, 3857), :o + :cell / 2,
                                         :o + :cell / 2, :cell, :cell) AS snapped,
                           floor((radians(ST_X(geom)) * :r - :o) / :cell) AS i,
                           floor((ln(tan(pi() / 4 + radians(ST_Y(geom)) / 2)) * :r - :o)
                                 / :cell) AS j
                    FROM service_request WHERE reference LIKE 'TILE-%'
                ) AS p
                WHERE abs(ST_X(snapped) - (:o + (i + 0.5) * :cell)) > 1e-3
                   OR abs(ST_Y(snapped) - (:o + (j + 0.5) * :cell)) > 1e-3
                """
            ),
            {"o": -tiles.WORLD_HALF_M, "cell": cell, "r": tiles.EARTH_RADIUS_M},
        ).scalar_one()
        assert disagree == 0, z


def test_a_counted_tile_takes_the_filters_too(
    api: str, points: list[tuple[str, str, float, float]]
) -> None:
    x, y = tile_of(*CBD, 8)
    leaks = _decode(_tile(api, f"incidents/8/{x}/{y}.pbf", params={"service": "water_leak"}))
    assert sum(f["properties"]["count"] for f in leaks["incidents"]["features"]) == 100
    closed = _tile(api, f"incidents/8/{x}/{y}.pbf", params={"status": "closed"})
    assert closed.status_code == 204


def test_an_empty_tile_is_204_with_caching_headers(api: str) -> None:
    x, y = tile_of(0.0, 0.0, 10)  # the Gulf of Guinea
    response = _tile(api, f"incidents/10/{x}/{y}.pbf")
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["cache-control"] == "public, max-age=60"


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("incidents/23/0/0.pbf", "zoom 23"),
        ("incidents/-1/0/0.pbf", "zoom -1"),
        ("incidents/2/4/0.pbf", "x 4"),
        ("incidents/2/0/4.pbf", "y 4"),
        ("wards/0/0/1.pbf", "y 1"),
        ("incidents/a/0/0.pbf", "z"),
    ],
)
def test_tile_addresses_out_of_range_are_422(api: str, path: str, named: str) -> None:
    response = _tile(api, path)
    assert response.status_code == 422
    assert named in response.json()["detail"]


def test_unknown_tile_layer_is_404(api: str) -> None:
    assert _tile(api, "people/1/0/0.pbf").status_code == 404


def test_ward_tiles_hold_the_wards_outlines(api: str) -> None:
    x, y = tile_of(*CBD, 12)
    response = _tile(api, f"wards/12/{x}/{y}.pbf")
    assert response.headers["cache-control"] == "public, max-age=3600"
    layer = _decode(response)["wards"]
    codes = {f["properties"]["code"] for f in layer["features"]}
    assert "79800060" in codes
    assert {f["geometry"]["type"] for f in layer["features"]} <= {"Polygon", "MultiPolygon"}
    jhb_only = _decode(_tile(api, f"wards/12/{x}/{y}.pbf", params={"municipality": "EKU"}))
    assert "79800060" not in {f["properties"]["code"] for f in jhb_only["wards"]["features"]}


def test_survey_tiles_are_for_planners_and_cdws(
    api: str, conn: Connection, planner: dict[str, str], cdw: dict[str, str]
) -> None:
    add_surveys(conn, [("jhb_cbd", "t-1", T0, 0), ("jhb_near", "t-2", T0, 7)])
    x, y = tile_of(*CBD, 15)
    path = f"surveys/15/{x}/{y}.pbf"
    assert _tile(api, path).status_code == 401
    response = _tile(api, path, headers=planner)
    assert response.headers["cache-control"] == "private, max-age=60"
    features = _decode(response)["surveys"]["features"]
    levels = {f["properties"]["submission_id"]: f["properties"]["water_access"] for f in features}
    assert levels == {"t-1": "piped_in_dwelling", "t-2": "none"}
    x8, y8 = tile_of(*CBD, 8)
    counted = _decode(_tile(api, f"surveys/8/{x8}/{y8}.pbf", headers=cdw))["surveys"]
    assert sum(f["properties"]["count"] for f in counted["features"]) == 2
