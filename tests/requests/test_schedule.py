"""The server's escalation schedule: runs the job in its own transactions, survives failures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

from geosvc.requests.catalogue import read_catalogue, store_catalogue
from geosvc.requests.intake import IntakePolicy, NewRequest, create_request
from geosvc.requests.schedule import escalate_forever
from geosvc.requests.working_days import WorkingCalendar
from geosvc.wards.loader import load_wards
from tests.conftest import GAUTENG_WARDS
from tests.requests.conftest import CITIZEN, JOBURG


def test_scheduled_job_escalates_committed_overdue_requests(scratch_url: str) -> None:
    engine = create_engine(scratch_url)
    calendar = WorkingCalendar()
    long_ago = datetime.now(UTC) - timedelta(days=60)
    with engine.begin() as conn:
        load_wards(conn, GAUTENG_WARDS)
        store_catalogue(conn, read_catalogue())
        new = NewRequest("pothole", lon=JOBURG[0], lat=JOBURG[1], contact=CITIZEN)
        record = create_request(conn, new, IntakePolicy(calendar), long_ago)

    async def run_briefly() -> None:
        job = asyncio.create_task(escalate_forever(engine, calendar, interval_s=0.05))
        await asyncio.sleep(1.0)
        job.cancel()

    asyncio.run(run_briefly())
    with engine.connect() as conn:
        breaches = conn.execute(
            text(
                "SELECT data->>'breach' FROM request_event "
                "WHERE request_id = :id AND kind = 'escalated' ORDER BY id"
            ),
            {"id": record.id},
        ).scalars()
        # Escalated once per breach however many times the job ran.
        assert list(breaches) == ["acknowledge", "notify", "complete"]
    engine.dispose()


def test_a_failing_run_does_not_stop_the_schedule() -> None:
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")

    async def run_briefly() -> bool:
        job = asyncio.create_task(escalate_forever(engine, WorkingCalendar(), interval_s=0.05))
        await asyncio.sleep(0.5)
        alive = not job.done()
        job.cancel()
        return alive

    assert asyncio.run(run_briefly())
