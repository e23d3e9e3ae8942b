"""``/api/incidents`` over real HTTP: each filter narrows, paging links, refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.features.conftest import T0, Lodge, Lodged

SAST = ZoneInfo("Africa/Johannesburg")
PROPERTIES = {
    "reference", "service_code", "service_name", "service_group", "kind", "status",
    "channel", "ward_code", "ward_name", "municipality_code", "requested_at", "due_at",
    "closed_at", "overdue",
}  # fmt: skip


@pytest.fixture
def lodged(lodge: Lodge) -> list[Lodged]:
    """Six requests in three metros, two quarters apart, two of them closed."""
    return [
        lodge("pothole", "jhb_cbd", T0),
        lodge("water_leak", "jhb_cbd", T0 + timedelta(days=1)),
        lodge("water_outage", "soweto", T0 + timedelta(days=40)),
        lodge("pothole", "pretoria", datetime(2026, 10, 5, 10, tzinfo=SAST), closed=True),
        lodge("refuse_missed", "kempton", datetime(2026, 4, 2, 10, tzinfo=SAST)),
        lodge("streetlight", "jhb_near", T0 + timedelta(days=2), closed=True),
    ]


def _get(api: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{api}/api/incidents", params=params, timeout=30)


def _references(api: str, **params: Any) -> set[str]:
    response = _get(api, page_size=5000, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["numberMatched"] == body["numberReturned"] == len(body["features"])
    return {f["id"] for f in body["features"]}


def test_every_incident_without_personal_information(api: str, lodged: list[Lodged]) -> None:
    response = _get(api)
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == len(lodged)
    feature = body["features"][0]
    assert set(feature["properties"]) == PROPERTIES
    assert feature["geometry"]["type"] == "Point"
    assert feature["id"] == feature["properties"]["reference"]
    text = response.text.lower()
    assert "thandi" not in text
    assert "example.org" not in text
    # newest first
    times = [f["properties"]["requested_at"] for f in body["features"]]
    assert times == sorted(times, reverse=True)


Pick = Callable[[Lodged], bool]
Q3 = (datetime(2026, 7, 1, tzinfo=SAST), datetime(2026, 10, 1, tzinfo=SAST))
TSH_NAME = "City of Tshwane Metropolitan Municipality"
POTHOLE_OR_LIGHT = ("pothole", "streetlight")


def _in_april(r: Lodged) -> bool:
    local = r.at.astimezone(SAST)
    return (local.year, local.month) == (2026, 4)


CASES: list[tuple[dict[str, Any], Pick]] = [
    ({"service": "pothole"}, lambda r: r.service_code == "pothole"),
    ({"service": "water"}, lambda r: r.service_code.startswith("water_")),
    ({"service": list(POTHOLE_OR_LIGHT)}, lambda r: r.service_code in POTHOLE_OR_LIGHT),
    ({"service": "pothole,streetlight"}, lambda r: r.service_code in POTHOLE_OR_LIGHT),
    ({"ward": "79800060"}, lambda r: r.ward == "79800060"),
    ({"ward": "79800060,79700016"}, lambda r: r.ward in ("79800060", "79700016")),
    ({"municipality": "JHB"}, lambda r: r.municipality == "JHB"),
    ({"municipality": TSH_NAME}, lambda r: r.municipality == "TSH"),
    ({"period": "2026-Q3"}, lambda r: Q3[0] <= r.at < Q3[1]),
    ({"period": "2026-04"}, _in_april),
    ({"status": "closed"}, lambda r: r.closed),
    ({"status": "open"}, lambda r: not r.closed),
    ({"status": "received,closed"}, lambda r: True),
    ({"bbox": "28.0,-26.3,28.1,-26.1"}, lambda r: r.place in ("jhb_cbd", "jhb_near")),
    (
        {"service": "pothole", "municipality": "JHB"},
        lambda r: r.service_code == "pothole" and r.municipality == "JHB",
    ),
]


@pytest.mark.parametrize(("params", "pick"), CASES, ids=[str(p) for p, _ in CASES])
def test_each_filter_narrows_to_the_matching_incidents(
    api: str, lodged: list[Lodged], params: dict[str, Any], pick: Pick
) -> None:
    expected = {r.reference for r in lodged if pick(r)}
    assert expected, "the case must match something"
    assert _references(api, **params) == expected


def test_filters_that_narrow_do_narrow(api: str, lodged: list[Lodged]) -> None:
    everything = _references(api)
    assert len(everything) == len(lodged)
    for params, _ in CASES:
        if params != {"status": "received,closed"}:
            assert _references(api, **params) < everything, params


def test_overdue_flag_marks_open_requests_past_their_due_date(
    api: str, lodged: list[Lodged]
) -> None:
    features = _get(api).json()["features"]
    flags = {f["id"]: f["properties"]["overdue"] for f in features}
    for request in lodged:
        # every open one was lodged months ago and is past its completion date
        assert flags[request.reference] is (not request.closed)


def test_paging_links_walk_every_match_once(api: str, lodged: list[Lodged]) -> None:
    first = _get(api, page_size=4, service="pothole,water,streetlight,refuse").json()
    assert (first["numberMatched"], first["numberReturned"]) == (6, 4)
    rels = {link["rel"]: link["href"] for link in first["links"]}
    assert set(rels) == {"self", "next"}
    assert "service=pothole%2Cwater%2Cstreetlight%2Crefuse" in rels["next"]
    second = httpx.get(rels["next"]).json()
    assert second["numberReturned"] == 2
    second_rels = {link["rel"]: link["href"] for link in second["links"]}
    assert set(second_rels) == {"self", "prev"}
    assert "page=1" in second_rels["prev"]
    seen = [f["id"] for f in first["features"] + second["features"]]
    assert sorted(seen) == sorted(r.reference for r in lodged)
    beyond = _get(api, page=3, page_size=4).json()
    assert (beyond["numberMatched"], beyond["numberReturned"]) == (6, 0)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"bbox": "28,-26"}, "bbox"),
        ({"bbox": "28.1,-26.3,28.0,-26.1"}, "west < east"),
        ({"bbox": "28,-96,29,-26"}, "latitudes"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"period": "2026-Q5"}, "period"),
        ({"period": "last week"}, "period"),
        ({"status": "lost"}, "status 'lost'"),
        ({"service": "unicorns"}, "service 'unicorns'"),
        ({"ward": "12345678"}, "ward '12345678'"),
        ({"municipality": "Atlantis"}, "municipality 'Atlantis'"),
        ({"page_size": 5001}, "page_size"),
        ({"page": 0}, "page"),
    ],
)
def test_bad_filter_values_are_a_422_naming_them(
    api: str, params: dict[str, Any], named: str
) -> None:
    response = _get(api, **params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert named in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/wards", {"service": "water"}),
        ("/api/wards", {"status": "open"}),
        ("/api/wards", {"period": "2026"}),
        ("/api/clusters", {"status": "open"}),
        ("/tiles/wards/10/592/590.pbf", {"period": "2026"}),
        ("/tiles/incidents/10/592/590.pbf", {"bbox": "28,-26.3,28.1,-26.1"}),
    ],
)
def test_a_filter_a_layer_does_not_take_is_refused_by_name(
    api: str, path: str, param: dict[str, str]
) -> None:
    response = httpx.get(f"{api}{path}", params=param)
    assert response.status_code == 422, response.text
    name = next(iter(param))
    assert f"the filter {name!r} does not apply" in response.json()["detail"]


def test_an_empty_filter_value_is_still_refused_where_it_does_not_apply(api: str) -> None:
    response = httpx.get(f"{api}/api/wards?status=")
    assert response.status_code == 422
    assert "'status'" in response.json()["detail"]


def test_address_only_requests_have_a_null_geometry(api: str, conn: Any, lodge: Lodge) -> None:
    from geosvc.requests.intake import IntakePolicy, NewRequest, create_request
    from geosvc.requests.working_days import WorkingCalendar
    from tests.features.conftest import CITIZEN

    policy = IntakePolicy(calendar=WorkingCalendar(), reference_prefix="FEA")
    new = NewRequest(service_code="pothole", address="1 Main Street", contact=CITIZEN)
    record = create_request(conn, new, policy, T0)
    body = _get(api).json()
    feature = next(f for f in body["features"] if f["id"] == record.reference)
    assert feature["geometry"] is None
    assert "Main Street" not in str(feature)
    assert _references(api, bbox="27,-27,29,-25") == set()
