"""Survey batches: the CDW role, per-row reports, edits of a submission, interrupted loads.

- ``api_key.role`` gains ``cdw``: community development workers upload survey batches.
- ``survey_batch.file_hash`` is unique only among batches that did not fail, so a load
  that was interrupted (its batch marked 'failed') can be uploaded again.
- ``survey_batch.report`` (JSON) gives way to ``survey_batch_issue``: a million-row file
  can have a million report lines, which belong in rows, not in one JSON value.
- ``survey_response.root_id``: the id that stays the same when a submission is edited
  (Kobo's rootUuid; the first instanceID of an ODK edit chain), unique, so an edit
  replaces its original instead of adding a second household.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPGRADE = r"""
ALTER TABLE api_key DROP CONSTRAINT api_key_role_check;
ALTER TABLE api_key ADD CONSTRAINT api_key_role_check
    CHECK (role IN ('public', 'cdw', 'agent', 'staff', 'admin'));

ALTER TABLE survey_batch DROP CONSTRAINT survey_batch_file_hash_key;
CREATE UNIQUE INDEX survey_batch_file_hash_key ON survey_batch (file_hash)
    WHERE status <> 'failed';
ALTER TABLE survey_batch
    DROP COLUMN report,
    ADD COLUMN file_size bigint NOT NULL DEFAULT 0 CHECK (file_size >= 0),
    ADD COLUMN all_or_nothing boolean NOT NULL DEFAULT false,
    ADD COLUMN rows_unchanged integer NOT NULL DEFAULT 0 CHECK (rows_unchanged >= 0),
    ADD COLUMN rows_warned integer NOT NULL DEFAULT 0 CHECK (rows_warned >= 0),
    ADD COLUMN wards text[] NOT NULL DEFAULT '{}',
    ADD COLUMN finished_at timestamptz,
    ADD COLUMN error text;

CREATE TABLE survey_batch_issue (
    batch_id      bigint NOT NULL REFERENCES survey_batch (id) ON DELETE CASCADE,
    row_no        integer NOT NULL CHECK (row_no >= 1),
    submission_id text,
    outcome       text NOT NULL
                  CHECK (outcome IN ('rejected', 'warning', 'replaced', 'unchanged')),
    field         text NOT NULL,
    value         text,
    reason        text NOT NULL
);
CREATE INDEX survey_batch_issue_batch_idx ON survey_batch_issue (batch_id, row_no);

ALTER TABLE survey_response ADD COLUMN root_id text;
UPDATE survey_response SET root_id = submission_id;
ALTER TABLE survey_response
    ALTER COLUMN root_id SET NOT NULL,
    ADD CONSTRAINT survey_response_root_id_check CHECK (btrim(root_id) <> ''),
    ADD CONSTRAINT survey_response_root_id_key UNIQUE (root_id);
"""

DOWNGRADE = r"""
ALTER TABLE survey_response DROP COLUMN root_id;
DROP TABLE survey_batch_issue;
DELETE FROM survey_response
    WHERE batch_id IN (SELECT id FROM survey_batch WHERE status = 'failed');
DELETE FROM survey_batch WHERE status = 'failed';
DROP INDEX survey_batch_file_hash_key;
ALTER TABLE survey_batch
    ADD CONSTRAINT survey_batch_file_hash_key UNIQUE (file_hash),
    ADD COLUMN report jsonb NOT NULL DEFAULT '[]',
    DROP COLUMN file_size,
    DROP COLUMN all_or_nothing,
    DROP COLUMN rows_unchanged,
    DROP COLUMN rows_warned,
    DROP COLUMN wards,
    DROP COLUMN finished_at,
    DROP COLUMN error;
UPDATE api_key SET revoked_at = coalesce(revoked_at, now()), role = 'public'
    WHERE role = 'cdw';
ALTER TABLE api_key DROP CONSTRAINT api_key_role_check;
ALTER TABLE api_key ADD CONSTRAINT api_key_role_check
    CHECK (role IN ('public', 'agent', 'staff', 'admin'));
"""


def upgrade() -> None:
    """Add the CDW role, batch reports and edit tracking."""
    op.execute(UPGRADE)


def downgrade() -> None:
    """Remove them; CDW keys are revoked and demoted, failed batches dropped."""
    op.execute(DOWNGRADE)
