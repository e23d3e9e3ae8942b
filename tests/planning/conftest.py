"""Planner fixtures: a small demo data set analysed once inside the test's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pytest
from sqlalchemy import Connection, text

from geosvc.analytics.jobs.run import AnalysisOptions, run_analysis
from geosvc.config import Settings
from geosvc.demo.generator import generate, hotspots_to_geojson
from geosvc.demo.store import store_demo, write_demo_files

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
SETTINGS = Settings(_env_file=None, hotspot_permutations=99)  # type: ignore[call-arg]
SERVICES = ("water", "roads", "water_leak")
"""Hotspots and clusters of two groups and one type keep a run to a few seconds."""


def load_and_analyse(conn: Connection, folder: Path, incidents: int = 1500) -> int:
    """Store a generated demo data set ending at NOW and analyse it; returns the run id."""
    wards = gpd.read_postgis(
        "SELECT code, households, geom AS geometry FROM ward", conn, geom_col="geometry"
    )
    data = generate(wards, incidents=incidents, surveys=0, seed=11, hotspots=3)
    write_demo_files(folder, data.incidents, data.surveys, hotspots_to_geojson(data.hotspots))
    store_demo(conn, folder, now=NOW)
    options = AnalysisOptions(now=NOW, services=SERVICES)
    return run_analysis(conn, SETTINGS, options).run_id


@pytest.fixture
def analysed(conn: Connection, tmp_path: Path) -> Connection:
    """The test's connection over a demo data set with one analysis run."""
    load_and_analyse(conn, tmp_path)
    return conn


@pytest.fixture
def busiest_ward(analysed: Connection) -> str:
    """The ward with the most incidents in the demo data."""
    return str(
        analysed.execute(
            text(
                "SELECT ward_code FROM service_request WHERE ward_code IS NOT NULL "
                "GROUP BY ward_code ORDER BY count(*) DESC, ward_code LIMIT 1"
            )
        ).scalar_one()
    )
