"""Creating the database, enabling PostGIS and migrating the schema with Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from geosvc.errors import DatabaseUnavailableError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` that needs no alembic.ini on disk."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def create_database(url: str) -> bool:
    """Create the database named in ``url`` with PostGIS if missing; True when it was created."""
    target = make_url(url)
    admin = create_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT", pool_pre_ping=True
    )
    created = False
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).scalar()
            if not exists:
                quoted = conn.dialect.identifier_preparer.quote(target.database or "")
                conn.execute(text(f"CREATE DATABASE {quoted}"))
                created = True
    except Exception as exc:
        raise DatabaseUnavailableError(
            f"Cannot reach PostgreSQL at {target.render_as_string(hide_password=True)}: "
            f"{type(exc).__name__}."
        ) from exc
    finally:
        admin.dispose()
    enable_postgis(url)
    return created


def enable_postgis(url: str) -> None:
    """Create the postgis extension in the database, failing clearly where it is not installed."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            available = conn.execute(
                text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
            ).scalar()
            if not available:
                raise DatabaseUnavailableError(
                    "PostGIS is not installed on this PostgreSQL server "
                    "(on Debian: apt-get install postgresql-15-postgis-3)."
                )
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    finally:
        engine.dispose()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision``."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision the code knows."""
    script = ScriptDirectory.from_config(alembic_config("postgresql://"))
    return script.get_current_head()
