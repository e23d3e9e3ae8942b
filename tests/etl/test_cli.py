"""The ``geosvc`` command as a user runs it: a real process against a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from geosvc import schema
from tests.conftest import CENSUS, GAUTENG_WARDS, NATIONAL_WARDS, ROOT, _drop_database


def geosvc(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``geosvc ARGS`` with the database at ``url``."""
    env = {**os.environ, "GEOSVC_DATABASE_URL": url, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def _scalar(url: str, sql: str) -> object:
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(sql)).scalar()
    engine.dispose()
    return value


def test_db_upgrade_creates_the_database_and_is_idempotent(template_url: str) -> None:
    url = make_url(template_url).set(database=f"geosvc_cli_{os.getpid()}").render_as_string(False)
    _drop_database(url)
    try:
        first = geosvc(url, "db", "upgrade")
        assert first.returncode == 0, first.stderr
        assert "created the database" in first.stdout
        second = geosvc(url, "db", "upgrade")
        assert second.returncode == 0, second.stderr
        assert second.stdout.strip() == f"schema at revision {schema.head_revision()}"
        assert _scalar(url, "SELECT extname FROM pg_extension WHERE extname = 'postgis'")
    finally:
        _drop_database(url)


def test_wards_load_reports_what_it_did(scratch_url: str) -> None:
    result = geosvc(scratch_url, "wards", "load", str(NATIONAL_WARDS), "--layer", "Wards_2020")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "loaded 4468 wards from layer Wards_2020 (code field Code): 4468 new, 0 updated, "
        "0 unchanged; 20 invalid polygons repaired"
    )
    again = geosvc(scratch_url, "wards", "load", str(NATIONAL_WARDS), "--layer", "Wards_2020")
    assert "0 new, 0 updated, 4468 unchanged" in again.stdout
    assert _scalar(scratch_url, "SELECT count(*) FROM ward") == 4468


def test_bad_file_exits_non_zero_with_one_sentence_and_changes_nothing(
    scratch_url: str, tmp_path: Path
) -> None:
    assert geosvc(scratch_url, "wards", "load", str(GAUTENG_WARDS)).returncode == 0
    points = tmp_path / "points.geojson"
    points.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"ward_id": "79800001"},
                        "geometry": {"type": "Point", "coordinates": [28.0, -26.0]},
                    }
                ],
            }
        )
    )
    result = geosvc(scratch_url, "wards", "load", str(points))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "error: points.geojson (layer points) holds Point features; "
        "a ward layer must hold polygons."
    )
    assert "Traceback" not in result.stderr
    assert _scalar(scratch_url, "SELECT count(*) FROM ward") == 354


@pytest.mark.parametrize(
    ("args", "code", "output"),
    [
        (
            ["28.0473", "-26.2041"],
            0,
            "79800060\tCity of Johannesburg Metropolitan Municipality Ward 60",
        ),
        (["-26.2041", "28.0473"], 1, "latitude and longitude appear to be swapped"),
        (["18.42", "-33.92"], 1, "no ward contains (18.42, -33.92)"),
        (["0", "0"], 1, "(0, 0), a device's default rather than a place"),
        (["200", "10"], 1, "longitude must be within -180..180"),
    ],
)
def test_wards_locate(scratch_url: str, args: list[str], code: int, output: str) -> None:
    assert geosvc(scratch_url, "wards", "load", str(GAUTENG_WARDS)).returncode == 0
    result = geosvc(scratch_url, "wards", "locate", *args)
    assert result.returncode == code
    assert output in result.stdout + result.stderr


def test_demo_pipeline(scratch_url: str, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    steps = [
        ["wards", "load", str(GAUTENG_WARDS)],
        ["census", "load", str(CENSUS)],
        [
            "demo",
            "generate",
            "--incidents",
            "2000",
            "--surveys",
            "300",
            "--seed",
            "3",
            "--out",
            str(out),
        ],
        ["demo", "load", str(out)],
        ["demo", "load", str(out)],
        ["surveys", "load", str(out / "surveys_kobo.csv"), "--worker", "demo-cdw"],
        ["allocations", "load", str(ROOT / "data/allocations/sample_allocations.csv")],
        ["analyse", "--service", "water", "--service", "pothole"],
        ["clusters", "refresh", "--service", "pothole"],
    ]
    outputs = []
    for step in steps:
        result = geosvc(scratch_url, *step)
        assert result.returncode == 0, (step, result.stderr)
        outputs.append(result.stdout)
    assert "loaded 2000 service requests" in outputs[3]
    assert "already loaded; nothing to do" in outputs[4]
    assert _scalar(scratch_url, "SELECT count(*) FROM service_request") == 2000
    assert "300 rows:" in outputs[5]
    loaded = _scalar(scratch_url, "SELECT rows_loaded FROM survey_batch")
    assert _scalar(scratch_url, "SELECT count(*) FROM survey_response") == loaded > 250
    assert _scalar(scratch_url, "SELECT count(*) FROM ward_indicator WHERE source = 'incidents'")
    truth = json.loads((out / "hotspots.geojson").read_text())
    assert truth["type"] == "FeatureCollection"
    assert truth["features"]
    assert "loaded 51 allocation rows" in outputs[6]
    assert "analysis run 1" in outputs[7]
    assert "delivery gaps" in outputs[7]
    stored = _scalar(scratch_url, "SELECT count(DISTINCT service) FROM ward_hotspot")
    assert stored == 2
    assert _scalar(scratch_url, "SELECT count(*) FROM delivery_gap") > 0
    assert outputs[8].startswith("pothole: ")


def test_analyse_names_a_bad_period(scratch_url: str) -> None:
    result = geosvc(scratch_url, "analyse", "--period", "spring")
    assert result.returncode == 1
    assert "period 'spring'" in result.stderr


def test_no_wards_loaded_is_a_clear_error(scratch_url: str, tmp_path: Path) -> None:
    result = geosvc(scratch_url, "demo", "generate", "--out", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip() == "error: No wards are loaded; run 'geosvc wards load' first."
