"""The analytics tables: runs and their per-ward results, clusters, allocations.

Every result hangs off its ``analysis_run`` and goes with it (ON DELETE CASCADE). The
``cluster_key_seq`` sequence that numbers cluster identities is made by migration 0005; it
is not a table and is not defined here.
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
    Numeric,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from geosvc.db import SRID, metadata

_STATES = "'new', 'growing', 'stable', 'fading', 'closed'"


def _run_id() -> Column[int]:
    """The run a result belongs to, deleted with it."""
    return Column(
        "run_id", BigInteger, ForeignKey("analysis_run.id", ondelete="CASCADE"), nullable=False
    )


def _ward_code() -> Column[str]:
    """The ward a result is about, deleted with it."""
    return Column("ward_code", Text, ForeignKey("ward.code", ondelete="CASCADE"), nullable=False)


def _cluster_columns() -> list[Column[object]]:
    """The columns from ``state`` to ``centroid`` that a run's and a live cluster share."""
    return [
        Column("state", Text, nullable=False),
        Column("member_count", Integer, nullable=False),
        Column("previous_count", Integer),
        Column("member_ids", ARRAY(BigInteger), nullable=False),
        Column("wards", ARRAY(Text), nullable=False, server_default=text("'{}'")),
        Column("first_at", DateTime(timezone=True)),
        Column("last_at", DateTime(timezone=True)),
        Column("radius_m", Double),
        Column("closed_into", BigInteger),
        Column("hull", Geometry("GEOMETRY", srid=SRID, spatial_index=False)),
        Column("centroid", Geometry("POINT", srid=SRID, spatial_index=False)),
    ]


def _cluster_checks(table: str) -> list[CheckConstraint]:
    """The checks a batch run's cluster and a live cluster share."""
    return [
        CheckConstraint(f"state IN ({_STATES})", name=f"{table}_state_check"),
        CheckConstraint("member_count >= 0", name=f"{table}_member_count_check"),
    ]


analysis_run = Table(
    "analysis_run",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("params", JSONB, nullable=False, server_default=text("'{}'")),
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("finished_at", DateTime(timezone=True)),
    Column("summary", JSONB, nullable=False, server_default=text("'{}'")),
    CheckConstraint("kind IN ('analyse', 'live_clusters')", name="analysis_run_kind_check"),
)

cluster = Table(
    "cluster",
    metadata,
    Column("id", BigInteger, primary_key=True),
    _run_id(),
    Column("key", BigInteger, nullable=False),
    Column("service_code", Text, nullable=False),
    Column("window_start", DateTime(timezone=True)),
    Column("window_end", DateTime(timezone=True)),
    *_cluster_columns(),
    *_cluster_checks("cluster"),
    Index("cluster_run_service", "run_id", "service_code"),
    Index("cluster_hull", "hull", postgresql_using="gist"),
)

live_cluster = Table(
    "live_cluster",
    metadata,
    # A cluster identity from cluster_key_seq, kept across runs: not a serial of its own.
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("service_code", Text, nullable=False),
    *_cluster_columns(),
    Column("detected_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("closed_at", DateTime(timezone=True)),
    *_cluster_checks("live_cluster"),
    Index("live_cluster_service", "service_code", postgresql_where=text("state <> 'closed'")),
    Index("live_cluster_hull", "hull", postgresql_using="gist"),
)

ward_hotspot = Table(
    "ward_hotspot",
    metadata,
    _run_id(),
    _ward_code(),
    Column("service", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("statistic", Text, nullable=False),
    Column("incidents", Integer, nullable=False),
    Column("households", Double),
    Column("value", Double),
    Column("z", Double),
    Column("p_norm", Double),
    Column("p_sim", Double),
    Column("q", Double),
    Column("class", Text, nullable=False),
    Column("confidence", Double),
    Column("island", Boolean, nullable=False, server_default=text("false")),
    Column("excluded", Text),
    CheckConstraint("statistic IN ('gi_star', 'local_moran')", name="ward_hotspot_statistic_check"),
    PrimaryKeyConstraint("run_id", "service", "period", "statistic", "ward_code"),
)

ward_trend = Table(
    "ward_trend",
    metadata,
    _run_id(),
    _ward_code(),
    Column("service", Text, nullable=False),
    Column("pattern", Text, nullable=False),
    Column("tau", Double),
    Column("p", Double),
    Column("trend", Text),
    Column("periods", Integer, nullable=False),
    Column("periods_hot", Integer, nullable=False),
    Column("hot_now", Boolean, nullable=False),
    Column("z_last", Double),
    PrimaryKeyConstraint("run_id", "service", "ward_code"),
)

ward_need = Table(
    "ward_need",
    metadata,
    _run_id(),
    _ward_code(),
    Column("service", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("score", Double),
    Column("rank", Integer),
    Column("coverage", Double, nullable=False),
    Column("components", JSONB, nullable=False),
    PrimaryKeyConstraint("run_id", "service", "period", "ward_code"),
)

scoreboard = Table(
    "scoreboard",
    metadata,
    _run_id(),
    Column("level", Text, nullable=False),
    Column("area_code", Text, nullable=False),
    Column("service", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("requests", Integer, nullable=False),
    Column("rank", Integer),
    Column("suppressed", Boolean, nullable=False),
    Column("metrics", JSONB, nullable=False),
    CheckConstraint("level IN ('municipality', 'ward')", name="scoreboard_level_check"),
    PrimaryKeyConstraint("run_id", "level", "service", "period", "area_code"),
)

allocation = Table(
    "allocation",
    metadata,
    _ward_code(),
    Column("service", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("planned_budget", Numeric),
    Column("delivered_budget", Numeric),
    Column("planned_units", Double),
    Column("delivered_units", Double),
    Column("unit", Text),
    Column("source", Text, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    *(
        CheckConstraint(f"{column} >= 0", name=f"allocation_{column}_check")
        for column in ("planned_budget", "delivered_budget", "planned_units", "delivered_units")
    ),
    PrimaryKeyConstraint("ward_code", "service", "period"),
)

delivery_gap = Table(
    "delivery_gap",
    metadata,
    _run_id(),
    _ward_code(),
    Column("service", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("need_score", Double),
    Column("need_share", Double),
    Column("delivery_share", Double),
    Column("gap", Double),
    Column("realised", Double),
    Column("unrealised", Boolean, nullable=False),
    PrimaryKeyConstraint("run_id", "service", "period", "ward_code"),
)
