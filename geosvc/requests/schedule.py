"""Running the escalation job on a schedule inside the server."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Engine

from geosvc.requests.escalation import escalate_due
from geosvc.requests.working_days import WorkingCalendar

log = logging.getLogger("geosvc.escalation")


BATCH = 200


def escalate_once(engine: Engine, calendar: WorkingCalendar) -> int:
    """Run the escalation job, committing every ``BATCH`` requests so staff are never
    kept waiting on a locked request; returns how many escalations it made."""
    total = 0
    while True:
        with engine.begin() as conn:
            done = escalate_due(conn, calendar, limit=BATCH)
        for escalation in done:
            log.info("escalated %s: %s", escalation.reference, escalation.breach.value)
        total += len(done)
        if not done:
            return total


async def escalate_forever(engine: Engine, calendar: WorkingCalendar, interval_s: float) -> None:
    """Run the job every ``interval_s`` seconds until cancelled; a failed run is logged and
    retried at the next interval, so a database restart does not stop escalations."""
    while True:
        try:
            await asyncio.to_thread(escalate_once, engine, calendar)
        except Exception:
            log.exception("the escalation job failed; retrying in %.0f s", interval_s)
        await asyncio.sleep(interval_s)
