"""The frame every page shares: start page, sign-in, role checks, offline assets, /docs."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoSite, password_of


def test_start_page_links_the_four_pages(page_as: Callable[..., Page], shoot) -> None:
    page = page_as()
    page.goto("/")
    for name in ("planner", "warroom", "upload", "status"):
        expect(page.locator(f"main a[href='/{name}']")).to_be_visible()
    expect(page.locator("#gs-user a")).to_have_text("Sign in")
    shoot(page, "start-desktop")


def test_sign_in_returns_to_the_page_that_needed_it(page_as: Callable[..., Page], shoot) -> None:
    page = page_as()
    page.goto("/planner")
    expect(page).to_have_url(re.compile(r"/login\?next=/planner"))
    expect(page.locator("#login-needs")).to_contain_text("planner role")
    page.fill("#login-username", "planner")
    page.fill("#login-password", "wrong password")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("The user name or password is wrong.")
    shoot(page, "login-error")
    page.fill("#login-password", password_of("planner"))
    page.click("#login-submit")
    expect(page).to_have_url(re.compile(r"/planner$"))
    expect(page.locator("#gs-user")).to_contain_text("planner (planner)")


def test_a_role_without_the_page_is_sent_to_sign_in(page_as: Callable[..., Page]) -> None:
    page = page_as("cdw")
    page.goto("/warroom")
    expect(page).to_have_url(re.compile(r"/login\?next=/warroom&needs=warroom"))


def test_sign_out_ends_the_token(demo_site: DemoSite) -> None:
    with httpx.Client(base_url=demo_site.url) as client:
        login = client.post("/api/login", json={"username": "staff", "password": "pw-staff"})
        assert login.status_code == 200
        token = login.json()["token"]
        assert client.get("/api/me").json()["roles"] == [
            "public", "cdw", "agent", "warroom", "planner", "staff"
        ]  # fmt: skip
        assert client.post("/api/logout").status_code == 204
        assert client.get("/api/me").json()["signed_in"] is False
    gone = httpx.get(f"{demo_site.url}/api/me", headers={"Authorization": f"Bearer {token}"})
    assert gone.status_code == 401


def test_pages_load_nothing_from_the_internet(page_as: Callable[..., Page]) -> None:
    page = page_as("staff")
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:")) else None
        ),
    )
    for name in ("", "planner", "warroom", "upload", "status", "docs"):
        page.goto(f"/{name}")
        page.wait_for_load_state("networkidle")
    assert outside == []


def test_docs_render_from_the_vendored_swagger_ui(page_as: Callable[..., Page], shoot) -> None:
    page = page_as()
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("geosvc")
    expect(page.get_by_text("/open311/v2/requests.{fmt}").first).to_be_visible()
    shoot(page, "docs")
