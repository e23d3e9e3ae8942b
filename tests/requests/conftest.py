"""Helpers for request tests: the intake policy and a way to lodge a request in one line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection

from geosvc.requests.intake import Contact, IntakePolicy, NewRequest, create_request
from geosvc.requests.repo.requests import RequestRecord
from geosvc.requests.working_days import WorkingCalendar

SAST = ZoneInfo("Africa/Johannesburg")
#: A point in Johannesburg's inner city (a Gauteng metro ward in the bundled wards).
JOBURG = (28.0473, -26.2041)
CITIZEN = Contact(first_name="Thandi", last_name="Mokoena", email="thandi@example.org")

Lodge = Callable[..., RequestRecord]


@pytest.fixture
def calendar() -> WorkingCalendar:
    """South Africa's working days."""
    return WorkingCalendar()


@pytest.fixture
def policy(calendar: WorkingCalendar) -> IntakePolicy:
    """The default intake policy: anonymous requests are not actionable."""
    return IntakePolicy(calendar=calendar, reference_prefix="TST")


@pytest.fixture
def lodge(conn: Connection, policy: IntakePolicy) -> Lodge:
    """Lodge a request in the test's transaction: ``lodge(service_code=..., at=datetime)``."""

    def _lodge(at: datetime | None = None, **fields: Any) -> RequestRecord:
        fields.setdefault("service_code", "pothole")
        if "address" not in fields:
            fields.setdefault("lon", JOBURG[0])
            fields.setdefault("lat", JOBURG[1])
        fields.setdefault("contact", CITIZEN)
        return create_request(conn, NewRequest(**fields), policy, at or datetime.now(SAST))

    return _lodge
