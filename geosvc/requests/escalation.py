"""The escalation job: every open request that breaches a standard is escalated, once.

Run by ``geosvc requests escalate`` and on a schedule by the server. Each escalation goes
through ``change_request`` and so is logged; a breach already escalated in the request's
current cycle is not escalated again, so running the job twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, text

from geosvc.requests.intake import ESCALATION_ACTOR
from geosvc.requests.lifecycle import Change, change_request
from geosvc.requests.standards import Breach, DueDates, StandardState, breaches
from geosvc.requests.transitions import Action
from geosvc.requests.working_days import WorkingCalendar

_NOTES = {
    Breach.URGENT: "Urgent service type: escalated on receipt.",
    Breach.ACKNOWLEDGE: "Not acknowledged within the service standard.",
    Breach.NOTIFY: "Customer not told of progress within the service standard.",
    Breach.COMPLETE: "Not completed within the service standard.",
}

# The same rules as breaches(), in SQL, so that only requests with a breach to escalate
# come back (breaches() stays the reference and decides). Requests imported from another
# system were received there, long ago: they are not "urgent on receipt" here.
_CANDIDATES = text(
    """
    SELECT r.id, r.status, t.urgent AND r.source = 'geosvc' AS urgent, r.actionable,
           r.acknowledged_at IS NOT NULL AS acknowledged, r.notified_at IS NOT NULL AS notified,
           r.acknowledge_due_at, r.notify_due_at, r.due_at, r.escalations
    FROM service_request r JOIN service_type t ON t.code = r.service_code
    WHERE r.status NOT IN ('closed', 'on_hold') AND r.actionable
      AND ((t.urgent AND r.source = 'geosvc' AND NOT 'urgent' = ANY(r.escalations))
           OR (r.acknowledged_at IS NULL AND r.acknowledge_due_at < :now
               AND NOT 'acknowledge' = ANY(r.escalations))
           OR (r.notified_at IS NULL AND r.notify_due_at < :now
               AND NOT 'notify' = ANY(r.escalations))
           OR (r.due_at < :now AND NOT 'complete' = ANY(r.escalations)))
    ORDER BY r.id
    LIMIT :limit
    """
)


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
    rows = conn.execute(_CANDIDATES, {"now": now, "limit": limit}).mappings().all()
    for row in rows:
        due = None
        if row["due_at"] is not None:
            due = DueDates(row["acknowledge_due_at"], row["notify_due_at"], row["due_at"])
        state = StandardState(
            status=row["status"],
            urgent=row["urgent"],
            actionable=row["actionable"],
            acknowledged=row["acknowledged"],
            notified=row["notified"],
            due=due,
            escalated=frozenset(row["escalations"]),
        )
        for breach in breaches(state, now):
            change = Change(Action.ESCALATE, ESCALATION_ACTOR, note=_NOTES[breach], breach=breach)
            record = change_request(conn, int(row["id"]), change, calendar, now)
            done.append(Escalation(record.id, record.reference, breach))
    return done
