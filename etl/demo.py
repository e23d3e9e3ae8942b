"""``geosvc demo``: generate and load the demo data set; ``geosvc services``: the catalogue."""

from __future__ import annotations

from pathlib import Path

import typer

from etl.console import console, engine, fail_cleanly
from geosvc.accounts.roles import Role
from geosvc.accounts.users import create_user
from geosvc.config import get_settings
from geosvc.demo.generator import generate as generate_demo
from geosvc.demo.generator import hotspots_to_geojson
from geosvc.demo.recent import lodge_recent
from geosvc.demo.repo import wards_to_generate_over
from geosvc.demo.store import SURVEYS_FILE, store_demo, write_demo_files
from geosvc.errors import InvalidInputError
from geosvc.requests.catalogue import DEFAULT_CATALOGUE, read_catalogue, store_catalogue
from geosvc.requests.intake import policy_for

app = typer.Typer(help="The demo data set.", no_args_is_help=True)
services_app = typer.Typer(help="The service catalogue.", no_args_is_help=True)
DEMO_ROLES = (Role.PLANNER, Role.WARROOM, Role.CDW, Role.AGENT, Role.STAFF, Role.ADMIN)


@app.command()
@fail_cleanly
def generate(
    incidents: int = typer.Option(20_000, min=0, help="Number of incidents."),
    surveys: int = typer.Option(3_000, min=0, help="Number of household surveys."),
    seed: int = typer.Option(42, help="Random seed: the same seed gives the same data."),
    out: Path = typer.Option(Path("demo-data"), help="Folder to write to."),
) -> None:
    """Generate incidents with planted hotspots and household surveys over the loaded wards."""
    with engine().connect() as conn:
        wards = wards_to_generate_over(conn)
    if wards.empty:
        raise InvalidInputError("No wards are loaded; run 'geosvc wards load' first.")
    data = generate_demo(
        wards.rename_geometry("geometry"), incidents=incidents, surveys=surveys, seed=seed
    )
    write_demo_files(out, data.incidents, data.surveys, hotspots_to_geojson(data.hotspots))
    console.print(
        f"wrote {len(data.incidents)} incidents ({len(data.hotspots)} planted hotspots, "
        f"{len(data.regions)} planted regions) and {len(data.surveys)} surveys to {out}/"
    )
    for region in data.regions:
        console.print(
            f"  region {region.id}: {region.service_code} at {region.factor:g}x the rate "
            f"elsewhere in wards {', '.join(region.ward_codes)}"
        )


@app.command()
@fail_cleanly
def load(
    directory: Path = typer.Argument(Path("demo-data"), help="Folder from 'demo generate'."),
) -> None:
    """Load a generated data set (the default catalogue first); loading twice changes nothing."""
    with engine().begin() as conn:
        store_catalogue(conn, read_catalogue(DEFAULT_CATALOGUE))
        result = store_demo(conn, directory)
    if result.already_loaded:
        console.print(f"the data set in {directory}/ is already loaded; nothing to do")
        return
    console.print(
        f"loaded {result.requests} service requests ({result.requests_outside_wards} outside "
        f"every ward); load the household surveys with "
        f"'geosvc surveys load {directory / SURVEYS_FILE} --worker <name>'"
    )


@app.command()
@fail_cleanly
def recent(
    count: int = typer.Option(150, min=0, help="Requests to have in the last HOURS."),
    hours: float = typer.Option(24.0, min=1, help="The recent window, in hours."),
    seed: int = typer.Option(42, help="Random seed."),
) -> None:
    """Top up requests received in the last hours, so the war room has live activity."""
    with engine().begin() as conn:
        result = lodge_recent(conn, policy_for(get_settings()), count=count, hours=hours, seed=seed)
    console.print(
        f"lodged {result.lodged} recent demo requests ({result.existing} were already in the "
        f"last {hours:g} h)"
    )


@app.command()
@fail_cleanly
def users(
    suffix: str = typer.Option("-demo", help="Each password is the user name plus this."),
) -> None:
    """Create one sign-in per role to try the pages: planner, warroom, cdw, agent, staff, admin."""
    with engine().begin() as conn:
        for role in DEMO_ROLES:
            create_user(conn, role.value, role, role.value + suffix)
    for role in DEMO_ROLES:
        console.print(f"user {role.value:<8} password {role.value + suffix}")


@services_app.command("load")
@fail_cleanly
def services_load(
    path: Path = typer.Argument(DEFAULT_CATALOGUE, help="Catalogue as YAML or CSV."),
) -> None:
    """Insert or update the service types of a catalogue file."""
    specs = read_catalogue(path)
    with engine().begin() as conn:
        count = store_catalogue(conn, specs)
    console.print(f"loaded {count} service types from {path.name}")
