"""The planner map in Chromium: ward choropleths, layers, legend, downloads, ward profiles."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from geosvc.planning.classes import NEED_COLOURS, NO_DATA_COLOUR, hotspot_style, need_colour
from tests.browser.conftest import DemoSite

WARDS = 354  # the bundled Gauteng metro wards
Shoot = Callable[[Page, str], Path]


def _fills(page: Page) -> dict[str, str]:
    """Each ward's fill colour on the map, by ward code."""
    pairs: list[list[str]] = page.eval_on_selector_all(
        "path.pl-ward", "els => els.map(e => [e.dataset.ward, e.getAttribute('fill')])"
    )
    return dict(pairs)


def _visible_ward(page: Page) -> tuple[str, float, float]:
    """A ward whose centre on screen is that ward's own path (a click there hits it)."""
    found: list[Any] = page.evaluate(
        """() => {
          for (const el of document.querySelectorAll('path.pl-ward')) {
            const r = el.getBoundingClientRect();
            const x = r.x + r.width / 2, y = r.y + r.height / 2;
            const hit = r.width > 12 && document.elementFromPoint(x, y) === el;
            if (hit) return [el.dataset.ward, x, y];
          }
          return null;
        }"""
    )
    assert found, "no ward can be clicked at its centre"
    return str(found[0]), float(found[1]), float(found[2])


def _open_planner(page: Page, query: str = "") -> None:
    page.goto(f"/planner{query}")
    expect(page.locator("#planner-map")).to_have_attribute("data-drawn", re.compile(r"/"))
    expect(page.locator("path.pl-ward")).to_have_count(WARDS)


def test_the_needs_map_draws_every_ward_in_the_legends_classes(
    page_as: Callable[..., Page], demo_site: DemoSite, shoot: Shoot
) -> None:
    page = page_as("planner")
    _open_planner(page, "?measure=needs&service=water&period=all")
    expect(page.locator("#planner-map")).to_have_attribute("data-drawn", "needs/water/all")
    legend = page.locator("#planner-legend")
    expect(legend).to_contain_text("Needs index (0-100) · Water")
    expect(legend).to_contain_text("equal intervals of 20")
    fills = _fills(page)
    assert len(fills) == WARDS
    assert set(fills.values()) <= {*NEED_COLOURS, NO_DATA_COLOUR}
    assert len(set(fills.values())) >= 3
    # each ward's colour is its stored score's class
    scores = page.request.get(f"{demo_site.url}/api/needs?service=water&period=all").json()
    assert scores
    for row in scores:
        assert fills[row["ward_code"]] == need_colour(row["score"]), row["ward_code"]
    downloads = page.locator("#planner-downloads a")
    expect(downloads.first).to_have_attribute(
        "href", "/api/export/needs.csv?service=water&period=all"
    )
    csv = page.request.get(f"{demo_site.url}/api/export/needs.csv?service=water&period=all")
    assert csv.ok, csv.text()
    assert len(csv.text().strip().splitlines()) == len(scores) + 1
    shoot(page, "planner-needs-desktop")


def test_switching_measure_and_service_redraws_the_map(
    page_as: Callable[..., Page], demo_site: DemoSite, shoot: Shoot
) -> None:
    page = page_as("planner")
    _open_planner(page, "?measure=needs&service=water")
    needs = _fills(page)

    page.select_option("#planner-measure", "hotspots")
    expect(page.locator("#planner-map")).to_have_attribute("data-drawn", "hotspots/water/all")
    hot = _fills(page)
    assert hot != needs
    classes = page.request.get(
        f"{demo_site.url}/api/hotspots?service=water&period=all&page_size=5000"
    ).json()["features"]
    for feature in classes:
        props = feature["properties"]
        assert hot[props["ward_code"]] == hotspot_style(props["class"])[0]
    legend = page.locator("#planner-legend")
    expect(legend).to_contain_text("Getis-Ord Gi* hotspots")
    expect(legend).to_contain_text("conditional permutations")
    expect(legend).to_contain_text("Benjamini-Hochberg")

    page.select_option("#planner-service", "roads")
    expect(page.locator("#planner-map")).to_have_attribute("data-drawn", "hotspots/roads/all")
    expect(legend).to_contain_text("· Roads")
    expect(page.locator("#planner-downloads a").nth(1)).to_have_attribute(
        "href", "/api/export/hotspots.gpkg?service=roads&period=all"
    )
    month = page.locator("#planner-period option").nth(1).get_attribute("value")
    assert month
    assert re.fullmatch(r"\d{4}-\d{2}", month)
    page.select_option("#planner-period", month)
    expect(page.locator("#planner-map")).to_have_attribute("data-drawn", f"hotspots/roads/{month}")
    assert "period=" + month in page.url
    shoot(page, "planner-hotspots-desktop")


def test_cluster_outlines_follow_the_service(
    page_as: Callable[..., Page], demo_site: DemoSite
) -> None:
    page = page_as("planner")
    _open_planner(page, "?measure=needs&service=water&clusters=run")
    clusters = page.request.get(f"{demo_site.url}/api/clusters?live=false&page_size=5000").json()[
        "features"
    ]
    water = [c for c in clusters if c["properties"]["service_code"].startswith("water")]
    assert water, "the demo run has water clusters"
    expect(page.locator("path.pl-cluster")).to_have_count(len(water))
    expect(page.locator("#planner-legend")).to_contain_text(f"{len(water)} cluster")
    page.select_option("#planner-clusters", "")
    expect(page.locator("path.pl-cluster")).to_have_count(0)


def test_clicking_a_ward_opens_its_profile_with_the_chart(
    page_as: Callable[..., Page], demo_site: DemoSite, shoot: Shoot
) -> None:
    page = page_as("planner")
    _open_planner(page, "?measure=needs&service=water")
    code, x, y = _visible_ward(page)
    page.mouse.click(x, y)
    profile = page.locator("#planner-profile")
    expect(profile).to_have_attribute("data-ward", code)
    ward = page.request.get(f"{demo_site.url}/api/wards/{code}").json()
    expect(page.locator("#profile-name")).to_have_text(ward["properties"]["name"])
    expected = page.request.get(f"{demo_site.url}/api/wards/{code}/profile").json()
    # needs: one row per scored service, each with its component bars
    expect(profile.locator(".pl-need")).to_have_count(len(expected["needs"]["services"]))
    # incidents over time: the total and the water line, a point per month
    months = len(expected["incidents"]["months"])
    chart = page.locator("#planner-chart")
    expect(chart).to_be_visible()
    lines = chart.locator("polyline.pl-series")
    assert lines.count() in (1, 2)
    expect(chart.locator("circle")).to_have_count(months * lines.count())
    total = sum(expected["incidents"]["total"])
    expect(profile).to_contain_text(f"{total:,} requests and complaints in {months} months")
    expect(profile.locator("#planner-standards")).to_be_visible()
    expect(profile).to_contain_text("Survey coverage")
    assert f"ward={code}" in page.url
    shoot(page, "planner-profile-desktop")
    page.click("#profile-close")
    expect(profile).to_be_hidden()


def test_the_planner_page_on_a_phone(
    page_as: Callable[..., Page], demo_site: DemoSite, shoot: Shoot
) -> None:
    page = page_as("planner", phone=True)
    _open_planner(page, "?measure=needs&service=water&ward=79800060")
    expect(page.locator("#planner-profile")).to_have_attribute("data-ward", "79800060")
    expect(page.locator("#planner-chart")).to_be_visible()
    map_box = page.locator("#planner-map").bounding_box()
    panel_box = page.locator("#planner-profile").bounding_box()
    assert map_box
    assert panel_box
    assert panel_box["y"] >= map_box["y"] + map_box["height"]  # stacked: the panel below
    assert map_box["width"] <= 390
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    shoot(page, "planner-phone")


def test_the_planner_page_needs_the_planner_role(page_as: Callable[..., Page]) -> None:
    page = page_as("cdw")
    page.goto("/planner")
    expect(page).to_have_url(re.compile(r"/login\?next=/planner"))
