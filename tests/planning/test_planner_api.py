"""The planner's endpoints over real HTTP: the ward profile and the map's options."""

from __future__ import annotations

import httpx
from sqlalchemy import Connection, text

from geosvc.accounts.keys import create_key
from geosvc.accounts.roles import Role


def _headers(conn: Connection, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_key(conn, f'test {role.value}', role)}"}


def test_the_profile_needs_the_planner_role(api: str, analysed: Connection) -> None:
    url = f"{api}/api/wards/79800060/profile"
    anonymous = httpx.get(url)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert "planner" in anonymous.json()["detail"]
    assert httpx.get(url, headers=_headers(analysed, Role.CDW)).status_code == 403
    assert httpx.get(url, headers=_headers(analysed, Role.WARROOM)).status_code == 403
    assert httpx.get(url, headers=_headers(analysed, Role.STAFF)).status_code == 200


def test_a_wards_profile_over_http(api: str, analysed: Connection, busiest_ward: str) -> None:
    headers = _headers(analysed, Role.PLANNER)
    response = httpx.get(f"{api}/api/wards/{busiest_ward}/profile", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "ward", "run", "period", "needs", "hotspots", "incidents", "survey", "standards",
    }  # fmt: skip
    name = analysed.execute(
        text("SELECT name FROM ward WHERE code = :c"), {"c": busiest_ward}
    ).scalar_one()
    assert body["ward"]["name"] == name
    assert body["needs"]["services"][0]["components"][0]["component"] == "survey"
    hotspot = body["hotspots"]["services"][0]
    assert "class" in hotspot
    assert "class_" not in hotspot
    assert len(body["incidents"]["months"]) == len(body["incidents"]["total"]) == 12
    assert body["standards"]["overall"]["service"] == "all"

    shorter = httpx.get(
        f"{api}/api/wards/{busiest_ward}/profile", params={"months": 3}, headers=headers
    ).json()
    assert shorter["incidents"]["months"] == body["incidents"]["months"][-3:]


def test_profile_errors_are_problems(api: str, analysed: Connection) -> None:
    headers = _headers(analysed, Role.PLANNER)
    missing = httpx.get(f"{api}/api/wards/00000000/profile", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "There is no ward '00000000'."
    bad = httpx.get(f"{api}/api/wards/79800060/profile", params={"period": "soon"}, headers=headers)
    assert bad.status_code == 422
    assert "period 'soon'" in bad.json()["detail"]
    absent = httpx.get(
        f"{api}/api/wards/79800060/profile", params={"period": "2020"}, headers=headers
    )
    assert absent.status_code == 404
    too_long = httpx.get(
        f"{api}/api/wards/79800060/profile", params={"months": 99}, headers=headers
    )
    assert too_long.status_code == 422


def test_the_map_options(api: str, analysed: Connection) -> None:
    assert httpx.get(f"{api}/api/planner/options").status_code == 401
    body = httpx.get(f"{api}/api/planner/options", headers=_headers(analysed, Role.PLANNER)).json()
    assert body["periods"]["needs"] == ["all"]
    assert body["periods"]["hotspots"][0] == "all"
    assert {s["code"] for s in body["services"] if s["needs"]} >= {"water", "roads"}
    assert [c["colour"] for c in body["legends"]["needs"]["classes"]] == [
        "#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026",
    ]  # fmt: skip
    assert [c["component"] for c in body["legends"]["components"]] == [
        "survey", "census", "incidents", "backlog", "breaches",
    ]  # fmt: skip


def test_the_profile_is_documented(api: str) -> None:
    spec = httpx.get(f"{api}/openapi.json").json()
    operation = spec["paths"]["/api/wards/{code}/profile"]["get"]
    assert operation["tags"] == ["planner"]
    assert {p["name"] for p in operation["parameters"]} == {"code", "period", "months"}
    assert all(p.get("description") for p in operation["parameters"])
    assert "/api/planner/options" in spec["paths"]
