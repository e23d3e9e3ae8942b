"""The ``geosvc`` command."""

from __future__ import annotations

import typer

from etl import analyse, db, demo, keys, report, requests, surveys, users, wards
from etl.serve import serve

app = typer.Typer(
    name="geosvc",
    help="Where municipal basic services fail, and whether the municipality answered.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(wards.app, name="wards")
app.add_typer(wards.census_app, name="census")
app.add_typer(demo.services_app, name="services")
app.add_typer(requests.app, name="requests")
app.add_typer(keys.app, name="keys")
app.add_typer(users.app, name="users")
app.add_typer(surveys.app, name="surveys")
app.add_typer(demo.app, name="demo")
app.add_typer(analyse.clusters_app, name="clusters")
app.add_typer(analyse.allocations_app, name="allocations")
app.add_typer(report.app, name="report")
app.command()(analyse.analyse)
app.command()(serve)
