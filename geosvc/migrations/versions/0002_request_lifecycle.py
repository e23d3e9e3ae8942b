"""Request lifecycle: service standards, holds, escalation, duplicates, imports and API keys.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UPGRADE = r"""
ALTER TABLE service_type
    ADD COLUMN duplicate_radius_m double precision NOT NULL DEFAULT 100
        CHECK (duplicate_radius_m >= 0),
    ADD COLUMN duplicate_window_hours integer NOT NULL DEFAULT 72
        CHECK (duplicate_window_hours >= 0);

ALTER TABLE service_request
    -- Open311 clients may be given a token before the request id (GET tokens/{token}).
    ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    -- The policy: requests without identifying contact details are recorded, not actioned.
    ADD COLUMN actionable boolean NOT NULL DEFAULT true,
    ADD COLUMN assigned_to text,
    ADD COLUMN service_notice text,
    ADD COLUMN media_url text,
    ADD COLUMN acknowledge_due_at timestamptz,
    ADD COLUMN notify_due_at timestamptz,
    ADD COLUMN notified_at timestamptz,
    -- While on hold the standards' clocks stop; resuming returns to the status it left.
    ADD COLUMN on_hold_since timestamptz,
    ADD COLUMN resume_status text,
    -- The breaches already escalated in the current cycle (a reopen starts a new one).
    ADD COLUMN escalations text[] NOT NULL DEFAULT '{}',
    ADD COLUMN escalated_at timestamptz,
    ADD COLUMN resolved_by_citizen boolean,
    ADD COLUMN feedback text CHECK (length(feedback) <= 4000),
    ADD COLUMN rated_at timestamptz,
    -- Imported requests keep the source system's id; an import is idempotent on it.
    ADD COLUMN source text NOT NULL DEFAULT 'geosvc',
    ADD COLUMN source_id text,
    ADD CONSTRAINT service_request_source_key UNIQUE (source, source_id),
    ADD CONSTRAINT service_request_hold_check
        CHECK ((status = 'on_hold') = (on_hold_since IS NOT NULL)),
    ADD CONSTRAINT service_request_resume_check
        CHECK (resume_status IS NULL OR resume_status IN
               ('received', 'acknowledged', 'assigned', 'in_progress', 'reopened')),
    ADD CONSTRAINT service_request_closed_resolution_check
        CHECK ((status = 'closed') = (resolution IS NOT NULL));
CREATE INDEX service_request_parent_idx ON service_request (parent_id)
    WHERE parent_id IS NOT NULL;
CREATE INDEX service_request_updated_idx ON service_request (updated_at);
CREATE INDEX service_request_due_idx ON service_request (due_at) WHERE status <> 'closed';

ALTER TABLE request_event DROP CONSTRAINT request_event_kind_check;
ALTER TABLE request_event ADD CONSTRAINT request_event_kind_check
    CHECK (kind IN ('received', 'acknowledged', 'assigned', 'status', 'note',
                    'customer_notified', 'escalated', 'on_hold', 'resumed',
                    'closed', 'reopened', 'rated', 'duplicate_linked', 'imported'));

CREATE TABLE api_key (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL CHECK (btrim(name) <> ''),
    role       text NOT NULL CHECK (role IN ('public', 'agent', 'staff', 'admin')),
    -- Only a SHA-256 of the key is kept: a leaked table does not leak keys.
    key_hash   text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
"""

DOWNGRADE = r"""
DROP TABLE IF EXISTS api_key;
ALTER TABLE request_event DROP CONSTRAINT request_event_kind_check;
DELETE FROM request_event WHERE kind IN ('duplicate_linked', 'imported');
ALTER TABLE request_event ADD CONSTRAINT request_event_kind_check
    CHECK (kind IN ('received', 'acknowledged', 'assigned', 'status', 'note',
                    'customer_notified', 'escalated', 'on_hold', 'resumed',
                    'closed', 'reopened', 'rated'));
DROP INDEX IF EXISTS service_request_parent_idx, service_request_updated_idx,
    service_request_due_idx;
ALTER TABLE service_request
    DROP CONSTRAINT service_request_closed_resolution_check,
    DROP CONSTRAINT service_request_resume_check,
    DROP CONSTRAINT service_request_hold_check,
    DROP CONSTRAINT service_request_source_key,
    DROP COLUMN source_id, DROP COLUMN source, DROP COLUMN rated_at, DROP COLUMN feedback,
    DROP COLUMN resolved_by_citizen, DROP COLUMN escalated_at, DROP COLUMN escalations,
    DROP COLUMN resume_status, DROP COLUMN on_hold_since, DROP COLUMN notified_at,
    DROP COLUMN notify_due_at, DROP COLUMN acknowledge_due_at, DROP COLUMN media_url,
    DROP COLUMN service_notice, DROP COLUMN assigned_to, DROP COLUMN actionable,
    DROP COLUMN token;
ALTER TABLE service_type DROP COLUMN duplicate_window_hours, DROP COLUMN duplicate_radius_m;
"""


def upgrade() -> None:
    """Add the lifecycle columns and the api_key table."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Remove them again (the append-only trigger blocks deleting events; see below)."""
    op.execute("ALTER TABLE request_event DISABLE TRIGGER request_event_no_rewrite")
    op.execute(DOWNGRADE)
    op.execute("ALTER TABLE request_event ENABLE TRIGGER request_event_no_rewrite")
