"""The survey tables: uploaded batches, their report lines and the household responses."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from geosvc.db import SRID, metadata

_COUNTS = (
    "rows_total",
    "rows_processed",
    "rows_loaded",
    "rows_replaced",
    "rows_rejected",
    "rows_unchanged",
    "rows_warned",
)
_ACCESS = ("water_access", "sanitation_access", "electricity_access", "refuse_access")


def _count(name: str) -> Column[int]:
    """A row count of a batch, zero until the load counts."""
    return Column(name, Integer, nullable=False, server_default=text("0"))


def _not_negative(table: str, column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} >= 0", name=f"{table}_{column}_check")


survey_batch = Table(
    "survey_batch",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("file_hash", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("source_format", Text, nullable=False),
    Column("schema_name", Text, nullable=False),
    Column("uploaded_by", Text, nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("status", Text, nullable=False, server_default=text("'processing'")),
    _count("rows_total"),
    _count("rows_processed"),
    _count("rows_loaded"),
    _count("rows_replaced"),
    _count("rows_rejected"),
    Column("file_size", BigInteger, nullable=False, server_default=text("0")),
    Column("all_or_nothing", Boolean, nullable=False, server_default=text("false")),
    _count("rows_unchanged"),
    _count("rows_warned"),
    Column("wards", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("finished_at", DateTime(timezone=True)),
    Column("error", Text),
    CheckConstraint("file_hash ~ '^[0-9a-f]{64}$'", name="survey_batch_file_hash_check"),
    CheckConstraint("btrim(uploaded_by) <> ''", name="survey_batch_uploaded_by_check"),
    CheckConstraint(
        "status IN ('processing', 'loaded', 'rejected', 'failed')",
        name="survey_batch_status_check",
    ),
    *(_not_negative("survey_batch", name) for name in (*_COUNTS, "file_size")),
    # An interrupted load (its batch marked 'failed') may be uploaded again.
    Index(
        "survey_batch_file_hash_key",
        "file_hash",
        unique=True,
        postgresql_where=text("status <> 'failed'"),
    ),
)

survey_batch_issue = Table(
    "survey_batch_issue",
    metadata,
    Column(
        "batch_id", BigInteger, ForeignKey("survey_batch.id", ondelete="CASCADE"), nullable=False
    ),
    Column("row_no", Integer, nullable=False),
    Column("submission_id", Text),
    Column("outcome", Text, nullable=False),
    Column("field", Text, nullable=False),
    Column("value", Text),
    Column("reason", Text, nullable=False),
    CheckConstraint("row_no >= 1", name="survey_batch_issue_row_no_check"),
    CheckConstraint(
        "outcome IN ('rejected', 'warning', 'replaced', 'unchanged')",
        name="survey_batch_issue_outcome_check",
    ),
    Index("survey_batch_issue_batch_idx", "batch_id", "row_no"),
)

survey_response = Table(
    "survey_response",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("submission_id", Text, nullable=False),
    Column("batch_id", BigInteger, ForeignKey("survey_batch.id"), nullable=False),
    Column("geom", Geometry("POINT", srid=SRID, spatial_index=False), nullable=False),
    Column("ward_code", String(32), ForeignKey("ward.code")),
    Column("collected_at", DateTime(timezone=True)),
    Column("precision_m", Double),
    *(Column(name, SmallInteger) for name in _ACCESS),
    Column("needs", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("answers", JSONB, nullable=False, server_default=text("'{}'")),
    # The id that stays the same when a submission is edited (Kobo's rootUuid).
    Column("root_id", Text, nullable=False),
    CheckConstraint("btrim(submission_id) <> ''", name="survey_response_submission_id_check"),
    CheckConstraint(
        "NOT ST_IsEmpty(geom) AND ST_X(geom) BETWEEN -180 AND 180"
        " AND ST_Y(geom) BETWEEN -90 AND 90",
        name="survey_response_geom_check",
    ),
    *(_not_negative("survey_response", name) for name in ("precision_m", *_ACCESS)),
    CheckConstraint("btrim(root_id) <> ''", name="survey_response_root_id_check"),
    UniqueConstraint("submission_id"),
    UniqueConstraint("root_id"),
    Index("survey_response_geom_idx", "geom", postgresql_using="gist"),
    Index("survey_response_ward_idx", "ward_code"),
    Index("survey_response_batch_idx", "batch_id"),
)
