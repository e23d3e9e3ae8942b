"""Browser fixtures: the demo data set served by a real uvicorn, driven by Debian's Chromium.

Playwright drives ``/usr/bin/chromium`` (the ``chromium`` package, which ``make test``
installs); it never downloads a browser of its own. A missing Chromium fails these tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from sqlalchemy import Engine

from geosvc.accounts.keys import create_key
from geosvc.accounts.roles import Role
from geosvc.accounts.users import create_user
from geosvc.config import Settings
from geosvc.db import make_engine
from geosvc.requests.catalogue import read_catalogue, store_catalogue
from geosvc.wards.census import store_census
from geosvc.wards.loader import load_wards
from tests.conftest import GAUTENG_WARDS, LiveServer

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("GEOSVC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USERS = (Role.PLANNER, Role.WARROOM, Role.CDW, Role.AGENT, Role.STAFF, Role.ADMIN)
DEMO_INCIDENTS = 3000
DEMO_SURVEYS = 400
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def password_of(role: Role | str) -> str:
    """The test password of the user named after ``role``: ``pw-<name>``, padded to 8."""
    return f"pw-{Role(role).value}".ljust(8, "!")


@dataclass
class DemoSite:
    """The demo data set served over HTTP."""

    url: str
    engine: Engine
    database_url: str
    open311_key: str


def _geosvc(database_url: str, *args: str) -> None:
    """Run the ``geosvc`` command against ``database_url``, failing loudly."""
    env = {**os.environ, "GEOSVC_DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "etl", *args], env=env, capture_output=True, text=True, cwd=ROOT
    )
    if result.returncode != 0:
        raise RuntimeError(f"geosvc {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def _load_demo(database_url: str, engine: Engine, folder: Path) -> None:
    with engine.begin() as conn:
        load_wards(conn, GAUTENG_WARDS)
        store_census(conn, ROOT / "data" / "census2011")
        store_catalogue(conn, read_catalogue())
    demo = str(folder / "demo")
    _geosvc(database_url, "demo", "generate", "--incidents", str(DEMO_INCIDENTS),
            "--surveys", str(DEMO_SURVEYS), "--seed", "42", "--out", demo)  # fmt: skip
    _geosvc(database_url, "demo", "load", demo)
    _geosvc(database_url, "surveys", "load", f"{demo}/surveys_kobo.csv",
            "--schema", "default", "--worker", "cdw")  # fmt: skip
    _geosvc(
        database_url, "allocations", "load", str(ROOT / "data/allocations/sample_allocations.csv")
    )
    _geosvc(database_url, "analyse")
    _geosvc(database_url, "demo", "recent", "--count", "60")


@pytest.fixture(scope="session")
def demo_site(
    session_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoSite]:
    """A server on the demo data set, with one user per role and an Open311 key."""
    database_url = session_database("demo")
    engine = make_engine(database_url)
    _load_demo(database_url, engine, tmp_path_factory.mktemp("demo"))
    with engine.begin() as conn:
        for role in USERS:
            create_user(conn, role.value, role, password_of(role))
        key = create_key(conn, "demo-app", Role.PUBLIC)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=database_url, escalation_interval_s=60, live_refresh_s=5
    )
    server = LiveServer(settings, per_test_transaction=False)
    server.start()
    yield DemoSite(server.url, engine, database_url, key)
    server.stop()
    engine.dispose()


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """The Playwright driver, for this package's tests only.

    Its sync API keeps an event loop running in the main thread while it is open; ending
    it with the package lets later tests call ``asyncio.run``.
    """
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's headless Chromium; an error, never a skip, when it is missing."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        raise RuntimeError(
            f"Chromium not found at {CHROMIUM}: run 'bash scripts/setup.sh --browser'"
        )
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def page_as(browser: Browser, demo_site: DemoSite) -> Iterator[Callable[..., Page]]:
    """Open a page signed in as ``role`` (``"public"``: not signed in); closed after the test."""
    contexts = []

    def open_page(role: Role | str = "public", phone: bool = False) -> Page:
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            base_url=demo_site.url,
            is_mobile=phone,
            has_touch=phone,
        )
        contexts.append(context)
        if Role(role) is not Role.PUBLIC:
            response = context.request.post(
                f"{demo_site.url}/api/login",
                data={"username": Role(role).value, "password": password_of(role)},
            )
            assert response.ok, response.text()
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def shoot() -> Callable[[Page, str], Path]:
    """Save a full-page screenshot as ``artifacts/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
