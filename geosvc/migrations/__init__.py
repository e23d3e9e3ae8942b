"""Alembic migrations: the schema changes only here."""
