"""``geosvc analyse``, ``geosvc clusters`` and ``geosvc allocations``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from etl.console import console, engine, fail_cleanly, new_progress
from geosvc.config import get_settings
from geosvc.errors import InvalidInputError

if TYPE_CHECKING:
    from geosvc.analytics.jobs.run import AnalysisSummary

# The analytics (pandas, scikit-learn, PySAL, the dbscan package) are imported inside the
# commands that use them: the CLI imports every command's module at start, and importing
# them there cost every `geosvc` call, `geosvc wards locate` included, over a second.

clusters_app = typer.Typer(help="The war room's live clusters.", no_args_is_help=True)
allocations_app = typer.Typer(help="Planned and delivered resources.", no_args_is_help=True)


@fail_cleanly
def analyse(
    service: list[str] = typer.Option(
        [], "--service", "-s", help="A service group or type to analyse (repeat); default all."
    ),
    period: str = typer.Option("all", help="all, a year (2026), quarter (2026-Q3), month."),
    statistic: str = typer.Option("gi_star", help="Hotspot statistic: gi_star or local_moran."),
    weight: list[str] = typer.Option(
        [], "--weight", help="A needs-index weight, e.g. survey=0.4 (repeat); others count 0."
    ),
) -> None:
    """Cluster incidents, find ward hotspots and their trends, score need, rank answers."""
    from geosvc.analytics.jobs.run import AnalysisOptions, run_analysis

    options = AnalysisOptions(
        period=period,
        services=tuple(service),
        statistic=statistic,
        needs_weights=_weights(weight) or None,
    )
    started = time.perf_counter()
    bar = new_progress("{task.description:<28}")
    with bar:
        task = bar.add_task("reading", total=None)

        def report(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        with engine().begin() as conn:
            summary = run_analysis(conn, get_settings(), options, report)
    _print_summary(summary, time.perf_counter() - started)


def _weights(pairs: list[str]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise InvalidInputError(f"--weight {pair!r} is not NAME=NUMBER") from None
    return weights


def _print_summary(summary: AnalysisSummary, seconds: float) -> None:
    console.print(
        f"analysis run {summary.run_id} ({seconds:.1f} s): {summary.incidents} incidents; "
        f"{summary.clusters} clusters; {summary.hotspots} ward hotspot results "
        f"({summary.hot_wards} hot wards in the period); {summary.trends} ward trends; "
        f"{summary.needs} needs scores; {summary.gaps} delivery gaps; "
        f"{summary.scoreboard} scoreboard rows"
    )
    for skipped in summary.skipped:
        console.print(f"  skipped {skipped}")


@clusters_app.command()
@fail_cleanly
def refresh(
    service: list[str] = typer.Option([], "--service", "-s", help="Service type (repeat)."),
) -> None:
    """Re-cluster the live clusters of every service type (or those named) once."""
    from geosvc.analytics.jobs.live_worker import refresh_services

    updates = refresh_services(engine(), get_settings(), set(service) or None)
    for update in updates:
        console.print(
            f"{update.service_code}: {update.incidents} open incidents, {update.clusters} "
            f"clusters, {update.changed} changed, {update.closed} closed"
        )


@clusters_app.command()
@fail_cleanly
def live() -> None:
    """Keep live clusters current until interrupted (the server does this by itself)."""
    from geosvc.analytics.jobs.live_worker import LiveClusterWorker

    worker = LiveClusterWorker(engine(), get_settings())
    worker.start()
    console.print("keeping live clusters current; Ctrl-C to stop")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        worker.stop()


@allocations_app.command("load")
@fail_cleanly
def load_allocations(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="Allocation CSV."),
    replace: bool = typer.Option(False, help="Delete every stored allocation first."),
) -> None:
    """Load planned and delivered budget or units per ward, service and period."""
    from geosvc.analytics.delivery.allocation import read_allocations
    from geosvc.analytics.repo.allocations import store_allocations

    frame = read_allocations(path)
    with engine().begin() as conn:
        stored = store_allocations(conn, frame, source=path.name, replace=replace)
    console.print(f"loaded {stored} allocation rows from {path.name}")
