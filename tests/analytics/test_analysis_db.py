"""An analysis run over demo data in PostGIS: what it stores, and live clusters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import pytest
from sqlalchemy import Connection, text

from geosvc.analytics.clustering.clusters import ClusterParams
from geosvc.analytics.delivery.allocation import read_allocations
from geosvc.analytics.jobs.live_clusters import update_live_clusters
from geosvc.analytics.jobs.run import AnalysisOptions, run_analysis
from geosvc.analytics.repo.allocations import store_allocations, stored_allocations
from geosvc.analytics.repo.results import explain_need, greatest_needs
from geosvc.config import Settings
from geosvc.demo.generator import generate, hotspots_to_geojson
from geosvc.demo.store import store_demo, write_demo_files
from geosvc.errors import InvalidInputError
from geosvc.requests.intake import Contact, NewRequest, create_request, policy_for
from geosvc.requests.lifecycle import Change, change_request
from geosvc.requests.transitions import Action, Resolution

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
SETTINGS = Settings(_env_file=None, hotspot_permutations=199)  # type: ignore[call-arg]


def _load_demo(conn: Connection, directory: Path, incidents: int = 3000) -> list[dict]:
    wards = gpd.read_postgis(
        "SELECT code, households, geom AS geometry FROM ward", conn, geom_col="geometry"
    )
    data = generate(wards, incidents=incidents, surveys=0, seed=7, hotspots=4)
    write_demo_files(directory, data.incidents, data.surveys, hotspots_to_geojson(data.hotspots))
    store_demo(conn, directory, now=NOW)
    return [vars(hotspot) for hotspot in data.hotspots]


def _scalar(conn: Connection, sql: str, **params: object) -> object:
    return conn.execute(text(sql), params).scalar_one()


def test_a_run_stores_every_result_with_its_parameters(conn: Connection, tmp_path: Path) -> None:
    planted = _load_demo(conn, tmp_path)
    summary = run_analysis(conn, SETTINGS, AnalysisOptions(now=NOW))

    params, finished = conn.execute(
        text("SELECT params, finished_at FROM analysis_run WHERE id = :id"), {"id": summary.run_id}
    ).one()
    assert finished is not None
    assert params["permutations"] == 199
    assert params["period"] == "all"

    # No incident sits in two clusters, and every member is a stored request.
    members = (
        conn.execute(
            text("SELECT unnest(member_ids) FROM cluster WHERE run_id = :id"),
            {"id": summary.run_id},
        )
        .scalars()
        .all()
    )
    assert len(members) == len(set(members)) > 0
    assert _scalar(
        conn, "SELECT count(*) FROM service_request WHERE id = ANY(:ids)", ids=members
    ) == len(members)

    # Every planted hotspot is found by a stored cluster of its service around its centre.
    for hotspot in planted:
        found = _scalar(
            conn,
            "SELECT count(*) FROM cluster WHERE run_id = :id AND service_code = :service "
            "AND member_count >= :half AND ST_DWithin(centroid::geography, "
            "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :radius)",
            id=summary.run_id,
            service=hotspot["service_code"],
            half=hotspot["count"] // 2,
            lon=hotspot["lon"],
            lat=hotspot["lat"],
            radius=hotspot["radius_m"],
        )
        assert found == 1, hotspot["id"]

    # Hotspots: one row per ward for each service and period analysed.
    per_series = (
        conn.execute(
            text("SELECT count(*) FROM ward_hotspot WHERE run_id = :id GROUP BY service, period"),
            {"id": summary.run_id},
        )
        .scalars()
        .all()
    )
    assert set(per_series) == {354}
    assert summary.hotspots == 354 * len(per_series)
    assert summary.trends > 0

    # Needs: scores in 0..100 whose contributions add up to them.
    scores = conn.execute(
        text("SELECT score, components FROM ward_need WHERE run_id = :id AND score IS NOT NULL"),
        {"id": summary.run_id},
    ).all()
    assert scores
    for score, components in scores:
        assert 0 <= score <= 100
        parts = [v for k, v in components.items() if k.endswith("_contribution") and v is not None]
        assert sum(parts) == pytest.approx(score)

    # Scoreboard: every municipality with requests, overall and per service.
    municipalities = _scalar(
        conn,
        "SELECT count(DISTINCT area_code) FROM scoreboard "
        "WHERE run_id = :id AND level = 'municipality' AND service = 'all'",
        id=summary.run_id,
    )
    assert municipalities == 3


def test_clusters_keep_their_identity_across_runs(conn: Connection, tmp_path: Path) -> None:
    _load_demo(conn, tmp_path, incidents=1500)
    first = run_analysis(conn, SETTINGS, AnalysisOptions(now=NOW, services=("water",)))
    second = run_analysis(conn, SETTINGS, AnalysisOptions(now=NOW, services=("water",)))
    rows = conn.execute(
        text("SELECT run_id, key, state, member_ids FROM cluster ORDER BY run_id, key")
    ).all()
    before = {key: members for run, key, _, members in rows if run == first.run_id}
    after = {key: (state, members) for run, key, state, members in rows if run == second.run_id}
    assert before
    assert before.keys() == after.keys()
    assert all(state == "stable" and after[k][1] == before[k] for k, (state, _) in after.items())


def test_the_greatest_need_per_municipality_is_a_query(conn: Connection, tmp_path: Path) -> None:
    _load_demo(conn, tmp_path, incidents=1500)
    run_analysis(conn, SETTINGS, AnalysisOptions(now=NOW, services=("water",)))
    ranked = greatest_needs(conn, "all")
    firsts = {row["municipality_code"]: row["service"] for row in ranked if row["rank"] == 1}
    assert set(firsts) == {"EKU", "JHB", "TSH"}
    ward = _scalar(conn, "SELECT ward_code FROM ward_need WHERE service = 'water' LIMIT 1")
    explained = explain_need(conn, str(ward), "water", "all")
    contributions = [c["contribution"] or 0 for c in explained["components"]]
    assert sum(contributions) == pytest.approx(explained["score"])


def test_allocations_give_delivery_gaps(conn: Connection, tmp_path: Path) -> None:
    _load_demo(conn, tmp_path, incidents=1500)
    allocations = read_allocations(ROOT / "data/allocations/sample_allocations.csv")
    assert store_allocations(conn, allocations, source="sample") == len(allocations)
    stored = stored_allocations(conn)
    assert len(stored) == len(allocations)
    assert stored["planned_budget"].map(type).eq(float).all()  # numeric read as float, not Decimal
    summary = run_analysis(conn, SETTINGS, AnalysisOptions(now=NOW, services=("water",)))
    assert summary.gaps > 0
    # Need shares and delivery shares each add up to 1 within a municipality and service,
    # so the gaps of Johannesburg's water (where the sample allocates) add up to 0.
    gaps = conn.execute(
        text(
            "SELECT sum(g.gap), count(*) FILTER (WHERE g.delivery_share > 0) FROM delivery_gap g "
            "JOIN ward w ON w.code = g.ward_code "
            "WHERE g.run_id = :id AND g.service = 'water' AND w.municipality_code = 'JHB'"
        ),
        {"id": summary.run_id},
    ).one()
    assert gaps[0] == pytest.approx(0.0, abs=1e-9)
    water = allocations[allocations["service"] == "water"]
    assert gaps[1] == water.loc[water["delivered_budget"] > 0, "ward_code"].nunique()


def test_allocations_for_unknown_wards_are_refused(conn: Connection) -> None:
    frame = read_allocations(ROOT / "data/allocations/sample_allocations.csv").head(1)
    frame.loc[:, "ward_code"] = "99999999"
    with pytest.raises(InvalidInputError, match="99999999"):
        store_allocations(conn, frame, source="bad")
    assert _scalar(conn, "SELECT count(*) FROM allocation") == 0


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        (AnalysisOptions(period="2026-13"), "period"),
        (AnalysisOptions(services=("telepathy",)), "telepathy"),
        (AnalysisOptions(statistic="moran"), "statistic"),
    ],
)
def test_bad_options_are_refused_by_name(
    conn: Connection, tmp_path: Path, options: AnalysisOptions, problem: str
) -> None:
    _load_demo(conn, tmp_path, incidents=300)
    with pytest.raises(InvalidInputError, match=problem):
        run_analysis(conn, SETTINGS, options)


def _lodge(conn: Connection, lon: float, lat: float, at: datetime) -> int:
    new = NewRequest(
        "water_leak", lon=lon, lat=lat, contact=Contact(email="a@example.org"), actor="test"
    )
    return create_request(conn, new, policy_for(SETTINGS), now=at).id


def test_live_clusters_are_born_grow_and_close(conn: Connection) -> None:
    params = ClusterParams(eps_m=100, min_count=4)
    start = datetime.now(UTC) - timedelta(hours=1)
    centre = (28.0473, -26.2041)  # central Johannesburg
    step = 0.0002  # about 20 m
    ids = [
        _lodge(conn, centre[0] + i * step, centre[1], start + timedelta(minutes=i))
        for i in range(4)
    ]
    born = update_live_clusters(conn, "water_leak", params, window_h=24)
    assert (born.clusters, born.changed) == (1, 1)
    key, state, count = conn.execute(
        text("SELECT key, state, member_count FROM live_cluster WHERE service_code = 'water_leak'")
    ).one()
    assert (state, count) == ("new", 4)

    ids.append(_lodge(conn, centre[0], centre[1] + step, start + timedelta(minutes=9)))
    update_live_clusters(conn, "water_leak", params, window_h=24)
    assert conn.execute(
        text("SELECT state, member_count FROM live_cluster WHERE key = :key"), {"key": key}
    ).one() == ("growing", 5)

    unchanged = update_live_clusters(conn, "water_leak", params, window_h=24)
    assert unchanged.changed == 1  # growing -> stable
    assert update_live_clusters(conn, "water_leak", params, window_h=24).changed == 0

    # Closing the first request closes the others, linked to it as duplicates.
    change = Change(Action.CLOSE, "staff", note="fixed", resolution=Resolution.FIXED)
    change_request(conn, ids[0], change, policy_for(SETTINGS).calendar)
    still_open = "SELECT count(*) FROM service_request WHERE id = ANY(:ids) AND status <> 'closed'"
    assert _scalar(conn, still_open, ids=ids) == 0
    closed = update_live_clusters(conn, "water_leak", params, window_h=24)
    assert (closed.clusters, closed.closed) == (0, 1)
    state, wards = conn.execute(
        text("SELECT state, wards FROM live_cluster WHERE key = :key"), {"key": key}
    ).one()
    assert state == "closed"
    assert wards
