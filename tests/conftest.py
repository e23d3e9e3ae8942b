"""Fixtures: a real PostGIS test database per session, a rolled-back transaction per test.

There is no fallback: when PostgreSQL or PostGIS is missing the fixtures raise, and every
test that needs the database errors instead of skipping.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from api.deps import get_connection
from api.main import create_app
from geosvc import schema
from geosvc.config import Settings
from geosvc.db import make_engine
from geosvc.requests.catalogue import read_catalogue, store_catalogue
from geosvc.wards.census import store_census
from geosvc.wards.loader import load_wards

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
GAUTENG_WARDS = ROOT / "data" / "wards" / "gauteng_metros_wards_2020.geojson"
CENSUS = ROOT / "data" / "census2011"
NATIONAL_WARDS = SHARED_DATA / "wards" / "za_mdb_2020_boundaries.zip"


def _admin(url: str) -> Engine:
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _drop_database(url: str) -> None:
    admin = _admin(url)
    with admin.connect() as conn:
        name = make_url(url).database
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def base_url() -> str:
    """The server the suite runs on: GEOSVC_DATABASE_URL or the .env that set-up wrote."""
    return Settings(_env_file=ROOT / ".env").database_url  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def template_url(base_url: str) -> Iterator[str]:
    """A migrated, empty database that scratch databases are cloned from."""
    url = make_url(base_url).set(database=f"geosvc_tmpl_{os.getpid()}").render_as_string(False)
    _drop_database(url)
    schema.create_database(url)
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    yield url
    _drop_database(url)


@pytest.fixture(scope="session")
def engine(template_url: str) -> Iterator[Engine]:
    """The session's test database: migrated, with the bundled wards, census and catalogue."""
    url = _clone(template_url, f"geosvc_test_{os.getpid()}")
    engine = make_engine(url)
    with engine.begin() as conn:
        load_wards(conn, GAUTENG_WARDS)
        store_census(conn, CENSUS)
        store_catalogue(conn, read_catalogue())
    yield engine
    engine.dispose()
    _drop_database(url)


def _clone(template_url: str, name: str) -> str:
    url = make_url(template_url).set(database=name).render_as_string(False)
    _drop_database(url)
    admin = _admin(template_url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template_url).database}"'))
    admin.dispose()
    return url


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Connection]:
    """A connection to ``engine`` whose transaction is rolled back at the end."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            if transaction.is_active:
                transaction.rollback()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection whose transaction is rolled back after the test."""
    with rolled_back(engine) as connection:
        yield connection


@pytest.fixture(scope="session")
def session_database(template_url: str) -> Iterator[Callable[[str], str]]:
    """Make a migrated empty database named for a purpose that lasts the whole session."""
    made: list[str] = []

    def make(purpose: str) -> str:
        url = _clone(template_url, f"geosvc_{purpose}_{os.getpid()}")
        made.append(url)
        return url

    yield make
    for url in made:
        _drop_database(url)


@pytest.fixture
def scratch_url(template_url: str) -> Iterator[str]:
    """A fresh migrated empty database for tests that must commit (CLI subprocesses)."""
    url = _clone(template_url, f"geosvc_scratch_{uuid.uuid4().hex[:10]}")
    yield url
    _drop_database(url)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A real uvicorn server on localhost, serving the app on the current test's connection."""

    def __init__(self, settings: Settings, *, per_test_transaction: bool = True) -> None:
        self.app = create_app(settings)
        self.connection: Connection | None = None
        if per_test_transaction:
            self.app.dependency_overrides[get_connection] = self._connection
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def _connection(self) -> Iterator[Connection]:
        assert self.connection is not None, "no test connection bound"
        with self.connection.begin_nested():
            yield self.connection

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(engine: Engine) -> Iterator[LiveServer]:
    """The API served over HTTP for the whole session."""
    url = engine.url.render_as_string(hide_password=False)
    # The escalation job would run outside the tests' transactions; tests run it themselves.
    settings = Settings(_env_file=None, database_url=url, escalation_interval_s=0, live_refresh_s=0)  # type: ignore[call-arg]
    server = LiveServer(settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def api(live_server: LiveServer, conn: Connection) -> Iterator[str]:
    """The live server's base URL, its requests running inside this test's transaction."""
    live_server.connection = conn
    yield live_server.url
    live_server.connection = None
