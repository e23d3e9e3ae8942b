"""Loading a 1,000,000-row KoboToolbox CSV batch: ours against a plain COPY of the file.

Run: .venv/bin/python -m bench.bench_survey_load [--rows N] [--repeat N]

The batch is the demo generator's households over the bundled Gauteng metro wards,
written as a Kobo export (``geosvc.demo.kobo``: semicolon-delimited, geopoint columns,
system columns), about one in twelve with a GPS precision worse than 50 m. Each load
runs in a child process, so that its peak memory (ru_maxrss) is the load's alone, into
emptied survey tables: read, check, assign wards, COPY responses and report lines,
refresh ward indicators, commit. The baseline COPYs the same file, as text, into an
unindexed table: the least any loader can do with these bytes.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
from sqlalchemy import Engine, text

from bench.common import ROOT, migrated_database, report
from geosvc.db import psycopg_connection
from geosvc.demo.generator import generate
from geosvc.demo.kobo import write_kobo_csv
from geosvc.wards.loader import load_wards

GAUTENG_WARDS = ROOT / "data" / "wards" / "gauteng_metros_wards_2020.geojson"
TARGET_ROWS_PER_S = 50_000
TARGET_PEAK_MB = 1024
_CHILD = """
import sys, time
from pathlib import Path
from geosvc.db import make_engine
from geosvc.surveys.loader import Upload, load_batch
from geosvc.surveys.schema import load_schema
engine = make_engine(sys.argv[1])
start = time.perf_counter()
batch = load_batch(engine, Upload(Path(sys.argv[2]), "bench"), load_schema("default")).batch
print(time.perf_counter() - start, batch.rows_total, batch.rows_loaded, batch.rows_rejected)
"""


def bench_engine(name: str = "geosvc_bench_surveys") -> Engine:
    """A migrated bench database holding the Gauteng metros' wards."""
    engine = migrated_database(name)
    with engine.begin() as conn:
        if not conn.execute(text("SELECT EXISTS (SELECT 1 FROM ward)")).scalar_one():
            load_wards(conn, GAUTENG_WARDS)
    return engine


def write_batch(engine: Engine, path: Path, rows: int) -> None:
    """``rows`` generated households as a Kobo CSV export."""
    with engine.connect() as conn:
        wards = gpd.read_postgis("SELECT code, households, geom FROM ward", conn, "geom")
    data = generate(wards.rename_geometry("geometry"), incidents=200, surveys=rows, seed=11)
    write_kobo_csv(data.surveys, path)


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE survey_response, survey_batch_issue, survey_batch"))
        conn.execute(text("DELETE FROM ward_indicator WHERE source = 'survey'"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM survey_response, survey_batch_issue, ward_indicator"))
        conn.execute(text("CHECKPOINT"))


def _ours(engine: Engine, path: Path) -> tuple[float, float, str]:
    """One load in a child process: seconds (wall, whole process), peak MB, its summary."""
    _empty(engine)
    url = engine.url.render_as_string(hide_password=False)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, url, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024, done.stdout.strip()


def _plain_copy(engine: Engine, path: Path) -> float:
    with path.open("rb") as source:
        header = source.readline().decode().rstrip("\n").split(";")
    columns = ", ".join(f'"{c}" text' for c in header)
    start = time.perf_counter()
    with engine.connect() as conn, conn.begin() as transaction:
        conn.execute(text(f"CREATE TABLE bench_plain_copy ({columns})"))
        with (
            psycopg_connection(conn).cursor() as cur,
            cur.copy(
                "COPY bench_plain_copy FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)"
            ) as copy,
            path.open("rb") as source,
        ):
            while block := source.read(1 << 20):
                copy.write(block)
        transaction.rollback()
    return time.perf_counter() - start


def main() -> None:
    """Time the load (best of N, each in its own process) and the plain COPY."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engine = bench_engine()
    with tempfile.TemporaryDirectory(prefix="geosvc-bench-") as folder:
        path = Path(folder) / "kobo_batch.csv"
        write_batch(engine, path, args.rows)
        print(f"batch: {args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB Kobo CSV")
        runs = [_ours(engine, path) for _ in range(args.repeat)]
        plain = min(_plain_copy(engine, path) for _ in range(args.repeat))
        _empty(engine)
    ours, peak_mb, summary = min(runs)
    inside, total, loaded, rejected = summary.split()
    print(f"last load: {int(total):,} rows, {int(loaded):,} loaded, {int(rejected):,} rejected")
    print(
        f"load (whole process, best of {args.repeat}): {ours:.2f} s, {args.rows / ours:,.0f} rows/s"
    )
    print(f"  of which load_batch: {float(inside):.2f} s, {args.rows / float(inside):,.0f} rows/s")
    print(f"plain COPY: {plain:.2f} s, {args.rows / plain:,.0f} rows/s")
    report(
        f"survey batch of {args.rows:,} rows (read, check, wards, COPY, report, indicators)",
        ours,
        "plain COPY of the file",
        plain,
    )
    rate = args.rows / float(inside)
    print(
        f"target {TARGET_ROWS_PER_S:,} rows/s: {'met' if rate >= TARGET_ROWS_PER_S else 'not met'}"
    )
    memory = "met" if peak_mb < TARGET_PEAK_MB else "not met"
    print(f"peak memory of the loading process: {peak_mb:,.0f} MB (target < 1 GB: {memory})")


if __name__ == "__main__":
    main()
