"""Exports: CSV and GeoPackage hold exactly the features the layer counts (numberMatched)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import pyogrio
import pytest
from sqlalchemy import Connection

from geosvc.analytics.jobs.run import AnalysisOptions, run_analysis
from geosvc.config import Settings
from geosvc.demo.generator import generate, hotspots_to_geojson
from geosvc.demo.store import store_demo, write_demo_files
from tests.features.conftest import T0, Lodge, add_surveys

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


@pytest.fixture
def incidents(lodge: Lodge) -> None:
    """Seven requests: four potholes (one closed), two water leaks, a streetlight."""
    for i, place in enumerate(["jhb_cbd", "soweto", "pretoria", "kempton"]):
        lodge("pothole", place, T0 + timedelta(days=i), closed=i == 2)
    lodge("water_leak", "jhb_cbd", T0)
    lodge("water_leak", "kempton", T0)
    lodge("streetlight", "soweto", T0)


def _matched(
    api: str, path: str, params: dict[str, Any], headers: dict[str, str] | None = None
) -> int:
    response = httpx.get(f"{api}{path}", params=params, headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    return int(response.json()["numberMatched"])


def _download(
    api: str, layer: str, fmt: str, params: dict[str, Any], headers: dict[str, str] | None = None
) -> httpx.Response:
    response = httpx.get(
        f"{api}/api/export/{layer}.{fmt}", params=params, headers=headers, timeout=120
    )
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"geosvc-{layer}-" in disposition
    assert disposition.endswith(f'.{fmt}"')
    return response


def _csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def _gpkg(response: httpx.Response, tmp_path: Path, layer: str) -> gpd.GeoDataFrame:
    assert response.headers["content-type"] == "application/geopackage+sqlite3"
    path = tmp_path / f"{layer}.gpkg"
    path.write_bytes(response.content)
    assert [name for name, _ in pyogrio.list_layers(path)] == [layer]
    return pyogrio.read_dataframe(path, layer=layer)


@pytest.mark.parametrize(
    "params",
    [{}, {"service": "pothole"}, {"status": "open", "municipality": "JHB"}, {"service": "housing"}],
    ids=["all", "potholes", "open-in-jhb", "none"],
)
def test_incident_exports_hold_what_the_layer_counts(
    api: str, incidents: None, tmp_path: Path, params: dict[str, Any]
) -> None:
    matched = _matched(api, "/api/incidents", params | {"page_size": 1})
    rows = _csv_rows(_download(api, "incidents", "csv", params))
    assert len(rows) == matched
    frame = _gpkg(_download(api, "incidents", "gpkg", params), tmp_path, "incidents")
    assert len(frame) == matched
    if matched:
        assert {"lon", "lat", "reference", "overdue"} <= set(rows[0])
        assert "contact" not in rows[0]
        assert "description" not in rows[0]
        assert set(frame.geom_type) == {"Point"}
        assert sorted(frame["reference"]) == sorted(r["reference"] for r in rows)
        assert str(frame["requested_at"].dtype).startswith("datetime64")
        assert frame["overdue"].dtype == bool
        first = rows[0]
        point = frame.set_index("reference").geometry[first["reference"]]
        assert (point.x, point.y) == pytest.approx((float(first["lon"]), float(first["lat"])))


def test_ward_exports_carry_outlines(api: str, tmp_path: Path) -> None:
    params = {"municipality": "EKU", "simplify": 100}
    matched = _matched(api, "/api/wards", params)
    assert matched == 112
    rows = _csv_rows(_download(api, "wards", "csv", params))
    assert len(rows) == matched
    assert rows[0]["wkt"].startswith("MULTIPOLYGON")
    frame = _gpkg(_download(api, "wards", "gpkg", params), tmp_path, "wards")
    assert len(frame) == matched
    assert set(frame.geom_type) == {"MultiPolygon"}
    assert frame.crs.to_epsg() == 4326
    assert set(frame["municipality_code"]) == {"EKU"}


def test_survey_point_exports_need_the_role_and_match(
    api: str, conn: Connection, planner: dict[str, str], tmp_path: Path
) -> None:
    add_surveys(conn, [("jhb_cbd", "e-1", T0, 0), ("pretoria", "e-2", T0, 3)])
    assert httpx.get(f"{api}/api/export/survey-points.csv").status_code == 401
    params = {"municipality": "TSH"}
    matched = _matched(api, "/api/survey-points", params, planner)
    assert matched == 1
    rows = _csv_rows(_download(api, "survey-points", "csv", params, planner))
    assert [r["submission_id"] for r in rows] == ["e-2"]
    assert rows[0]["water_access"] == "communal_tap_further"
    frame = _gpkg(
        _download(api, "survey-points", "gpkg", params, planner), tmp_path, "survey-points"
    )
    assert list(frame["submission_id"]) == ["e-2"]
    assert frame["water_access_code"].tolist() == [3]


def test_an_export_is_not_paged(api: str) -> None:
    response = httpx.get(f"{api}/api/export/incidents.csv", params={"page_size": 10})
    assert response.status_code == 422
    assert "not paged" in response.json()["detail"]


def test_unknown_export_layer_or_format(api: str) -> None:
    assert httpx.get(f"{api}/api/export/people.csv").status_code == 404
    bad_format = httpx.get(f"{api}/api/export/wards.xlsx")
    assert bad_format.status_code == 422
    assert "fmt" in bad_format.json()["detail"]


@pytest.fixture
def analysed(api: str, conn: Connection, tmp_path: Path) -> str:
    """A small demo data set, analysed once (hotspots, needs and clusters)."""
    wards = gpd.read_postgis(
        "SELECT code, households, geom AS geometry FROM ward", conn, geom_col="geometry"
    )
    data = generate(wards, incidents=1500, surveys=10, seed=3, hotspots=3)
    directory = tmp_path / "demo"
    directory.mkdir()
    write_demo_files(directory, data.incidents, data.surveys, hotspots_to_geojson(data.hotspots))
    store_demo(conn, directory, now=NOW)
    settings = Settings(_env_file=None, hotspot_permutations=99)  # type: ignore[call-arg]
    run_analysis(conn, settings, AnalysisOptions(now=NOW, services=("water", "pothole")))
    return api


def test_result_exports_hold_what_the_layers_count(analysed: str, tmp_path: Path) -> None:
    api = analysed
    # The run found one cluster: potholes on the border of two Ekurhuleni wards.
    for layer, params, some in [
        ("hotspots", {"service": "water", "municipality": "JHB"}, True),
        ("clusters", {"live": "false", "service": "roads"}, True),
        ("clusters", {"live": "false", "municipality": "EKU"}, True),
        ("clusters", {"live": "false", "municipality": "TSH"}, False),
    ]:
        matched = _matched(api, f"/api/{layer}", params)
        assert (matched > 0) is some, (layer, params)
        assert len(_csv_rows(_download(api, layer, "csv", params))) == matched
        assert len(_gpkg(_download(api, layer, "gpkg", params), tmp_path, layer)) == matched


def test_needs_export_is_the_needs_index_with_ward_outlines(analysed: str, tmp_path: Path) -> None:
    api = analysed
    needs = httpx.get(f"{api}/api/needs", params={"service": "water"}).json()
    params = {"service": "water"}
    rows = _csv_rows(_download(api, "needs", "csv", params))
    assert len(rows) == len(needs) > 0
    frame = _gpkg(_download(api, "needs", "gpkg", params | {"simplify": 200}), tmp_path, "needs")
    assert len(frame) == len(needs)
    assert set(frame.geom_type) == {"MultiPolygon"}
    by_ward = {row["ward_code"]: row for row in needs}
    first = frame.iloc[0]
    expected = by_ward[first["ward_code"]]
    assert first["score"] == pytest.approx(expected["score"])
    assert first["census_contribution"] == pytest.approx(
        expected["components"]["census_contribution"]
    )
    jhb = _csv_rows(_download(api, "needs", "csv", params | {"municipality": "JHB"}))
    assert 0 < len(jhb) < len(rows)
