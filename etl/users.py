"""``geosvc users``: people who sign in to the pages."""

from __future__ import annotations

import typer

from etl.console import console, engine, fail_cleanly
from geosvc.accounts.roles import Role
from geosvc.accounts.users import create_user, disable_user, list_users

app = typer.Typer(help="Users who sign in to the pages: add, list, disable.", no_args_is_help=True)


@app.command()
@fail_cleanly
def add(
    name: str = typer.Argument(..., help="User name (letters, digits, _ . @ -)."),
    role: str = typer.Option(..., help="public, cdw, agent, warroom, planner, staff or admin."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters."
    ),
) -> None:
    """Add a user, or set a new role and password for an existing one."""
    with engine().begin() as conn:
        create_user(conn, name, Role.parse(role), password)
    console.print(f"user {name} can sign in with the {Role.parse(role).value} role")


@app.command("list")
@fail_cleanly
def list_() -> None:
    """Print every user's name, role and whether they may sign in."""
    with engine().connect() as conn:
        for name, role, active in list_users(conn):
            typer.echo(f"{name}\t{role}\t{'active' if active else 'disabled'}")


@app.command()
@fail_cleanly
def disable(name: str = typer.Argument(..., help="Who may no longer sign in.")) -> None:
    """Stop a user signing in and end their open sign-ins."""
    with engine().begin() as conn:
        found = disable_user(conn, name)
    console.print(f"disabled {name}" if found else f"there is no user {name}")
