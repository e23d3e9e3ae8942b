"""The citizen status page in Chromium: lookup, history, languages, rating, errors."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from geosvc.requests.lifecycle import Change, change_request
from geosvc.requests.transitions import Action, Resolution
from geosvc.requests.working_days import WorkingCalendar
from tests.browser.conftest import DemoSite

Shoot = Callable[[Page, str], Path]
PageAs = Callable[..., Page]
CITIZEN = {"first_name": "Nomsa", "last_name": "Khumalo", "email": "nomsa.k@example.org"}


def _lodge(site: DemoSite, service_code: str = "pothole") -> str:
    """A new request lodged through Open311, near the centre of Johannesburg."""
    lat = -26.2041 + random.uniform(-0.002, 0.002)
    lon = 28.0473 + random.uniform(-0.002, 0.002)
    fields = {"api_key": site.open311_key, "service_code": service_code, "lat": str(lat),
              "long": str(lon), "description": "Hole by the bus stop at 14 Loveday St"}  # fmt: skip
    response = httpx.post(f"{site.url}/open311/v2/requests.json", data=fields | CITIZEN)
    assert response.status_code == 200, response.text
    reference: str = response.json()[0]["service_request_id"]
    return reference


def _change(site: DemoSite, reference: str, *changes: Change) -> None:
    with site.engine.begin() as conn:
        for change in changes:
            change_request(conn, reference, change, WorkingCalendar())


def _look_up(page: Page, reference: str) -> None:
    page.fill("#status-ref", reference.lower())
    page.click("#status-lookup")
    expect(page.locator("#status-heading")).to_contain_text(reference)


@pytest.fixture
def acknowledged(demo_site: DemoSite) -> str:
    """A pothole lodged through Open311 and acknowledged with a public note."""
    reference = _lodge(demo_site)
    ack = Change(Action.ACKNOWLEDGE, "officer.mokoena", note="A road team will inspect it.")
    _change(demo_site, reference, ack)
    return reference


def test_lookup_shows_status_and_history_on_a_phone(
    page_as: PageAs, shoot: Shoot, acknowledged: str, demo_site: DemoSite
) -> None:
    page = page_as("public", phone=True)
    page.goto("/status?lang=en")
    _look_up(page, acknowledged)
    expect(page.locator("#status-badge")).to_have_text("Acknowledged")
    facts = page.locator("#status-facts")
    expect(facts).to_contain_text("Pothole")
    expect(facts).to_contain_text(re.compile(r"Johannesburg Metropolitan Municipality Ward \d+"))
    expect(facts).to_contain_text("Expected by")
    expect(facts).to_contain_text("A road team will inspect it.")
    history = page.locator("#status-history li")
    expect(history.first).to_contain_text("Request acknowledged")
    expect(history.first).to_contain_text("A road team will inspect it.")
    expect(page.locator("#status-history li[data-kind='received']")).to_contain_text(
        "Request received"
    )
    expect(page.locator("#status-rate")).to_be_hidden()
    expect(page.locator("#status-overdue")).to_be_hidden()
    expect(page).to_have_url(re.compile(rf"/status\?ref={acknowledged}&lang=en$"))
    content = page.content()
    for secret in (*CITIZEN.values(), "officer.mokoena", "Loveday"):
        assert secret not in content
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"
    shoot(page, "status-phone")
    with demo_site.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE service_request SET due_at = now() - interval '1 day' WHERE reference = :r"
            ),
            {"r": acknowledged},
        )
    page.reload()
    expect(page.locator("#status-overdue")).to_have_text("This request is past its expected date.")


def test_language_switch_changes_labels_and_the_api_names(
    page_as: PageAs, shoot: Shoot, acknowledged: str
) -> None:
    page = page_as("public")
    page.goto(f"/status?ref={acknowledged}&lang=en")
    expect(page.locator("#status-badge")).to_have_text("Acknowledged")
    page.select_option("#status-lang", "zu")
    expect(page.locator("#status-title")).to_have_text("Landela isicelo sakho")
    expect(page.locator("#status-badge")).to_have_text("Siqinisekisiwe")
    expect(page.locator("#status-facts")).to_contain_text("Umgodi emgwaqweni")
    expect(page.locator("#status-facts")).to_contain_text("Iwadi")
    expect(page.locator("#status-history li").first).to_contain_text("Isicelo siqinisekisiwe")
    expect(page.locator("html")).to_have_attribute("lang", "zu")
    expect(page).to_have_url(re.compile(r"lang=zu"))
    shoot(page, "status-zu-desktop")
    # The choice is remembered, and a link can name another language.
    page.goto(f"/status?ref={acknowledged}")
    expect(page.locator("#status-badge")).to_have_text("Siqinisekisiwe")
    page.goto(f"/status?ref={acknowledged}&lang=st")
    expect(page.locator("#status-lookup")).to_have_text("Batla")
    expect(page.locator("#status-badge")).to_have_text("E netefaditswe")
    page.select_option("#status-lang", "tn")
    expect(page.locator("#status-badge")).to_have_text("E netefaditswe")
    expect(page.locator("#status-facts")).to_contain_text("Mokoti mo tseleng")
    page.select_option("#status-lang", "af")
    expect(page.locator("#status-facts")).to_contain_text("Slaggat")
    expect(page.locator("#status-badge")).to_have_text("Erken")


def test_a_closed_request_is_rated_once(page_as: PageAs, shoot: Shoot, demo_site: DemoSite) -> None:
    reference = _lodge(demo_site, "streetlight")
    close = Change(
        Action.CLOSE, "officer.mokoena", note="Lamp replaced.", resolution=Resolution.FIXED
    )
    _change(demo_site, reference, Change(Action.ACKNOWLEDGE, "officer.mokoena"), close)
    page = page_as("public", phone=True)
    page.goto(f"/status?ref={reference}&lang=af")
    expect(page.locator("#status-badge")).to_have_text("Gesluit")
    expect(page.locator("#status-facts")).to_contain_text("Herstel")
    expect(page.locator("#status-overdue")).to_be_hidden()
    expect(page.locator("#status-rate")).to_be_visible()
    page.click("#rate-submit")
    expect(page.locator("#rate-error")).to_have_text("Kies van 1 tot 5 sterre.")
    page.get_by_label("4 uit 5 sterre").check(force=True)
    page.locator("#rate-resolved-yes + span").click()
    page.locator("#rate-recommend input[value='9'] + span").click()
    page.fill("#rate-comment", "Baie vinnig, dankie")
    shoot(page, "status-rating-phone")
    page.click("#rate-submit")
    expect(page.locator("#rate-thanks")).to_have_text("Dankie. U gradering is aangeteken.")
    expect(page.locator("#status-rate")).to_be_hidden()
    expect(page.locator("#status-facts")).to_contain_text("4 uit 5 sterre")
    with demo_site.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT satisfaction, resolved_by_citizen, recommend, feedback "
                "FROM service_request WHERE reference = :ref"
            ),
            {"ref": reference},
        ).one()
    assert tuple(row) == (4, True, 9, "Baie vinnig, dankie")
    page.reload()
    expect(page.locator("#status-facts")).to_contain_text("4 uit 5 sterre")
    expect(page.locator("#status-rate")).to_be_hidden()


def test_unknown_reference_and_lost_network_are_told_clearly(page_as: PageAs) -> None:
    page = page_as("public", phone=True)
    page.goto("/status?lang=en")
    page.click("#status-lookup")
    expect(page.locator("#status-error")).to_have_text("Enter a reference number.")
    page.fill("#status-ref", "gsv-2026-9999999")
    page.click("#status-lookup")
    expect(page.locator("#status-error")).to_have_text(
        "We found no request with the reference number GSV-2026-9999999. "
        "Check the number and try again."
    )
    expect(page.locator("#status-result")).to_be_hidden()
    page.select_option("#status-lang", "tn")
    expect(page.locator("#status-error")).to_contain_text("Ga re a bona kopo")
    page.route("**/api/status/**", lambda route: route.abort("internetdisconnected"))
    page.click("#status-lookup")
    expect(page.locator("#status-error")).to_have_text(
        "Seva ga e fitlhelelesege. Tlhola kgolagano ya gago o bo o leke gape."
    )
