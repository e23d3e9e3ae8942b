"""Citizens' endpoints: follow a request by its reference number and rate its outcome."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ConnectionDep, SettingsDep
from api.schemas.requests import FeedbackIn, PublicEventOut, PublicStatusOut
from geosvc.requests.lifecycle import Change, change_request
from geosvc.requests.repo import RequestRecord, get_request, request_history
from geosvc.requests.transitions import Action, open311_status
from geosvc.requests.working_days import calendar_for

router = APIRouter(prefix="/api/status", tags=["status (citizens)"])
CITIZEN = "citizen"


def _public(conn: ConnectionDep, record: RequestRecord) -> PublicStatusOut:
    history = request_history(conn, record.id, public_only=True)
    return PublicStatusOut(
        reference=record.reference,
        service_name=record.service_name,
        status=record.status,
        open311_status="closed" if open311_status(record.status) == "closed" else "open",
        status_notes=record.status_notes,
        resolution=record.resolution,
        ward_name=record.ward_name,
        requested_at=record.requested_at,
        expected_at=record.due_at,
        closed_at=record.closed_at,
        duplicate_of=record.parent_reference,
        can_rate=record.status == "closed" and record.rated_at is None,
        satisfaction=record.satisfaction,
        history=[PublicEventOut.model_validate(e) for e in history],
    )


@router.get("/{reference}", response_model=PublicStatusOut, summary="Follow a request")
def status(reference: str, conn: ConnectionDep) -> PublicStatusOut:
    """A request's status, expected date and public history; no personal information."""
    return _public(conn, get_request(conn, reference.strip().upper()))


@router.post(
    "/{reference}/feedback", response_model=PublicStatusOut, summary="Rate a closed request"
)
def feedback(
    reference: str, body: FeedbackIn, conn: ConnectionDep, settings: SettingsDep
) -> PublicStatusOut:
    """Rate the outcome (1-5) and say whether it was resolved; once per closure."""
    change = Change(
        Action.RATE,
        CITIZEN,
        note=body.comment,
        rating=body.rating,
        resolved=body.resolved,
        recommend=body.recommend,
    )
    record = change_request(conn, reference.strip().upper(), change, calendar_for(settings))
    return _public(conn, record)
