"""Storing a resource allocation table (``allocation.read_allocations`` output), and reading
it back for the delivery gaps."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, text

from geosvc.analytics.delivery.allocation import ALLOCATION_COLUMNS
from geosvc.errors import InvalidInputError

_UPSERT = f"""
    INSERT INTO allocation ({", ".join(ALLOCATION_COLUMNS)}, source)
    VALUES ({", ".join(":" + c for c in ALLOCATION_COLUMNS)}, :source)
    ON CONFLICT (ward_code, service, period) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in ALLOCATION_COLUMNS[3:])},
    source = EXCLUDED.source, loaded_at = now()
"""


def store_allocations(
    conn: Connection, allocations: pd.DataFrame, *, source: str, replace: bool = False
) -> int:
    """Insert or update allocation rows in the caller's transaction; returns the row count.

    Every ward code must be a loaded ward: a plan for an unknown ward is refused, naming
    the codes, before anything is written.
    """
    known = set(conn.execute(text("SELECT code FROM ward")).scalars())
    unknown = sorted(set(allocations["ward_code"]) - known)
    if unknown:
        shown = ", ".join(unknown[:5]) + (
            f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        )
        raise InvalidInputError(f"allocations name wards that are not loaded: {shown}")
    if replace:
        conn.execute(text("DELETE FROM allocation"))
    rows = allocations.loc[:, list(ALLOCATION_COLUMNS)].astype(object)
    records = rows.where(rows.notna(), None).to_dict("records")
    if records:
        conn.execute(
            text(_UPSERT),
            [{**{str(k): v for k, v in r.items()}, "source": source} for r in records],
        )
    return len(records)


def stored_allocations(conn: Connection) -> pd.DataFrame:
    """Every stored allocation row, in ``ALLOCATION_COLUMNS``, budgets as floats."""
    # numeric budgets arrive as Decimal; the analysis wants floats.
    columns = ", ".join(f"{c}::float8" if c.endswith("_budget") else c for c in ALLOCATION_COLUMNS)
    rows = conn.execute(text(f"SELECT {columns} FROM allocation")).all()
    return pd.DataFrame(rows, columns=list(ALLOCATION_COLUMNS))
