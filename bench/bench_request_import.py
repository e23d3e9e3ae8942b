"""Importing 1,000,000 LA-shaped service requests: ours against a plain COPY of the same rows.

Run: .venv/bin/python -m bench.bench_request_import [--rows N] [--repeat N] [--profile]

The export repeats the 10,000-row LA 311 sample (../shared/data/requests, GPL-3.0: read
here, never copied into the project) with fresh SRNumbers and its dates moved on a day per
copy, dirty rows and all. The bench database holds the 15 LA council districts as wards
and the default catalogue. Each import runs in a transaction that is rolled back, followed
by VACUUM and CHECKPOINT, so every run starts from the same empty tables; the import is
timed with and without its 'imported' events. The baseline COPYs the same rows' mapped
columns, as text, into an unindexed table: the least any loader can do.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, text

from bench.common import ROOT, migrated_database, report
from geosvc.db import psycopg_connection
from geosvc.requests.catalogue import read_catalogue, store_catalogue
from geosvc.requests.import_mapping import ImportMapping, load_mapping
from geosvc.requests.importer import ImportOptions, ImportResult, import_csv
from geosvc.wards.fields import FieldMap
from geosvc.wards.loader import WardLoadOptions, load_wards

REQUESTS = ROOT.parent / "shared" / "data" / "requests"
LA_SAMPLE = REQUESTS / "la311_2018_sample.csv"
LA_DISTRICTS = REQUESTS / "la_council_districts_2012.json"
TARGET_ROWS_PER_S = 50_000


def bench_engine(name: str = "geosvc_bench_import") -> Engine:
    """A migrated bench database holding the LA council districts and the catalogue."""
    engine = migrated_database(name)
    districts = WardLoadOptions(fields=FieldMap(code="external_id"), code_pattern=r"^\d{1,2}$")
    with engine.begin() as conn:
        load_wards(conn, LA_DISTRICTS, districts)
        store_catalogue(conn, read_catalogue())
    return engine


def write_export(path: Path, rows: int, mapping: ImportMapping) -> None:
    """``rows`` rows shaped like the LA export, written one copy of the sample at a time."""
    sample = pd.read_csv(LA_SAMPLE, dtype=str, keep_default_na=False)
    dates = [mapping.columns.created, mapping.columns.updated, mapping.columns.closed]
    parsed = {c: pd.to_datetime(sample[c], format=mapping.datetime_format) for c in dates if c}
    with path.open("w", encoding="utf-8", newline="") as out:
        for copy in range(-(-rows // len(sample))):
            part = sample.iloc[: rows - copy * len(sample)].copy()
            part["SRNumber"] = f"B{copy:04d}-" + part["SRNumber"]
            for column, values in parsed.items():
                moved = values.iloc[: len(part)] + timedelta(days=copy)
                part[column] = moved.dt.strftime(mapping.datetime_format)
            part.to_csv(out, index=False, header=copy == 0)


def write_mapped_columns(export: Path, path: Path, mapping: ImportMapping) -> list[str]:
    """The export's mapped columns as headerless CSV, the baseline's input; their names."""
    columns = mapping.columns.used()
    with path.open("w", encoding="utf-8", newline="") as out:
        for chunk in pd.read_csv(export, usecols=columns, dtype=str, chunksize=200_000):
            chunk[columns].to_csv(out, index=False, header=False)
    return columns


def _reset(engine: Engine) -> None:
    """Clear the dead rows a rolled-back run leaves, and start from a fresh checkpoint."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM service_request, request_event"))
        conn.execute(text("CHECKPOINT"))


def _ours(engine: Engine, export: Path, mapping: ImportMapping, events: bool) -> ImportResult:
    options = ImportOptions(report=export.with_suffix(".report.csv"), log_events=events)
    with engine.connect() as conn, conn.begin() as transaction:
        result = import_csv(conn, export, mapping, options)
        transaction.rollback()
    return result


def _plain_copy(engine: Engine, mapped: Path, columns: list[str]) -> None:
    with engine.connect() as conn, conn.begin() as transaction:
        names = [f'"{c}"' for c in columns]
        conn.execute(
            text(f"CREATE TABLE bench_plain_copy ({', '.join(f'{n} text' for n in names)})")
        )
        with (
            psycopg_connection(conn).cursor() as cur,
            cur.copy(f"COPY bench_plain_copy ({', '.join(names)}) FROM STDIN (FORMAT csv)") as copy,
            mapped.open("rb") as source,
        ):
            while block := source.read(1 << 20):
                copy.write(block)
        transaction.rollback()


def _best(repeat: int, engine: Engine, run: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs in seconds, each after a reset."""
    times = []
    for _ in range(repeat):
        _reset(engine)
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _profile(engine: Engine, export: Path, mapping: ImportMapping) -> None:
    """One import under cProfile (main thread: where it waits), top 15 by cumulative time."""
    _reset(engine)
    profiler = cProfile.Profile()
    profiler.runcall(_ours, engine, export, mapping, True)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)


def main() -> None:
    """Time the import with and without events, and the plain COPY; print rates and memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="also profile one import")
    args = parser.parse_args()
    engine = bench_engine()
    mapping = load_mapping("la311")
    with tempfile.TemporaryDirectory(prefix="geosvc-bench-") as folder:
        export, mapped = Path(folder) / "la311_export.csv", Path(folder) / "mapped.csv"
        write_export(export, args.rows, mapping)
        columns = write_mapped_columns(export, mapped, mapping)
        result = _ours(engine, export, mapping, True)
        print(
            f"export: {result.rows_read:,} rows, {export.stat().st_size / 1e6:.0f} MB; "
            f"{result.imported:,} imported, {result.rejected_rows:,} rejected, "
            f"{result.warning_count:,} warnings"
        )
        ours = _best(args.repeat, engine, lambda: _ours(engine, export, mapping, True))
        memory_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        no_events = _best(args.repeat, engine, lambda: _ours(engine, export, mapping, False))
        plain = _best(args.repeat, engine, lambda: _plain_copy(engine, mapped, columns))
        if args.profile:
            _profile(engine, export, mapping)
    rows = result.rows_read
    for name, seconds in [
        ("import with events", ours),
        ("import without events", no_events),
        ("plain COPY", plain),
    ]:
        print(f"{name}: {seconds:.2f} s, {rows / seconds:,.0f} rows/s")
    report(
        f"request import of {rows:,} rows (read, check, wards, COPY, insert, events)",
        ours,
        "plain COPY of the mapped columns",
        plain,
    )
    verdict = "met" if rows / ours >= TARGET_ROWS_PER_S else "not met"
    print(f"target {TARGET_ROWS_PER_S:,} rows/s end to end: {verdict}")
    print(f"peak memory (ru_maxrss) after the imports: {memory_mb:,.0f} MB")


if __name__ == "__main__":
    main()
