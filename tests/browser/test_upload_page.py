"""The field-worker upload page in Chromium: schema, file, progress, counts, rejected rows."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import DemoSite

Shoot = Callable[[Page, str], Path]
PageAs = Callable[..., Page]
SAST = ZoneInfo("Africa/Johannesburg")
HEADER = (
    "start;end;gps;_gps_latitude;_gps_longitude;_gps_altitude;_gps_precision;ward_code;"
    "water_source;toilet_type;electricity;refuse_removal;top_needs;meta/instanceID;_id;_uuid;"
    "_submission_time;_validation_status;_index"
)
#: (lat, lon, GPS precision in metres, ward on the form): three good households, one
#: recorded with a poor GPS fix, one between the metros (in no ward).
HOUSEHOLDS = [
    (-26.2041, 28.0473, 5.0, "79800060"),
    (-25.75, 28.19, 8.0, "79900058"),
    (-25.95, 28.0, 120.0, "79800096"),
    (-25.3, 28.75, 6.0, "79800060"),
    (-25.9502, 28.0003, 4.0, "79800096"),
]
POOR_GPS_ROW, NO_WARD_ROW = 4, 5  # spreadsheet rows: the header is row 1


def _kobo_csv(folder: Path, name: str = "ward_visits.csv") -> tuple[Path, list[str]]:
    """A KoboToolbox CSV export of ``HOUSEHOLDS`` with fresh submission ids."""
    visited = datetime.now(SAST).replace(microsecond=0) - timedelta(days=1)
    ids = [str(uuid.uuid4()) for _ in HOUSEHOLDS]
    lines = [HEADER]
    for i, ((lat, lon, precision, ward), uid) in enumerate(zip(HOUSEHOLDS, ids, strict=True)):
        start = (visited - timedelta(minutes=18)).isoformat(timespec="milliseconds")
        end = visited.isoformat(timespec="milliseconds")
        submitted = (visited + timedelta(minutes=47)).astimezone(ZoneInfo("UTC"))
        lines.append(
            f"{start};{end};{lat} {lon} 1650.0 {precision};{lat};{lon};1650.0;{precision};"
            f"{ward};communal_tap_within_200m;pit_ventilated;grid_metered;removed_weekly;"
            f"water jobs;uuid:{uid};{41_000_000 + i};{uid};{submitted:%Y-%m-%dT%H:%M:%S};;{i + 1}"
        )
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, ids


def _watch_progress(page: Page) -> None:
    """Record every text the progress line shows, for the test to read afterwards."""
    page.evaluate(
        """() => {
          window.seenProgress = [];
          const line = document.getElementById("upload-progress-text");
          new MutationObserver(() => window.seenProgress.push(line.textContent))
            .observe(line, {childList: true, characterData: true, subtree: true});
        }"""
    )


def _count(page: Page, key: str) -> str:
    return page.locator(f"#upload-counts [data-count='{key}'] dd").inner_text()


def test_upload_on_a_phone_shows_counts_and_rejected_rows(
    page_as: PageAs, shoot: Shoot, tmp_path: Path
) -> None:
    path, ids = _kobo_csv(tmp_path)
    page = page_as("cdw", phone=True)
    page.goto("/upload?lang=en")
    expect(page.locator("#upload-schema")).to_have_value("default")
    expect(page.locator("#upload-submit")).to_be_enabled()
    page.click("#upload-submit")
    expect(page.locator("#upload-error")).to_have_text("Choose a file first.")
    page.set_input_files("#upload-file", str(path))
    expect(page.locator("#upload-selected")).to_contain_text("ward_visits.csv")
    _watch_progress(page)
    page.click("#upload-submit")
    expect(page.locator("#upload-result-title")).to_contain_text("ward_visits.csv")
    expect(page.locator("#upload-status")).to_have_text("Status: Loaded")
    assert [_count(page, k) for k in ("rows_total", "loaded", "rejected")] == ["5", "3", "2"]
    assert [_count(page, k) for k in ("unchanged", "replaced")] == ["0", "0"]
    rows = page.locator("#upload-rejected tbody tr")
    expect(rows).to_have_count(2)
    poor = page.locator(f"#upload-rejected tr[data-row='{POOR_GPS_ROW}']")
    expect(poor).to_contain_text(ids[2])
    expect(poor).to_contain_text("GPS precision is too coarse")
    no_ward = page.locator(f"#upload-rejected tr[data-row='{NO_WARD_ROW}']")
    expect(no_ward).to_contain_text(ids[3])
    expect(no_ward).to_contain_text(re.compile("no ward|outside the area"))
    seen = page.evaluate("window.seenProgress")
    assert any(re.fullmatch(r"Uploading: .+ of .+", text) for text in seen), seen
    batch_id = re.search(r"Batch (\d+)", page.locator("#upload-result-title").inner_text())
    assert batch_id is not None
    report = page.locator("#upload-report")
    expect(report).to_have_attribute("href", f"/api/surveys/batches/{batch_id[1]}/report.csv")
    csv = page.request.get(report.get_attribute("href") or "")
    assert csv.ok
    assert "GPS precision is too coarse" in csv.text()
    recent = page.locator(f"#upload-recent tr[data-batch='{batch_id[1]}']")
    expect(recent).to_contain_text("ward_visits.csv")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"
    shoot(page, "upload-phone")

    page.set_input_files("#upload-file", str(path))
    page.click("#upload-submit")
    expect(page.locator("#upload-repeated")).to_have_text(
        f"This file was uploaded before: batch {batch_id[1]}. Nothing new was stored."
    )


def test_dropped_file_is_followed_while_it_loads(
    page_as: PageAs, shoot: Shoot, tmp_path: Path
) -> None:
    path, _ = _kobo_csv(tmp_path, "dropped.csv")
    page = page_as("cdw")
    page.goto("/upload?lang=zu")
    expect(page.locator("h1")).to_have_text("Layisha iqoqo lenhlolovo")

    def still_loading(route: Route) -> None:
        # The server's real answer, shown as if the load were still running (202):
        # the page must poll the batch until it is done.
        answer = route.fetch()
        batch = answer.json() | {"status": "processing", "rows_processed": 0}
        route.fulfill(status=202, json=batch)

    page.route("**/api/surveys/batches", still_loading)
    page.evaluate(
        """([name, text]) => {
          const data = new DataTransfer();
          data.items.add(new File([text], name, {type: "text/csv"}));
          const zone = document.getElementById("upload-drop");
          zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
        }""",
        [path.name, path.read_text(encoding="utf-8")],
    )
    expect(page.locator("#upload-selected")).to_contain_text("dropped.csv")
    _watch_progress(page)
    page.click("#upload-submit")
    expect(page.locator("#upload-status")).to_have_text("Isimo: Kugciniwe")
    seen = page.evaluate("window.seenProgress")
    assert "Imigqa iyahlolwa futhi iyagcinwa: 0 kwengu-5" in seen, seen
    assert _count(page, "rejected") == "2"
    expect(page.locator("#upload-rejected tbody tr")).to_have_count(2)
    expect(page.locator("#upload-rejected thead")).to_contain_text("Isizathu")
    shoot(page, "upload-desktop")
    # An earlier batch opens from the list of the worker's recent batches.
    page.locator("#upload-recent tr", has_text="surveys_kobo.csv").click()
    expect(page.locator("#upload-result-title")).to_contain_text("surveys_kobo.csv")
    expect(page.locator("#upload-repeated")).to_be_hidden()
    expect(page.locator("#upload-rejected tbody tr").first).to_be_visible()


@pytest.mark.parametrize(
    ("status", "detail", "shown"),
    [
        (
            413,
            "A survey upload may be at most 200 MB; this one is larger.",
            "The file is too large: ",
        ),
        (422, "notes.txt is not a survey export geosvc can read.", "The file was refused: "),
    ],
)
def test_refusals_are_told_with_the_server_reason(
    page_as: PageAs, tmp_path: Path, status: int, detail: str, shown: str
) -> None:
    page = page_as("cdw", phone=True)
    page.goto("/upload?lang=en")
    if status == 413:
        problem = {"title": "Content Too Large", "status": 413, "detail": detail}
        page.route(
            "**/api/surveys/batches",
            lambda route: route.fulfill(
                status=413, body=json.dumps(problem), content_type="application/problem+json"
            ),
        )
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a survey\n", encoding="utf-8")
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-submit")
    error = page.locator("#upload-error")
    expect(error).to_contain_text(shown)
    if status == 413:
        expect(error).to_have_text(shown + detail)
    expect(page.locator("#upload-submit")).to_be_enabled()
    expect(page.locator("#upload-progress")).to_be_hidden()


def test_the_page_needs_the_cdw_role(page_as: PageAs, demo_site: DemoSite) -> None:
    page = page_as("public")
    page.goto("/upload")
    expect(page).to_have_url(re.compile(r"/login\?next=/upload"))
