"""``geosvc wards``: load boundary files, find the ward of a point, load the census baseline."""

from __future__ import annotations

from pathlib import Path

import typer

from etl.console import console, engine, fail_cleanly, progress_bar
from geosvc.config import get_settings
from geosvc.errors import InvalidInputError
from geosvc.geo import coordinate_problems
from geosvc.wards.assign import locate as locate_point
from geosvc.wards.census import store_census
from geosvc.wards.fields import FieldMap
from geosvc.wards.loader import WardLoadOptions, WardLoadResult, load_wards

app = typer.Typer(help="Ward boundaries: load, look up.", no_args_is_help=True)


@app.command()
@fail_cleanly
def load(
    path: Path = typer.Argument(..., help="GeoJSON, GeoPackage, shapefile or zipped shapefile."),
    layer: str | None = typer.Option(None, help="Layer to load from a multi-layer source."),
    code_field: str | None = typer.Option(None, help="Field holding the official ward code."),
    name_field: str | None = typer.Option(None, help="Field holding the ward's name."),
    municipality_field: str | None = typer.Option(None, help="Field with the municipality code."),
    municipality_name_field: str | None = typer.Option(None, help="Field with its name."),
    province_field: str | None = typer.Option(None, help="Field with the province."),
    crs: str | None = typer.Option(None, help="CRS to assume when the file names none."),
    year: int | None = typer.Option(None, help="Demarcation year (default: from the name)."),
    code_pattern: str | None = typer.Option(None, help="Regex ward codes must match."),
    municipality_layer: str | None = typer.Option(
        None, help="Layer of the same source with municipality codes and names."
    ),
) -> None:
    """Load (insert or update) the wards of a boundary file."""
    options = WardLoadOptions(
        layer=layer,
        fields=FieldMap(
            code=code_field,
            name=name_field,
            municipality_code=municipality_field,
            municipality_name=municipality_name_field,
            province=province_field,
        ),
        code_pattern=code_pattern or get_settings().ward_code_pattern,
        assume_crs=crs,
        demarcation_year=year,
        municipality_layer=municipality_layer,
    )
    with progress_bar(f"loading {path.name}") as (set_total, advance), engine().begin() as conn:
        result = load_wards(conn, path, options, on_total=set_total, progress=advance)
    _report_load(result)


def _report_load(result: WardLoadResult) -> None:
    counts = result.counts
    console.print(
        f"loaded {result.wards} wards from layer {result.layer} (code field {result.fields.code}): "
        f"{counts.inserted} new, {counts.updated} updated, {counts.unchanged} unchanged; "
        f"{result.repaired} invalid polygons repaired"
        + (f"; {result.merged} features merged into wards sharing a code" if result.merged else "")
    )


# Negative coordinates ("-26.2") would otherwise be parsed as unknown options.
@app.command(context_settings={"ignore_unknown_options": True})
@fail_cleanly
def locate(
    lon: float = typer.Argument(..., help="Longitude, decimal degrees (WGS84)."),
    lat: float = typer.Argument(..., help="Latitude, decimal degrees (WGS84)."),
) -> None:
    """Print the ward containing a point; exit 1 when no ward does."""
    problem = coordinate_problems([lon], [lat])[0]
    if problem is not None:
        raise InvalidInputError(f"({lon}, {lat}): {problem.value}.")
    with engine().connect() as conn:
        ward = locate_point(conn, lon, lat)
        swapped = ward is None and locate_point(conn, lat, lon) is not None
    if ward is None:
        hint = "; latitude and longitude appear to be swapped" if swapped else ""
        console.print(f"no ward contains ({lon}, {lat}){hint}")
        raise typer.Exit(1)
    # Tab-separated and unstyled, so scripts can cut it.
    municipality = ward.municipality_name or ward.municipality_code or ""
    typer.echo(f"{ward.code}\t{ward.name}\t{municipality}\t{ward.province or ''}")


census_app = typer.Typer(help="The Census 2011 baseline of need.", no_args_is_help=True)


@census_app.command("load")
@fail_cleanly
def census_load(
    directory: Path = typer.Argument(
        ..., help="Folder with ward_services_wide.csv and ward_population.csv."
    ),
) -> None:
    """Load Census 2011 ward service counts, households and population for the loaded wards."""
    with engine().begin() as conn:
        result = store_census(conn, directory)
    console.print(
        f"loaded {result.indicators} census counts for {result.wards_matched} wards "
        f"({result.wards_unmatched} loaded wards have no census row); households set for "
        f"{result.households_set} wards. Census codes join 2020 wards approximately."
    )
