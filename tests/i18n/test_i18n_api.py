"""GET /api/i18n and the citizen status endpoints in the language asked for."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import Connection

from geosvc.i18n import LANGUAGES, own_strings
from geosvc.requests.intake import Contact, IntakePolicy, NewRequest, create_request
from geosvc.requests.lifecycle import Change, change_request
from geosvc.requests.repo.requests import RequestRecord
from geosvc.requests.transitions import Action, Resolution
from geosvc.requests.working_days import WorkingCalendar
from tests.requests.conftest import JOBURG

CALENDAR = WorkingCalendar()
POLICY = IntakePolicy(calendar=CALENDAR)
CITIZEN = Contact(first_name="Sipho", last_name="Ndlovu", phone="+27 82 555 0142")


def _lodge(conn: Connection, code: str = "pothole") -> RequestRecord:
    new = NewRequest(service_code=code, lon=JOBURG[0], lat=JOBURG[1], contact=CITIZEN)
    return create_request(conn, new, POLICY, datetime.now(UTC))


def _close(conn: Connection, record: RequestRecord) -> None:
    for change in (
        Change(Action.ACKNOWLEDGE, "officer.dlamini"),
        Change(Action.CLOSE, "officer.dlamini", note="Filled", resolution=Resolution.FIXED),
    ):
        change_request(conn, record.id, change, CALENDAR)


def test_languages_are_listed(api: str) -> None:
    listed = httpx.get(f"{api}/api/i18n").json()
    assert [x["code"] for x in listed] == ["en", "af", "zu", "st", "tn"]
    assert {x["code"]: x["name"] for x in listed} == dict(LANGUAGES)


@pytest.mark.parametrize("lang", ["af", "zu", "st", "tn"])
def test_strings_of_a_language(api: str, lang: str) -> None:
    response = httpx.get(f"{api}/api/i18n/{lang}")
    assert response.status_code == 200
    body = response.json()
    assert body["lang"] == lang
    assert body["name"] == LANGUAGES[lang]
    assert set(body["strings"]) == set(own_strings("en"))
    assert body["strings"]["status_page.title"] == own_strings(lang)["status_page.title"]
    assert body["strings"]["status_page.title"] != own_strings("en")["status_page.title"]


def test_unknown_language_is_refused_naming_the_supported_ones(api: str) -> None:
    response = httpx.get(f"{api}/api/i18n/fr")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "'fr'" in detail
    for code in LANGUAGES:
        assert f"{code} (" in detail


def test_status_in_english_by_default(api: str, conn: Connection) -> None:
    record = _lodge(conn)
    body = httpx.get(f"{api}/api/status/{record.reference}").json()
    assert body["lang"] == "en"
    assert body["service_code"] == "pothole"
    assert body["service_name"] == "Pothole"
    assert body["status_label"] == "Received"
    assert body["history"][0] == {
        "kind": "received",
        "label": "Request received",
        "at": body["history"][0]["at"],
        "status_to": "received",
        "status_label": "Received",
        "note": "",
    }


def test_status_of_a_closed_request_in_afrikaans(api: str, conn: Connection) -> None:
    record = _lodge(conn)
    _close(conn, record)
    response = httpx.get(f"{api}/api/status/{record.reference}", params={"lang": "af"})
    assert response.status_code == 200
    body = response.json()
    assert (body["service_name"], body["status_label"]) == ("Slaggat", "Gesluit")
    assert (body["resolution"], body["resolution_label"]) == ("fixed", "Herstel")
    assert [(e["kind"], e["label"]) for e in body["history"]] == [
        ("received", "Versoek ontvang"),
        ("acknowledged", "Versoek erken"),
        ("closed", "Gesluit"),
    ]
    assert body["history"][-1]["note"] == "Filled"
    for secret in ("Sipho", "Ndlovu", "555 0142", "dlamini"):
        assert secret not in response.text


def test_duplicate_link_is_told_in_the_language(api: str, conn: Connection) -> None:
    first = _lodge(conn)
    second = _lodge(conn)
    body = httpx.get(f"{api}/api/status/{second.reference}", params={"lang": "tn"}).json()
    assert body["duplicate_of"] == first.reference
    linked = [e for e in body["history"] if e["kind"] == "duplicate_linked"]
    assert linked[0]["label"] == "E golagantswe le pego ya pele"
    assert linked[0]["note"].startswith(f"E golagantswe le {first.reference},")


def test_status_with_unknown_language_is_refused(api: str, conn: Connection) -> None:
    record = _lodge(conn)
    response = httpx.get(f"{api}/api/status/{record.reference}", params={"lang": "xx"})
    assert response.status_code == 422
    assert "zu (isiZulu)" in response.json()["detail"]


def test_rating_answers_in_the_language(api: str, conn: Connection) -> None:
    record = _lodge(conn, "streetlight")
    _close(conn, record)
    feedback = {"rating": 5, "resolved": True, "recommend": 10, "comment": "Dankie"}
    response = httpx.post(
        f"{api}/api/status/{record.reference}/feedback", params={"lang": "zu"}, json=feedback
    )
    assert response.status_code == 200
    body = response.json()
    assert body["service_name"] == "Isibani sasemgwaqweni asisebenzi"
    assert body["can_rate"] is False
    assert body["satisfaction"] == 5
