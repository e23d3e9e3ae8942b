"""Staff endpoints: list, read, lodge and act on service requests; run the escalation job.

Agents (call centre) read requests with contact details, lodge on a caller's behalf, add
notes and notify customers; staff also acknowledge, assign, hold, close and reopen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import AgentDep, StaffDep
from api.deps import ConnectionDep, SettingsDep
from api.params import parse_bbox
from api.schemas.requests import (
    ActionIn,
    EscalationOut,
    NewRequestIn,
    RequestDetailOut,
    RequestOut,
    RequestPage,
)
from geosvc.requests.escalation import escalate_due
from geosvc.requests.intake import Contact, NewRequest, create_request, policy_for
from geosvc.requests.lifecycle import Change, change_request
from geosvc.requests.permissions import StaffAction, require_for
from geosvc.requests.repo.events import request_history
from geosvc.requests.repo.requests import RequestFilter, get_request, list_requests
from geosvc.requests.transitions import Action
from geosvc.requests.working_days import calendar_for

router = APIRouter(prefix="/api/requests", tags=["requests (staff)"])


def _csv(value: str | None) -> tuple[str, ...] | None:
    items = tuple(v.strip() for v in (value or "").split(",") if v.strip())
    return items or None


@router.get("", response_model=RequestPage, summary="List requests with filters")
def list_(
    conn: ConnectionDep,
    _: AgentDep,
    service: Annotated[str | None, Query(description="Service codes, comma-separated.")] = None,
    status: Annotated[
        str | None, Query(description="Statuses, comma-separated; `open` means any not closed.")
    ] = None,
    ward: str | None = None,
    municipality: str | None = None,
    assigned_to: str | None = None,
    overdue: Annotated[bool, Query(description="Only open requests past due.")] = False,
    requested_from: datetime | None = None,
    requested_to: datetime | None = None,
    updated_after: datetime | None = None,
    bbox: Annotated[str | None, Query(description="west,south,east,north in degrees.")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> RequestPage:
    """Requests newest first, one page at a time, with the total that match."""
    where = RequestFilter(
        service_codes=_csv(service),
        statuses=_csv(status),
        ward_code=ward,
        municipality_code=municipality,
        assigned_to=assigned_to,
        overdue_at=datetime.now().astimezone() if overdue else None,
        requested_from=requested_from,
        requested_to=requested_to,
        updated_after=updated_after,
        bbox=parse_bbox(bbox),
        page=page,
        page_size=page_size,
    )
    records, total = list_requests(conn, where)
    items = [RequestOut.model_validate(r) for r in records]
    return RequestPage(total=total, page=page, page_size=page_size, items=items)


@router.post("", response_model=RequestOut, status_code=201, summary="Lodge a request")
def lodge(
    body: NewRequestIn, conn: ConnectionDep, settings: SettingsDep, agent: AgentDep
) -> RequestOut:
    """Lodge a request for a caller; the answer carries its reference and service notice."""
    contact = Contact(
        first_name=body.first_name, last_name=body.last_name, email=body.email, phone=body.phone
    )
    new = NewRequest(
        service_code=body.service_code,
        lon=body.lon,
        lat=body.lat,
        address=body.address,
        description=body.description,
        kind=body.kind,
        channel=body.channel,
        contact=contact,
        answers=dict(body.answers),
        actor=agent.name,
    )
    return RequestOut.model_validate(create_request(conn, new, policy_for(settings)))


@router.post("/escalate", response_model=list[EscalationOut], summary="Run the escalation job now")
def escalate(conn: ConnectionDep, settings: SettingsDep, _: StaffDep) -> list[EscalationOut]:
    """Escalate every breach of a service standard not escalated before (the server also
    runs this on a schedule)."""
    done = escalate_due(conn, calendar_for(settings))
    return [EscalationOut(reference=e.reference, breach=e.breach.value) for e in done]


@router.get("/{reference}", response_model=RequestDetailOut, summary="A request and its history")
def detail(reference: str, conn: ConnectionDep, _: AgentDep) -> RequestDetailOut:
    """A request with every event of its history, internal ones included."""
    record = get_request(conn, reference)
    history = request_history(conn, record.id)
    out = RequestOut.model_validate(record).model_dump()
    return RequestDetailOut.model_validate(out | {"history": [e.__dict__ for e in history]})


@router.post("/{reference}/{action}", response_model=RequestOut, summary="Act on a request")
def act(
    reference: str,
    action: StaffAction,
    body: ActionIn,
    conn: ConnectionDep,
    settings: SettingsDep,
    agent: AgentDep,
) -> RequestOut:
    """Apply ``action``; refused with 409 when the request's status does not allow it.

    Agents may add notes and notify customers; every other action needs the staff role.
    """
    staff_action = Action(action.value)
    require_for(agent, staff_action)
    change = Change(
        staff_action,
        agent.name,
        note=body.note,
        public=body.public,
        assignee=body.assignee,
        resolution=body.resolution,
    )
    record = change_request(conn, reference, change, calendar_for(settings))
    return RequestOut.model_validate(record)
