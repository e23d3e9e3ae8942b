"""Survey batch uploads over HTTP: roles, answers, progress, reports and limits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import httpx
import pandas as pd
import pytest
from sqlalchemy import Connection, Engine, text

from geosvc.accounts.keys import create_key
from geosvc.accounts.roles import Role
from geosvc.config import Settings
from geosvc.demo.generator import generate
from geosvc.demo.kobo import kobo_export
from tests.conftest import LiveServer


@pytest.fixture(autouse=True)
def _no_batches_left(engine: Engine) -> Iterator[None]:
    """Uploads commit (on their own connections): remove them after each test."""
    yield
    with engine.begin() as conn:
        for table in ("survey_batch_issue", "survey_response", "survey_batch"):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("DELETE FROM ward_indicator WHERE source = 'survey'"))


@pytest.fixture(scope="module")
def export(engine: Engine) -> pd.DataFrame:
    """400 generated households as a KoboToolbox export."""
    with engine.connect() as conn:
        wards = gpd.read_postgis("SELECT code, households, geom FROM ward", conn, "geom")
    data = generate(wards.rename_geometry("geometry"), incidents=200, surveys=400, seed=3)
    return kobo_export(data.surveys)


@pytest.fixture
def kobo_file(export: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "ward_visits.csv"
    export.to_csv(path, sep=";", index=False)
    return path


@pytest.fixture
def cdw(conn: Connection) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_key(conn, 'cdw:thandi', Role.CDW)}"}


def _upload(api: str, path: Path, headers: dict[str, str], **form: str) -> httpx.Response:
    with path.open("rb") as body:
        return httpx.post(
            f"{api}/api/surveys/batches",
            files={"file": (path.name, body, "text/csv")},
            data=form,
            headers=headers,
            timeout=60,
        )


def _poor_gps(export: pd.DataFrame) -> int:
    return int((export["_gps_precision"].astype(float) > 50).sum())


def test_a_cdw_uploads_a_batch_and_reads_its_report(
    api: str, kobo_file: Path, cdw: dict[str, str], export: pd.DataFrame
) -> None:
    response = _upload(api, kobo_file, cdw, schema="default")
    assert response.status_code == 201, response.text
    batch = response.json()
    assert response.headers["location"] == f"/api/surveys/batches/{batch['id']}"
    assert batch["status"] == "loaded"
    assert (batch["filename"], batch["source_format"], batch["uploaded_by"]) == (
        "ward_visits.csv",
        "kobo_csv",
        "cdw:thandi",
    )
    assert batch["rows_total"] == len(export)
    assert batch["rows_rejected"] == _poor_gps(export)
    assert batch["rows_loaded"] == len(export) - _poor_gps(export)
    assert len(batch["issues"]) == batch["rows_rejected"]
    assert {i["outcome"] for i in batch["issues"]} == {"rejected"}
    got = httpx.get(f"{api}{response.headers['location']}", headers=cdw)
    assert got.status_code == 200
    assert got.json()["rows_loaded"] == batch["rows_loaded"]
    page = httpx.get(f"{api}/api/surveys/batches/{batch['id']}/report?limit=2", headers=cdw)
    assert page.status_code == 200
    assert len(page.json()) == 2
    csv = httpx.get(f"{api}{batch['report_csv']}", headers=cdw)
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    lines = csv.text.splitlines()
    assert lines[0] == "row,submission_id,outcome,field,value,reason"
    assert len(lines) == 1 + batch["rows_rejected"]


def test_the_same_file_again_answers_200_with_the_first_batch(
    api: str, kobo_file: Path, cdw: dict[str, str]
) -> None:
    first = _upload(api, kobo_file, cdw)
    again = _upload(api, kobo_file, cdw)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["repeated"] is True


def test_uploads_need_a_cdw_key(api: str, kobo_file: Path, conn: Connection) -> None:
    assert _upload(api, kobo_file, {}).status_code == 401
    public = {"X-API-Key": create_key(conn, "app", Role.PUBLIC)}
    refused = _upload(api, kobo_file, public)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert httpx.get(f"{api}/api/surveys/batches/1", headers=public).status_code == 403


@pytest.mark.parametrize("schema", ["nonesuch", "../../etc/passwd", "/etc/hostname"])
def test_only_a_known_schema_is_accepted(
    api: str, kobo_file: Path, cdw: dict[str, str], schema: str
) -> None:
    response = _upload(api, kobo_file, cdw, schema=schema)
    assert response.status_code == 422
    assert "no survey schema" in response.json()["detail"]


def test_a_file_that_is_not_what_its_name_says_is_refused(
    api: str, cdw: dict[str, str], tmp_path: Path, engine: Engine
) -> None:
    fake = tmp_path / "batch.xlsx"
    fake.write_text("a;b\n1;2\n")
    response = _upload(api, fake, cdw)
    assert response.status_code == 422
    assert "batch.xlsx" in response.json()["detail"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM survey_batch")).scalar_one() == 0


def test_all_or_nothing_rejects_the_batch(
    api: str, kobo_file: Path, cdw: dict[str, str], export: pd.DataFrame
) -> None:
    response = _upload(api, kobo_file, cdw, all_or_nothing="true")
    assert response.status_code == 201
    batch = response.json()
    assert (batch["status"], batch["rows_loaded"]) == ("rejected", 0)
    assert batch["rows_rejected"] == _poor_gps(export)


def test_schemas_are_listed(api: str) -> None:
    names = {s["name"] for s in httpx.get(f"{api}/api/surveys/schemas").json()}
    assert {"default", "malawi_water"} <= names


@pytest.fixture(scope="module")
def patient_server(engine: Engine) -> Iterator[LiveServer]:
    """A server that does not wait for loads, and takes uploads of at most 1 MB."""
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        escalation_interval_s=0,
        live_refresh_s=0,
        survey_wait_s=0,
        survey_max_upload_mb=1,
    )
    server = LiveServer(settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def patient(patient_server: LiveServer, conn: Connection) -> Iterator[str]:
    patient_server.connection = conn
    yield patient_server.url
    patient_server.connection = None


def test_a_large_batch_answers_202_and_shows_its_progress(
    patient: str, cdw: dict[str, str], export: pd.DataFrame, tmp_path: Path
) -> None:
    big = pd.concat([export] * 6, ignore_index=True)
    big["_uuid"] = [f"u{i}" for i in range(len(big))]
    big["meta/instanceID"] = "uuid:" + big["_uuid"]
    path = tmp_path / "big.csv"
    big.to_csv(path, sep=";", index=False)
    response = _upload(patient, path, cdw)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "processing"
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        batch = httpx.get(f"{patient}{response.headers['location']}", headers=cdw).json()
        seen.append(batch["rows_processed"])
        if batch["status"] != "processing":
            break
        time.sleep(0.05)
    assert batch["status"] == "loaded"
    assert batch["rows_total"] == len(big)
    assert seen == sorted(seen)


def test_an_upload_over_the_limit_is_refused_with_413(
    patient: str, cdw: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "huge.csv"
    path.write_bytes(b"x" * (1024 * 1024 + 1))
    response = _upload(patient, path, cdw)
    assert response.status_code == 413
    assert response.json()["type"] == "urn:geosvc:problem:too-large"


def test_a_cdw_lists_their_own_batches_and_staff_see_all(
    api: str, kobo_file: Path, cdw: dict[str, str], conn: Connection, export: pd.DataFrame
) -> None:
    first = _upload(api, kobo_file, cdw).json()
    other = kobo_file.with_name("second.csv")
    export.head(50).to_csv(other, sep=";", index=False)
    second = _upload(api, other, cdw).json()
    listed = httpx.get(f"{api}/api/surveys/batches", headers=cdw).json()
    assert [b["id"] for b in listed] == [second["id"], first["id"]]
    assert all(b["issues"] == [] for b in listed)
    someone = {"X-API-Key": create_key(conn, "cdw:sipho", Role.CDW)}
    assert httpx.get(f"{api}/api/surveys/batches", headers=someone).json() == []
    staff = {"X-API-Key": create_key(conn, "officer", Role.STAFF)}
    assert len(httpx.get(f"{api}/api/surveys/batches", headers=staff).json()) == 2
