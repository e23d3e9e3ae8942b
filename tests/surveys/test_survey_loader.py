"""Loading survey batches into a real PostGIS: counts, repeats, edits, atomicity, kills."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, text

from geosvc.db import make_engine
from geosvc.demo.generator import generate
from geosvc.demo.kobo import kobo_export
from geosvc.errors import SourceFileError
from geosvc.surveys.batches import INTERRUPTED, get_batch, report_csv
from geosvc.surveys.checks import CheckOptions
from geosvc.surveys.loader import LoadOptions, Upload, load_batch
from geosvc.surveys.needs import ward_needs
from geosvc.surveys.schema import load_schema
from geosvc.wards.loader import load_wards
from tests.conftest import GAUTENG_WARDS, ROOT, _clone, _drop_database

SCHEMA = load_schema("default")
WORKER = "cdw:thandi"


@pytest.fixture(scope="module")
def survey_engine(template_url: str) -> Iterator[Engine]:
    """A database the loader may commit to, holding the Gauteng metros' wards."""
    url = _clone(template_url, f"geosvc_surveys_{os.getpid()}")
    engine = make_engine(url)
    with engine.begin() as conn:
        load_wards(conn, GAUTENG_WARDS)
    yield engine
    engine.dispose()
    _drop_database(url)


@pytest.fixture
def db(survey_engine: Engine) -> Iterator[Engine]:
    """The survey database, emptied of batches after each test."""
    yield survey_engine
    with survey_engine.begin() as conn:
        conn.execute(text("TRUNCATE survey_response, survey_batch_issue, survey_batch CASCADE"))
        conn.execute(text("DELETE FROM ward_indicator WHERE source = 'survey'"))


@pytest.fixture(scope="module")
def export(survey_engine: Engine) -> pd.DataFrame:
    """300 generated households as a KoboToolbox export (some with poor GPS precision)."""
    with survey_engine.connect() as conn:
        wards = gpd.read_postgis("SELECT code, households, geom FROM ward", conn, "geom")
    data = generate(wards.rename_geometry("geometry"), incidents=200, surveys=300, seed=7)
    return kobo_export(data.surveys)


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, sep=";", index=False)
    return path


def _load(engine: Engine, path: Path, **options: object) -> object:
    return load_batch(engine, Upload(path, WORKER), SCHEMA, LoadOptions(**options))  # type: ignore[arg-type]


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def _poor_gps(export: pd.DataFrame) -> int:
    return int((export["_gps_precision"].astype(float) > 50).sum())


def test_a_batch_loads_its_good_rows_and_reports_the_rest(
    db: Engine, export: pd.DataFrame, tmp_path: Path
) -> None:
    result = load_batch(db, Upload(_write(export, tmp_path / "a.csv"), WORKER), SCHEMA)
    batch = result.batch
    assert not result.repeated
    assert (batch.status, batch.source_format, batch.uploaded_by) == ("loaded", "kobo_csv", WORKER)
    assert batch.rows_total == batch.rows_processed == len(export)
    assert batch.rows_rejected == _poor_gps(export) > 0
    assert batch.rows_loaded == len(export) - batch.rows_rejected
    assert _count(db, "SELECT count(*) FROM survey_response") == batch.rows_loaded
    issues = "SELECT count(*) FROM survey_batch_issue WHERE outcome = 'rejected'"
    assert _count(db, issues) == batch.rows_rejected
    # The ward indicators count exactly the stored households of each ward.
    households = _count(
        db,
        "SELECT sum(value) FROM ward_indicator WHERE source = 'survey' "
        "AND service = 'water' AND category = 'households'",
    )
    assert households == batch.rows_loaded
    assert len(batch.wards) == _count(db, "SELECT count(DISTINCT ward_code) FROM survey_response")


def test_the_ward_indicators_are_the_shares_of_the_stored_responses(
    db: Engine, export: pd.DataFrame, tmp_path: Path
) -> None:
    load_batch(db, Upload(_write(export, tmp_path / "a.csv"), WORKER), SCHEMA)
    with db.connect() as conn:
        stored = pd.DataFrame(
            conn.execute(
                text(
                    "SELECT ward_code, water_access, sanitation_access, electricity_access, "
                    "refuse_access, needs FROM survey_response"
                )
            ).all()
        )
        indicators = pd.DataFrame(
            conn.execute(
                text(
                    "SELECT ward_code, service, category, value FROM ward_indicator "
                    "WHERE source = 'survey'"
                )
            ).all()
        )
    for column in ("water_access", "sanitation_access", "electricity_access", "refuse_access"):
        stored[column] = stored[column].astype("Int16")
    expected = ward_needs(stored)[["ward_code", "service", "category", "value"]]
    key = ["ward_code", "service", "category"]
    merged = expected.merge(indicators, on=key, how="outer", suffixes=("", "_db"))
    assert len(merged) == len(expected) == len(indicators)
    assert np.allclose(merged["value"], merged["value_db"])


def test_the_report_names_row_submission_field_and_reason(
    db: Engine, export: pd.DataFrame, tmp_path: Path
) -> None:
    batch = load_batch(db, Upload(_write(export, tmp_path / "a.csv"), WORKER), SCHEMA).batch
    with db.connect() as conn:
        report = b"".join(report_csv(conn, batch.id)).decode()
    lines = report.splitlines()
    assert lines[0] == "row,submission_id,outcome,field,value,reason"
    poor = export.index[export["_gps_precision"].astype(float) > 50][0]
    expected_row = poor + 2  # the header is row 1
    line = next(x for x in lines[1:] if x.startswith(f"{expected_row},"))
    assert export.at[poor, "_uuid"] in line
    assert "rejected" in line
    assert "GPS precision" in line


def test_the_same_file_again_returns_the_first_batch(
    db: Engine, export: pd.DataFrame, tmp_path: Path
) -> None:
    path = _write(export, tmp_path / "a.csv")
    first = load_batch(db, Upload(path, WORKER), SCHEMA)
    again = load_batch(db, Upload(path, "cdw:someone-else", "renamed.csv"), SCHEMA)
    assert again.repeated
    assert again.batch.id == first.batch.id
    assert _count(db, "SELECT count(*) FROM survey_batch") == 1
    assert _count(db, "SELECT count(*) FROM survey_response") == first.batch.rows_loaded


def test_submissions_seen_before_are_not_inserted_twice(
    db: Engine, export: pd.DataFrame, tmp_path: Path
) -> None:
    load_batch(db, Upload(_write(export.iloc[:200], tmp_path / "a.csv"), WORKER), SCHEMA)
    stored = _count(db, "SELECT count(*) FROM survey_response")
    second = load_batch(db, Upload(_write(export.iloc[100:], tmp_path / "b.csv"), WORKER), SCHEMA)
    batch = second.batch
    overlap = export.iloc[100:200]
    assert batch.rows_unchanged == len(overlap) - _poor_gps(overlap)
    assert batch.rows_loaded == len(export.iloc[200:]) - _poor_gps(export.iloc[200:])
    assert _count(db, "SELECT count(*) FROM survey_response") == stored + batch.rows_loaded
    reason = _count(
        db,
        f"SELECT count(*) FROM survey_batch_issue WHERE batch_id = {batch.id} "
        "AND outcome = 'unchanged' AND reason LIKE 'the submission is already loaded%'",
    )
    assert reason == batch.rows_unchanged


def test_a_kobo_edit_replaces_its_original_and_says_so(
    db: Engine, export: pd.DataFrame, tmp_path: Path
) -> None:
    good = export[export["_gps_precision"].astype(float) <= 50].head(3).reset_index(drop=True)
    load_batch(db, Upload(_write(good, tmp_path / "a.csv"), WORKER), SCHEMA)
    edited = good.head(1).copy()
    original = edited.at[0, "_uuid"]
    edited["meta/rootUuid"] = "uuid:" + original
    edited["_uuid"] = edited["meta/instanceID"] = "edited-" + original
    edited["water_source"] = "none"
    batch = load_batch(db, Upload(_write(edited, tmp_path / "b.csv"), WORKER), SCHEMA).batch
    assert (batch.rows_loaded, batch.rows_replaced) == (1, 1)
    with db.connect() as conn:
        rows = conn.execute(
            text("SELECT submission_id, root_id, water_access FROM survey_response")
        ).all()
        line = conn.execute(
            text("SELECT outcome, value, reason FROM survey_batch_issue WHERE batch_id = :b"),
            {"b": batch.id},
        ).one()
    assert len(rows) == 3
    assert ("edited-" + original, original, 7) in [tuple(r) for r in rows]
    assert line.outcome == "replaced"
    assert line.value == original
    assert f"replaces submission {original}" in line.reason


def test_an_odk_edit_replaces_the_submission_it_deprecates(db: Engine, tmp_path: Path) -> None:
    header = (
        "SubmissionDate,start,end,gps-Latitude,gps-Longitude,gps-Altitude,gps-Accuracy,"
        "ward_code,water_source,toilet_type,electricity,refuse_removal,top_needs,"
        "meta-instanceID,meta-deprecatedID,KEY,SubmitterID,SubmitterName,AttachmentsPresent,"
        "AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion\n"
    )
    row = (
        "2026-10-01T09:00:00.000Z,2026-10-01T10:00:00.000+02:00,2026-10-01T10:20:00.000+02:00,"
        "-26.2041,28.0473,1700,5,{ward},{water},flush_sewerage,grid_metered,removed_weekly,"
        "water,{iid},{dep},{iid},5,cdw,0,0,,{review},,{edits},v1\n"
    )
    with make_engine(str(db.url.render_as_string(hide_password=False))).connect() as conn:
        ward = conn.execute(
            text(
                "SELECT code FROM ward WHERE ST_Contains(geom, "
                "ST_SetSRID(ST_MakePoint(28.0473, -26.2041), 4326))"
            )
        ).scalar_one()
    first = tmp_path / "odk.csv"
    first.write_text(
        header
        + row.format(ward=ward, water="piped_in_yard", iid="uuid:a1", dep="", review="", edits=0)
    )
    second = tmp_path / "odk_edited.csv"
    second.write_text(
        header
        + row.format(
            ward=ward, water="tanker", iid="uuid:a2", dep="uuid:a1", review="edited", edits=1
        )
    )
    assert load_batch(db, Upload(first, WORKER), SCHEMA).batch.rows_loaded == 1
    batch = load_batch(db, Upload(second, WORKER), SCHEMA).batch
    assert (batch.source_format, batch.rows_loaded, batch.rows_replaced) == ("odk_csv", 1, 1)
    with db.connect() as conn:
        stored = conn.execute(
            text("SELECT submission_id, root_id, water_access FROM survey_response")
        ).all()
    assert [tuple(r) for r in stored] == [("a2", "a1", 5)]


def test_all_or_nothing_stores_nothing_when_a_row_fails(
    db: Engine, export: pd.DataFrame, tmp_path: Path
) -> None:
    path = _write(export, tmp_path / "a.csv")
    result = _load(db, path, all_or_nothing=True)
    batch = result.batch  # type: ignore[attr-defined]
    assert batch.status == "rejected"
    assert batch.rows_rejected == _poor_gps(export)
    assert batch.rows_loaded == 0
    assert _count(db, "SELECT count(*) FROM survey_response") == 0
    assert _count(db, "SELECT count(*) FROM survey_batch_issue") == batch.rows_rejected
    good = export[export["_gps_precision"].astype(float) <= 50]
    clean = _load(db, _write(good, tmp_path / "good.csv"), all_or_nothing=True)
    assert clean.batch.status == "loaded"  # type: ignore[attr-defined]
    assert clean.batch.rows_loaded == len(good)  # type: ignore[attr-defined]


def test_a_failure_mid_batch_leaves_nothing_and_the_upload_can_be_repeated(
    db: Engine, export: pd.DataFrame, tmp_path: Path
) -> None:
    path = _write(export, tmp_path / "a.csv")
    calls: list[int] = []

    def fail_on_second_chunk(rows: int) -> None:
        calls.append(rows)
        if len(calls) == 2:
            raise RuntimeError("disk full")

    options = LoadOptions(chunk_rows=100)
    with pytest.raises(RuntimeError, match="disk full"):
        load_batch(db, Upload(path, WORKER), SCHEMA, options, progress=fail_on_second_chunk)
    with db.connect() as conn:
        failed = conn.execute(text("SELECT id, status, error FROM survey_batch")).one()
    assert failed.status == "failed"
    assert "nothing of this batch was stored" in failed.error
    assert _count(db, "SELECT count(*) FROM survey_response") == 0
    assert _count(db, "SELECT count(*) FROM survey_batch_issue") == 0
    again = load_batch(db, Upload(path, WORKER), SCHEMA, options)
    assert not again.repeated
    assert again.batch.status == "loaded"
    assert again.batch.id != failed.id


_KILLED_LOADER = """
import sys, time
from pathlib import Path
from geosvc.db import make_engine
from geosvc.surveys.loader import LoadOptions, Upload, load_batch
from geosvc.surveys.needs import ward_needs
from geosvc.surveys.schema import load_schema
engine = make_engine(sys.argv[1])
def stall(rows):
    print("stored", rows, flush=True)
    time.sleep(600)
load_batch(engine, Upload(Path(sys.argv[2]), "cdw:killed"), load_schema("default"),
           LoadOptions(chunk_rows=100), progress=stall)
"""


def test_a_killed_load_leaves_nothing_and_the_same_upload_then_succeeds(
    db: Engine, export: pd.DataFrame, tmp_path: Path
) -> None:
    path = _write(export, tmp_path / "a.csv")
    url = db.url.render_as_string(hide_password=False)
    loader = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_KILLED_LOADER), url, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert loader.stdout is not None
        assert loader.stdout.readline().startswith("stored 100")
        with db.connect() as conn:
            running = conn.execute(
                text("SELECT id, status, rows_processed FROM survey_batch")
            ).one()
        assert (running.status, running.rows_processed) == ("processing", 100)
        os.kill(loader.pid, signal.SIGKILL)
        loader.wait(timeout=30)
    finally:
        if loader.poll() is None:
            loader.kill()
    time.sleep(0.5)  # the server notices the closed connection and rolls back
    assert _count(db, "SELECT count(*) FROM survey_response") == 0
    with db.connect() as conn:
        interrupted = get_batch(conn, running.id)
        conn.commit()
    assert (interrupted.status, interrupted.error) == ("failed", INTERRUPTED)
    again = load_batch(db, Upload(path, WORKER), SCHEMA)
    assert not again.repeated
    assert again.batch.status == "loaded"


def test_a_file_that_is_no_survey_is_refused_before_any_batch(db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "survey.xlsx"
    path.write_text("name;age\nthandi;34\n")
    with pytest.raises(SourceFileError, match=r"survey\.xlsx"):
        load_batch(db, Upload(path, WORKER), SCHEMA)
    assert _count(db, "SELECT count(*) FROM survey_batch") == 0


def test_collected_in_the_future_is_judged_by_the_clock_given(
    db: Engine, export: pd.DataFrame, tmp_path: Path
) -> None:
    early = pd.Timestamp("2026-01-01", tz="UTC").to_pydatetime()
    checks = CheckOptions(now=early)
    batch = _load(db, _write(export, tmp_path / "a.csv"), checks=checks).batch  # type: ignore[attr-defined]
    assert batch.rows_loaded == 0
    assert batch.rows_rejected == len(export)
