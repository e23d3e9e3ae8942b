"""The ward tables: the wards themselves and the numbers known about each of them."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from geosvc.db import SRID, column_names, metadata

ward = Table(
    "ward",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("ward_no", Integer),
    Column("municipality_code", String(16)),
    Column("municipality_name", Text),
    Column("district", Text),
    Column("province", Text),
    Column("households", Integer),
    Column("population", Integer),
    Column("area_ha", Double),
    Column("demarcation_year", Integer),
    Column("source", Text, nullable=False),
    Column("geom", Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    CheckConstraint("code ~ '^[0-9A-Za-z][0-9A-Za-z_.-]{0,31}$'", name="ward_code_check"),
    CheckConstraint("btrim(name) <> ''", name="ward_name_check"),
    CheckConstraint("ward_no > 0", name="ward_ward_no_check"),
    CheckConstraint("households >= 0", name="ward_households_check"),
    CheckConstraint("population >= 0", name="ward_population_check"),
    CheckConstraint("area_ha >= 0", name="ward_area_ha_check"),
    CheckConstraint("demarcation_year BETWEEN 1990 AND 2100", name="ward_demarcation_year_check"),
    CheckConstraint("NOT ST_IsEmpty(geom) AND ST_IsValid(geom)", name="ward_geom_valid"),
    Index("ward_geom_idx", "geom", postgresql_using="gist"),
    Index("ward_municipality_idx", "municipality_code"),
)

ward_indicator = Table(
    "ward_indicator",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("ward_code", String(32), ForeignKey("ward.code", ondelete="CASCADE"), nullable=False),
    Column("source", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("service", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("value", Double, nullable=False),
    Column("unit", Text, nullable=False),
    Column("note", Text),
    CheckConstraint("value >= 0", name="ward_indicator_value_check"),
    UniqueConstraint("ward_code", "source", "period", "service", "category"),
    Index("ward_indicator_lookup_idx", "source", "service", "period"),
)

INDICATOR_COLUMNS = column_names(ward_indicator, exclude=["id"])
"""What every loader of ``ward_indicator`` writes: all but the serial id, in the table's order."""
