"""The escalation job: every open request that breaches a standard is escalated, once.

Run by ``geosvc requests escalate`` and on a schedule by the server. Each escalation goes
through ``change_request`` and so is logged; a breach already escalated in the request's
current cycle is not escalated again, so running the job twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from geosvc.requests.intake import ESCALATION_ACTOR
from geosvc.requests.lifecycle import Change, change_request
from geosvc.requests.repo.requests import escalation_candidates
from geosvc.requests.standards import TIME_COLUMNS, Breach, StandardState, breaches
from geosvc.requests.transitions import Action
from geosvc.requests.working_days import WorkingCalendar

_NOTES = {
    Breach.URGENT: "Urgent service type: escalated on receipt.",
    Breach.ACKNOWLEDGE: "Not acknowledged within the service standard.",
    Breach.NOTIFY: "Customer not told of progress within the service standard.",
    Breach.COMPLETE: "Not completed within the service standard.",
}


@dataclass(frozen=True)
class Escalation:
    """One escalation the job made."""

    request_id: int
    reference: str
    breach: Breach


def escalate_due(
    conn: Connection,
    calendar: WorkingCalendar,
    now: datetime | None = None,
    limit: int | None = None,
) -> list[Escalation]:
    """Escalate every breach at ``now`` not escalated before; returns what was escalated.

    ``limit`` caps how many requests one call handles, so that a caller can commit in
    batches and not hold thousands of row locks at once.
    """
    now = now or datetime.now(UTC)
    done: list[Escalation] = []
    rows = escalation_candidates(conn, now, limit)
    for row in rows:
        state = StandardState(
            status=row["status"],
            urgent=row["urgent"],
            actionable=row["actionable"],
            times={column: row[column] for column in TIME_COLUMNS},
            escalated=frozenset(row["escalations"]),
        )
        for breach in breaches(state, now):
            change = Change(Action.ESCALATE, ESCALATION_ACTOR, note=_NOTES[breach], breach=breach)
            record = change_request(conn, int(row["id"]), change, calendar, now)
            done.append(Escalation(record.id, record.reference, breach))
    return done
