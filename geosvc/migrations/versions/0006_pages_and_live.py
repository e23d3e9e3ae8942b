"""Pages and the live board: roles for planners and the war room, logins, the event log.

- ``api_key.role`` gains ``warroom`` and ``planner``; ``api_key.expires_at`` lets a key be a
  login token that lapses (keys made by ``geosvc keys create`` keep a NULL: they never lapse).
- ``app_user``: people who sign in to the pages with a name and password; only a scrypt
  hash of the password is kept.
- ``live_event``: every change the live pages show (request events, cluster changes), with
  an increasing id. NOTIFY only wakes listeners; the rows are what a Server-Sent Events
  stream replays after ``Last-Event-ID``, so a client that reconnects misses nothing.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ROLES = "'public', 'cdw', 'agent', 'warroom', 'planner', 'staff', 'admin'"

UPGRADE = rf"""
ALTER TABLE api_key DROP CONSTRAINT api_key_role_check;
ALTER TABLE api_key ADD CONSTRAINT api_key_role_check CHECK (role IN ({ROLES}));
ALTER TABLE api_key ADD COLUMN expires_at timestamptz;

CREATE TABLE app_user (
    username      text PRIMARY KEY CHECK (username ~ '^[A-Za-z0-9_.@-]{{1,64}}$'),
    role          text NOT NULL CHECK (role IN ({ROLES})),
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz
);

CREATE TABLE live_event (
    id         bigserial PRIMARY KEY,
    topic      text NOT NULL CHECK (topic IN ('request', 'cluster')),
    payload    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX live_event_created_at_idx ON live_event (created_at);
"""

DOWNGRADE = r"""
DROP TABLE live_event, app_user;
UPDATE api_key SET revoked_at = coalesce(revoked_at, now()), role = 'public'
    WHERE role IN ('warroom', 'planner');
ALTER TABLE api_key DROP COLUMN expires_at;
ALTER TABLE api_key DROP CONSTRAINT api_key_role_check;
ALTER TABLE api_key ADD CONSTRAINT api_key_role_check
    CHECK (role IN ('public', 'cdw', 'agent', 'staff', 'admin'));
"""


def upgrade() -> None:
    """Add the page roles, logins and the live event log."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Remove them."""
    op.execute(DOWNGRADE)
