"""The common filters without a database: parsing, refusals, bound SQL, tile addresses;
and the OpenAPI description of every map-layer endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from api.main import create_app
from geosvc.config import Settings
from geosvc.errors import InvalidInputError
from geosvc.features import areas, clusters, incidents, survey_points, tiles
from geosvc.features.filters import Filter, Paging, build_filters, parse_bbox, split_values
from geosvc.features.repo.tiles import tile_sql


def test_lists_come_repeated_or_comma_separated_without_duplicates() -> None:
    assert split_values(["a,b", " c ", "a", None, ","]) == ("a", "b", "c")
    filters = build_filters(service=["water", "pothole,water"], ward=["1,2"])
    assert filters.services == ("water", "pothole")
    assert filters.wards == ("1", "2")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,2,3", "four numbers"),
        ("1,2,3,4,5", "four numbers"),
        ("w,s,e,n", "four numbers"),
        ("nan,1,2,3", "finite"),
        ("-181,0,1,1", "longitudes"),
        ("0,-91,1,1", "latitudes"),
        ("2,0,1,1", "west < east"),
        ("0,2,1,1", "south < north"),
    ],
)
def test_bad_boxes_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse_bbox(text)


def test_period_and_status_are_checked() -> None:
    filters = build_filters(period="2026-Q3", status=["OPEN"], timezone="Africa/Johannesburg")
    assert filters.period is not None
    assert filters.period.start is not None
    assert filters.period.start.isoformat() == "2026-06-30T22:00:00+00:00"
    assert filters.statuses == ("open",)
    with pytest.raises(InvalidInputError, match="period"):
        build_filters(period="Q3")
    with pytest.raises(InvalidInputError, match="status 'done'"):
        build_filters(status=["open,done"])


def test_paging_bounds() -> None:
    assert Paging(3, 50).offset == 100
    with pytest.raises(InvalidInputError, match="page_size"):
        Paging(1, 5001)
    with pytest.raises(InvalidInputError, match="page must"):
        Paging(0, 10)


@pytest.mark.parametrize(
    ("layer", "takes"),
    [
        (incidents.FILTERS, set(Filter)),
        (survey_points.FILTERS, {"ward", "municipality", "period", "bbox"}),
        (areas.WARD_FILTERS, {"ward", "municipality", "bbox"}),
        (areas.HOTSPOT_FILTERS, {"service", "ward", "municipality", "period", "bbox"}),
        (areas.NEED_FILTERS, {"service", "ward", "municipality", "period", "bbox"}),
        (clusters.FILTERS, {"service", "ward", "municipality", "period", "bbox"}),
        (tiles.INCIDENTS.filters, {"service", "ward", "municipality", "period", "status"}),
        (tiles.SURVEYS.filters, {"ward", "municipality", "period"}),
        (tiles.WARDS.filters, {"ward", "municipality"}),
    ],
)
def test_each_layer_declares_the_filters_it_answers(layer: Any, takes: set[str]) -> None:
    assert set(layer.applicable.filters) == takes
    for name in set(Filter) - takes:
        with pytest.raises(InvalidInputError, match=f"the filter '{name}' does not apply"):
            layer.applicable.refuse([name])
    layer.applicable.refuse(["page", "simplify", "_"])  # not common filters: not theirs to refuse


def test_values_are_bound_never_written_into_the_sql() -> None:
    hostile = "x'); DROP TABLE ward; --"
    filters = build_filters(service=[hostile], ward=[hostile], municipality=hostile)
    where = incidents.FILTERS.where(filters)
    assert hostile not in where.sql
    assert where.params["service"] == [hostile]
    assert where.params["municipality"] == hostile


def test_bbox_uses_the_index_operator_on_the_untransformed_column() -> None:
    where = incidents.FILTERS.where(build_filters(bbox="28,-26.3,28.1,-26.1"))
    assert where.sql == "r.geom && ST_MakeEnvelope(:west, :south, :east, :north, 4326)"
    outlines = areas.WARD_FILTERS.where(build_filters(bbox="28,-26.3,28.1,-26.1"))
    assert outlines.sql.startswith("w.geom && ST_MakeEnvelope(")
    assert "ST_Intersects(w.geom," in outlines.sql


def test_tile_sql_transforms_the_envelope_not_the_column() -> None:
    settings = tiles.TileSettings(_env_file=None)  # type: ignore[call-arg]
    for z in (8, 14):
        tile = tiles.check_tile(z, 0, 0, 22)
        aggregated = tiles.is_aggregated(tiles.INCIDENTS, tile, settings)
        sql = tile_sql(tiles.INCIDENTS.rows, "TRUE", aggregated=aggregated)
        assert "r.geom && ST_Transform(ST_TileEnvelope(" in sql
        counted = z < settings.aggregate_below_zoom
        assert ("GROUP BY i, j" in sql) is counted
        # the column is transformed only to draw raw points, never to find rows
        assert ("ST_Transform(r.geom, 3857)" in sql) is not counted
    ward_tile = tiles.check_tile(2, 0, 0, 22)
    aggregated = tiles.is_aggregated(tiles.WARDS, ward_tile, settings)
    wards = tile_sql(tiles.WARDS.rows, "TRUE", aggregated=aggregated)
    assert "GROUP BY" not in wards


LAYER_PATHS = {
    "/api/incidents",
    "/api/survey-points",
    "/api/wards",
    "/api/hotspots",
    "/api/clusters",
}


def test_openapi_describes_every_parameter_with_an_example() -> None:
    schema = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    checked = 0
    for path, operations in schema["paths"].items():
        if path not in LAYER_PATHS and not path.startswith(("/api/export/", "/tiles/")):
            continue
        for operation in operations.values():
            assert operation.get("summary"), path
            for parameter in operation.get("parameters", []):
                where = f"{path} {parameter['name']}"
                assert parameter.get("description"), where
                examples = parameter["schema"].get("examples") or parameter.get("examples")
                assert examples, where
                checked += 1
    exports = [p for p in schema["paths"] if p.startswith("/api/export/")]
    assert len(exports) == 6
    assert len([p for p in schema["paths"] if p.startswith("/tiles/")]) == 3
    assert checked > 60
