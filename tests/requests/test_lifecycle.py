"""Every lifecycle transition through the one change function, and the refusals."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from geosvc.errors import ConflictError, InvalidInputError
from geosvc.requests.lifecycle import Change, change_request
from geosvc.requests.repo.events import request_history
from geosvc.requests.repo.requests import RequestRecord
from geosvc.requests.transitions import TRANSITIONS, Action, Resolution, Status
from geosvc.requests.working_days import WorkingCalendar
from tests.requests.conftest import JOBURG, SAST, Lodge

MONDAY = datetime(2026, 3, 2, 9, 30, tzinfo=SAST)
OFFICER = "officer.dlamini"


def apply(
    conn: Connection,
    calendar: WorkingCalendar,
    record: RequestRecord,
    action: Action,
    at: datetime,
    **fields: object,
) -> RequestRecord:
    """Apply one change by the officer; notes default to something sensible."""
    fields.setdefault("note", f"{action.value} by test")
    return change_request(conn, record.id, Change(action, OFFICER, **fields), calendar, at)  # type: ignore[arg-type]


def reach(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge, status: Status
) -> RequestRecord:
    """A fresh request brought to ``status`` by legal steps."""
    record = lodge(at=MONDAY, lon=JOBURG[0] + 0.01 * list(Status).index(status))
    steps = {
        Status.RECEIVED: [],
        Status.ACKNOWLEDGED: [Action.ACKNOWLEDGE],
        Status.ASSIGNED: [Action.ASSIGN],
        Status.IN_PROGRESS: [Action.START],
        Status.ON_HOLD: [Action.HOLD],
        Status.CLOSED: [Action.CLOSE],
        Status.REOPENED: [Action.CLOSE, Action.REOPEN],
    }[status]
    for n, action in enumerate(steps, start=1):
        record = apply(
            conn,
            calendar,
            record,
            action,
            MONDAY + timedelta(hours=n),
            assignee="roads team",
            resolution=Resolution.FIXED,
        )
    assert record.status == status
    return record


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", [a for a in Action if a is not Action.ESCALATE])
def test_every_action_in_every_status_is_applied_or_refused(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge, status: Status, action: Action
) -> None:
    record = reach(conn, calendar, lodge, status)
    allowed, target = TRANSITIONS[action]
    fields: dict[str, object] = {
        "assignee": "water team",
        "resolution": Resolution.FIXED,
        "rating": 4,
        "resolved": True,
    }
    at = MONDAY + timedelta(days=1)
    if status not in allowed:
        with pytest.raises(ConflictError):
            apply(conn, calendar, record, action, at, **fields)
        return
    before = len(request_history(conn, record.id))
    after = apply(conn, calendar, record, action, at, **fields)
    expected = (record.resume_status or "received") if action is Action.RESUME else target or status
    assert after.status == expected
    history = request_history(conn, record.id)
    assert len(history) == before + 1
    event = history[-1]
    assert (event.actor, event.status_from, event.status_to) == (OFFICER, status, after.status)


def test_acknowledge_assign_start_close_records_each_step(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    record = lodge(at=MONDAY)
    record = apply(conn, calendar, record, Action.ACKNOWLEDGE, MONDAY + timedelta(hours=1))
    assert record.acknowledged_at == MONDAY + timedelta(hours=1)
    record = apply(
        conn, calendar, record, Action.ASSIGN, MONDAY + timedelta(hours=2), assignee="roads"
    )
    assert record.assigned_to == "roads"
    record = apply(conn, calendar, record, Action.START, MONDAY + timedelta(hours=3))
    record = apply(
        conn,
        calendar,
        record,
        Action.CLOSE,
        MONDAY + timedelta(days=2),
        resolution=Resolution.FIXED,
        note="Pothole filled.",
    )
    assert record.status == "closed"
    assert record.resolution == "fixed"
    assert record.status_notes == "Pothole filled."
    kinds = [e.kind for e in request_history(conn, record.id)]
    assert kinds == ["received", "acknowledged", "assigned", "status", "closed"]
    public = [e.kind for e in request_history(conn, record.id, public_only=True)]
    assert "assigned" not in public
    assert "closed" in public


def test_hold_stops_the_clock_and_resume_moves_due_dates(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    record = lodge(at=MONDAY)
    assert record.due_at is not None
    held = apply(conn, calendar, record, Action.HOLD, MONDAY, note="Waiting for a part")
    assert held.status == "on_hold"
    assert held.on_hold_since == MONDAY
    # Held Monday to the next Monday: five working days paused.
    resumed = apply(conn, calendar, held, Action.RESUME, MONDAY + timedelta(days=7))
    assert resumed.status == "received"
    assert resumed.on_hold_since is None
    assert resumed.due_at == calendar.add_working_days(record.due_at, 5)
    event = request_history(conn, record.id)[-1]
    assert event.data["paused_working_days"] == 5


def test_resume_returns_to_the_status_the_hold_interrupted(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    record = reach(conn, calendar, lodge, Status.ASSIGNED)
    record = apply(conn, calendar, record, Action.HOLD, MONDAY + timedelta(days=1))
    record = apply(conn, calendar, record, Action.RESUME, MONDAY + timedelta(days=2))
    assert record.status == "assigned"


def test_close_from_hold_clears_the_hold(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    record = reach(conn, calendar, lodge, Status.ON_HOLD)
    closed = apply(
        conn, calendar, record, Action.CLOSE, MONDAY + timedelta(days=1), resolution="cancelled"
    )
    assert closed.status == "closed"
    assert closed.on_hold_since is None


def test_reopen_starts_a_new_cycle(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    record = reach(conn, calendar, lodge, Status.CLOSED)
    record = apply(conn, calendar, record, Action.RATE, MONDAY + timedelta(days=1), rating=2)
    later = MONDAY + timedelta(days=3)
    reopened = apply(conn, calendar, record, Action.REOPEN, later, note="Still broken")
    assert reopened.status == "reopened"
    assert reopened.closed_at is None
    assert reopened.resolution is None
    assert reopened.satisfaction is None
    assert reopened.due_at is not None
    assert reopened.due_at > later
    assert reopened.escalations == []


def test_rating_is_stored_once_per_closure(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    record = reach(conn, calendar, lodge, Status.CLOSED)
    rated = apply(
        conn, calendar, record, Action.RATE, MONDAY, rating=5, resolved=True, note="Quick work"
    )
    assert (rated.satisfaction, rated.resolved_by_citizen, rated.feedback) == (
        5,
        True,
        "Quick work",
    )
    with pytest.raises(ConflictError, match="already been rated"):
        apply(conn, calendar, rated, Action.RATE, MONDAY, rating=1)


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        (Action.ASSIGN, {"assignee": " "}, "name the officer"),
        (Action.CLOSE, {}, "resolution"),
        (Action.HOLD, {"note": ""}, "reason"),
        (Action.NOTIFY, {"note": ""}, "message"),
        (Action.NOTE, {"note": " "}, "note"),
    ],
)
def test_changes_missing_what_they_need_are_refused(
    conn: Connection,
    calendar: WorkingCalendar,
    lodge: Lodge,
    action: Action,
    fields: dict[str, object],
    message: str,
) -> None:
    record = lodge(at=MONDAY)
    with pytest.raises(InvalidInputError, match=message):
        apply(conn, calendar, record, action, MONDAY, **fields)
    assert len(request_history(conn, record.id)) == 1


def test_rating_must_be_one_to_five(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    record = reach(conn, calendar, lodge, Status.CLOSED)
    with pytest.raises(InvalidInputError, match="1 to 5"):
        apply(conn, calendar, record, Action.RATE, MONDAY, rating=6)


def test_closing_a_parent_closes_its_duplicates(
    conn: Connection, calendar: WorkingCalendar, lodge: Lodge
) -> None:
    parent = lodge(at=MONDAY)
    child = lodge(at=MONDAY + timedelta(hours=1), lon=JOBURG[0] + 0.0003)
    assert child.parent_id == parent.id
    apply(conn, calendar, parent, Action.CLOSE, MONDAY + timedelta(days=1), resolution="fixed")
    closed_child = change_request(
        conn, child.id, Change(Action.NOTE, OFFICER, note="check"), calendar, MONDAY
    )
    assert closed_child.status == "closed"
    assert closed_child.resolution == "fixed"


def test_history_cannot_be_rewritten(conn: Connection, lodge: Lodge) -> None:
    record = lodge(at=MONDAY)
    with pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("DELETE FROM request_event WHERE request_id = :id"), {"id": record.id})
