"""Loading the 4,468 national wards: our checked upsert against a plain COPY of the same rows.

Run: .venv/bin/python -m bench.bench_ward_load
The baseline writes the already-normalised rows with one COPY into an empty table: the
least any loader can do. Ours reads the zip, checks and repairs, stages by COPY and merges.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from bench.common import NATIONAL_WARDS, bench_engine, best_of, report
from geosvc.db import copy_rows
from geosvc.wards.fields import FieldMap, resolve_fields
from geosvc.wards.loader import WardLoadOptions, load_wards
from geosvc.wards.normalise import WARD_COLUMNS, normalise_wards
from geosvc.wards.repo import ward_rows
from geosvc.wards.source import open_layer, read_layer


def _ours(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM ward"))
        load_wards(conn, NATIONAL_WARDS, WardLoadOptions(layer="Wards_2020"))


def _plain_copy(engine: Engine, rows: list[tuple[object, ...]]) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMP TABLE plain (LIKE ward INCLUDING DEFAULTS) ON COMMIT DROP"))
        copy_rows(conn, "plain", [*WARD_COLUMNS, "demarcation_year", "source", "geom"], rows)


def main() -> None:
    """Time both and print the ratio."""
    engine = bench_engine()
    layer = open_layer(NATIONAL_WARDS, "Wards_2020")
    raw = read_layer(layer, "bench")
    wards = normalise_wards(
        raw,
        resolve_fields(list(raw.columns), FieldMap(), "bench"),
        label="bench",
        code_pattern=r"^\d{8}$",
    ).wards
    rows = list(ward_rows(wards, "bench", None))
    ours, _ = best_of(3, lambda: _ours(engine))
    plain, _ = best_of(3, lambda: _plain_copy(engine, rows))
    report(
        "national ward load (read, check, repair, upsert)",
        ours,
        "plain COPY of prepared rows",
        plain,
    )


if __name__ == "__main__":
    main()
