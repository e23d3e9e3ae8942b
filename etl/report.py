"""``geosvc report``: printable reports from the newest analysis run."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from etl.console import console, engine, fail_cleanly
from geosvc.config import get_settings

if TYPE_CHECKING:
    from geosvc.planning.maps import LeafletAssets

app = typer.Typer(help="Printable reports for planners.", no_args_is_help=True)


def vendored_leaflet() -> LeafletAssets | None:
    """The project's own Leaflet (served to the pages), or None when it is not installed."""
    from geosvc.planning.maps import LeafletAssets

    folder = Path(str(files("api"))) / "web" / "static" / "vendor" / "leaflet"
    if not (folder / "leaflet.js").is_file():
        return None
    return LeafletAssets.from_dir(folder)


@app.command("ward")
@fail_cleanly
def ward(
    code: str = typer.Argument(..., help="The ward code, e.g. 79800060."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="The HTML file to write (default: ward-CODE.html)."
    ),
    service: str | None = typer.Option(
        None, "--service", "-s", help="Service group to map and chart (default: greatest need)."
    ),
    period: str | None = typer.Option(
        None, "--period", help="A period the newest run stored (default: the run's)."
    ),
) -> None:
    """Write one ward's report: its map and neighbours, needs, incidents, surveys, standards.

    The file is self-contained: the map's Leaflet is inlined, so it opens offline.
    """
    # The report's charts and maps (matplotlib, the analytics) load only for this command.
    from geosvc.planning.report import ward_report

    settings = get_settings()
    assets = vendored_leaflet()
    with engine().connect() as conn:
        page = ward_report(
            conn, code, service=service, period=period, timezone=settings.timezone, assets=assets
        )
    target = out or Path(f"ward-{code}.html")
    target.write_text(page, encoding="utf-8")
    inlined = "" if assets else " (Leaflet is linked from its CDN: the map needs the internet)"
    console.print(f"wrote the report of ward {code} to {target}{inlined}")
