"""The live board's event log: every change the live pages show, replayable by id."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, Index, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB

from geosvc.db import metadata

live_event = Table(
    "live_event",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("topic", Text, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    CheckConstraint("topic IN ('request', 'cluster')", name="live_event_topic_check"),
    Index("live_event_created_at_idx", "created_at"),
)
