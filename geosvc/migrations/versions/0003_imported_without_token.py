"""Imported requests carry no Open311 token.

A token is what an Open311 client is given when it lodges a request here. A request
imported from another system was never lodged here, so it has none; leaving it empty
also spares a bulk import a random-key index insert per row, since the unique index now
holds only the tokens there are.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Tokens become optional; imported requests lose the one they were given."""
    op.execute("ALTER TABLE service_request ALTER COLUMN token DROP NOT NULL")
    op.execute("UPDATE service_request SET token = NULL WHERE source <> 'geosvc'")
    op.execute("ALTER TABLE service_request DROP CONSTRAINT service_request_token_key")
    op.execute(
        "CREATE UNIQUE INDEX service_request_token_key ON service_request (token) "
        "WHERE token IS NOT NULL"
    )


def downgrade() -> None:
    """Every request gets a token again."""
    op.execute("DROP INDEX service_request_token_key")
    op.execute("UPDATE service_request SET token = gen_random_uuid() WHERE token IS NULL")
    op.execute("ALTER TABLE service_request ALTER COLUMN token SET NOT NULL")
    op.execute(
        "ALTER TABLE service_request ADD CONSTRAINT service_request_token_key UNIQUE (token)"
    )
