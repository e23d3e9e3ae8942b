"""Survey tables: uploaded batches and the household responses they carry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geosvc.db import SRID, Base


class SurveyBatch(Base):
    """One uploaded file; its hash makes re-uploads idempotent."""

    __tablename__ = "survey_batch"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    file_hash: Mapped[str] = mapped_column(Text, unique=True)
    filename: Mapped[str] = mapped_column(Text)
    source_format: Mapped[str] = mapped_column(Text)
    schema_name: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    status: Mapped[str] = mapped_column(Text, default="processing")
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_processed: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_replaced: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_warned: Mapped[int] = mapped_column(Integer, default=0)
    file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    all_or_nothing: Mapped[bool] = mapped_column(Boolean, default=False)
    wards: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)


class SurveyResponse(Base):
    """One household visit: where, when, and its access to each basic service."""

    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    submission_id: Mapped[str] = mapped_column(Text, unique=True)
    root_id: Mapped[str] = mapped_column(Text, unique=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("survey_batch.id"), index=True)
    geom: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True))
    ward_code: Mapped[str | None] = mapped_column(ForeignKey("ward.code"), index=True)
    collected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    precision_m: Mapped[float | None] = mapped_column(Float)
    water_access: Mapped[int | None] = mapped_column(SmallInteger)
    sanitation_access: Mapped[int | None] = mapped_column(SmallInteger)
    electricity_access: Mapped[int | None] = mapped_column(SmallInteger)
    refuse_access: Mapped[int | None] = mapped_column(SmallInteger)
    needs: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
