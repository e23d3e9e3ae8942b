"""Analysis results over real HTTP, and live clusters kept current by a real server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import httpx
import pytest
from sqlalchemy import Connection, create_engine

from geosvc.accounts.keys import create_key
from geosvc.accounts.roles import Role
from geosvc.analytics.jobs.run import AnalysisOptions, run_analysis
from geosvc.config import Settings
from geosvc.demo.generator import generate, hotspots_to_geojson
from geosvc.demo.store import store_demo, write_demo_files
from geosvc.requests.catalogue import read_catalogue, store_catalogue
from geosvc.wards.loader import load_wards
from tests.conftest import GAUTENG_WARDS, LiveServer

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


@pytest.fixture
def analysed(api: str, conn: Connection, tmp_path: Path) -> str:
    """The API over a small demo data set that has been analysed once."""
    wards = gpd.read_postgis(
        "SELECT code, households, geom AS geometry FROM ward", conn, geom_col="geometry"
    )
    data = generate(wards, incidents=1500, surveys=10, seed=3, hotspots=3)
    write_demo_files(tmp_path, data.incidents, data.surveys, hotspots_to_geojson(data.hotspots))
    store_demo(conn, tmp_path, now=NOW)
    settings = Settings(_env_file=None, hotspot_permutations=99)  # type: ignore[call-arg]
    run_analysis(conn, settings, AnalysisOptions(now=NOW, services=("water", "pothole")))
    return api


def test_nothing_analysed_yet_is_a_clear_404(api: str) -> None:
    response = httpx.get(f"{api}/api/analysis")
    assert response.status_code == 404
    assert "geosvc analyse" in response.text


def test_the_newest_run_and_its_hotspot_map(analysed: str) -> None:
    run = httpx.get(f"{analysed}/api/analysis").json()
    assert run["params"]["services"] == ["water", "pothole"]
    body = httpx.get(
        f"{analysed}/api/hotspots", params={"service": "water", "simplify": 100}
    ).json()
    assert body["type"] == "FeatureCollection"
    assert body["numberReturned"] == 354
    feature = body["features"][0]
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert feature["properties"]["class"] in {
        "hot_99", "hot_95", "hot_90", "cold_99", "cold_95", "cold_90",
        "not_significant", "island", "excluded",
    }  # fmt: skip
    one_metro = httpx.get(
        f"{analysed}/api/hotspots", params={"service": "water", "municipality": "EKU"}
    ).json()
    assert one_metro["numberReturned"] == 112


def test_clusters_of_the_run_with_bbox(analysed: str) -> None:
    clusters = httpx.get(f"{analysed}/api/clusters", params={"live": "false"}).json()
    assert clusters["numberReturned"] > 0
    first = clusters["features"][0]["properties"]
    assert first["service_code"] in ("water_outage", "water_leak", "water_quality", "pothole")
    assert first["count"] == first["members"] >= 5
    nowhere = httpx.get(
        f"{analysed}/api/clusters", params={"live": "false", "bbox": "10,10,11,11"}
    ).json()
    assert nowhere["numberReturned"] == 0
    bad = httpx.get(f"{analysed}/api/clusters", params={"bbox": "1,2,3"})
    assert bad.status_code == 422
    assert "bbox" in bad.text


def test_needs_ranks_explanations_and_greatest_need(analysed: str) -> None:
    water = httpx.get(f"{analysed}/api/needs", params={"service": "water"}).json()
    assert water[0]["rank"] == 1
    assert all(0 <= row["score"] <= 100 for row in water if row["score"] is not None)
    ward = water[0]["ward_code"]
    explained = httpx.get(f"{analysed}/api/needs/{ward}/water").json()
    assert [c["component"] for c in explained["components"]] == [
        "survey", "census", "incidents", "backlog", "breaches",
    ]  # fmt: skip
    greatest = httpx.get(f"{analysed}/api/needs/greatest").json()
    assert {row["municipality_code"] for row in greatest if row["rank"] == 1} == {
        "EKU", "JHB", "TSH",
    }  # fmt: skip
    missing = httpx.get(f"{analysed}/api/needs/00000000/water")
    assert missing.status_code == 404


def test_scoreboard_suppresses_small_numbers(analysed: str) -> None:
    rows = httpx.get(f"{analysed}/api/scoreboard").json()
    assert {row["area_code"] for row in rows} == {"EKU", "JHB", "TSH"}
    assert all(row["rank"] is not None for row in rows if not row["suppressed"])
    wards = httpx.get(f"{analysed}/api/scoreboard", params={"level": "ward"}).json()
    small = [row for row in wards if row["requests"] < 20]
    assert small
    assert all(row["suppressed"] and row["rank"] is None for row in small)


# --- the server's live clusters, outside any test transaction -----------------------------


@pytest.fixture
def live_clusters_server(scratch_url: str) -> Iterator[tuple[str, str]]:
    """A server with live clusters on, over a committed database with wards; and a key."""
    engine = create_engine(scratch_url)
    with engine.begin() as conn:
        load_wards(conn, GAUTENG_WARDS)
        store_catalogue(conn, read_catalogue())
        key = create_key(conn, "live test", Role.PUBLIC)
    engine.dispose()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=scratch_url,
        escalation_interval_s=0,
        live_refresh_s=30,
        cluster_min_count=4,
        cluster_eps_m=150,
    )
    server = LiveServer(settings, per_test_transaction=False)
    server.start()
    yield server.url, key
    server.stop()


def _wait_for_clusters(url: str, count: int, deadline_s: float = 20.0) -> list[dict]:
    deadline = time.monotonic() + deadline_s
    while True:
        body = httpx.get(f"{url}/api/clusters", params={"service": "pothole"}).json()
        if body["numberReturned"] == count or time.monotonic() > deadline:
            return list(body["features"])
        time.sleep(0.1)


def test_requests_lodged_over_open311_form_a_live_cluster(
    live_clusters_server: tuple[str, str],
) -> None:
    url, key = live_clusters_server
    for i in range(4):
        response = httpx.post(
            f"{url}/open311/v2/requests.json",
            data={
                "api_key": key,
                "service_code": "pothole",
                "lat": str(-26.2041 + i * 0.0003),
                "long": "28.0473",
                "email": "citizen@example.org",
            },
        )
        assert response.status_code == 200, response.text
    features = _wait_for_clusters(url, 1)
    assert len(features) == 1
    props = features[0]["properties"]
    assert (props["state"], props["count"], props["service_code"]) == ("new", 4, "pothole")
    assert props["wards"]
