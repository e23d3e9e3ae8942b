"""``geosvc db``: create the database, enable PostGIS, migrate."""

from __future__ import annotations

import typer

from etl.console import console, engine, fail_cleanly
from geosvc import schema
from geosvc.config import get_settings

app = typer.Typer(help="Create and migrate the database.", no_args_is_help=True)


@app.command()
@fail_cleanly
def upgrade(revision: str = typer.Option("head", help="Alembic revision to migrate to.")) -> None:
    """Create the database and PostGIS if missing, then migrate the schema."""
    url = get_settings().database_url
    if schema.create_database(url):
        console.print("created the database")
    schema.upgrade(engine(), revision)
    console.print(f"schema at revision {schema.current_revision(engine())}")


@app.command()
@fail_cleanly
def current() -> None:
    """Print the schema's revision and the newest one this code knows."""
    console.print(f"database: {schema.current_revision(engine())}; code: {schema.head_revision()}")
