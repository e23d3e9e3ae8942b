"""Signing in over HTTP: the token cookie, /api/me, sign-out, and the pages' role checks."""

from __future__ import annotations

import httpx
from sqlalchemy import Connection

from geosvc.accounts.roles import Role
from geosvc.accounts.users import create_user


def _signed_in(api: str, conn: Connection, role: Role) -> httpx.Client:
    create_user(conn, f"test-{role.value}", role, "pass-word-1")
    client = httpx.Client(base_url=api)
    answer = client.post(
        "/api/login", json={"username": f"test-{role.value}", "password": "pass-word-1"}
    )
    assert answer.status_code == 200, answer.text
    return client


def test_login_sets_an_http_only_cookie(api: str, conn: Connection) -> None:
    create_user(conn, "sipho", Role.PLANNER, "pass-word-1")
    answer = httpx.post(f"{api}/api/login", json={"username": "sipho", "password": "pass-word-1"})
    assert answer.status_code == 200
    cookie = answer.headers["set-cookie"]
    assert "geosvc_token=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    me = httpx.get(f"{api}/api/me", cookies={"geosvc_token": answer.json()["token"]}).json()
    assert me == {
        "name": "sipho",
        "role": "planner",
        "roles": ["public", "planner"],
        "signed_in": True,
    }


def test_wrong_password_is_401(api: str, conn: Connection) -> None:
    create_user(conn, "sipho", Role.PLANNER, "pass-word-1")
    answer = httpx.post(f"{api}/api/login", json={"username": "sipho", "password": "nope"})
    assert answer.status_code == 401
    assert answer.json()["detail"] == "The user name or password is wrong."


def test_a_stale_cookie_still_reads_public_pages(api: str) -> None:
    cookies = {"geosvc_token": "gsv_not-a-real-token"}
    assert httpx.get(f"{api}/api/me", cookies=cookies).json()["signed_in"] is False
    assert httpx.get(f"{api}/", cookies=cookies).status_code == 200
    # A key sent on purpose in a header must work, though.
    bad = httpx.get(f"{api}/api/me", headers={"X-API-Key": "gsv_not-a-real-token"})
    assert bad.status_code == 401


def test_pages_redirect_to_sign_in_without_their_role(api: str, conn: Connection) -> None:
    anonymous = httpx.get(f"{api}/warroom", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/warroom&needs=warroom"
    client = _signed_in(api, conn, Role.WARROOM)
    assert client.get("/warroom").status_code == 200
    assert client.get("/planner", follow_redirects=False).status_code == 303
    client.close()
    assert httpx.get(f"{api}/no-such-page").status_code == 404


def test_logout_revokes_the_token(api: str, conn: Connection) -> None:
    client = _signed_in(api, conn, Role.CDW)
    token = client.cookies["geosvc_token"]
    assert client.post("/api/logout").status_code == 204
    assert client.get("/api/me").json()["signed_in"] is False
    client.close()
    assert (
        httpx.get(f"{api}/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )


def test_docs_and_openapi_are_served_offline(api: str) -> None:
    docs = httpx.get(f"{api}/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()
    assert httpx.get(f"{api}/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert "/api/login" in httpx.get(f"{api}/openapi.json").json()["paths"]
