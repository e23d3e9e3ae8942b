"""Lodging a request: checks, ward, duplicates, reference number, due dates, first event.

``create_request`` is the one way a new request enters the system, whatever the channel
(Open311, the staff API, the CLI); bulk imports of history go through ``importer``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from geosvc.config import Settings
from geosvc.db import SRID
from geosvc.errors import InvalidInputError, NotFoundError
from geosvc.geo import CoordinateProblem, coordinate_problems
from geosvc.i18n import DEFAULT_LANG, check_lang, long_date, translate
from geosvc.requests.attributes import Answer, validate_answers
from geosvc.requests.catalogue import ServiceTypeSpec, get_service
from geosvc.requests.lifecycle import Change, change_request, log_event
from geosvc.requests.reference import reference_number
from geosvc.requests.repo.requests import (
    DuplicateSearch,
    RequestRecord,
    duplicate_root,
    get_request,
    insert_request,
    next_request_id,
)
from geosvc.requests.standards import Breach, DueDates, Targets, due_dates
from geosvc.requests.transitions import Action
from geosvc.requests.working_days import WorkingCalendar, calendar_for
from geosvc.wards.assign import locate
from geosvc.wards.repo import jurisdiction_extent

KINDS = ("request", "complaint", "compliment")
CHANNELS = ("web", "app", "phone", "e-mail", "letter", "in_person", "sms", "field_worker")
ESCALATION_ACTOR = "geosvc:escalation"
#: Who the history names for what a citizen does without signing in.
CITIZEN_ACTOR = "citizen"


class LocationError(InvalidInputError):
    """A location that cannot be a place the municipality serves; ``problem`` says why."""

    code = "invalid-location"
    title = "Location refused"

    def __init__(self, problem: CoordinateProblem | str) -> None:
        super().__init__(str(problem).capitalize() + ".")
        self.problem = problem


@dataclass(frozen=True)
class Contact:
    """Who lodged the request: personal information, never shown publicly."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    device_id: str = ""
    account_id: str = ""

    @property
    def reachable(self) -> bool:
        """Whether the municipality can get back to this person (an e-mail or a phone)."""
        return bool(self.email.strip() or self.phone.strip())

    def as_json(self) -> dict[str, str]:
        """The non-empty fields."""
        return {k: v.strip() for k, v in self.__dict__.items() if v and v.strip()}


@dataclass(frozen=True)
class NewRequest:
    """What a citizen, agent or field worker gives when lodging a request."""

    service_code: str
    lon: float | None = None
    lat: float | None = None
    address: str | None = None
    description: str = ""
    kind: str = "request"
    channel: str = "web"
    contact: Contact = field(default_factory=Contact)
    answers: dict[str, Answer] = field(default_factory=dict)
    media_url: str | None = None
    actor: str = CITIZEN_ACTOR
    lang: str = DEFAULT_LANG


@dataclass(frozen=True)
class IntakePolicy:
    """The jurisdiction's rules for new requests."""

    calendar: WorkingCalendar
    reference_prefix: str = "GSV"
    anonymous_actionable: bool = False


def policy_for(settings: Settings) -> IntakePolicy:
    """The intake policy the settings describe."""
    return IntakePolicy(
        calendar=calendar_for(settings),
        reference_prefix=settings.reference_prefix,
        anonymous_actionable=settings.anonymous_actionable,
    )


def create_request(
    conn: Connection, new: NewRequest, policy: IntakePolicy, now: datetime | None = None
) -> RequestRecord:
    """Check and store a new request in the caller's transaction; returns it as stored.

    Refuses (InvalidInputError, naming the field) an unknown or inactive service type, an
    answer the service definition does not accept, a missing location, a location outside
    every ward or otherwise implausible (LocationError), an unknown kind, channel or
    language, and a description over 4,000 characters. The service notice is written in
    ``new.lang`` (English by default).
    """
    now = now or datetime.now(UTC)
    service = _service(conn, new.service_code)
    answers = validate_answers(service.code, service.attributes, new.answers)
    _check_text(new)
    lang = check_lang(new.lang)
    ward_code = _ward(conn, new)
    actionable = new.contact.reachable or policy.anonymous_actionable
    parent = _duplicate_parent(conn, new, service, now)
    request_id = next_request_id(conn)
    reference = reference_number(policy.reference_prefix, now, request_id)
    due = due_dates(policy.calendar, now, _targets(service)) if actionable else None
    complete = due.complete if due else None
    notice = service_notice(reference, parent, actionable, complete, policy, lang)
    _insert(
        conn, new, request_id, reference, ward_code, answers, actionable, parent, due, notice, now
    )
    log_event(
        conn,
        request_id,
        "received",
        new.actor,
        at=now,
        status_to="received",
        data={"channel": new.channel},
    )
    if parent is not None:
        log_event(
            conn,
            request_id,
            "duplicate_linked",
            new.actor,
            at=now,
            note=f"Linked to {parent[1]}, reported earlier at the same place.",
            data={"parent": parent[1]},
        )
    if service.urgent and actionable:
        urgent = Change(
            Action.ESCALATE,
            ESCALATION_ACTOR,
            note="Urgent service type: escalated on receipt.",
            breach=Breach.URGENT,
        )
        return change_request(conn, request_id, urgent, policy.calendar, now)
    return get_request(conn, request_id)


def service_notice(
    reference: str,
    parent: tuple[int, str] | None,
    actionable: bool,
    due: datetime | None,
    policy: IntakePolicy,
    lang: str = DEFAULT_LANG,
) -> str:
    """The message a citizen gets on lodging: reference, expected date, duplicate, anonymity.

    Written in ``lang`` (a code of ``geosvc.i18n.LANGUAGES``; English by default) from the
    ``notice.*`` strings of the translation files.
    """
    parts = [translate(lang, "notice.reference", reference=reference)]
    if parent is not None:
        parts.append(translate(lang, "notice.duplicate", parent=parent[1]))
    if not actionable:
        parts.append(translate(lang, "notice.not_actionable"))
    elif due is not None:
        local = due.astimezone(policy.calendar.zone)
        parts.append(translate(lang, "notice.due", date=long_date(lang, local.date())))
    return " ".join(parts)


def _service(conn: Connection, code: str) -> ServiceTypeSpec:
    try:
        return get_service(conn, code)
    except NotFoundError:
        raise InvalidInputError(
            f"service_code {code!r} is not a service this municipality offers."
        ) from None


def _targets(service: ServiceTypeSpec) -> Targets:
    return Targets(service.acknowledge_days, service.notify_days, service.complete_days)


def _check_text(new: NewRequest) -> None:
    if new.kind not in KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(KINDS)}, not {new.kind!r}.")
    if new.channel not in CHANNELS:
        raise InvalidInputError(
            f"channel must be one of {', '.join(CHANNELS)}, not {new.channel!r}."
        )
    if len(new.description) > 4000:
        raise InvalidInputError("description is longer than 4,000 characters; use fewer.")


def _ward(conn: Connection, new: NewRequest) -> str | None:
    """The ward of the request's point; refuses a point that cannot be in the jurisdiction."""
    if new.lon is None and new.lat is None:
        if not (new.address or "").strip():
            raise LocationError("give a location: lat and long, or an address")
        return None
    if new.lon is None or new.lat is None:
        raise LocationError("give both lat and long, or neither")
    problem = coordinate_problems([new.lon], [new.lat], jurisdiction_extent(conn))[0]
    if problem is not None:
        raise LocationError(problem)
    ward = locate(conn, new.lon, new.lat)
    if ward is None:
        raise LocationError("the location is inside no ward of this municipality")
    return ward.code


def _duplicate_parent(
    conn: Connection, new: NewRequest, service: ServiceTypeSpec, now: datetime
) -> tuple[int, str] | None:
    """The open request this one repeats: same type, within the radius and the window.

    The earliest request of the group is the parent, so every duplicate links to the same
    one.
    """
    if new.lon is None or new.lat is None or service.duplicate_radius_m <= 0:
        return None
    radius = service.duplicate_radius_m
    # A box a little larger than the circle, in degrees, for the index.
    dlat = radius / 110_574 * 1.01
    dlon = radius / (111_320 * max(math.cos(math.radians(new.lat)), 0.01)) * 1.01
    search = DuplicateSearch(
        service_code=service.code,
        now=now,
        window_hours=service.duplicate_window_hours,
        lon=new.lon,
        lat=new.lat,
        dlon=dlon,
        dlat=dlat,
        radius_m=service.duplicate_radius_m,
    )
    root = duplicate_root(conn, search)
    if root is None:
        return None
    parent = get_request(conn, root)
    return parent.id, parent.reference


def _insert(
    conn: Connection,
    new: NewRequest,
    request_id: int,
    reference: str,
    ward_code: str | None,
    answers: dict[str, Any],
    actionable: bool,
    parent: tuple[int, str] | None,
    due: DueDates | None,
    notice: str,
    now: datetime,
) -> None:
    point = (
        f"SRID={SRID};POINT({new.lon!r} {new.lat!r})"
        if new.lon is not None and new.lat is not None
        else None
    )
    insert_request(
        conn,
        {
            "id": request_id,
            "reference": reference,
            "kind": new.kind,
            "service_code": new.service_code,
            "description": new.description,
            "channel": new.channel,
            "contact": json.dumps(new.contact.as_json()),
            "anonymous": not new.contact.reachable,
            "actionable": actionable,
            "attributes": json.dumps(answers),
            "geom": point,
            "ward_code": ward_code,
            "address": (new.address or "").strip() or None,
            "parent_id": parent[0] if parent else None,
            "notice": notice,
            "media_url": new.media_url,
            "now": now,
            "ack_due": due.acknowledge if due else None,
            "notify_due": due.notify if due else None,
            "due": due.complete if due else None,
        },
    )
