"""The war room's views as pydantic models: the documented shape of the board's lists and of
the payloads the event stream sends (``request`` events are RequestEvent, ``cluster``
events are Cluster)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class RequestView(BaseModel):
    """A request as the board shows it: no reporter, description, address or notes."""

    reference: str = Field(examples=["GSV-2611-000123"])
    kind: str = Field(examples=["request"], description="request, complaint or compliment.")
    service_code: str = Field(examples=["water_outage"])
    service_name: str = Field(examples=["No water supply"])
    service_group: str = Field(examples=["water"])
    urgent: bool = Field(description="The service type is urgent (escalated on receipt).")
    status: str = Field(examples=["received"])
    priority: int | None = None
    ward_code: str | None = Field(None, examples=["79800060"])
    ward_name: str | None = Field(
        None, examples=["City of Johannesburg Metropolitan Municipality Ward 60"]
    )
    municipality_code: str | None = Field(None, examples=["JHB"])
    lon: float | None = Field(None, examples=[28.0473])
    lat: float | None = Field(None, examples=[-26.2041])
    requested_at: datetime
    due_at: datetime | None = Field(None, description="When the request should be completed.")
    escalations: list[str] = Field(description="The breaches escalated in this cycle.")
    breaches: list[str] = Field(
        description="The standards it breaches now (acknowledge, notify, complete).",
        examples=[["acknowledge"]],
    )
    duplicate_of: str | None = Field(None, description="The reference it was linked to.")


class RequestEvent(RequestView):
    """Something that happened to a request (the payload of a ``request`` event)."""

    event_id: int = Field(description="The request_event row (one request has many).")
    event: str = Field(
        examples=["received"],
        description="received, acknowledged, assigned, status, note, customer_notified, "
        "escalated, on_hold, resumed, closed, reopened, rated or duplicate_linked.",
    )
    at: datetime
    breach: str | None = Field(None, description="For an escalation: the breach it answers.")


class OverdueRequest(RequestView):
    """A request breaching its service standard."""

    overdue_since: datetime | None = Field(description="When the first breached standard ran out.")


class Cluster(BaseModel):
    """A live cluster of open incidents of one service type (the payload of a ``cluster``
    event; a closed cluster has left the board)."""

    key: int = Field(description="The cluster's identity, kept as it grows and shrinks.")
    service_code: str = Field(examples=["water_outage"])
    service_name: str = Field(examples=["No water supply"])
    service_group: str = Field(examples=["water"])
    state: str = Field(examples=["growing"], description="new, growing, stable, fading, closed.")
    count: int = Field(description="Open incidents in the cluster.", examples=[14])
    previous_count: int | None = None
    growth: int = Field(description="count - previous_count (count when new).", examples=[3])
    last_2h: int = Field(description="Members received in the two hours before it was read.")
    wards: list[str] = Field(examples=[["79800060"]])
    ward_names: list[str]
    lon: float | None = Field(None, description="Centroid.")
    lat: float | None = None
    hull: dict[str, Any] | None = Field(None, description="Convex hull as a GeoJSON geometry.")
    radius_m: float | None = None
    first_at: datetime | None = Field(None, description="The first member's time.")
    last_at: datetime | None = None
    detected_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None


class Counts(BaseModel):
    """The board's counters."""

    open: int = Field(description="Requests not closed.")
    received_24h: int = Field(description="Requests received in the last 24 hours.")
    overdue: int = Field(description="Open requests breaching a service standard.")
    escalated_24h: int = Field(description="Escalations in the last 24 hours.")
    clusters: int = Field(description="Live clusters not closed.")


class BoardSummary(BaseModel):
    """Everything the war-room board loads when it opens."""

    last_event_id: int = Field(
        description="Open GET /api/stream?last_event_id=<this> to receive every event "
        "after these lists; a few may repeat what the lists hold."
    )
    generated_at: datetime
    counts: Counts
    clusters: list[Cluster] = Field(description="Live clusters, largest first.")
    requests: list[RequestView] = Field(description="The newest requests, newest first.")
    overdue: list[OverdueRequest] = Field(description="Longest overdue first.")
    escalations: list[RequestEvent] = Field(description="The newest escalations first.")
