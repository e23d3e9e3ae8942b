"""The ward profile read from a real analysis run and the live tables."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, text

from geosvc.config import Settings
from geosvc.errors import InvalidInputError, NotFoundError
from geosvc.planning.options import planner_options
from geosvc.planning.profile import ward_profile
from geosvc.requests.intake import Contact, NewRequest, create_request, policy_for
from geosvc.surveys.refresh import refresh_ward_needs
from tests.planning.conftest import NOW

TZ = "Africa/Johannesburg"
POLICY = policy_for(Settings(_env_file=None))  # type: ignore[call-arg]


def _inside(conn: Connection, code: str) -> tuple[float, float]:
    row = conn.execute(
        text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM ward "
             "WHERE code = :code) AS x"),
        {"code": code},
    ).one()  # fmt: skip
    return float(row[0]), float(row[1])


def _lodge(conn: Connection, code: str, service: str, at: datetime, kind: str = "request") -> None:
    lon, lat = _inside(conn, code)
    new = NewRequest(
        service, lon=lon, lat=lat, kind=kind, contact=Contact(email="p@example.org"), actor="t"
    )
    create_request(conn, new, POLICY, now=at)


def test_needs_are_the_stored_scores_with_their_components(
    analysed: Connection, busiest_ward: str
) -> None:
    profile = ward_profile(analysed, busiest_ward, timezone=TZ, now=NOW)

    stored = analysed.execute(
        text("SELECT service, score, rank FROM ward_need WHERE ward_code = :code"),
        {"code": busiest_ward},
    ).all()
    assert {(n.service, n.score, n.rank) for n in profile.needs.services} == {
        (row.service, row.score, row.rank) for row in stored
    }
    scores = [n.score for n in profile.needs.services if n.score is not None]
    assert scores == sorted(scores, reverse=True)
    water = next(n for n in profile.needs.services if n.service == "water")
    assert [c.component for c in water.components] == [
        "survey", "census", "incidents", "backlog", "breaches",
    ]  # fmt: skip
    assert water.score == pytest.approx(sum(c.contribution or 0 for c in water.components))
    ranked = analysed.execute(
        text("SELECT count(rank) FROM ward_need WHERE service = 'water'")
    ).scalar_one()
    assert water.ranked == ranked
    assert profile.ward.code == busiest_ward
    assert profile.ward.municipality_code in {"JHB", "EKU", "TSH"}
    assert profile.run.period == profile.period == profile.needs.period == "all"


def test_incidents_are_counted_per_local_month_and_group(
    analysed: Connection, busiest_ward: str
) -> None:
    before = ward_profile(analysed, busiest_ward, timezone=TZ, now=NOW).incidents
    assert before.months[0] == "2025-12"
    assert before.months[-1] == "2026-11"
    assert len(before.months) == 12
    # 23:30 on 31 August in Johannesburg is still August; 00:30 on 1 September is not.
    _lodge(analysed, busiest_ward, "water_leak", datetime(2026, 8, 31, 21, 30, tzinfo=UTC))
    _lodge(analysed, busiest_ward, "pothole", datetime(2026, 8, 31, 22, 30, tzinfo=UTC))
    _lodge(analysed, busiest_ward, "pothole", datetime(2026, 9, 20, 8, tzinfo=UTC))
    _lodge(analysed, busiest_ward, "water_leak", datetime(2026, 9, 10, 8, tzinfo=UTC), "compliment")
    after = ward_profile(analysed, busiest_ward, timezone=TZ, now=NOW).incidents

    def added(section_before: list[int], section_after: list[int]) -> dict[str, int]:
        return {
            month: b - a
            for month, a, b in zip(before.months, section_before, section_after, strict=True)
            if b != a
        }

    def series(section: object, group: str) -> list[int]:
        found = [s.counts for s in section.services if s.service == group]  # type: ignore[attr-defined]
        return found[0] if found else [0] * 12

    assert added(before.total, after.total) == {"2026-08": 1, "2026-09": 2}
    assert added(series(before, "water"), series(after, "water")) == {"2026-08": 1}
    assert added(series(before, "roads"), series(after, "roads")) == {"2026-09": 2}
    assert sum(after.total) == sum(sum(s.counts) for s in after.services)


def test_survey_coverage_comes_from_the_wards_households(
    analysed: Connection, busiest_ward: str
) -> None:
    lon, lat = _inside(analysed, busiest_ward)
    batch = analysed.execute(
        text(
            "INSERT INTO survey_batch (file_hash, filename, source_format, schema_name, "
            "uploaded_by, status) VALUES (:hash, 'visits.csv', 'kobo_csv', 'default', 'cdw', "
            "'loaded') RETURNING id"
        ),
        {"hash": hashlib.sha256(b"planner test").hexdigest()},
    ).scalar_one()
    # water codes: 0 in the dwelling, 2 a tap within 200 m (basic), 3 further, 6 surface water
    households = [(0, ["water"]), (2, ["water", "roads"]), (3, []), (6, ["housing"])]
    for number, (water, needs) in enumerate(households):
        analysed.execute(
            text(
                "INSERT INTO survey_response (submission_id, root_id, batch_id, geom, ward_code, "
                "collected_at, water_access, needs) VALUES (:id, :id, :batch, "
                "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :ward, :at, :water, :needs)"
            ),
            {"id": f"s{number}", "batch": batch, "lon": lon, "lat": lat, "ward": busiest_ward,
             "at": datetime(2026, 10, number + 1, tzinfo=UTC), "water": water, "needs": needs},
        )  # fmt: skip
    refresh_ward_needs(analysed, [busiest_ward])

    survey = ward_profile(analysed, busiest_ward, timezone=TZ, now=NOW).survey

    assert survey.households_surveyed == 4
    assert survey.last_collected_at == datetime(2026, 10, 4, tzinfo=UTC)
    water = next(s for s in survey.services if s.service == "water")
    assert (water.households, water.basic_level) == (4, "communal_tap_within_200m")
    assert water.share_below_basic == pytest.approx(0.5)
    sanitation = next(s for s in survey.services if s.service == "sanitation")
    assert (sanitation.households, sanitation.share_below_basic) == (0, None)
    assert [(n.need, round(n.share, 3)) for n in survey.top_needs] == [
        ("water", 0.667), ("housing", 0.333), ("roads", 0.333),
    ]  # fmt: skip


def test_standards_are_the_wards_scoreboard_rows(analysed: Connection, busiest_ward: str) -> None:
    standards = ward_profile(analysed, busiest_ward, timezone=TZ, now=NOW).standards
    overall = analysed.execute(
        text("SELECT requests, metrics FROM scoreboard WHERE level = 'ward' AND service = 'all' "
             "AND area_code = :code"),
        {"code": busiest_ward},
    ).one()  # fmt: skip
    assert standards.overall is not None
    assert standards.overall.requests == overall.requests
    assert standards.overall.backlog == overall.metrics["backlog"]
    assert standards.overall.overdue == overall.metrics["overdue"]
    assert standards.overall.closed_within_standard == overall.metrics["closed_within_standard"]
    assert "all" not in {s.service for s in standards.services}
    assert sum(s.requests for s in standards.services) == overall.requests
    requests = [s.requests for s in standards.services]
    assert requests == sorted(requests, reverse=True)


def test_a_month_of_the_trend_series_picks_its_hotspot_classes(
    analysed: Connection, busiest_ward: str
) -> None:
    options = planner_options(analysed)
    months = [p for p in options.periods["hotspots"] if p != "all"]
    assert months
    assert options.periods["needs"] == ["all"]
    profile = ward_profile(analysed, busiest_ward, period=months[0], timezone=TZ, now=NOW)
    assert profile.period == profile.hotspots.period == months[0]
    assert profile.needs.period == "all"  # the needs index exists for the run's period only
    assert profile.incidents.months[-1] == months[0]
    stored = analysed.execute(
        text("SELECT service, class FROM ward_hotspot WHERE ward_code = :code AND period = :p"),
        {"code": busiest_ward, "p": months[0]},
    ).all()
    assert {(h.service, h.class_) for h in profile.hotspots.services} == set(map(tuple, stored))


def test_unknown_ward_period_and_nothing_analysed_are_clear_errors(
    conn: Connection, analysed: Connection, busiest_ward: str
) -> None:
    with pytest.raises(NotFoundError, match="no ward '00000000'"):
        ward_profile(analysed, "00000000")
    with pytest.raises(InvalidInputError, match="period 'last week'"):
        ward_profile(analysed, busiest_ward, period="last week")
    with pytest.raises(NotFoundError, match=r"no results for period '2019'; it has all, "):
        ward_profile(analysed, busiest_ward, period="2019")
    analysed.execute(text("DELETE FROM analysis_run"))
    with pytest.raises(NotFoundError, match="geosvc analyse"):
        ward_profile(conn, busiest_ward)


def test_the_options_list_what_the_run_holds(analysed: Connection) -> None:
    options = planner_options(analysed)
    water = next(s for s in options.services if s.code == "water")
    assert (water.kind, water.needs, water.hotspots) == ("group", True, True)
    assert set(water.codes) == {"water_leak", "water_outage", "water_quality"}
    types = [s for s in options.services if s.kind == "type"]
    assert types
    assert not any(s.needs for s in types)
    assert all(s.hotspots for s in types)
    kinds = [s.kind for s in options.services]
    assert kinds == sorted(kinds, key=lambda k: k != "group")
    assert {m["code"] for m in options.municipalities} == {"JHB", "EKU", "TSH"}
    legend = options.legends["hotspots"]
    assert "Gi*" in legend["title"]
    assert "99 conditional permutations" in legend["method"]
    assert options.legends["needs"]["breaks"] == [0, 20, 40, 60, 80, 100]
