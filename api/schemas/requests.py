"""Request and response bodies of the staff and citizen request endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from geosvc.requests.transitions import Resolution


class EventOut(BaseModel):
    """One entry of a request's history, as staff see it."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    actor: str
    at: datetime
    status_from: str | None
    status_to: str | None
    note: str
    public: bool
    data: dict[str, Any]


class PublicEventOut(BaseModel):
    """One public entry of a request's history, as its citizen sees it (no staff names)."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    label: str = Field("", description="What happened, in the language asked for.")
    at: datetime
    status_to: str | None
    status_label: str | None = Field(
        None, description="The status it led to, in the language asked for."
    )
    note: str


class RequestOut(BaseModel):
    """A request as staff see it, contact details included."""

    model_config = ConfigDict(from_attributes=True)

    reference: str
    kind: str
    service_code: str
    service_name: str
    urgent: bool
    description: str
    status: str
    status_notes: str
    resolution: str | None
    channel: str
    contact: dict[str, Any]
    anonymous: bool
    actionable: bool
    attributes: dict[str, Any]
    lon: float | None
    lat: float | None
    ward_code: str | None
    ward_name: str | None
    municipality_code: str | None
    address: str | None
    priority: int
    parent_reference: str | None
    assigned_to: str | None
    service_notice: str | None
    requested_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    acknowledge_due_at: datetime | None
    notify_due_at: datetime | None
    due_at: datetime | None
    notified_at: datetime | None
    on_hold_since: datetime | None
    escalations: list[str]
    closed_at: datetime | None
    satisfaction: int | None
    resolved_by_citizen: bool | None
    feedback: str | None
    source: str
    source_id: str | None


class RequestDetailOut(RequestOut):
    """A request with its whole history."""

    history: list[EventOut]


class RequestPage(BaseModel):
    """One page of a filtered list of requests."""

    total: int = Field(description="How many requests match the filters, on every page.")
    page: int
    page_size: int
    items: list[RequestOut]


class PublicStatusOut(BaseModel):
    """What anyone holding a reference number may see: no personal information.

    Labels (service name, status, resolution, history) are in ``lang``; the codes beside
    them stay as they are, for programs.
    """

    reference: str
    lang: str = Field("en", description="The language of the labels: en, af, zu, st or tn.")
    service_code: str
    service_name: str
    status: str
    status_label: str
    open311_status: Literal["open", "closed"]
    status_notes: str
    resolution: str | None
    resolution_label: str | None
    ward_name: str | None
    requested_at: datetime
    expected_at: datetime | None
    closed_at: datetime | None
    duplicate_of: str | None
    can_rate: bool
    satisfaction: int | None
    history: list[PublicEventOut]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reference": "GSV-2026-0020005",
                    "lang": "zu",
                    "service_code": "pothole",
                    "service_name": "Umgodi emgwaqweni",
                    "status": "acknowledged",
                    "status_label": "Siqinisekisiwe",
                    "open311_status": "open",
                    "status_notes": "",
                    "resolution": None,
                    "resolution_label": None,
                    "ward_name": "City of Johannesburg Metropolitan Municipality Ward 60",
                    "requested_at": "2026-11-24T09:12:00+02:00",
                    "expected_at": "2026-12-15T16:30:00+02:00",
                    "closed_at": None,
                    "duplicate_of": None,
                    "can_rate": False,
                    "satisfaction": None,
                    "history": [
                        {
                            "kind": "received",
                            "label": "Isicelo samukelwe",
                            "at": "2026-11-24T09:12:00+02:00",
                            "status_to": "received",
                            "status_label": "Samukelwe",
                            "note": "",
                        }
                    ],
                }
            ]
        }
    )


class NewRequestIn(BaseModel):
    """A request lodged by an agent or officer on a caller's behalf."""

    service_code: str
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    description: str = Field("", max_length=4000)
    kind: Literal["request", "complaint", "compliment"] = "request"
    channel: Literal[
        "web", "app", "phone", "e-mail", "letter", "in_person", "sms", "field_worker"
    ] = "phone"
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    answers: dict[str, str | list[str]] = {}

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "service_code": "water_outage",
                    "lat": -26.2041,
                    "lon": 28.0473,
                    "description": "No water in the street since this morning",
                    "channel": "phone",
                    "first_name": "Thandi",
                    "phone": "+27 82 555 0101",
                }
            ]
        }
    )


class ActionIn(BaseModel):
    """A staff action on a request; which fields are needed depends on the action."""

    note: str = Field("", max_length=4000)
    public: bool | None = Field(
        None, description="Whether the citizen sees the note (default depends on the action)."
    )
    assignee: str | None = Field(None, description="assign: the officer or team.")
    resolution: Resolution | None = Field(None, description="close: how the request ended.")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"note": "Team dispatched", "assignee": "Water: Region F"}]}
    )


class FeedbackIn(BaseModel):
    """A citizen's rating of a closed request."""

    rating: int = Field(ge=1, le=5, description="1 (very dissatisfied) to 5 (very satisfied).")
    resolved: bool | None = Field(None, description="Whether the problem was resolved.")
    recommend: int | None = Field(
        None,
        ge=0,
        le=10,
        description="How likely, 0 to 10, to recommend the municipality's service to others "
        "(the net promoter score question).",
    )
    comment: str = Field("", max_length=4000)


class EscalationOut(BaseModel):
    """One escalation the job made."""

    reference: str
    breach: str
