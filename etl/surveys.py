"""``geosvc surveys``: load household-survey batches and read their reports."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from etl.console import console, engine, fail_cleanly, progress_bar
from geosvc.config import get_settings
from geosvc.surveys.batch_records import Batch
from geosvc.surveys.batches import get_batch, report_csv
from geosvc.surveys.loader import Upload, load_batch
from geosvc.surveys.options import load_options
from geosvc.surveys.schema import bundled_schemas, load_schema

app = typer.Typer(help="Household-survey batches from KoboToolbox, ODK or spreadsheets.")


@app.command("load")
@fail_cleanly
def load(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="The survey file."),
    schema: str = typer.Option(
        "default",
        "--schema",
        "-s",
        help=f"Survey schema (YAML), or a bundled one: {', '.join(bundled_schemas())}.",
    ),
    worker: str = typer.Option(..., "--worker", "-w", help="Who collected the batch."),
    all_or_nothing: bool = typer.Option(
        False, "--all-or-nothing", help="Store nothing if any row is refused."
    ),
    report: Path | None = typer.Option(None, "--report", help="Also write the report here (CSV)."),
) -> None:
    """Load one survey file as a batch: every row stored, or refused with a reason.

    The same file loaded again returns its first batch; submissions already stored are
    not stored twice, and edited ones replace their originals.
    """
    survey_schema = load_schema(schema)
    options = load_options(get_settings(), all_or_nothing=all_or_nothing)
    with progress_bar(f"loading {path.name}") as (_, advance):
        result = load_batch(
            engine(), Upload(path, worker), survey_schema, options, progress=advance
        )
    if result.repeated:
        console.print(f"{path.name} was uploaded before: batch {result.batch.id}", highlight=False)
    _print_batch(result.batch)
    if report is not None:
        _write_report(result.batch.id, report)
    if result.batch.status == "rejected":
        raise typer.Exit(1)


@app.command("show")
@fail_cleanly
def show(batch_id: int = typer.Argument(..., help="The batch's number.")) -> None:
    """A batch's counts and status."""
    with engine().begin() as conn:
        _print_batch(get_batch(conn, batch_id))


@app.command("report")
@fail_cleanly
def report(
    batch_id: int = typer.Argument(..., help="The batch's number."),
    out: Path | None = typer.Option(None, "--out", "-o", help="File to write (default: stdout)."),
) -> None:
    """A batch's per-row report as CSV: row, submission id, outcome, field, value, reason."""
    if out is None:
        with engine().begin() as conn:
            for block in report_csv(conn, batch_id):
                sys.stdout.buffer.write(block)
        return
    _write_report(batch_id, out)


def _write_report(batch_id: int, path: Path) -> None:
    with engine().begin() as conn, path.open("wb") as out:
        for block in report_csv(conn, batch_id):
            out.write(block)
    console.print(f"report: {path} (rows numbered as in a spreadsheet)", highlight=False)


def _print_batch(batch: Batch) -> None:
    wards = f"{len(batch.wards)} wards" if batch.wards else "no wards"
    console.print(
        f"batch {batch.id} ({batch.filename}, {batch.source_format}, schema "
        f"{batch.schema_name}, by {batch.uploaded_by}): {batch.status}",
        highlight=False,
    )
    console.print(
        f"  {batch.rows_total} rows: {batch.rows_loaded} loaded ({batch.rows_replaced} "
        f"replacing earlier versions), {batch.rows_unchanged} already loaded, "
        f"{batch.rows_rejected} rejected, {batch.rows_warned} with warnings; {wards} updated",
        highlight=False,
    )
    if batch.error:
        console.print(f"  {batch.error}", highlight=False)
