"""``/api/survey-points``: roles, filters, access levels by name."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Connection

from tests.features.conftest import add_surveys

SAST = ZoneInfo("Africa/Johannesburg")
HOUSEHOLDS = [
    ("jhb_cbd", "h-1", datetime(2026, 7, 2, 9, tzinfo=SAST), 0),
    ("jhb_near", "h-2", datetime(2026, 7, 3, 9, tzinfo=SAST), 1),
    ("soweto", "h-3", datetime(2026, 8, 3, 9, tzinfo=SAST), 6),
    ("pretoria", "h-4", datetime(2026, 10, 3, 9, tzinfo=SAST), 7),
    ("kempton", "h-5", datetime(2026, 11, 3, 9, tzinfo=SAST), 2),
]


@pytest.fixture
def batch(conn: Connection) -> int:
    """Five surveyed households in three metros between July and November."""
    return add_surveys(conn, HOUSEHOLDS)


def _ids(api: str, headers: dict[str, str], **params: Any) -> set[str]:
    response = httpx.get(f"{api}/api/survey-points", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["numberMatched"] == len(body["features"])
    return {f["id"] for f in body["features"]}


def test_survey_points_need_a_planner_or_a_cdw(
    api: str, batch: int, planner: dict[str, str], cdw: dict[str, str], agent: dict[str, str]
) -> None:
    anonymous = httpx.get(f"{api}/api/survey-points")
    assert anonymous.status_code == 401
    assert "planner or cdw" in anonymous.json()["detail"]
    assert httpx.get(f"{api}/api/survey-points", headers=agent).status_code == 403
    assert len(_ids(api, planner)) == len(_ids(api, cdw)) == 5
    # the guard runs before the filters: no hint about the data to the anonymous
    assert httpx.get(f"{api}/api/survey-points?ward=00000000").status_code == 401


def test_a_survey_point_carries_access_levels_by_name_and_code(
    api: str, batch: int, planner: dict[str, str]
) -> None:
    body = httpx.get(f"{api}/api/survey-points", headers=planner, params={"ward": "79800036"})
    (feature,) = body.json()["features"]
    props = feature["properties"]
    assert feature["id"] == props["submission_id"] == "h-3"
    assert props["batch_id"] == batch
    assert props["ward_code"] == "79800036"
    assert (props["water_access"], props["water_access_code"]) == ("surface_water", 6)
    assert (props["sanitation_access"], props["sanitation_access_code"]) == ("flush_sewerage", 0)
    assert props["electricity_access"] is None
    assert props["needs"] == ["water"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [27.89, -26.25]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"ward": "79800060,79900058"}, {"h-1", "h-4"}),
        ({"municipality": "JHB"}, {"h-1", "h-2", "h-3"}),
        ({"period": "2026-Q3"}, {"h-1", "h-2", "h-3"}),
        ({"period": "2026-11"}, {"h-5"}),
        ({"bbox": "28.0,-26.3,28.1,-26.1"}, {"h-1", "h-2"}),
    ],
)
def test_survey_filters_narrow(
    api: str, batch: int, planner: dict[str, str], params: dict[str, str], expected: set[str]
) -> None:
    assert _ids(api, planner, **params) == expected


@pytest.mark.parametrize("param", [{"service": "water"}, {"status": "open"}])
def test_filters_surveys_do_not_take_are_refused(
    api: str, planner: dict[str, str], param: dict[str, str]
) -> None:
    response = httpx.get(f"{api}/api/survey-points", headers=planner, params=param)
    assert response.status_code == 422
    assert f"the filter {next(iter(param))!r} does not apply to survey-points" in response.text


def test_paging_of_survey_points(api: str, batch: int, planner: dict[str, str]) -> None:
    pages = []
    url: str | None = f"{api}/api/survey-points?page_size=2"
    while url:
        body = httpx.get(url, headers=planner).json()
        assert body["numberMatched"] == 5
        pages.append([f["id"] for f in body["features"]])
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert [len(p) for p in pages] == [2, 2, 1]
    # most recently collected first
    assert [i for page in pages for i in page] == ["h-5", "h-4", "h-3", "h-2", "h-1"]
