"""The escalation job: overdue and urgent requests are escalated once, and logged."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, text

from geosvc.requests.escalation import escalate_due
from geosvc.requests.intake import Contact
from geosvc.requests.lifecycle import Change, change_request
from geosvc.requests.repo.events import request_history
from geosvc.requests.repo.requests import get_request
from geosvc.requests.standards import Breach, StandardState, breaches
from geosvc.requests.transitions import Action
from geosvc.requests.working_days import WorkingCalendar
from tests.requests.conftest import SAST, Lodge

MONDAY = datetime(2026, 3, 2, 9, 30, tzinfo=SAST)


def test_overdue_request_is_escalated_once_per_breach(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    record = lodge(at=MONDAY)  # pothole: acknowledge in 5, notify in 15, complete in 15
    assert record.acknowledge_due_at is not None
    assert record.due_at is not None
    just_after_ack = record.acknowledge_due_at + timedelta(minutes=1)
    first = escalate_due(conn, calendar, just_after_ack)
    assert [(e.reference, e.breach) for e in first if e.request_id == record.id] == [
        (record.reference, Breach.ACKNOWLEDGE)
    ]
    assert not [
        e for e in escalate_due(conn, calendar, just_after_ack) if e.request_id == record.id
    ]
    late = record.due_at + timedelta(days=1)
    second = [e.breach for e in escalate_due(conn, calendar, late) if e.request_id == record.id]
    assert second == [Breach.NOTIFY, Breach.COMPLETE]
    events = [e for e in request_history(conn, record.id) if e.kind == "escalated"]
    assert [e.data["breach"] for e in events] == ["acknowledge", "notify", "complete"]
    assert all(e.actor == "geosvc:escalation" and not e.public for e in events)


def test_nothing_is_escalated_before_its_due_date(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    record = lodge(at=MONDAY)
    assert record.acknowledge_due_at is not None
    done = escalate_due(conn, calendar, record.acknowledge_due_at - timedelta(minutes=1))
    assert record.id not in {e.request_id for e in done}


def test_acknowledged_and_notified_requests_breach_only_completion(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    record = lodge(at=MONDAY)
    for action in (Action.ACKNOWLEDGE, Action.NOTIFY):
        change = Change(action, "officer", note="We are on it")
        record = change_request(conn, record.id, change, calendar, MONDAY + timedelta(hours=1))
    assert record.due_at is not None
    done = escalate_due(conn, calendar, record.due_at + timedelta(hours=1))
    assert [e.breach for e in done if e.request_id == record.id] == [Breach.COMPLETE]


def test_on_hold_closed_and_anonymous_requests_are_not_escalated(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    held = lodge(at=MONDAY)
    change_request(conn, held.id, Change(Action.HOLD, "o", note="Parts"), calendar, MONDAY)
    closed = lodge(at=MONDAY, lon=28.06)
    change_request(conn, closed.id, Change(Action.CLOSE, "o", resolution="fixed"), calendar, MONDAY)
    anonymous = lodge(at=MONDAY, lon=28.07, contact=Contact())
    done = escalate_due(conn, calendar, MONDAY + timedelta(days=60))
    assert {held.id, closed.id, anonymous.id}.isdisjoint({e.request_id for e in done})


def test_held_request_escalates_later_by_the_days_it_was_held(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    record = lodge(at=MONDAY)
    change_request(conn, record.id, Change(Action.ACKNOWLEDGE, "o"), calendar, MONDAY)
    change_request(conn, record.id, Change(Action.NOTIFY, "o", note="Soon"), calendar, MONDAY)
    change_request(conn, record.id, Change(Action.HOLD, "o", note="Rain"), calendar, MONDAY)
    resumed = change_request(
        conn, record.id, Change(Action.RESUME, "o"), calendar, MONDAY + timedelta(days=14)
    )
    assert record.due_at is not None
    assert resumed.due_at is not None
    assert not escalate_due(conn, calendar, record.due_at + timedelta(hours=1))
    done = escalate_due(conn, calendar, resumed.due_at + timedelta(hours=1))
    assert [e.breach for e in done] == [Breach.COMPLETE]


def test_urgent_requests_missed_on_receipt_are_escalated_by_the_job(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    record = lodge(at=MONDAY, service_code="pothole")
    conn.execute(text("UPDATE service_type SET urgent = true WHERE code = 'pothole'"))
    done = escalate_due(conn, calendar, MONDAY + timedelta(minutes=5))
    assert [(e.request_id, e.breach) for e in done] == [(record.id, Breach.URGENT)]
    assert get_request(conn, record.id).priority == 1


def test_breaches_pure() -> None:
    state = StandardState(
        status="received", urgent=True, actionable=True, escalated=frozenset({"urgent"})
    )
    assert breaches(state, MONDAY) == []
    assert breaches(StandardState("on_hold", True, True), MONDAY) == []


def test_imported_open_requests_of_urgent_types_are_not_escalated_on_receipt(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    record = lodge(at=MONDAY, service_code="pothole")
    conn.execute(
        text(
            "UPDATE service_request SET source = 'la311', source_id = 'x1', due_at = NULL, "
            "acknowledge_due_at = NULL, notify_due_at = NULL WHERE id = :id"
        ),
        {"id": record.id},
    )
    conn.execute(text("UPDATE service_type SET urgent = true WHERE code = 'pothole'"))
    assert record.id not in {e.request_id for e in escalate_due(conn, calendar, MONDAY)}
