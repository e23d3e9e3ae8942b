"""Large loads without per-row index upkeep, as PostgreSQL advises.

PostgreSQL's "Populating a Database" advice: for a load that is large against the table,
drop the indexes first and create them again after; one index build costs far less than
a million single-row inserts into a B-tree or GiST index, most of them at random places.
(Measured on the request import: 1,000,000 rows took 49 s with every index kept.)

Foreign keys stay unless the caller names the tables they refer to (``keys_to``). A
foreign key checks every loaded row on its own, by a query per row: on the request
import that was 17 of its 28 s in the database per million rows, where adding the key
again after checks them all in one join (about 1 s). But dropping one takes an ACCESS
EXCLUSIVE lock on the table it refers to as well (its triggers live there), so that table
is unreadable until the load commits; and a load that reports its progress in
``survey_batch`` from a second connection would wait on itself. Hence the caller's choice.

Everything happens in the caller's transaction, so a failed load puts every index back
by rolling back. The cost is the lock: dropping an index takes an ACCESS EXCLUSIVE lock
on its table until commit, so readers of that table wait for the load. Keep it to loads
where that is acceptable, which ``worth_deferring`` decides by size.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

MIN_DEFERRED_ROWS = 200_000
"""Below this many rows the rebuild costs more than the per-row upkeep it saves."""


@dataclass(frozen=True)
class _Deferred:
    indexes: list[str]
    """``CREATE INDEX`` statements of the dropped indexes."""
    keys: list[tuple[str, str, str]]
    """(table, constraint name, definition) of the dropped unique and foreign keys,
    unique keys first: a foreign key may need one of them back before it."""


def table_rows(conn: Connection, table: str) -> int:
    """About how many rows ``table`` holds: the planner's estimate, or a count if it has none."""
    estimate = conn.execute(
        text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": table}
    ).scalar_one()
    if estimate >= 0:
        return int(estimate)
    return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def estimated_rows(path: Path) -> int:
    """About how many lines a text file holds, from the line length of its first megabyte."""
    with path.open("rb") as source:
        sample = source.read(1 << 20)
    lines = max(sample.count(b"\n"), 1)
    return int(path.stat().st_size * lines / max(len(sample), 1))


def worth_deferring(conn: Connection, table: str, rows: int) -> bool:
    """Whether loading ``rows`` rows into ``table`` is worth deferring its indexes.

    Rebuilding costs in proportion to the whole table, so it pays when the load is at
    least as large as what is there already, and large in itself.
    """
    return rows >= MIN_DEFERRED_ROWS and rows >= table_rows(conn, table)


@contextmanager
def indexes_deferred(
    conn: Connection,
    tables: Sequence[str],
    *,
    defer: bool,
    unique: bool = False,
    keys_to: Sequence[str] = (),
) -> Iterator[None]:
    """Inside, ``tables`` have no secondary indexes; after, they do again.

    Primary keys stay. Unique constraints and indexes stay too, unless ``unique``: a load
    that does not look its rows up by them (into an empty table, say) may drop them, and
    rebuilding them checks every row at once. Foreign keys stay, except those referring
    to a table in ``keys_to``, which is locked until commit (see the module's text); they
    too check every row when added again. When ``defer`` is false nothing changes. On an
    error inside, nothing is restored: the caller's transaction must roll back, which
    restores everything.
    """
    if not defer:
        yield
        return
    deferred = _drop(conn, tables, unique=unique, keys_to=keys_to)
    yield
    for statement in deferred.indexes:
        conn.execute(text(statement))
    for table, name, definition in deferred.keys:
        conn.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    for table in tables:
        conn.execute(text(f"ANALYZE {table}"))


def _drop(
    conn: Connection, tables: Sequence[str], *, unique: bool, keys_to: Sequence[str]
) -> _Deferred:
    oids = {"tables": list(tables), "unique": unique, "keys_to": list(keys_to)}
    indexes = conn.execute(
        text(
            """
            SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS ddl
            FROM pg_index AS i
            WHERE i.indrelid = ANY(CAST(:tables AS regclass[]))
              AND NOT i.indisprimary AND (:unique OR NOT i.indisunique)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
            """
        ),
        oids,
    ).all()
    keys = conn.execute(
        text(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint AS c
            WHERE c.conrelid = ANY(CAST(:tables AS regclass[]))
              AND ((:unique AND c.contype = 'u')
                OR (c.contype = 'f' AND c.confrelid = ANY(CAST(:keys_to AS regclass[]))))
            ORDER BY c.contype = 'f', c.conname
            """
        ),
        oids,
    ).all()
    for table, name, _ in reversed(keys):
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _ in indexes:
        conn.execute(text(f"DROP INDEX {name}"))
    return _Deferred(
        indexes=[ddl for _, ddl in indexes],
        keys=[(str(t), str(n), str(d)) for t, n, d in keys],
    )
