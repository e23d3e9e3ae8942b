"""``geosvc requests import``: bulk import of historical requests from a CSV export."""

from __future__ import annotations

from pathlib import Path

import typer

from etl.console import console, engine, fail_cleanly, progress_bar
from geosvc.config import get_settings
from geosvc.requests.import_mapping import bundled_mappings, load_mapping
from geosvc.requests.importer import ImportOptions, ImportResult, import_csv


@fail_cleanly
def import_requests(
    path: Path = typer.Argument(..., help="CSV export of service requests."),
    mapping: str = typer.Option(
        ...,
        "--mapping",
        "-m",
        help=f"Mapping file (YAML), or a bundled mapping: {', '.join(bundled_mappings())}.",
    ),
    report: Path | None = typer.Option(
        None,
        "--report",
        help="Where to list rejected rows and warnings (default: FILE.report.csv).",
    ),
) -> None:
    """Import historical service requests from a CSV export, all or nothing.

    Importing the same file again adds nothing: requests are matched on the source's own id.
    """
    spec = load_mapping(mapping)
    options = ImportOptions(reference_prefix=get_settings().reference_prefix, report=report)
    with progress_bar(f"importing {path.name}") as (_, advance), engine().begin() as conn:
        result = import_csv(conn, path, spec, options, progress=advance)
    _print_result(result)


def _print_result(result: ImportResult) -> None:
    console.print(
        f"read {result.rows_read} rows of {result.file} (source {result.source}): "
        f"{result.imported} imported, {result.already_present} already present, "
        f"{result.rejected_rows} rejected, {result.warning_count} warnings",
        highlight=False,
    )
    for outcome, counts in (("rejected", result.rejected), ("warning", result.warnings)):
        for reason, count in counts.items():
            console.print(f"  {outcome} {count}: {reason}", highlight=False)
    console.print(
        f"report: {result.report} (rows numbered as in a spreadsheet: the header is row 1)",
        highlight=False,
    )
