"""The service-request tables: the catalogue, the requests and their append-only history.

``request_event`` also has a trigger (``request_event_no_rewrite``, migration 0001) that
refuses UPDATE and DELETE; triggers are not table definitions and live in the migration only.
"""

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
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from geosvc.db import SRID, metadata

_IN_RANGE = "ST_X(geom) BETWEEN -180 AND 180 AND ST_Y(geom) BETWEEN -90 AND 90"

service_type = Table(
    "service_type",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("group_name", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=text("''")),
    Column("keywords", Text, nullable=False, server_default=text("''")),
    Column("attributes", JSONB, nullable=False, server_default=text("'[]'")),
    Column("urgent", Boolean, nullable=False, server_default=text("false")),
    Column("acknowledge_days", Integer, nullable=False, server_default=text("5")),
    Column("notify_days", Integer, nullable=False, server_default=text("15")),
    Column("complete_days", Integer, nullable=False, server_default=text("21")),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("duplicate_radius_m", Double, nullable=False, server_default=text("100")),
    Column("duplicate_window_hours", Integer, nullable=False, server_default=text("72")),
    Column("cluster_eps_m", Double),
    Column("cluster_min_count", Integer),
    CheckConstraint("code ~ '^[a-z0-9][a-z0-9_-]*$'", name="service_type_code_check"),
    CheckConstraint("btrim(name) <> ''", name="service_type_name_check"),
    CheckConstraint("jsonb_typeof(attributes) = 'array'", name="service_type_attributes_check"),
    CheckConstraint("acknowledge_days >= 0", name="service_type_acknowledge_days_check"),
    CheckConstraint("notify_days >= 0", name="service_type_notify_days_check"),
    CheckConstraint("complete_days >= 0", name="service_type_complete_days_check"),
    CheckConstraint("duplicate_radius_m >= 0", name="service_type_duplicate_radius_m_check"),
    CheckConstraint(
        "duplicate_window_hours >= 0", name="service_type_duplicate_window_hours_check"
    ),
    CheckConstraint("cluster_eps_m > 0", name="service_type_cluster_eps_m_check"),
    CheckConstraint("cluster_min_count >= 2", name="service_type_cluster_min_count_check"),
)

service_request = Table(
    "service_request",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("reference", Text, nullable=False),
    Column("kind", Text, nullable=False, server_default=text("'request'")),
    Column("service_code", Text, ForeignKey("service_type.code"), nullable=False),
    Column("description", Text, nullable=False, server_default=text("''")),
    Column("status", Text, nullable=False, server_default=text("'received'")),
    Column("status_notes", Text, nullable=False, server_default=text("''")),
    Column("resolution", Text),
    Column("channel", Text, nullable=False, server_default=text("'web'")),
    Column("contact", JSONB, nullable=False, server_default=text("'{}'")),
    Column("anonymous", Boolean, nullable=False, server_default=text("false")),
    Column("attributes", JSONB, nullable=False, server_default=text("'{}'")),
    Column("geom", Geometry("POINT", srid=SRID, spatial_index=False)),
    Column("ward_code", String(32), ForeignKey("ward.code")),
    Column("address", Text),
    Column("priority", SmallInteger, nullable=False, server_default=text("3")),
    Column("parent_id", BigInteger, ForeignKey("service_request.id")),
    Column("satisfaction", SmallInteger),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("due_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    # Open311 clients may be given a token before the request id; imported requests have none.
    Column("token", Uuid, server_default=text("gen_random_uuid()")),
    Column("actionable", Boolean, nullable=False, server_default=text("true")),
    Column("assigned_to", Text),
    Column("service_notice", Text),
    Column("media_url", Text),
    Column("acknowledge_due_at", DateTime(timezone=True)),
    Column("notify_due_at", DateTime(timezone=True)),
    Column("notified_at", DateTime(timezone=True)),
    Column("on_hold_since", DateTime(timezone=True)),
    Column("resume_status", Text),
    Column("escalations", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("escalated_at", DateTime(timezone=True)),
    Column("resolved_by_citizen", Boolean),
    Column("feedback", Text),
    Column("rated_at", DateTime(timezone=True)),
    Column("source", Text, nullable=False, server_default=text("'geosvc'")),
    Column("source_id", Text),
    Column("recommend", SmallInteger),
    CheckConstraint(
        "kind IN ('request', 'complaint', 'compliment')", name="service_request_kind_check"
    ),
    CheckConstraint("length(description) <= 4000", name="service_request_description_check"),
    CheckConstraint(
        "status IN ('received', 'acknowledged', 'assigned', 'in_progress', 'on_hold', 'closed',"
        " 'reopened')",
        name="service_request_status_check",
    ),
    CheckConstraint(
        "resolution IN ('fixed', 'duplicate', 'not_municipal_responsibility',"
        " 'no_further_action', 'cancelled')",
        name="service_request_resolution_check",
    ),
    CheckConstraint(
        "channel IN ('web', 'app', 'phone', 'e-mail', 'letter', 'in_person', 'sms',"
        " 'field_worker')",
        name="service_request_channel_check",
    ),
    CheckConstraint(
        f"geom IS NULL OR (NOT ST_IsEmpty(geom) AND {_IN_RANGE})",
        name="service_request_geom_check",
    ),
    CheckConstraint("priority BETWEEN 1 AND 5", name="service_request_priority_check"),
    CheckConstraint("satisfaction BETWEEN 1 AND 5", name="service_request_satisfaction_check"),
    CheckConstraint("geom IS NOT NULL OR address IS NOT NULL", name="service_request_check"),
    CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="service_request_check1"),
    CheckConstraint(
        "closed_at IS NULL OR closed_at >= requested_at", name="service_request_check2"
    ),
    CheckConstraint("parent_id IS NULL OR parent_id <> id", name="service_request_check3"),
    CheckConstraint("length(feedback) <= 4000", name="service_request_feedback_check"),
    CheckConstraint(
        "(status = 'on_hold') = (on_hold_since IS NOT NULL)", name="service_request_hold_check"
    ),
    CheckConstraint(
        "resume_status IS NULL OR resume_status IN"
        " ('received', 'acknowledged', 'assigned', 'in_progress', 'reopened')",
        name="service_request_resume_check",
    ),
    CheckConstraint(
        "(status = 'closed') = (resolution IS NOT NULL)",
        name="service_request_closed_resolution_check",
    ),
    CheckConstraint("recommend BETWEEN 0 AND 10", name="service_request_recommend_check"),
    UniqueConstraint("reference"),
    UniqueConstraint("source", "source_id", name="service_request_source_key"),
    Index(
        "service_request_token_key",
        "token",
        unique=True,
        postgresql_where=text("token IS NOT NULL"),
    ),
    Index("service_request_geom_idx", "geom", postgresql_using="gist"),
    Index("service_request_ward_idx", "ward_code"),
    Index("service_request_open_idx", "service_code", "status", "requested_at"),
    Index(
        "service_request_parent_idx", "parent_id", postgresql_where=text("parent_id IS NOT NULL")
    ),
    Index("service_request_updated_idx", "updated_at"),
    Index("service_request_due_idx", "due_at", postgresql_where=text("status <> 'closed'")),
)

request_event = Table(
    "request_event",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("request_id", BigInteger, ForeignKey("service_request.id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("status_from", Text),
    Column("status_to", Text),
    Column("note", Text, nullable=False, server_default=text("''")),
    Column("public", Boolean, nullable=False, server_default=text("true")),
    Column("data", JSONB, nullable=False, server_default=text("'{}'")),
    CheckConstraint(
        "kind IN ('received', 'acknowledged', 'assigned', 'status', 'note',"
        " 'customer_notified', 'escalated', 'on_hold', 'resumed', 'closed', 'reopened',"
        " 'rated', 'duplicate_linked', 'imported')",
        name="request_event_kind_check",
    ),
    CheckConstraint("btrim(actor) <> ''", name="request_event_actor_check"),
    Index("request_event_request_idx", "request_id", "at"),
)
