"""Alembic environment: runs migrations on the connection or URL handed in by ``geosvc.schema``.

``target_metadata`` is every table as defined in the domains' ``tables`` modules, so
``alembic revision --autogenerate`` and ``alembic check`` report where they and the
migrations have drifted apart.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from geosvc.migrations.metadata import include_object, metadata

config = context.config
target_metadata = metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate on the given connection, or on a fresh engine for the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


run_migrations_online()
