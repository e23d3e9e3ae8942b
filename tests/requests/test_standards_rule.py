"""One breach rule: the Python check and the SQL made from ``standards.STANDARDS`` agree.

Each example writes a request's status, clocks and escalations into a real row, then
compares what the SQL fragments of ``repo.standards`` say of that row with what
``standards.breaches`` says of the same values, and what the escalation job escalates.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text

from geosvc.requests import standards
from geosvc.requests.escalation import escalate_due
from geosvc.requests.repo.requests import RequestRecord
from geosvc.requests.repo.standards import (
    breaches_sql,
    breaching_sql,
    overdue_since_sql,
    overdue_sql,
)
from geosvc.requests.standards import (
    ACKNOWLEDGEMENT,
    COMPLETION,
    TIME_COLUMNS,
    Breach,
    StandardState,
    breaches,
)
from geosvc.requests.transitions import Status
from geosvc.requests.working_days import WorkingCalendar
from tests.requests.conftest import SAST, Lodge

AT = datetime(2026, 3, 20, 10, 0, tzinfo=SAST)
#: Moments around AT, the boundary itself included: a deadline at AT is not yet broken.
OFFSETS = [None, -timedelta(days=3), -timedelta(seconds=1), timedelta(0), timedelta(minutes=1)]


@st.composite
def request_states(draw: st.DrawFn) -> dict[str, Any]:
    """A request's status, flags, clocks and escalations, as its row holds them."""
    times = {column: draw(st.sampled_from(OFFSETS)) for column in TIME_COLUMNS}
    return {
        "status": draw(st.sampled_from([s.value for s in Status])),
        "actionable": draw(st.booleans()),
        "urgent": draw(st.booleans()),
        "escalations": draw(st.lists(st.sampled_from([b.value for b in Breach]), unique=True)),
    } | {column: None if offset is None else AT + offset for column, offset in times.items()}


@pytest.fixture
def row(lodge: Lodge) -> RequestRecord:
    """One lodged pothole request whose columns each example overwrites."""
    return lodge(at=AT - timedelta(days=30))


def _write(conn: Connection, record: RequestRecord, state: dict[str, Any]) -> None:
    held, closed = state["status"] == "on_hold", state["status"] == "closed"
    # The table's checks: a held request says since when and what it resumes to, a
    # closed one how it ended.
    consistent = {
        "on_hold_since": AT - timedelta(days=1) if held else None,
        "resume_status": "received" if held else None,
        "resolution": "fixed" if closed else None,
        "closed_at": AT - timedelta(days=1) if closed else None,
    }
    columns = ["status", "actionable", "escalations", *TIME_COLUMNS]
    values = {column: state[column] for column in columns} | consistent
    assignments = ", ".join(f"{column} = :{column}" for column in values)
    conn.execute(
        text(f"UPDATE service_request SET {assignments} WHERE id = :id"),
        values | {"id": record.id},
    )
    conn.execute(
        text("UPDATE service_type SET urgent = :urgent WHERE code = :code"),
        {"urgent": state["urgent"], "code": record.service_code},
    )


def _sql_answers(conn: Connection, record: RequestRecord) -> dict[str, Any]:
    sql = f"""
        SELECT {breaches_sql(":at")} AS breaches,
               coalesce({breaching_sql(":at")}, false) AS breaching,
               coalesce({overdue_sql(":at")}, false) AS overdue,
               {overdue_since_sql()} AS overdue_since
        FROM service_request r WHERE r.id = :id
    """
    return dict(conn.execute(text(sql), {"at": AT, "id": record.id}).mappings().one())


def _python_breaches(state: dict[str, Any], *, urgent: bool, escalated: bool) -> list[Breach]:
    times = {column: state[column] for column in TIME_COLUMNS}
    return breaches(
        StandardState(
            status=state["status"],
            urgent=urgent and state["urgent"],
            actionable=state["actionable"],
            times=times,
            escalated=frozenset(state["escalations"]) if escalated else frozenset(),
        ),
        AT,
    )


def _assert_sql_agrees(conn: Connection, record: RequestRecord, state: dict[str, Any]) -> None:
    found = _python_breaches(state, urgent=False, escalated=False)
    answers = _sql_answers(conn, record)
    assert answers["breaches"] == [b.value for b in found]
    assert answers["breaching"] == bool(found)
    assert answers["overdue"] == (Breach.COMPLETE in found)
    if found:
        breached = [s for s in standards.STANDARDS if s.breach in found]
        assert answers["overdue_since"] == min(state[s.due_column] for s in breached)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(state=request_states())
def test_sql_and_python_agree_on_the_same_row(
    conn: Connection, row: RequestRecord, state: dict[str, Any]
) -> None:
    with conn.begin_nested() as savepoint:
        _write(conn, row, state)
        _assert_sql_agrees(conn, row, state)
        savepoint.rollback()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(state=request_states())
def test_the_job_escalates_what_python_finds(
    conn: Connection, calendar: WorkingCalendar, row: RequestRecord, state: dict[str, Any]
) -> None:
    with conn.begin_nested() as savepoint:
        _write(conn, row, state)
        done = [e.breach for e in escalate_due(conn, calendar, AT) if e.request_id == row.id]
        assert done == _python_breaches(state, urgent=True, escalated=True)
        savepoint.rollback()


LATE_AND_HELD = {
    "status": "on_hold",
    "actionable": True,
    "urgent": False,
    "escalations": [],
} | {column: AT - timedelta(days=3) for column in TIME_COLUMNS if column.endswith("due_at")}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, []),
        ({"CLOCK_STOPPED": (Status.CLOSED,)}, ["acknowledge", "notify", "complete"]),
        (
            {"CLOCK_STOPPED": (Status.CLOSED,), "STANDARDS": (ACKNOWLEDGEMENT, COMPLETION)},
            ["acknowledge", "complete"],
        ),
    ],
)
def test_changing_the_rule_changes_python_and_sql_alike(
    conn: Connection,
    row: RequestRecord,
    monkeypatch: pytest.MonkeyPatch,
    change: dict[str, Any],
    expected: list[str],
) -> None:
    state = LATE_AND_HELD | {c: None for c in TIME_COLUMNS if not c.endswith("due_at")}
    for name, value in change.items():
        monkeypatch.setattr(standards, name, value)
    _write(conn, row, state)
    assert [b.value for b in _python_breaches(state, urgent=False, escalated=False)] == expected
    _assert_sql_agrees(conn, row, state)
