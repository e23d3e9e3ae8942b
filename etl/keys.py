"""``geosvc keys``: API keys and their roles."""

from __future__ import annotations

import typer

from etl.console import console, engine, fail_cleanly
from geosvc.accounts.keys import create_key, revoke_keys
from geosvc.accounts.repo import list_keys
from geosvc.accounts.roles import Role

app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)


@app.command()
@fail_cleanly
def create(
    name: str = typer.Argument(..., help="Who holds the key: a person, team or app."),
    role: str = typer.Option(
        "public", help="public, cdw, agent, warroom, planner, staff or admin."
    ),
) -> None:
    """Create a key and print it; it is stored hashed and cannot be shown again."""
    with engine().begin() as conn:
        key = create_key(conn, name, Role.parse(role))
    typer.echo(key)


@app.command("list")
@fail_cleanly
def list_() -> None:
    """Print every key's name, role, creation date and whether it is revoked."""
    with engine().connect() as conn:
        rows = list_keys(conn)
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "live"
        typer.echo(f"{row.name}\t{row.role}\t{row.created_at:%Y-%m-%d}\t{state}")


@app.command()
@fail_cleanly
def revoke(name: str = typer.Argument(..., help="Whose keys to revoke.")) -> None:
    """Revoke every live key of ``name``."""
    with engine().begin() as conn:
        count = revoke_keys(conn, name)
    console.print(f"revoked {count} keys of {name}")
