"""Analytics: runs and their results, live clusters, allocations, and the NPS question.

- ``analysis_run``: every analysis stores its parameters, start and finish time and a summary;
  its results hang off it and go with it (ON DELETE CASCADE), so old runs can be pruned.
- ``cluster``: the incident clusters of a batch run; ``live_cluster``: the war room's current
  clusters, one row per stable identity (``key``), updated in place as requests arrive.
- ``ward_hotspot``, ``ward_trend``, ``ward_need``, ``scoreboard``, ``delivery_gap``: per-ward
  results read by the API and the pages.
- ``allocation``: planned and delivered budget or units per ward, service and period.
- ``service_type`` gains per-type clustering parameters (NULL: the configured default).
- ``service_request.recommend``: closure feedback's 0-10 "would you recommend" answer, from
  which the net promoter score is computed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UPGRADE = r"""
ALTER TABLE service_type
    ADD COLUMN cluster_eps_m double precision CHECK (cluster_eps_m > 0),
    ADD COLUMN cluster_min_count integer CHECK (cluster_min_count >= 2);
ALTER TABLE service_request
    ADD COLUMN recommend smallint CHECK (recommend BETWEEN 0 AND 10);

CREATE TABLE analysis_run (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('analyse', 'live_clusters')),
    params      jsonb NOT NULL DEFAULT '{}',
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    summary     jsonb NOT NULL DEFAULT '{}'
);

CREATE SEQUENCE cluster_key_seq;

CREATE TABLE cluster (
    id             bigserial PRIMARY KEY,
    run_id         bigint NOT NULL REFERENCES analysis_run (id) ON DELETE CASCADE,
    key            bigint NOT NULL,
    service_code   text NOT NULL,
    window_start   timestamptz,
    window_end     timestamptz,
    state          text NOT NULL
                   CHECK (state IN ('new', 'growing', 'stable', 'fading', 'closed')),
    member_count   integer NOT NULL CHECK (member_count >= 0),
    previous_count integer,
    member_ids     bigint[] NOT NULL,
    wards          text[] NOT NULL DEFAULT '{}',
    first_at       timestamptz,
    last_at        timestamptz,
    radius_m       double precision,
    closed_into    bigint,
    hull           geometry(Geometry, 4326),
    centroid       geometry(Point, 4326)
);
CREATE INDEX cluster_run_service ON cluster (run_id, service_code);
CREATE INDEX cluster_hull ON cluster USING gist (hull);

CREATE TABLE live_cluster (
    key            bigint PRIMARY KEY,
    service_code   text NOT NULL,
    state          text NOT NULL
                   CHECK (state IN ('new', 'growing', 'stable', 'fading', 'closed')),
    member_count   integer NOT NULL CHECK (member_count >= 0),
    previous_count integer,
    member_ids     bigint[] NOT NULL,
    wards          text[] NOT NULL DEFAULT '{}',
    first_at       timestamptz,
    last_at        timestamptz,
    radius_m       double precision,
    closed_into    bigint,
    hull           geometry(Geometry, 4326),
    centroid       geometry(Point, 4326),
    detected_at    timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    closed_at      timestamptz
);
CREATE INDEX live_cluster_service ON live_cluster (service_code) WHERE state <> 'closed';
CREATE INDEX live_cluster_hull ON live_cluster USING gist (hull);

CREATE TABLE ward_hotspot (
    run_id       bigint NOT NULL REFERENCES analysis_run (id) ON DELETE CASCADE,
    ward_code    text NOT NULL REFERENCES ward (code) ON DELETE CASCADE,
    service      text NOT NULL,
    period       text NOT NULL,
    statistic    text NOT NULL CHECK (statistic IN ('gi_star', 'local_moran')),
    incidents    integer NOT NULL,
    households   double precision,
    value        double precision,
    z            double precision,
    p_norm       double precision,
    p_sim        double precision,
    q            double precision,
    class        text NOT NULL,
    confidence   double precision,
    island       boolean NOT NULL DEFAULT false,
    excluded     text,
    PRIMARY KEY (run_id, service, period, statistic, ward_code)
);

CREATE TABLE ward_trend (
    run_id      bigint NOT NULL REFERENCES analysis_run (id) ON DELETE CASCADE,
    ward_code   text NOT NULL REFERENCES ward (code) ON DELETE CASCADE,
    service     text NOT NULL,
    pattern     text NOT NULL,
    tau         double precision,
    p           double precision,
    trend       text,
    periods     integer NOT NULL,
    periods_hot integer NOT NULL,
    hot_now     boolean NOT NULL,
    z_last      double precision,
    PRIMARY KEY (run_id, service, ward_code)
);

CREATE TABLE ward_need (
    run_id     bigint NOT NULL REFERENCES analysis_run (id) ON DELETE CASCADE,
    ward_code  text NOT NULL REFERENCES ward (code) ON DELETE CASCADE,
    service    text NOT NULL,
    period     text NOT NULL,
    score      double precision,
    rank       integer,
    coverage   double precision NOT NULL,
    components jsonb NOT NULL,
    PRIMARY KEY (run_id, service, period, ward_code)
);

CREATE TABLE scoreboard (
    run_id            bigint NOT NULL REFERENCES analysis_run (id) ON DELETE CASCADE,
    level             text NOT NULL CHECK (level IN ('municipality', 'ward')),
    area_code         text NOT NULL,
    service           text NOT NULL,
    period            text NOT NULL,
    requests          integer NOT NULL,
    rank              integer,
    suppressed        boolean NOT NULL,
    metrics           jsonb NOT NULL,
    PRIMARY KEY (run_id, level, service, period, area_code)
);

CREATE TABLE allocation (
    ward_code        text NOT NULL REFERENCES ward (code) ON DELETE CASCADE,
    service          text NOT NULL,
    period           text NOT NULL,
    planned_budget   numeric CHECK (planned_budget >= 0),
    delivered_budget numeric CHECK (delivered_budget >= 0),
    planned_units    double precision CHECK (planned_units >= 0),
    delivered_units  double precision CHECK (delivered_units >= 0),
    unit             text,
    source           text NOT NULL,
    loaded_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ward_code, service, period)
);

CREATE TABLE delivery_gap (
    run_id         bigint NOT NULL REFERENCES analysis_run (id) ON DELETE CASCADE,
    ward_code      text NOT NULL REFERENCES ward (code) ON DELETE CASCADE,
    service        text NOT NULL,
    period         text NOT NULL,
    need_score     double precision,
    need_share     double precision,
    delivery_share double precision,
    gap            double precision,
    realised       double precision,
    unrealised     boolean NOT NULL,
    PRIMARY KEY (run_id, service, period, ward_code)
);
"""

DOWNGRADE = r"""
DROP TABLE delivery_gap, allocation, scoreboard, ward_need, ward_trend, ward_hotspot,
    live_cluster, cluster, analysis_run;
DROP SEQUENCE cluster_key_seq;
ALTER TABLE service_request DROP COLUMN recommend;
ALTER TABLE service_type DROP COLUMN cluster_min_count, DROP COLUMN cluster_eps_m;
"""


def upgrade() -> None:
    """Create the analytics tables."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Drop the analytics tables."""
    op.execute(DOWNGRADE)
