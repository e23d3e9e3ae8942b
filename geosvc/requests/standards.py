"""Service standards: due dates from a service type's targets, holds, and breaches.

Pure functions over datetimes; the lifecycle and the escalation job call them and store
the results.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

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
class StandardState:
    """What breach detection needs to know about a request."""

    status: str
    urgent: bool
    actionable: bool
    acknowledged: bool
    notified: bool
    due: DueDates | None
    escalated: frozenset[str] = frozenset()


def breaches(state: StandardState, now: datetime) -> list[Breach]:
    """The breaches of ``state`` at ``now`` that have not been escalated yet.

    Closed, on-hold and non-actionable requests breach nothing: their clocks are stopped.
    """
    if state.status in {"closed", "on_hold"} or not state.actionable:
        return []
    found = []
    if state.urgent:
        found.append(Breach.URGENT)
    if state.due is not None:
        if not state.acknowledged and now > state.due.acknowledge:
            found.append(Breach.ACKNOWLEDGE)
        if not state.notified and now > state.due.notify:
            found.append(Breach.NOTIFY)
        if now > state.due.complete:
            found.append(Breach.COMPLETE)
    return [b for b in found if b.value not in state.escalated]
