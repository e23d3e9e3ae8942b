"""Fixtures for the live board: a committed database with wards and catalogue, servers on it.

NOTIFY cannot leave a transaction that is rolled back, so these tests commit: into one
database made for the session (``live_db``), each test reading only what it published.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from geosvc.accounts.keys import create_key
from geosvc.accounts.roles import Role
from geosvc.config import Settings
from geosvc.db import make_engine
from geosvc.requests.catalogue import read_catalogue, store_catalogue
from geosvc.requests.intake import Contact, IntakePolicy, NewRequest, create_request
from geosvc.requests.repo.requests import RequestRecord
from geosvc.requests.working_days import WorkingCalendar
from geosvc.wards.loader import load_wards
from tests.conftest import GAUTENG_WARDS, ROOT, LiveServer
from tests.requests.conftest import JOBURG

#: What a reporter gives that must never reach the board.
PERSONAL = {
    "first_name": "Lindiwe",
    "last_name": "Dlamini-Private",
    "email": "lindiwe.private@example.org",
    "phone": "+27825550111",
    "description": "Leak outside 14 Private Lane, call Lindiwe after five",
    "address_string": "14 Private Lane, Marshalltown",
}
CONTACT = Contact(
    first_name=PERSONAL["first_name"],
    last_name=PERSONAL["last_name"],
    email=PERSONAL["email"],
    phone=PERSONAL["phone"],
)


@dataclass
class LiveDb:
    """The session's committed database and keys for each kind of caller."""

    url: str
    engine: Engine
    warroom_key: str
    agent_key: str
    open311_key: str

    def settings(self, **overrides: Any) -> Settings:
        """Settings for a server on this database: no background jobs unless asked."""
        values: dict[str, Any] = {
            "database_url": self.url,
            "escalation_interval_s": 0,
            "live_refresh_s": 0,
            "stream_heartbeat_s": 0.5,
        } | overrides
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def live_db(session_database: Callable[[str], str]) -> Iterator[LiveDb]:
    """A committed database with the bundled wards and catalogue and three API keys."""
    url = session_database("live")
    engine = make_engine(url)
    with engine.begin() as conn:
        load_wards(conn, GAUTENG_WARDS)
        store_catalogue(conn, read_catalogue())
        keys = (
            create_key(conn, "wall screen", Role.WARROOM),
            create_key(conn, "call centre", Role.AGENT),
            create_key(conn, "citizen app", Role.PUBLIC),
        )
    yield LiveDb(url, engine, *keys)
    engine.dispose()


@pytest.fixture
def board_server(live_db: LiveDb) -> Iterator[LiveServer]:
    """A threaded uvicorn on the live database (commits for real; no background jobs)."""
    server = LiveServer(live_db.settings(), per_test_transaction=False)
    server.start()
    yield server
    server.stop()


def lodge(engine: Engine, service_code: str = "pothole", **fields: Any) -> RequestRecord:
    """Lodge and commit a request at JOBURG by the PERSONAL reporter."""
    fields.setdefault("lon", JOBURG[0])
    fields.setdefault("lat", JOBURG[1])
    fields.setdefault("contact", CONTACT)
    fields.setdefault("description", PERSONAL["description"])
    fields.setdefault("address", PERSONAL["address_string"])
    policy = IntakePolicy(calendar=WorkingCalendar(), reference_prefix="LIV")
    with engine.begin() as conn:
        return create_request(
            conn, NewRequest(service_code=service_code, **fields), policy, datetime.now(UTC)
        )


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``uvicorn api.main:create_app`` in a process of its own, as ``geosvc serve`` runs it:
    in the main thread, so SIGTERM reaches uvicorn's own handler."""

    def __init__(self, live_db: LiveDb, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "GEOSVC_DATABASE_URL": live_db.url,
            "GEOSVC_ESCALATION_INTERVAL_S": "0",
            "GEOSVC_LIVE_REFRESH_S": "0",
            "GEOSVC_STREAM_HEARTBEAT_S": "0.5",
        }
        command = [sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def terminate(self, timeout: float = 10) -> float:
        """SIGTERM it and wait for it to exit; returns how long that took in seconds."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout)
        return time.monotonic() - started

    def kill(self) -> None:
        """Make sure it is gone (a test that failed half-way)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
