"""The ward endpoints over real HTTP."""

from __future__ import annotations

import httpx
import shapely
from shapely.geometry import shape

from api.main import create_app
from geosvc import schema
from geosvc.config import Settings
from tests.conftest import LiveServer


def test_all_bundled_wards_as_geojson(api: str) -> None:
    response = httpx.get(f"{api}/api/wards")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == body["numberReturned"] == 354
    feature = body["features"][0]
    assert feature["id"] == feature["properties"]["code"]
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert "households" in feature["properties"]


def test_filter_by_municipality_code_or_name(api: str) -> None:
    by_code = httpx.get(f"{api}/api/wards", params={"municipality": "EKU"}).json()
    assert len(by_code["features"]) == 112
    name = "City of Tshwane Metropolitan Municipality"
    by_name = httpx.get(f"{api}/api/wards", params={"municipality": name}).json()
    assert len(by_name["features"]) == 107


def test_simplified_outlines_have_fewer_vertices_and_stay_close(api: str) -> None:
    full = httpx.get(f"{api}/api/wards/79800001").json()
    simple = httpx.get(f"{api}/api/wards/79800001", params={"simplify": 200}).json()
    assert simple["geometry"]["type"] == "MultiPolygon"
    full_geom, simple_geom = shape(full["geometry"]), shape(simple["geometry"])
    assert shapely.get_num_coordinates(simple_geom) < shapely.get_num_coordinates(full_geom)
    assert full_geom.hausdorff_distance(simple_geom) < 0.005  # about 500 m


def test_unknown_ward_is_a_problem_document(api: str) -> None:
    response = httpx.get(f"{api}/api/wards/99999999")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404
    assert problem["detail"] == "There is no ward '99999999'."
    assert problem["instance"] == "/api/wards/99999999"
    assert problem["type"] == "urn:geosvc:problem:not-found"


def test_invalid_parameter_is_a_problem_document(api: str) -> None:
    response = httpx.get(f"{api}/api/wards", params={"simplify": "-3"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["location"] == "query.simplify"


def test_healthz_reports_the_database(api: str) -> None:
    body = httpx.get(f"{api}/healthz").json()
    assert body["status"] == "ok"
    assert body["database"] == "reachable"
    assert body["schema"] == schema.head_revision()
    assert body["postgis"].startswith("3.")


def test_healthz_without_a_database_is_503_and_leaks_nothing() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url="postgresql+psycopg://nobody:secret@127.0.0.1:9/none"
    )
    server = LiveServer(settings, per_test_transaction=False)
    server.start()
    try:
        response = httpx.get(f"{server.url}/healthz")
        wards = httpx.get(f"{server.url}/api/wards")
    finally:
        server.stop()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert wards.status_code == 500
    assert "secret" not in wards.text
    assert "psycopg" not in wards.text.lower()
    assert wards.json()["detail"] == "The server failed; it has been logged."


def test_openapi_describes_the_ward_endpoints() -> None:
    schema = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    assert {"/api/wards", "/api/wards/{code}", "/healthz"} <= set(schema["paths"])
