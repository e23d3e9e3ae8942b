"""Data for the map-layer tests: requests lodged as citizens do, survey rows, keys by role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, text

from geosvc.accounts.keys import create_key
from geosvc.accounts.roles import Role
from geosvc.requests.intake import Contact, IntakePolicy, NewRequest, create_request
from geosvc.requests.lifecycle import Change, change_request
from geosvc.requests.repo.requests import RequestRecord
from geosvc.requests.transitions import Action, Resolution
from geosvc.requests.working_days import WorkingCalendar

#: Points in the bundled Gauteng wards, with the ward and municipality each lies in.
PLACES = {
    "jhb_cbd": ((28.0473, -26.2041), "79800060", "JHB"),
    "jhb_near": ((28.0480, -26.2045), "79800059", "JHB"),
    "soweto": ((27.8900, -26.2500), "79800036", "JHB"),
    "pretoria": ((28.1881, -25.7461), "79900058", "TSH"),
    "kempton": ((28.2293, -26.1000), "79700016", "EKU"),
}
CITIZEN = Contact(first_name="Thandi", last_name="Mokoena", email="thandi@example.org")


@dataclass(frozen=True)
class Lodged:
    """A request lodged for a test, with where and when."""

    reference: str
    service_code: str
    place: str
    at: datetime
    closed: bool = False

    @property
    def ward(self) -> str:
        """The ward of its place."""
        return PLACES[self.place][1]

    @property
    def municipality(self) -> str:
        """The municipality of its place."""
        return PLACES[self.place][2]


Lodge = Callable[..., Lodged]


@pytest.fixture
def calendar() -> WorkingCalendar:
    """South Africa's working days."""
    return WorkingCalendar()


@pytest.fixture
def lodge(conn: Connection, calendar: WorkingCalendar) -> Lodge:
    """Lodge a request at a named place and time; ``closed=True`` closes it at once."""
    policy = IntakePolicy(calendar=calendar, reference_prefix="FEA")

    def _lodge(
        service_code: str, place: str, at: datetime, *, closed: bool = False, **fields: Any
    ) -> Lodged:
        lon, lat = PLACES[place][0]
        if service_code == "water_outage":
            fields.setdefault("answers", {"extent": "street"})
        new = NewRequest(service_code=service_code, lon=lon, lat=lat, contact=CITIZEN, **fields)
        record: RequestRecord = create_request(conn, new, policy, at)
        if closed:
            change = Change(Action.CLOSE, actor="staff", resolution=Resolution.FIXED)
            change_request(conn, record.reference, change, calendar, now=at)
        return Lodged(record.reference, service_code, place, at, closed)

    return _lodge


def add_surveys(
    conn: Connection, households: list[tuple[str, str, datetime, int]], worker: str = "cdw:t"
) -> int:
    """Store one batch of surveyed households (place, submission id, collected at, water
    level code); returns the batch id."""
    batch_id = int(
        conn.execute(
            text(
                "INSERT INTO survey_batch (file_hash, filename, source_format, schema_name,"
                " uploaded_by, status) VALUES (md5(random()::text) || md5(random()::text),"
                " 'visits.csv', 'kobo_csv', 'default', :worker, 'loaded') RETURNING id"
            ),
            {"worker": worker},
        ).scalar_one()
    )
    for place, submission, collected, water in households:
        (lon, lat), ward, _ = PLACES[place]
        conn.execute(
            text(
                "INSERT INTO survey_response (submission_id, root_id, batch_id, geom, ward_code,"
                " collected_at, water_access, sanitation_access, needs)"
                " VALUES (:id, :id, :batch, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :ward,"
                " :at, :water, 0, ARRAY['water'])"
            ),
            {
                "id": submission,
                "batch": batch_id,
                "lon": lon,
                "lat": lat,
                "ward": ward,
                "at": collected,
                "water": water,
            },
        )
    return batch_id


def headers_for(conn: Connection, role: Role) -> dict[str, str]:
    """Authorization headers of a fresh key with ``role``."""
    return {"Authorization": f"Bearer {create_key(conn, f'test {role.value}', role)}"}


@pytest.fixture
def planner(conn: Connection) -> dict[str, str]:
    """A planner's credentials."""
    return headers_for(conn, Role.PLANNER)


@pytest.fixture
def cdw(conn: Connection) -> dict[str, str]:
    """A community development worker's credentials."""
    return headers_for(conn, Role.CDW)


@pytest.fixture
def agent(conn: Connection) -> dict[str, str]:
    """A call-centre agent's credentials (no survey access)."""
    return headers_for(conn, Role.AGENT)


T0 = datetime(2026, 7, 15, 9, tzinfo=UTC)
