"""The board's data endpoints: roles, what each list holds, and nothing personal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection

from geosvc.accounts.keys import create_key
from geosvc.accounts.roles import Role
from geosvc.analytics.clustering.clusters import ClusterParams
from geosvc.analytics.jobs.live_clusters import update_live_clusters
from geosvc.live.events import event_bounds
from geosvc.requests.escalation import escalate_due
from geosvc.requests.intake import IntakePolicy, NewRequest, create_request
from geosvc.requests.repo.requests import RequestRecord
from geosvc.requests.working_days import WorkingCalendar
from tests.live.conftest import CONTACT, PERSONAL
from tests.requests.conftest import JOBURG

POLICY = IntakePolicy(calendar=WorkingCalendar(), reference_prefix="WRM")
ENDPOINTS = ["summary", "clusters", "requests", "overdue", "escalations"]


def _lodge(
    conn: Connection, at: datetime, service: str = "pothole", dx: float = 0.0
) -> RequestRecord:
    new = NewRequest(
        service_code=service,
        lon=JOBURG[0] + dx,
        lat=JOBURG[1],
        contact=CONTACT,
        description=PERSONAL["description"],
        address=PERSONAL["address_string"],
    )
    return create_request(conn, new, POLICY, at)


def _get(api: str, conn: Connection, path: str, **params: Any) -> Any:
    key = create_key(conn, "board", Role.WARROOM)
    answer = httpx.get(f"{api}/api/warroom/{path}", params=params, headers={"X-API-Key": key})
    assert answer.status_code == 200, answer.text
    for name, value in PERSONAL.items():
        assert value not in answer.text, f"{name} reached /api/warroom/{path}"
    return answer.json()


@pytest.mark.parametrize("path", ENDPOINTS)
def test_the_board_needs_the_warroom_role(api: str, conn: Connection, path: str) -> None:
    url = f"{api}/api/warroom/{path}"
    assert httpx.get(url).status_code == 401
    agent = create_key(conn, "agent", Role.AGENT)
    assert httpx.get(url, headers={"X-API-Key": agent}).status_code == 403
    staff = create_key(conn, "officer", Role.STAFF)  # staff have the warroom role
    assert httpx.get(url, headers={"X-API-Key": staff}).status_code == 200


def test_the_summary_holds_every_list_and_where_to_stream_from(api: str, conn: Connection) -> None:
    now = datetime.now(UTC)
    overdue = _lodge(conn, now - timedelta(days=45), dx=0.01)
    escalate_due(conn, WorkingCalendar(), now=now)
    newest = _lodge(conn, now - timedelta(minutes=1))
    for step in range(6):  # a 3 x 2 grid of water leaks 120 m apart: one live cluster
        dx, dy = 0.0012 * (step % 3), 0.0011 * (step // 3)
        new = NewRequest(
            "water_leak", lon=JOBURG[0] + dx - 0.03, lat=JOBURG[1] + dy, contact=CONTACT
        )
        create_request(conn, new, POLICY, now - timedelta(minutes=step))
    update_live_clusters(conn, "water_leak", ClusterParams(250, 5), window_h=24, now=now)
    newest_id = event_bounds(conn)[1]

    board = _get(api, conn, "summary", limit=10)

    assert 0 <= board["last_event_id"] <= newest_id
    assert board["requests"][0]["reference"].startswith("WRM-")
    assert newest.reference in [r["reference"] for r in board["requests"]]
    late = {r["reference"]: r for r in board["overdue"]}[overdue.reference]
    assert set(late["breaches"]) >= {"acknowledge", "complete"}
    assert late["overdue_since"] < newest.requested_at.isoformat()
    escalated = [e for e in board["escalations"] if e["reference"] == overdue.reference]
    assert {e["breach"] for e in escalated} >= {"acknowledge", "complete"}
    assert all(e["event"] == "escalated" for e in board["escalations"])
    (cluster,) = [c for c in board["clusters"] if c["service_code"] == "water_leak"]
    assert cluster["count"] == 6
    assert cluster["growth"] == 6
    assert cluster["state"] == "new"
    assert cluster["hull"]["type"] == "Polygon"
    assert cluster["wards"]
    counts = board["counts"]
    assert counts["overdue"] >= 1
    assert counts["escalated_24h"] >= 2
    assert counts["received_24h"] >= 7
    assert counts["clusters"] >= 1
    assert counts["open"] >= 8


def test_each_list_has_its_own_endpoint_and_limit(api: str, conn: Connection) -> None:
    now = datetime.now(UTC)
    lodged = [_lodge(conn, now - timedelta(minutes=n), dx=0.002 * n) for n in range(3)]
    newest = _get(api, conn, "requests", limit=2)
    assert [r["reference"] for r in newest] == [lodged[0].reference, lodged[1].reference]
    assert newest[0]["service_name"] == "Pothole"
    assert newest[0]["breaches"] == []
    assert isinstance(_get(api, conn, "overdue"), list)
    assert isinstance(_get(api, conn, "escalations"), list)
    assert isinstance(_get(api, conn, "clusters"), list)


def test_a_limit_out_of_range_is_refused(api: str, conn: Connection) -> None:
    key = create_key(conn, "board", Role.WARROOM)
    answer = httpx.get(
        f"{api}/api/warroom/summary", params={"limit": 0}, headers={"X-API-Key": key}
    )
    assert answer.status_code == 422
    assert "limit" in answer.text
