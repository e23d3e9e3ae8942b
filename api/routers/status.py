"""Citizens' endpoints: follow a request by its reference number and rate its outcome.

Both answer in the language ``lang`` asks for (en, af, zu, st, tn; English by default):
the service name, status, resolution and history labels are translated, codes are not.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ConnectionDep, SettingsDep
from api.schemas.requests import FeedbackIn, PublicEventOut, PublicStatusOut
from geosvc.i18n import LANGUAGES, check_lang, label, service_name, translate
from geosvc.requests.intake import CITIZEN_ACTOR
from geosvc.requests.lifecycle import Change, change_request
from geosvc.requests.permissions import may_rate
from geosvc.requests.repo.events import EventRecord, request_history
from geosvc.requests.repo.requests import RequestRecord, get_request
from geosvc.requests.transitions import Action, open311_status
from geosvc.requests.working_days import calendar_for

router = APIRouter(prefix="/api/status", tags=["status (citizens)"])
LangQuery = Annotated[
    str | None,
    Query(
        description="The language of the labels: " + ", ".join(LANGUAGES) + " (default en).",
        examples=["zu"],
    ),
]


def _event(lang: str, event: EventRecord) -> PublicEventOut:
    note = event.note
    if event.kind == "duplicate_linked" and event.data.get("parent"):
        note = translate(lang, "notice.duplicate_linked", parent=event.data["parent"])
    return PublicEventOut(
        kind=event.kind,
        label=label(lang, "event", event.kind),
        at=event.at,
        status_to=event.status_to,
        status_label=label(lang, "status", event.status_to) if event.status_to else None,
        note=note,
    )


def _public(conn: ConnectionDep, record: RequestRecord, lang: str) -> PublicStatusOut:
    history = request_history(conn, record.id, public_only=True)
    return PublicStatusOut(
        reference=record.reference,
        lang=lang,
        service_code=record.service_code,
        service_name=service_name(lang, record.service_code, record.service_name),
        status=record.status,
        status_label=label(lang, "status", record.status),
        open311_status=open311_status(record.status),
        status_notes=record.status_notes,
        resolution=record.resolution,
        resolution_label=label(lang, "resolution", record.resolution)
        if record.resolution
        else None,
        ward_name=record.ward_name,
        requested_at=record.requested_at,
        expected_at=record.due_at,
        closed_at=record.closed_at,
        duplicate_of=record.parent_reference,
        can_rate=may_rate(record.status, record.rated_at),
        satisfaction=record.satisfaction,
        history=[_event(lang, e) for e in history],
    )


@router.get("/{reference}", response_model=PublicStatusOut, summary="Follow a request")
def status(reference: str, conn: ConnectionDep, lang: LangQuery = None) -> PublicStatusOut:
    """A request's status, expected date and public history; no personal information.

    An unknown ``lang`` is refused (422) with the supported codes.
    """
    code = check_lang(lang)
    return _public(conn, get_request(conn, reference.strip().upper()), code)


@router.post(
    "/{reference}/feedback", response_model=PublicStatusOut, summary="Rate a closed request"
)
def feedback(
    reference: str,
    body: FeedbackIn,
    conn: ConnectionDep,
    settings: SettingsDep,
    lang: LangQuery = None,
) -> PublicStatusOut:
    """Rate the outcome (1-5) and say whether it was resolved; once per closure."""
    code = check_lang(lang)
    change = Change(
        Action.RATE,
        CITIZEN_ACTOR,
        note=body.comment,
        rating=body.rating,
        resolved=body.resolved,
        recommend=body.recommend,
    )
    record = change_request(conn, reference.strip().upper(), change, calendar_for(settings))
    return _public(conn, record, code)
