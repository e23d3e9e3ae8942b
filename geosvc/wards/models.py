"""Ward tables."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from geosvc.db import SRID, Base


class Ward(Base):
    """An electoral ward: the unit every point, statistic and map is reported by."""

    __tablename__ = "ward"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    ward_no: Mapped[int | None] = mapped_column(Integer)
    municipality_code: Mapped[str | None] = mapped_column(String(16), index=True)
    municipality_name: Mapped[str | None] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(Text)
    province: Mapped[str | None] = mapped_column(Text)
    households: Mapped[int | None] = mapped_column(Integer)
    population: Mapped[int | None] = mapped_column(Integer)
    area_ha: Mapped[float | None] = mapped_column(Float)
    demarcation_year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True)
    )
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WardIndicator(Base):
    """One number about one ward: a census count, a survey share, a computed statistic."""

    __tablename__ = "ward_indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_code: Mapped[str] = mapped_column(ForeignKey("ward.code", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(Text)
    service: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(Text)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
