"""The printable ward report, from the core and as ``geosvc report ward`` writes it."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, text

from geosvc.errors import InvalidInputError, NotFoundError
from geosvc.planning.report import ward_report
from geosvc.requests.catalogue import read_catalogue, store_catalogue
from geosvc.wards.census import store_census
from geosvc.wards.loader import load_wards
from tests.conftest import CENSUS, GAUTENG_WARDS, ROOT
from tests.planning.conftest import NOW, load_and_analyse


def _name(conn: Connection, code: str) -> str:
    return str(conn.execute(text("SELECT name FROM ward WHERE code = :c"), {"c": code}).scalar())


def test_the_report_holds_the_profile_its_map_and_its_chart(
    analysed: Connection, busiest_ward: str
) -> None:
    page = ward_report(analysed, busiest_ward, service="water", now=NOW)

    assert f'<h1 id="ward-name">{html.escape(_name(analysed, busiest_ward))}</h1>' in page
    # the map: a folium document in an iframe, the ward and its neighbours as GeoJSON
    frame = re.search(r'<iframe class="map" id="ward-map"[^>]*srcdoc="([^"]*)"', page)
    assert frame is not None
    inner = html.unescape(frame.group(1))
    assert "L.map(" in inner
    assert busiest_ward in inner
    assert "Needs index: Water" in inner
    # the chart: an inline SVG with the months and the highlighted service
    chart = re.search(
        r'<div id="incidents-chart"><svg class="incidents-chart".*?</svg>', page, re.S
    )
    assert chart is not None
    assert "Nov 26" in chart.group(0)
    assert "Water" in chart.group(0)
    # the needs table lists every scored service; standards and survey sections are there
    scored = analysed.execute(
        text("SELECT count(*) FROM ward_need WHERE ward_code = :c"), {"c": busiest_ward}
    ).scalar_one()
    needs_table = page.split('<table id="needs">')[1].split("</table>")[0]
    assert needs_table.count("<tr><td>") == scored
    assert '<table id="standards">' in page
    assert "Survey coverage" in page


def test_the_report_refuses_what_it_cannot_show(analysed: Connection, busiest_ward: str) -> None:
    with pytest.raises(InvalidInputError, match="no needs score for 'parks'"):
        ward_report(analysed, busiest_ward, service="parks")
    with pytest.raises(NotFoundError, match="no ward"):
        ward_report(analysed, "00000000")


def test_geosvc_report_ward_writes_a_self_contained_file(scratch_url: str, tmp_path: Path) -> None:
    engine = create_engine(scratch_url)
    with engine.begin() as conn:
        load_wards(conn, GAUTENG_WARDS)
        store_census(conn, CENSUS)
        store_catalogue(conn, read_catalogue())
        load_and_analyse(conn, tmp_path, incidents=600)
        name = _name(conn, "79800060")
    engine.dispose()
    out = tmp_path / "ward.html"

    def geosvc(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "GEOSVC_DATABASE_URL": scratch_url, "COLUMNS": "200"}
        return subprocess.run(
            [sys.executable, "-m", "etl", "report", "ward", *args],
            capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False,
        )  # fmt: skip

    done = geosvc("79800060", "--out", str(out), "--service", "water")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote the report of ward 79800060 to {out}"
    page = out.read_text(encoding="utf-8")
    assert html.escape(name) in page
    assert 'id="ward-map"' in page
    assert '<svg class="incidents-chart"' in page
    inner = html.unescape(page)
    assert "data:text/javascript;base64," in inner  # Leaflet inlined: it opens offline
    assert not re.search(r'(?:src|href)="https?://', inner)

    unknown = geosvc("12345678", "--out", str(tmp_path / "x.html"))
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "error: There is no ward '12345678'."
    assert not (tmp_path / "x.html").exists()
