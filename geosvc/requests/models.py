"""Service-request tables: the catalogue, the requests and their append-only history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, SmallInteger, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geosvc.db import SRID, Base


class ServiceType(Base):
    """A kind of service a citizen can ask for, with its standards in working days."""

    __tablename__ = "service_type"

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    group: Mapped[str] = mapped_column("group_name", Text)
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(Text, default="")
    attributes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    acknowledge_days: Mapped[int] = mapped_column(Integer, default=5)
    notify_days: Mapped[int] = mapped_column(Integer, default=15)
    complete_days: Mapped[int] = mapped_column(Integer, default=21)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ServiceRequest(Base):
    """A request, complaint or compliment, from lodging to closure."""

    __tablename__ = "service_request"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    reference: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(Text, default="request")
    service_code: Mapped[str] = mapped_column(ForeignKey("service_type.code"))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(Text, default="received")
    status_notes: Mapped[str] = mapped_column(Text, default="")
    resolution: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(Text, default="web")
    contact: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    geom: Mapped[WKBElement | None] = mapped_column(
        Geometry("POINT", srid=SRID, spatial_index=True)
    )
    ward_code: Mapped[str | None] = mapped_column(ForeignKey("ward.code"), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(SmallInteger, default=3)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"))
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RequestEvent(Base):
    """Something that happened to a request; rows are never updated or deleted."""

    __tablename__ = "request_event"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    kind: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    status_from: Mapped[str | None] = mapped_column(Text)
    status_to: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
