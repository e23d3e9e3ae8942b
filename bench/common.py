"""Shared set-up for benchmarks: a bench database with the national wards, and a timer."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from geosvc import schema
from geosvc.config import Settings
from geosvc.db import make_engine
from geosvc.wards.loader import WardLoadOptions, load_wards

ROOT = Path(__file__).resolve().parents[1]
NATIONAL_WARDS = ROOT.parent / "shared" / "data" / "wards" / "za_mdb_2020_boundaries.zip"
T = TypeVar("T")


def migrated_database(name: str) -> Engine:
    """An engine on database ``name`` of the configured server, created and migrated."""
    base = Settings(_env_file=ROOT / ".env").database_url  # type: ignore[call-arg]
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    schema.create_database(url)
    engine = make_engine(url)
    schema.upgrade(engine)
    return engine


def bench_engine(name: str = "geosvc_bench") -> Engine:
    """A migrated bench database on the configured server, holding all 4,468 wards."""
    engine = migrated_database(name)
    with engine.begin() as conn:
        load_wards(conn, NATIONAL_WARDS, WardLoadOptions(layer="Wards_2020"))
    return engine


def best_of(repeat: int, func: Callable[[], T]) -> tuple[float, T]:
    """The fastest of ``repeat`` runs in seconds, and the last result."""
    times = []
    result: T
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def report(name: str, ours: float, baseline_name: str, baseline: float, unit: str = "s") -> None:
    """One line: our time, the baseline's and how many times faster we are."""
    ratio = baseline / ours
    verdict = f"{ratio:.2f}x faster" if ratio >= 1 else f"{1 / ratio:.2f}x slower"
    print(
        f"{name}: geosvc {ours:.3f} {unit}; {baseline_name} {baseline:.3f} {unit}; "
        f"geosvc is {verdict}"
    )
