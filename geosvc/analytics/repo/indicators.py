"""The analytics' own rows of ``ward_indicator``: incident counts and rates per ward."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, text

from geosvc.db import copy_rows

INDICATOR_COLUMNS = (
    "ward_code",
    "source",
    "period",
    "service",
    "category",
    "value",
    "unit",
    "note",
)


def replace_indicators(conn: Connection, source: str, rows: Iterable[tuple[object, ...]]) -> None:
    """Replace every ``ward_indicator`` row of ``source`` by ``rows`` (in ``INDICATOR_COLUMNS``)."""
    conn.execute(text("DELETE FROM ward_indicator WHERE source = :s"), {"s": source})
    copy_rows(conn, "ward_indicator", INDICATOR_COLUMNS, rows)
