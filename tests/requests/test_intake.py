"""Lodging requests: references, wards, due dates, refusals, anonymity and duplicates."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Connection, text

from geosvc.errors import InvalidInputError
from geosvc.geo import CoordinateProblem
from geosvc.requests.intake import Contact, LocationError
from geosvc.requests.repo.events import request_history
from tests.requests.conftest import JOBURG, SAST, Lodge

MONDAY = datetime(2026, 3, 2, 9, 30, tzinfo=SAST)


def test_new_request_gets_reference_ward_and_due_dates(lodge: Lodge, conn: Connection) -> None:
    record = lodge(at=MONDAY, description="Deep pothole in the left lane")
    assert record.reference == f"TST-2026-{record.id:07d}"
    assert record.ward_code is not None
    assert record.ward_code.startswith("798")
    assert record.status == "received"
    assert record.actionable
    assert not record.anonymous
    # pothole: acknowledge 2, complete 10 working days in the default catalogue?
    targets = conn.execute(
        text("SELECT acknowledge_days, complete_days FROM service_type WHERE code='pothole'")
    ).one()
    assert record.acknowledge_due_at is not None
    assert record.due_at is not None
    assert record.due_at.astimezone(SAST).time().isoformat() == "16:30:00"
    assert (record.due_at.date() - MONDAY.date()).days >= targets.complete_days
    history = request_history(conn, record.id)
    assert [e.kind for e in history] == ["received"]
    assert record.service_notice
    assert record.reference in record.service_notice


@pytest.mark.parametrize(
    ("lon", "lat", "reason"),
    [
        (0.0, 0.0, CoordinateProblem.NULL_ISLAND),
        (JOBURG[1], JOBURG[0], CoordinateProblem.SWAPPED),
        (200.0, 10.0, CoordinateProblem.OUT_OF_RANGE),
        (-0.1276, 51.5072, CoordinateProblem.OUTSIDE_EXTENT),
    ],
)
def test_implausible_points_are_refused_with_their_reason(
    lodge: Lodge, lon: float, lat: float, reason: CoordinateProblem
) -> None:
    with pytest.raises(LocationError) as caught:
        lodge(lon=lon, lat=lat)
    assert caught.value.problem is reason


def test_point_inside_extent_but_in_no_ward_is_refused(lodge: Lodge) -> None:
    # Between the Gauteng metros: inside their bounding box, in none of their wards.
    with pytest.raises(LocationError, match="inside no ward"):
        lodge(lon=28.75, lat=-25.3)


def test_address_only_request_is_accepted_without_a_ward(lodge: Lodge) -> None:
    record = lodge(address="12 Main Road, Soweto")
    assert record.ward_code is None
    assert record.lon is None


def test_missing_location_is_refused(lodge: Lodge) -> None:
    with pytest.raises(LocationError, match=r"(?i)give a location"):
        lodge(lon=None, lat=None, address="  ")


def test_unknown_service_is_refused(lodge: Lodge) -> None:
    with pytest.raises(InvalidInputError, match="not a service"):
        lodge(service_code="teleportation")


def test_anonymous_request_is_recorded_but_not_actionable(lodge: Lodge) -> None:
    record = lodge(contact=Contact(first_name="Anon"))
    assert record.anonymous
    assert not record.actionable
    assert record.due_at is None
    assert record.service_notice
    assert "cannot be actioned" in record.service_notice


def test_duplicate_links_to_the_earliest_open_request(lodge: Lodge) -> None:
    first = lodge(at=MONDAY)
    second = lodge(at=MONDAY + timedelta(hours=2), lon=JOBURG[0] + 0.0005)  # ~50 m east
    third = lodge(at=MONDAY + timedelta(hours=3), lon=JOBURG[0] + 0.0008)  # ~80 m from first
    assert second.parent_id == first.id
    assert third.parent_id == first.id
    assert second.service_notice
    assert first.reference in second.service_notice


def test_far_away_or_late_or_other_type_is_not_a_duplicate(lodge: Lodge) -> None:
    first = lodge(at=MONDAY)
    far = lodge(at=MONDAY + timedelta(hours=1), lon=JOBURG[0] + 0.002)  # ~200 m
    later = lodge(at=MONDAY + timedelta(days=5))
    other = lodge(at=MONDAY + timedelta(hours=1), service_code="streetlight")
    assert far.parent_id is None
    assert later.parent_id is None
    assert other.parent_id is None
    assert first.parent_id is None


def test_urgent_request_is_escalated_at_once(lodge: Lodge, conn: Connection) -> None:
    record = lodge(at=MONDAY, service_code="water_leak")
    urgent = conn.execute(text("SELECT urgent FROM service_type WHERE code='water_leak'")).scalar()
    assert urgent
    assert record.escalations == ["urgent"]
    assert record.priority == 1
    kinds = [e.kind for e in request_history(conn, record.id)]
    assert kinds == ["received", "escalated"]
