"""``geosvc requests import`` as a user runs it, against a real database that it commits to.

Until the command is registered in ``etl.cli`` it is run from a small typer app shaped like
``geosvc requests``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import typer
from sqlalchemy import create_engine, text
from typer.testing import CliRunner, Result

from etl.request_import import import_requests
from geosvc.config import get_settings
from geosvc.db import get_engine
from geosvc.requests.catalogue import read_catalogue, store_catalogue
from tests.requests.test_importer import (
    LA_CLOSED_BEFORE_OPENED,
    LA_IMPORTED,
    LA_IN_NO_WARD,
    LA_REQUESTS,
    LA_ROWS,
    load_la_wards,
)

requests_app = typer.Typer(no_args_is_help=True)


@requests_app.callback()
def _requests() -> None:
    """Service requests."""


requests_app.command("import")(import_requests)


@pytest.fixture
def la_url(scratch_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A scratch database with the LA districts and the catalogue, which the CLI uses."""
    engine = create_engine(scratch_url)
    with engine.begin() as conn:
        load_la_wards(conn)
        store_catalogue(conn, read_catalogue())
    engine.dispose()
    monkeypatch.setenv("GEOSVC_DATABASE_URL", scratch_url)
    get_settings.cache_clear()
    yield scratch_url
    get_engine(get_settings().database_url).dispose()
    get_settings.cache_clear()


def _geosvc_requests(*args: str) -> Result:
    return CliRunner().invoke(requests_app, list(args))


def _count(url: str, sql: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        value = int(conn.execute(text(sql)).scalar_one())
    engine.dispose()
    return value


def test_import_prints_counts_and_is_idempotent(la_url: str, tmp_path: Path) -> None:
    report = tmp_path / "la.csv"
    args = ["import", str(LA_REQUESTS), "--mapping", "la311", "--report", str(report)]
    first = _geosvc_requests(*args)
    assert first.exit_code == 0, first.output
    rejected = LA_CLOSED_BEFORE_OPENED + LA_IN_NO_WARD
    lines = first.stdout.splitlines()
    assert lines[0] == (
        f"read {LA_ROWS} rows of {LA_REQUESTS.name} (source la311): {LA_IMPORTED} imported, "
        f"0 already present, {rejected} rejected, 1116 warnings"
    )
    assert f"  rejected {LA_CLOSED_BEFORE_OPENED}: closed before it was opened" in lines
    assert lines[-1] == (
        f"report: {report} (rows numbered as in a spreadsheet: the header is row 1)"
    )
    assert len(pd.read_csv(report)) == rejected + 1116
    again = _geosvc_requests(*args)
    assert again.exit_code == 0, again.output
    assert f"0 imported, {LA_IMPORTED} already present, {rejected} rejected" in again.stdout
    assert _count(la_url, "SELECT count(*) FROM service_request") == LA_IMPORTED


def test_mapping_file_and_default_report_path(la_url: str, tmp_path: Path) -> None:
    source = pd.read_csv(LA_REQUESTS, dtype=str, nrows=50)
    export = tmp_path / "export.csv"
    source.to_csv(export, index=False)
    mapping = tmp_path / "mine.yaml"
    la311 = Path("geosvc/requests/mappings/la311.yaml").read_text(encoding="utf-8")
    mapping.write_text(la311.replace("source: la311", "source: la-sample"), encoding="utf-8")
    result = _geosvc_requests("import", str(export), "-m", str(mapping))
    assert result.exit_code == 0, result.output
    assert "read 50 rows of export.csv (source la-sample)" in result.stdout
    assert (tmp_path / "export.csv.report.csv").exists()
    sql = "SELECT count(*) FROM service_request WHERE source = 'la-sample'"
    assert _count(la_url, sql) > 0


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("bad-mapping", "error: bad.yaml: statuses.Closed: a closed status needs a resolution"),
        ("unknown-mapping", "error: nyc311 is neither a mapping file nor a bundled mapping"),
        ("missing-column", "error: export.csv has no column Status, which the mapping la311"),
        ("unwritable-report", "error: The report cannot be written to"),
    ],
)
def test_unusable_input_exits_1_with_one_sentence_and_stores_nothing(
    la_url: str, tmp_path: Path, setup: str, message: str
) -> None:
    export = tmp_path / "export.csv"
    frame = pd.read_csv(LA_REQUESTS, dtype=str, nrows=20)
    if setup == "missing-column":
        frame = frame.drop(columns=["Status"])
    frame.to_csv(export, index=False)
    args = ["import", str(export), "--mapping", "la311"]
    if setup == "bad-mapping":
        bad = tmp_path / "bad.yaml"
        la311 = Path("geosvc/requests/mappings/la311.yaml").read_text(encoding="utf-8")
        bad.write_text(la311.replace(", resolution: fixed}", "}"), encoding="utf-8")
        args[3] = str(bad)
    elif setup == "unknown-mapping":
        args[3] = "nyc311"
    elif setup == "unwritable-report":
        args += ["--report", str(tmp_path / "missing" / "report.csv")]
    result = _geosvc_requests(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr
    assert _count(la_url, "SELECT count(*) FROM service_request") == 0
