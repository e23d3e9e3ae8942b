"""Service standards: due dates from a service type's targets, holds, and breaches.

Pure functions over datetimes; the lifecycle and the escalation job call them and store
the results. ``STANDARDS`` is the one definition of when a request breaches a standard;
``geosvc.requests.repo.standards`` renders the same definition to SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from geosvc.requests.transitions import Status
from geosvc.requests.working_days import WorkingCalendar


@dataclass(frozen=True)
class Targets:
    """A service type's standards, in working days."""

    acknowledge_days: int = 5
    notify_days: int = 15
    complete_days: int = 21


@dataclass(frozen=True)
class DueDates:
    """When each standard runs out for one request."""

    acknowledge: datetime
    notify: datetime
    complete: datetime


class Breach(StrEnum):
    """Why a request is escalated; each is escalated once per cycle of a request."""

    URGENT = "urgent"
    ACKNOWLEDGE = "acknowledge"
    NOTIFY = "notify"
    COMPLETE = "complete"


def due_dates(calendar: WorkingCalendar, start: datetime, targets: Targets) -> DueDates:
    """The due dates of a request lodged (or reopened) at ``start``.

    >>> from zoneinfo import ZoneInfo
    >>> lodged = datetime(2026, 12, 15, 9, 0, tzinfo=ZoneInfo("Africa/Johannesburg"))
    >>> dates = due_dates(WorkingCalendar(), lodged, Targets(1, 2, 3))
    >>> dates.complete.date().isoformat()  # 16 Dec, 25 and 26 Dec are holidays
    '2026-12-21'
    """
    return DueDates(
        acknowledge=calendar.add_working_days(start, targets.acknowledge_days),
        notify=calendar.add_working_days(start, targets.notify_days),
        complete=calendar.add_working_days(start, targets.complete_days),
    )


def extend_for_hold(
    calendar: WorkingCalendar, due: DueDates, held_from: datetime, held_until: datetime
) -> tuple[DueDates, int]:
    """The due dates moved on by the working days a request spent on hold, and that count.

    A hold stops the clocks: every standard still running gets the paused days back.
    """
    paused = calendar.working_days_between(held_from, held_until)
    if paused == 0:
        return due, 0
    moved = replace(
        due,
        acknowledge=calendar.add_working_days(due.acknowledge, paused),
        notify=calendar.add_working_days(due.notify, paused),
        complete=calendar.add_working_days(due.complete, paused),
    )
    return moved, paused


@dataclass(frozen=True)
class Standard:
    """One service standard as a request stores it: its deadline and what meets it.

    The one definition of a breach: the Python check (``Standard.breached``) and the SQL
    (``geosvc.requests.repo.standards``) are both made from ``STANDARDS``.
    """

    breach: Breach
    #: The service_request column holding the deadline.
    due_column: str
    #: The column set when the standard is met; None when only closing meets it (and
    #: closing stops the clock).
    met_column: str | None

    def breached(self, times: Mapping[str, datetime | None], now: datetime) -> bool:
        """Whether a request with these column values has broken this standard at ``now``."""
        due = times.get(self.due_column)
        met = self.met_column is not None and times.get(self.met_column) is not None
        return due is not None and not met and now > due


ACKNOWLEDGEMENT = Standard(Breach.ACKNOWLEDGE, "acknowledge_due_at", "acknowledged_at")
NOTIFICATION = Standard(Breach.NOTIFY, "notify_due_at", "notified_at")
#: Its breach is what makes a request overdue.
COMPLETION = Standard(Breach.COMPLETE, "due_at", None)
#: Every standard, in the order breaches are reported and escalated.
STANDARDS = (ACKNOWLEDGEMENT, NOTIFICATION, COMPLETION)
#: The request columns the standards read: what ``StandardState.times`` holds.
TIME_COLUMNS = tuple(
    dict.fromkeys(c for s in STANDARDS for c in (s.due_column, s.met_column) if c is not None)
)
#: The statuses that stop every clock: nothing is due while a request is closed or held.
CLOCK_STOPPED = (Status.CLOSED, Status.ON_HOLD)


def clock_running(status: str, actionable: bool) -> bool:
    """Whether a request's standards run: it is open, not held, and someone can be told.

    >>> clock_running("received", True), clock_running("on_hold", True)
    (True, False)
    """
    return actionable and status not in CLOCK_STOPPED


@dataclass(frozen=True)
class StandardState:
    """What breach detection needs to know about a request.

    ``times`` holds the request's columns that ``STANDARDS`` name (deadlines and the
    moments standards were met); a missing column counts as null.
    """

    status: str
    urgent: bool
    actionable: bool
    times: Mapping[str, datetime | None] = field(default_factory=dict)
    escalated: frozenset[str] = frozenset()


def breaches(state: StandardState, now: datetime) -> list[Breach]:
    """The breaches of ``state`` at ``now`` that have not been escalated yet.

    Closed, on-hold and non-actionable requests breach nothing: their clocks are stopped.
    """
    if not clock_running(state.status, state.actionable):
        return []
    found = [Breach.URGENT] if state.urgent else []
    found += [s.breach for s in STANDARDS if s.breached(state.times, now)]
    return [b for b in found if b.value not in state.escalated]
