"""Engine, COPY helpers and the one ``MetaData`` every table is defined on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

import pandas as pd
import psycopg
from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, text
from sqlalchemy.exc import DBAPIError

from geosvc.config import get_settings
from geosvc.errors import DatabaseUnavailableError

SRID = 4326


metadata = MetaData(
    # PostgreSQL's own names for unnamed keys, so the definitions name them as the database does.
    naming_convention={
        "pk": "%(table_name)s_pkey",
        "fk": "%(table_name)s_%(column_0_name)s_fkey",
        "uq": "%(table_name)s_%(column_0_N_name)s_key",
    }
)
"""Every table of the migrated database, each defined once in its domain's ``tables`` module.

The migrations (raw SQL) remain the schema's source of truth; ``tests/db/test_table_definitions``
fails when the definitions and the migrated database differ.
"""


def column_names(table: Table, *, exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """``table``'s column names in the table's order, without those in ``exclude``.

    For the column lists of COPY and bulk INSERT; naming a column the table lacks raises.

    >>> from sqlalchemy import Column, Integer
    >>> point = Table("point", MetaData(), Column("id", Integer), Column("x", Integer))
    >>> column_names(point, exclude=["id"])
    ('x',)
    """
    excluded = set(exclude)
    unknown = excluded - set(table.columns.keys())
    if unknown:
        raise KeyError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    return tuple(column.name for column in table.columns if column.name not in excluded)


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with pre-ping, so a restarted database does not break the pool."""
    return create_engine(url, pool_pre_ping=True, future=True)


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    """The process's engine for ``url`` (default: the configured database)."""
    return make_engine(url or get_settings().database_url)


def check_postgis(engine: Engine) -> str:
    """PostGIS's version on ``engine``; raises if the database is unreachable or lacks it."""
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT postgis_lib_version()")).scalar_one())
    except Exception as exc:  # the cause is logged by the caller, not shown to users
        raise DatabaseUnavailableError("The database is unreachable or has no PostGIS.") from exc


def psycopg_connection(conn: Connection) -> psycopg.Connection[Any]:
    """The psycopg 3 connection under a SQLAlchemy one, for COPY."""
    driver = conn.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise TypeError("geosvc needs the psycopg 3 driver (postgresql+psycopg://)")
    return driver


def frame_rows(frame: pd.DataFrame) -> Iterator[tuple[object, ...]]:
    """A frame's rows as plain tuples for ``copy_rows``, with every missing value as None.

    NaN, NaT and pd.NA would otherwise reach COPY as text ('nan') instead of NULL.
    """
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.itertuples(index=False, name=None)


def copy_rows(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    progress: Callable[[int], None] | None = None,
    every: int = 10_000,
) -> int:
    """COPY ``rows`` into ``table`` inside the caller's transaction; returns the row count.

    COPY is the fastest way rows get into PostgreSQL (bench/bench_load: several times
    ``executemany``); ``progress`` is called with the number of rows written since its last call.
    """
    count = 0
    with (
        psycopg_connection(conn).cursor() as cur,
        cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
            if progress is not None and count % every == 0:
                progress(every)
    if progress is not None and count % every:
        progress(count % every)
    return count


def copy_csv(conn: Connection, table: str, columns: Sequence[str], csv: bytes) -> None:
    """COPY headerless CSV ``csv`` into ``table`` inside the caller's transaction.

    For rows already written as CSV in bulk (by Arrow): many times faster than
    ``copy_rows``, which sends Python values one row at a time.
    """
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv)"
    try:
        with psycopg_connection(conn).cursor() as cur, cur.copy(statement) as copy:
            copy.write(csv)
    except psycopg.Error as exc:
        # Raised as SQLAlchemy raises every other database error, so callers catch one kind.
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc
