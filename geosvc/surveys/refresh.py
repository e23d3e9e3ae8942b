"""Refreshing the survey rows of ``ward_indicator`` for the wards a batch touched.

The database counts (households per ward and level, per ward and need) and
``needs.ward_needs_from_counts`` turns the counts into shares: reading a million responses
back into Python to count them took longer than loading them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Connection

from geosvc.db import frame_rows
from geosvc.surveys.needs import SOURCE, ward_needs_from_counts
from geosvc.surveys.repo.responses import (
    households_by_level,
    households_by_need,
    households_naming_needs,
)
from geosvc.wards.repo import replace_indicators


def refresh_ward_needs(conn: Connection, wards: Sequence[str]) -> int:
    """Recompute the survey indicators of ``wards`` from every response stored in them.

    Runs in the caller's transaction (a batch's, so that its responses and the indicators
    they change commit together); returns the number of indicator rows written.
    """
    if not wards:
        return 0
    touched = sorted(set(wards))
    levels = households_by_level(conn, touched)
    needs = households_by_need(conn, touched)
    named = households_naming_needs(conn, touched)
    rows: Iterator[tuple[object, ...]] = iter(())
    if not (levels.empty and named.empty):
        counts = ward_needs_from_counts(levels, needs, named.set_index("ward_code")["households"])
        rows = frame_rows(counts)
    return replace_indicators(conn, SOURCE, rows, wards=touched)
