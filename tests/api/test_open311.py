"""The Open311 GeoReport v2 server over real HTTP, in JSON and in XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Connection, text

from api.open311.router import open311_error
from geosvc.accounts.keys import create_key, revoke_keys
from geosvc.accounts.roles import Role
from geosvc.requests.intake import IntakePolicy, NewRequest, create_request
from geosvc.requests.lifecycle import Change, change_request
from geosvc.requests.repo.requests import RequestRecord, get_request
from geosvc.requests.transitions import Action, Resolution
from geosvc.requests.working_days import WorkingCalendar
from tests.requests.conftest import CITIZEN, JOBURG

V2 = "/open311/v2"
FORMATS = ["json", "xml"]
PRETORIA = (28.1881, -25.7463)
GERMISTON = (28.17, -26.22)
#: Elements that are the items of a list in the spec's XML.
LIST_ITEMS = {"service", "request", "attribute", "value", "endpoint", "format", "note", "error"}
#: Personal information posted in the tests; no GET may show any of it.
PERSONAL = {
    "first_name": "Nomvula",
    "last_name": "Khumalo",
    "email": "nomvula.private@example.org",
    "phone": "+27825550199",
    "device_id": "device-7f3a9c",
    "account_id": "acct-554433",
}
SIGNS = {
    "code": "test_signs",
    "name": "Damaged road sign",
    "group_name": "roads",
    "description": "A road sign that is down, bent or missing.",
    "keywords": "sign, road",
    "attributes": [
        {
            "code": "sign_type",
            "description": "Which kind of sign?",
            "datatype": "singlevaluelist",
            "required": True,
            "order": 1,
            "values": [{"key": "stop", "name": "Stop sign"}, {"key": "yield", "name": "Yield"}],
        },
        {
            "code": "hazards",
            "description": "Who is at risk?",
            "datatype": "multivaluelist",
            "order": 2,
            "values": [
                {"key": "drivers", "name": "Drivers"},
                {"key": "pedestrians", "name": "Pedestrians & <children>"},
                {"key": "cyclists", "name": "Cyclists"},
            ],
        },
        {"code": "height_m", "description": "How high is it?", "datatype": "number", "order": 3},
    ],
}


# --- helpers -------------------------------------------------------------------------------


def _from_xml(element: ET.Element) -> Any:
    """An XML element as JSON would have it (all leaves as text)."""
    children = list(element)
    if not children:
        return element.text
    if children[0].tag in LIST_ITEMS and all(c.tag == children[0].tag for c in children):
        return [_from_xml(c) for c in children]
    return {c.tag: _from_xml(c) for c in children}


def parsed(response: httpx.Response, fmt: str, root: str | None = None) -> Any:
    """The body of an Open311 response in ``fmt``, checking its content type (and XML root)."""
    if fmt == "json":
        assert response.headers["content-type"] == "application/json"
        return response.json()
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    element = ET.fromstring(response.content)
    if root is not None:
        assert element.tag == root
    return _from_xml(element)


def requests_of(response: httpx.Response, fmt: str) -> list[dict[str, Any]]:
    """The requests of a GET requests (or GET request) response."""
    assert response.status_code == 200, response.text
    body = parsed(response, fmt, "service_requests")
    return [] if body is None else list(body)


def error_of(response: httpx.Response, fmt: str, status: int) -> str:
    """The description of the single Open311 error in ``response``, checking its shape."""
    assert response.status_code == status, response.text
    errors = parsed(response, fmt, "errors")
    assert len(errors) == 1
    assert str(errors[0]["code"]) == str(status)
    description: str = errors[0]["description"]
    return description


def post(api: str, key: str | None, fmt: str = "json", **fields: Any) -> httpx.Response:
    """POST requests with a pothole at JOBURG by default; a None field is left out."""
    data: dict[str, Any] = {
        "api_key": key,
        "service_code": "pothole",
        "lat": str(JOBURG[1]),
        "long": str(JOBURG[0]),
        "email": "citizen@example.org",
    } | fields
    return httpx.post(
        f"{api}{V2}/requests.{fmt}", data={k: v for k, v in data.items() if v is not None}
    )


def lodged(response: httpx.Response, fmt: str) -> dict[str, Any]:
    """The single element of a successful POST's answer."""
    assert response.status_code == 200, response.text
    body = parsed(response, fmt, "service_requests")
    assert len(body) == 1
    item: dict[str, Any] = body[0]
    return item


def get(api: str, path: str, **params: Any) -> httpx.Response:
    """GET an Open311 path under /open311/v2."""
    return httpx.get(f"{api}{V2}{path}", params=params)


def lodge(conn: Connection, at: datetime, **fields: Any) -> RequestRecord:
    """Lodge a request directly in the test's transaction, as if at ``at``."""
    fields.setdefault("service_code", "pothole")
    if "address" not in fields:
        fields.setdefault("lon", JOBURG[0])
        fields.setdefault("lat", JOBURG[1])
    fields.setdefault("contact", CITIZEN)
    policy = IntakePolicy(calendar=WorkingCalendar())
    return create_request(conn, NewRequest(**fields), policy, at)


def close(conn: Connection, record: RequestRecord, at: datetime) -> RequestRecord:
    """Close ``record`` as fixed, with a public note."""
    change = Change(Action.CLOSE, "officer", note="Filled.", resolution=Resolution.FIXED)
    return change_request(conn, record.id, change, WorkingCalendar(), at)


def has_offset(stamp: str) -> bool:
    """Whether an ISO 8601 date and time carries a time zone offset."""
    return datetime.fromisoformat(stamp).utcoffset() is not None


@pytest.fixture
def key(conn: Connection) -> str:
    """A public app's API key."""
    return create_key(conn, "test app", Role.PUBLIC)


@pytest.fixture
def signs(conn: Connection) -> str:
    """A service type with a required list, a multivaluelist and a number attribute."""
    conn.execute(
        text(
            "INSERT INTO service_type (code, name, group_name, description, keywords, attributes)"
            " VALUES (:code, :name, :group_name, :description, :keywords,"
            " CAST(:attributes AS jsonb))"
        ),
        SIGNS | {"attributes": json.dumps(SIGNS["attributes"])},
    )
    return str(SIGNS["code"])


# --- discovery and services ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(api: str, fmt: str) -> None:
    response = get(api, f"/discovery.{fmt}")
    assert response.status_code == 200
    body = parsed(response, fmt, "discovery")
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    assert has_offset(body["changeset"])
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == f"{api}{V2}"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["application/json", "text/xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_list_the_active_catalogue(
    api: str, conn: Connection, signs: str, fmt: str
) -> None:
    conn.execute(text("UPDATE service_type SET active = false WHERE code = 'housing'"))
    body = parsed(get(api, f"/services.{fmt}"), fmt, "services")
    by_code = {s["service_code"]: s for s in body}
    assert "housing" not in by_code
    assert {"pothole", "water_outage", signs} <= set(by_code)
    for service in body:
        assert {"service_code", "service_name", "metadata", "type"} <= set(service)
        assert service["type"] == "realtime"
    pothole = by_code["pothole"]
    assert pothole["service_name"] == "Pothole"
    assert pothole["group"] == "roads"
    assert pothole["keywords"] == "pothole, road, tar"
    assert str(pothole["metadata"]).lower() == "true"
    assert str(by_code["other"]["metadata"]).lower() == "false"
    assert str(by_code[signs]["metadata"]).lower() == "true"


def test_service_definition_in_json(api: str, signs: str) -> None:
    response = get(api, f"/services/{signs}.json")
    assert response.status_code == 200
    body = parsed(response, "json")
    assert body["service_code"] == signs
    codes = [a["code"] for a in body["attributes"]]
    assert codes == ["sign_type", "hazards", "height_m"]
    sign_type = body["attributes"][0]
    assert sign_type == {
        "variable": True,
        "code": "sign_type",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": "",
        "order": 1,
        "description": "Which kind of sign?",
        "values": [{"key": "stop", "name": "Stop sign"}, {"key": "yield", "name": "Yield"}],
    }
    assert body["attributes"][2]["values"] == []


def test_service_definition_in_xml(api: str, signs: str) -> None:
    response = get(api, f"/services/{signs}.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == signs
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["sign_type", "hazards", "height_m"]
    assert attributes[0].findtext("required") == "true"
    assert attributes[0].findtext("variable") == "true"
    assert attributes[1].findtext("required") == "false"
    assert attributes[1].findtext("datatype") == "multivaluelist"
    values = attributes[1].findall("values/value")
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [
        ("drivers", "Drivers"),
        ("pedestrians", "Pedestrians & <children>"),
        ("cyclists", "Cyclists"),
    ]
    assert "&amp; &lt;children&gt;" in response.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_or_withdrawn_service_is_404(api: str, conn: Connection, fmt: str) -> None:
    assert "nothing" in error_of(get(api, f"/services/nothing.{fmt}"), fmt, 404)
    conn.execute(text("UPDATE service_type SET active = false WHERE code = 'housing'"))
    assert "housing" in error_of(get(api, f"/services/housing.{fmt}"), fmt, 404)


# --- POST requests -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bad_key", [None, "", "gsv_not-a-key"])
def test_post_needs_a_valid_api_key(
    api: str, conn: Connection, fmt: str, bad_key: str | None
) -> None:
    before = conn.execute(text("SELECT count(*) FROM service_request")).scalar_one()
    description = error_of(post(api, bad_key, fmt), fmt, 403)
    assert "key" in description.lower()
    assert conn.execute(text("SELECT count(*) FROM service_request")).scalar_one() == before


def test_post_with_a_revoked_key_is_403(api: str, conn: Connection, key: str) -> None:
    revoke_keys(conn, "test app")
    assert "revoked" in error_of(post(api, key), "json", 403)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_list_services_create_read_back(
    api: str, conn: Connection, key: str, fmt: str
) -> None:
    services = parsed(get(api, f"/services.{fmt}"), fmt, "services")
    code = next(s["service_code"] for s in services if s["service_code"] == "streetlight")
    answer = lodged(post(api, key, fmt, service_code=code, description="Dark <since> Friday"), fmt)
    reference = answer["service_request_id"]
    assert reference.startswith("GSV-")
    assert "token" not in answer
    assert reference in answer["service_notice"]

    (request,) = requests_of(get(api, f"/requests/{reference}.{fmt}"), fmt)
    assert request["service_request_id"] == reference
    assert request["status"] == "open"
    assert request["service_code"] == "streetlight"
    assert request["service_name"] == "Streetlight not working"
    assert request["description"] == "Dark <since> Friday"
    assert request["agency_responsible"] == "geosvc"
    assert request["service_notice"] == answer["service_notice"]
    assert float(request["lat"]) == pytest.approx(JOBURG[1])
    assert float(request["long"]) == pytest.approx(JOBURG[0])
    for stamp in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert request[stamp].endswith("+02:00"), stamp
    record = get_request(conn, reference)
    assert record.due_at is not None
    expected = datetime.fromisoformat(request["expected_datetime"])
    assert abs(expected - record.due_at) < timedelta(seconds=1)
    assert record.channel == "app"
    assert record.contact == {"email": "citizen@example.org"}


def test_every_field_of_a_request_is_present(api: str, key: str) -> None:
    reference = lodged(post(api, key), "json")["service_request_id"]
    (request,) = requests_of(get(api, f"/requests/{reference}.json"), "json")
    assert list(request) == [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ]
    element = ET.fromstring(get(api, f"/requests/{reference}.xml").content).find("request")
    assert element is not None
    assert [e.tag for e in element] == list(request)


def test_post_answers_to_the_service_definition(
    api: str, conn: Connection, key: str, signs: str
) -> None:
    data = [
        ("api_key", key),
        ("service_code", signs),
        ("lat", str(PRETORIA[1])),
        ("long", str(PRETORIA[0])),
        ("email", "citizen@example.org"),
        ("attribute[sign_type]", "stop"),
        ("attribute[hazards][]", "drivers"),
        ("attribute[hazards][]", "cyclists"),
        ("attribute[height_m]", "2.5"),
    ]
    response = httpx.post(f"{api}{V2}/requests.json", content=_form(data), headers=_FORM)
    reference = lodged(response, "json")["service_request_id"]
    stored = get_request(conn, reference).attributes
    assert stored == {"sign_type": "stop", "hazards": ["drivers", "cyclists"], "height_m": 2.5}


_FORM = {"content-type": "application/x-www-form-urlencoded"}


def _form(pairs: list[tuple[str, str]]) -> bytes:
    return urlencode(pairs).encode()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "attribute[sign_type] is required"),
        ({"attribute[sign_type]": "stop", "attribute[colour]": "red"}, "attribute[colour]"),
        ({"attribute[sign_type]": "give_way"}, "must be one of stop, yield"),
        ({"attribute[sign_type]": "stop", "attribute[height_m]": "tall"}, "must be a number"),
    ],
)
def test_post_refuses_bad_answers(
    api: str, key: str, signs: str, fields: dict[str, str], expected: str
) -> None:
    response = post(api, key, "xml", service_code=signs, **fields)
    assert expected in error_of(response, "xml", 400)


@pytest.mark.parametrize(
    ("lat", "long", "reason"),
    [
        ("0", "0", "(0, 0)"),
        (str(JOBURG[0]), str(JOBURG[1]), "swapped"),
        ("-126.2", "28.04", "within -180..180"),
        ("-33.92", "18.42", "outside the area this service covers"),
        ("-25.75", "27.80", "inside no ward"),
        ("-26.2", "east", "long must be decimal degrees"),
        ("-26.2", None, "both lat and long"),
    ],
)
def test_post_refuses_implausible_locations(
    api: str, key: str, lat: str, long: str | None, reason: str
) -> None:
    assert reason in error_of(post(api, key, lat=lat, long=long), "json", 400)


def test_post_refuses_a_request_without_location_or_service(api: str, key: str) -> None:
    response = post(api, key, lat=None, long=None)
    assert "Give a location" in error_of(response, "json", 400)
    assert "service_code" in error_of(post(api, key, service_code=""), "json", 400)
    assert "not a service" in error_of(post(api, key, service_code="unicorns"), "json", 400)


def test_post_with_an_address_only(api: str, conn: Connection, key: str) -> None:
    response = post(api, key, lat=None, long=None, address_string="12 Jorissen St, Braamfontein")
    reference = lodged(response, "json")["service_request_id"]
    (request,) = requests_of(get(api, f"/requests/{reference}.json"), "json")
    assert request["address"] == "12 Jorissen St, Braamfontein"
    assert request["lat"] is None
    assert request["long"] is None
    by_id = post(api, key, lat=None, long=None, address_id="ERF 1234 Soweto")
    assert get_request(conn, lodged(by_id, "json")["service_request_id"]).address == (
        "ERF 1234 Soweto"
    )


def test_post_extension_fields_and_agent_channel(api: str, conn: Connection) -> None:
    agent = create_key(conn, "call centre", Role.AGENT)
    phoned = lodged(post(api, agent, kind="complaint"), "json")["service_request_id"]
    assert get_request(conn, phoned).channel == "phone"
    assert get_request(conn, phoned).kind == "complaint"
    walked_in = lodged(post(api, agent, channel="in_person"), "json")["service_request_id"]
    assert get_request(conn, walked_in).channel == "in_person"
    assert "channel must be one of" in error_of(post(api, agent, channel="fax"), "json", 400)
    assert "kind must be one of" in error_of(post(api, agent, kind="rant"), "json", 400)


def test_post_returns_the_account_id_and_200(api: str, key: str) -> None:
    response = post(api, key, account_id="acct-1")
    assert response.status_code == 200
    assert lodged(response, "json")["account_id"] == "acct-1"


def test_anonymous_request_is_recorded_without_expected_datetime(api: str, key: str) -> None:
    answer = lodged(post(api, key, email=None), "json")
    assert "cannot be actioned" in answer["service_notice"]
    (request,) = requests_of(get(api, f"/requests/{answer['service_request_id']}.json"), "json")
    assert request["expected_datetime"] is None
    (xml_request,) = requests_of(get(api, f"/requests/{answer['service_request_id']}.xml"), "xml")
    assert xml_request["expected_datetime"] is None


def test_duplicate_is_noticed_and_linked(api: str, key: str) -> None:
    first = lodged(post(api, key), "json")["service_request_id"]
    nearby = str(JOBURG[1] + 50 / 110_574)  # 50 m north
    second = lodged(post(api, key, lat=nearby), "json")
    assert first in second["service_notice"]
    reference = second["service_request_id"]
    (plain,) = requests_of(get(api, f"/requests/{reference}.json"), "json")
    assert "extended_attributes" not in plain
    for fmt in FORMATS:
        response = get(api, f"/requests/{reference}.{fmt}", extensions="true")
        (request,) = requests_of(response, fmt)
        extended = request["extended_attributes"]
        assert extended["parent_service_request_id"] == first
        assert str(extended["duplicate"]).lower() == "true"
        assert [note["kind"] for note in request["notes"]] == ["received", "duplicate_linked"]
        assert first in request["notes"][1]["description"]


def test_extensions_show_ward_channel_and_public_notes(api: str, conn: Connection) -> None:
    record = lodge(conn, datetime.now(UTC) - timedelta(days=2))
    close(conn, record, datetime.now(UTC) - timedelta(days=1))
    for fmt in FORMATS:
        response = get(api, f"/requests.{fmt}", extensions="true")
        (request,) = requests_of(response, fmt)
        assert request["status"] == "closed"
        assert request["status_notes"] == "Filled."
        extended = request["extended_attributes"]
        assert extended["ward"] == record.ward_code
        assert extended["ward_name"] == record.ward_name
        assert extended["channel"] == "web"
        assert extended["kind"] == "request"
        assert extended["resolution"] == "fixed"
        assert str(extended["duplicate"]).lower() == "false"
        closed = request["notes"][-1]
        assert closed["kind"] == "closed"
        assert closed["status"] == "closed"
        assert closed["description"] == "Filled."
        assert has_offset(closed["datetime"])


def test_text_that_xml_cannot_carry_is_dropped_not_fatal(api: str, key: str) -> None:
    answer = lodged(post(api, key, description="bell\x07 & <b>"), "json")
    response = get(api, f"/requests/{answer['service_request_id']}.xml")
    (request,) = requests_of(response, "xml")
    assert request["description"] == "bell & <b>"


# --- GET requests --------------------------------------------------------------------------


@pytest.fixture
def history(conn: Connection) -> dict[str, RequestRecord]:
    """Requests lodged over the last 200 days, at three places, one of them closed."""
    now = datetime.now(UTC)
    old = lodge(conn, now - timedelta(days=120), service_code="streetlight")
    pothole = lodge(conn, now - timedelta(days=10))
    light = lodge(
        conn, now - timedelta(days=5), service_code="streetlight", lon=PRETORIA[0], lat=PRETORIA[1]
    )
    dumping = lodge(
        conn,
        now - timedelta(days=2),
        service_code="illegal_dumping",
        lon=GERMISTON[0],
        lat=GERMISTON[1],
    )
    closed = close(conn, pothole, now - timedelta(days=1))
    return {"old": old, "pothole": closed, "light": light, "dumping": dumping}


def _ids(api: str, fmt: str = "json", /, **params: Any) -> list[str]:
    return [
        r["service_request_id"] for r in requests_of(get(api, f"/requests.{fmt}", **params), fmt)
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_default_lists_the_last_90_days_newest_first(
    api: str, history: dict[str, RequestRecord], fmt: str
) -> None:
    expected = [history[k].reference for k in ("dumping", "light", "pothole")]
    assert _ids(api, fmt) == expected
    for request in requests_of(get(api, f"/requests.{fmt}"), fmt):
        assert {"service_request_id", "status", "service_code", "requested_datetime"} <= set(
            request
        )
        assert has_offset(request["requested_datetime"])


def test_service_request_id_list_overrides_other_arguments(
    api: str, history: dict[str, RequestRecord]
) -> None:
    wanted = f"{history['old'].reference}, {history['light'].reference}"
    ids = _ids(api, service_request_id=wanted, service_code="pothole", status="closed")
    assert sorted(ids) == sorted([history["old"].reference, history["light"].reference])


def test_filter_by_service_code_and_status(api: str, history: dict[str, RequestRecord]) -> None:
    assert _ids(api, service_code="streetlight") == [history["light"].reference]
    assert _ids(api, service_code="pothole,illegal_dumping") == [
        history["dumping"].reference,
        history["pothole"].reference,
    ]
    assert _ids(api, status="closed") == [history["pothole"].reference]
    assert _ids(api, status="open") == [history["dumping"].reference, history["light"].reference]
    assert len(_ids(api, status="open,closed")) == 3
    assert len(_ids(api, service_code="", status="")) == 3  # empty counts as absent


def test_filter_by_start_and_end_date(api: str, history: dict[str, RequestRecord]) -> None:
    now = datetime.now(UTC)
    old = _ids(
        api,
        start_date=(now - timedelta(days=150)).isoformat(),
        end_date=(now - timedelta(days=100)).isoformat(),
    )
    assert old == [history["old"].reference]
    since = _ids(api, start_date=(now - timedelta(days=6)).isoformat())
    assert since == [history["dumping"].reference, history["light"].reference]
    local = (now - timedelta(days=6)).astimezone().strftime("%Y-%m-%d")
    assert history["light"].reference in _ids(api, start_date=local)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_span_over_90_days_is_refused(api: str, fmt: str) -> None:
    response = get(
        api,
        f"/requests.{fmt}",
        start_date="2026-01-01T00:00:00+02:00",
        end_date="2026-05-01T00:00:00+02:00",
    )
    assert "90 days" in error_of(response, fmt, 400)


def test_filter_by_bbox(api: str, history: dict[str, RequestRecord]) -> None:
    around_pretoria = {"lat_ne": -25.7, "long_ne": 28.25, "lat_sw": -25.8, "long_sw": 28.1}
    assert _ids(api, **around_pretoria) == [history["light"].reference]
    around_joburg = {"lat_ne": -26.0, "long_ne": 28.1, "lat_sw": -26.3, "long_sw": 28.0}
    assert _ids(api, "xml", **around_joburg) == [history["pothole"].reference]


def test_filter_by_updated_after_and_before(api: str, history: dict[str, RequestRecord]) -> None:
    now = datetime.now(UTC)
    after = _ids(api, updated_after=(now - timedelta(days=3)).isoformat())
    assert after == [history["dumping"].reference, history["pothole"].reference]
    before = _ids(api, updated_before=(now - timedelta(days=30)).isoformat())
    assert before == [history["old"].reference]


def test_pages(api: str, history: dict[str, RequestRecord]) -> None:
    first = get(api, "/requests.json", page_size=2)
    assert first.headers["x-total-count"] == "3"
    assert [r["service_request_id"] for r in first.json()] == [
        history["dumping"].reference,
        history["light"].reference,
    ]
    assert _ids(api, page=2, page_size=2) == [history["pothole"].reference]
    assert _ids(api, page=3, page_size=2) == []
    assert requests_of(get(api, "/requests.xml", page=9), "xml") == []


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"start_date": "last tuesday"}, "start_date"),
        ({"end_date": "2026-13-01"}, "end_date"),
        ({"updated_after": "yesterday"}, "updated_after"),
        ({"page": "two"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "501"}, "page_size"),
        ({"status": "pending"}, "status"),
        ({"lat_ne": "-25", "long_ne": "28"}, "lat_sw"),
        ({"lat_ne": "-25", "long_ne": "28", "lat_sw": "-26", "long_sw": "west"}, "long_sw"),
        ({"lat_ne": "-27", "long_ne": "28", "lat_sw": "-26", "long_sw": "27"}, "lat_sw"),
        ({"extensions": "maybe"}, "extensions"),
        ({"start_date": "2026-03-02", "end_date": "2026-03-01"}, "end_date"),
    ],
)
def test_bad_arguments_are_400_naming_the_argument(
    api: str, params: dict[str, str], named: str
) -> None:
    for fmt in FORMATS:
        assert named in error_of(get(api, f"/requests.{fmt}", **params), fmt, 400)


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_request_is_404(api: str, fmt: str) -> None:
    assert "GSV-1999-0000001" in error_of(get(api, f"/requests/GSV-1999-0000001.{fmt}"), fmt, 404)


# --- privacy, tokens, jurisdictions, formats -----------------------------------------------


def test_no_personal_information_in_any_get(api: str, conn: Connection, key: str) -> None:
    reference = lodged(post(api, key, **PERSONAL), "json")["service_request_id"]
    assert get_request(conn, reference).contact == PERSONAL  # it was stored, for staff
    token = get_request(conn, reference).token
    paths = [
        ("/requests.{fmt}", {}),
        ("/requests.{fmt}", {"extensions": "true"}),
        ("/requests.{fmt}", {"service_request_id": reference, "extensions": "true"}),
        (f"/requests/{reference}.{{fmt}}", {"extensions": "true"}),
        (f"/tokens/{token}.{{fmt}}", {}),
    ]
    for fmt in FORMATS:
        for path, params in paths:
            response = get(api, path.format(fmt=fmt), **params)
            assert response.status_code == 200
            assert reference in response.text
            for value in PERSONAL.values():
                assert value not in response.text, (path, fmt, value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_tokens(api: str, conn: Connection, key: str, fmt: str) -> None:
    reference = lodged(post(api, key), "json")["service_request_id"]
    token = get_request(conn, reference).token
    (item,) = parsed(get(api, f"/tokens/{token.upper()}.{fmt}"), fmt, "service_requests")
    assert item == {"service_request_id": reference, "token": token}
    unknown = "00000000-0000-0000-0000-000000000000"
    assert unknown in error_of(get(api, f"/tokens/{unknown}.{fmt}"), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_jurisdiction_id(api: str, key: str, fmt: str) -> None:
    for path in ("/discovery", "/services", "/services/pothole", "/requests"):
        assert get(api, f"{path}.{fmt}", jurisdiction_id="geosvc").status_code == 200
        response = get(api, f"{path}.{fmt}", jurisdiction_id="chicago.gov")
        assert "'chicago.gov' is not served here" in error_of(response, fmt, 404)
    refused = post(api, key, fmt, jurisdiction_id="chicago.gov")
    assert "not served here" in error_of(refused, fmt, 404)
    lodged(post(api, key, fmt, jurisdiction_id="geosvc"), fmt)


def test_unknown_format_is_an_open311_error(api: str) -> None:
    for path in ("/discovery.csv", "/services.html", "/requests.geojson", "/tokens/x.csv"):
        assert "use .json or .xml" in error_of(get(api, path), "json", 404)


def test_framework_errors_come_as_open311_errors(api: str) -> None:
    response = httpx.post(
        f"{api}{V2}/requests.xml",
        content=b"--broken\r\nnonsense",
        headers={"content-type": "multipart/form-data; boundary=other"},
    )
    assert response.status_code == 400
    assert ET.fromstring(response.content).tag == "errors"


def test_a_json_body_is_refused_with_the_reason(api: str, key: str) -> None:
    response = httpx.post(
        f"{api}{V2}/requests.json", json={"api_key": key, "service_code": "pothole"}
    )
    assert "application/x-www-form-urlencoded" in error_of(response, "json", 400)


@pytest.mark.parametrize("path", ["/requests/GSV-2026-0000001", "/requests/", "/help.xml"])
def test_anything_else_under_v2_is_an_open311_404(api: str, path: str) -> None:
    fmt = "xml" if path.endswith(".xml") else "json"
    assert "discovery.json" in error_of(get(api, path), fmt, 404)


def _request_for(path: str) -> Request:
    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}
    return Request(scope | {"scheme": "http", "server": ("testserver", 80)})


def test_validation_and_internal_errors_become_open311_errors() -> None:
    invalid = RequestValidationError([{"loc": ("query", "page"), "msg": "Field required"}])
    response = open311_error(_request_for(f"{V2}/requests.xml"), invalid)
    assert response.status_code == 400
    assert b"<description>page: Field required</description>" in response.body
    crash = RuntimeError("password=hunter2 in SELECT ...")
    response = open311_error(_request_for(f"{V2}/requests.json"), crash)
    assert response.status_code == 500
    assert json.loads(bytes(response.body)) == [
        {"code": 500, "description": "The server failed; it has been logged."}
    ]
