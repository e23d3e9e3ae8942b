"""Loading a generated data set, as ``make demo`` does, and the incident rates over it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
from sqlalchemy import Connection, text

from geosvc.analytics.jobs.run import run_incident_rates
from geosvc.demo.generator import generate, hotspots_to_geojson
from geosvc.demo.store import store_demo, write_demo_files


def _generate(conn: Connection, directory: Path) -> None:
    wards = gpd.read_postgis(
        "SELECT code, households, geom AS geometry FROM ward", conn, geom_col="geometry"
    )
    data = generate(wards, incidents=1500, surveys=200, seed=11)
    write_demo_files(directory, data.incidents, data.surveys, hotspots_to_geojson(data.hotspots))


def test_store_assigns_wards_and_a_history(conn: Connection, tmp_path: Path) -> None:
    _generate(conn, tmp_path)
    result = store_demo(conn, tmp_path, now=datetime(2026, 11, 24, tzinfo=UTC))
    assert (result.requests, result.requests_outside_wards) == (1500, 0)
    unassigned = conn.execute(text("SELECT count(*) FROM service_request WHERE ward_code IS NULL"))
    assert unassigned.scalar_one() == 0
    mismatched = conn.execute(
        text(
            "SELECT count(*) FROM service_request r JOIN ward w ON w.code = r.ward_code "
            "WHERE NOT ST_Intersects(w.geom, r.geom)"
        )
    )
    assert mismatched.scalar_one() == 0
    events = conn.execute(
        text(
            "SELECT count(*) FILTER (WHERE e.kind = 'closed'), "
            "(SELECT count(*) FROM service_request WHERE status = 'closed') "
            "FROM request_event e"
        )
    ).one()
    assert events[0] == events[1] > 0
    undated = conn.execute(
        text(
            "SELECT count(*) FROM service_request WHERE NOT "
            "(requested_at < acknowledge_due_at AND acknowledge_due_at <= due_at)"
        )
    )
    assert undated.scalar_one() == 0
    assert store_demo(conn, tmp_path).already_loaded


def test_incident_rates_add_up(conn: Connection, tmp_path: Path) -> None:
    _generate(conn, tmp_path)
    store_demo(conn, tmp_path)
    result = run_incident_rates(conn)
    total = conn.execute(
        text(
            "SELECT sum(value) FROM ward_indicator "
            "WHERE source = 'incidents' AND period = 'all' AND category = 'count'"
        )
    ).scalar_one()
    assert total == result.incidents
    by_quarter = conn.execute(
        text(
            "SELECT sum(value) FROM ward_indicator "
            "WHERE source = 'incidents' AND period <> 'all' AND category = 'count'"
        )
    ).scalar_one()
    assert by_quarter == total
