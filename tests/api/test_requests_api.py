"""The staff and citizen request endpoints over HTTP, with roles enforced."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import Connection, text

from geosvc.accounts.keys import create_key, revoke_keys
from geosvc.accounts.roles import Role

CALLER = {
    "service_code": "water_outage",
    "lat": -26.2041,
    "lon": 28.0473,
    "description": "No water since this morning",
    "first_name": "Thandi",
    "phone": "+27 82 555 0101",
    "answers": {"extent": "street"},
}

KeyFor = Callable[[Role], dict[str, str]]


@pytest.fixture
def key_for(conn: Connection) -> KeyFor:
    """Headers carrying a fresh key with the given role."""

    def _headers(role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {create_key(conn, f'{role.label} tester', role)}"}

    return _headers


def lodge(api: str, headers: dict[str, str], **fields: object) -> dict[str, object]:
    body = CALLER | fields
    if body["service_code"] != "water_outage":
        body.pop("answers")
    response = httpx.post(f"{api}/api/requests", json=body, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_agent_lodges_and_reads_back_with_history(api: str, key_for: KeyFor) -> None:
    agent = key_for(Role.AGENT)
    created = lodge(api, agent)
    assert created["channel"] == "phone"
    assert created["attributes"] == {"extent": "street"}
    assert created["contact"] == {"first_name": "Thandi", "phone": "+27 82 555 0101"}
    detail = httpx.get(f"{api}/api/requests/{created['reference']}", headers=agent).json()
    assert [e["kind"] for e in detail["history"]] == ["received", "escalated"]  # urgent type
    assert detail["history"][0]["actor"] == "agent tester"


def test_staff_walk_a_request_to_closure(api: str, key_for: KeyFor) -> None:
    staff = key_for(Role.STAFF)
    ref = lodge(api, staff, service_code="pothole")["reference"]
    steps = [
        ("acknowledge", {}),
        ("assign", {"assignee": "Roads depot 3"}),
        ("start", {}),
        ("notify", {"note": "Crew on site tomorrow"}),
        ("close", {"resolution": "fixed", "note": "Filled"}),
    ]
    for action, body in steps:
        response = httpx.post(f"{api}/api/requests/{ref}/{action}", json=body, headers=staff)
        assert response.status_code == 200, (action, response.text)
    final = response.json()
    assert final["status"] == "closed"
    assert final["assigned_to"] == "Roads depot 3"
    again = httpx.post(
        f"{api}/api/requests/{ref}/close", json={"resolution": "fixed"}, headers=staff
    )
    assert again.status_code == 409
    assert again.json()["detail"].startswith("Cannot close a request that is closed")


def test_roles_are_enforced(api: str, key_for: KeyFor, conn: Connection) -> None:
    agent = key_for(Role.AGENT)
    ref = lodge(api, agent, service_code="pothole")["reference"]
    assert httpx.get(f"{api}/api/requests").status_code == 401
    public = key_for(Role.PUBLIC)
    assert httpx.get(f"{api}/api/requests", headers=public).status_code == 403
    ack = httpx.post(f"{api}/api/requests/{ref}/acknowledge", json={}, headers=agent)
    assert ack.status_code == 403
    assert "staff role" in ack.json()["detail"]
    note = httpx.post(f"{api}/api/requests/{ref}/note", json={"note": "Caller rang"}, headers=agent)
    assert note.status_code == 200
    bad = httpx.get(f"{api}/api/requests", headers={"X-API-Key": "gsv_not-a-key"})
    assert bad.status_code == 401
    revoke_keys(conn, "agent tester")
    assert httpx.get(f"{api}/api/requests", headers=agent).status_code == 401


def test_list_filters_and_pages(api: str, key_for: KeyFor) -> None:
    staff = key_for(Role.STAFF)
    refs = [
        lodge(api, staff, service_code="streetlight", lon=28.0473 + i * 0.01)["reference"]
        for i in range(3)
    ]
    params = {"service": "streetlight", "page_size": 2}
    first = httpx.get(f"{api}/api/requests", params=params, headers=staff).json()
    assert first["total"] == 3
    assert [r["reference"] for r in first["items"]] == refs[::-1][:2]
    second = httpx.get(f"{api}/api/requests", params=params | {"page": 2}, headers=staff).json()
    assert [r["reference"] for r in second["items"]] == refs[:1]
    boxed = httpx.get(
        f"{api}/api/requests",
        params={"service": "streetlight", "bbox": "28.04,-26.21,28.05,-26.20"},
        headers=staff,
    ).json()
    assert [r["reference"] for r in boxed["items"]] == refs[:1]
    closed = httpx.get(
        f"{api}/api/requests", params={"service": "streetlight", "status": "closed"}, headers=staff
    ).json()
    assert closed["total"] == 0
    bad = httpx.get(f"{api}/api/requests", params={"bbox": "1,2,3"}, headers=staff)
    assert bad.status_code == 422


def test_required_answer_is_asked_for(api: str, key_for: KeyFor) -> None:
    body = CALLER | {"answers": {}}
    response = httpx.post(f"{api}/api/requests", json=body, headers=key_for(Role.AGENT))
    assert response.status_code == 422
    assert response.json()["detail"] == "attribute[extent] is required: Who has no water?"


def test_bad_location_is_refused_with_its_reason(api: str, key_for: KeyFor) -> None:
    agent = key_for(Role.AGENT)
    response = httpx.post(
        f"{api}/api/requests", json=CALLER | {"lat": 28.0473, "lon": -26.2041}, headers=agent
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Latitude and longitude appear to be swapped."


def test_citizen_follows_and_rates_without_seeing_personal_data(
    api: str, key_for: KeyFor, conn: Connection
) -> None:
    staff = key_for(Role.STAFF)
    ref = lodge(api, staff, service_code="pothole")["reference"]
    httpx.post(f"{api}/api/requests/{ref}/assign", json={"assignee": "J. Smith"}, headers=staff)
    early = httpx.post(f"{api}/api/status/{ref}/feedback", json={"rating": 5})
    assert early.status_code == 409
    httpx.post(
        f"{api}/api/requests/{ref}/close",
        json={"resolution": "fixed", "note": "Done"},
        headers=staff,
    )
    status = httpx.get(f"{api}/api/status/{ref.lower()}")
    assert status.status_code == 200
    body = status.json()
    assert body["open311_status"] == "closed"
    assert body["can_rate"] is True
    assert [e["kind"] for e in body["history"]] == ["received", "closed"]
    for secret in ("Thandi", "555 0101", "J. Smith", "staff tester"):
        assert secret not in status.text
    out_of_scale = {"rating": 4, "recommend": 11}
    assert httpx.post(f"{api}/api/status/{ref}/feedback", json=out_of_scale).status_code == 422
    feedback = {"rating": 4, "resolved": True, "recommend": 9, "comment": "Ok"}
    rated = httpx.post(f"{api}/api/status/{ref}/feedback", json=feedback)
    assert rated.status_code == 200
    assert rated.json()["satisfaction"] == 4
    recommend = conn.execute(
        text("SELECT recommend FROM service_request WHERE reference = :ref"), {"ref": ref}
    ).scalar_one()
    assert recommend == 9
    assert httpx.post(f"{api}/api/status/{ref}/feedback", json={"rating": 1}).status_code == 409
    assert httpx.post(f"{api}/api/status/{ref}/feedback", json={"rating": 9}).status_code == 422
    assert httpx.get(f"{api}/api/status/GSV-2026-9999999").status_code == 404


def test_escalation_endpoint_needs_staff(api: str, key_for: KeyFor) -> None:
    assert (
        httpx.post(f"{api}/api/requests/escalate", headers=key_for(Role.AGENT)).status_code == 403
    )
    response = httpx.post(f"{api}/api/requests/escalate", headers=key_for(Role.STAFF))
    assert response.status_code == 200
    assert isinstance(response.json(), list)
