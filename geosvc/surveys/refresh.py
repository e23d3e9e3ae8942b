"""Refreshing the survey rows of ``ward_indicator`` for the wards a batch touched.

The database counts (households per ward and level, per ward and need) and
``needs.ward_needs_from_counts`` turns the counts into shares: reading a million responses
back into Python to count them took longer than loading them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, text

from geosvc.db import copy_rows, frame_rows
from geosvc.surveys.needs import SOURCE, ward_needs_from_counts
from geosvc.surveys.scales import SCALES
from geosvc.wards.tables import INDICATOR_COLUMNS

_LEVELS = " UNION ALL ".join(
    f"SELECT ward_code, '{scale.service}' AS service, {scale.column} AS code, "
    f"count(*) AS households FROM survey_response "
    f"WHERE ward_code = ANY(:wards) AND {scale.column} IS NOT NULL GROUP BY 1, 3"
    for scale in SCALES.values()
)
# count(*), not count(DISTINCT r.id): a response names each need once (answers.top_needs),
# and the distinct count sorted every (ward, need) group, a third of a large batch's load.
_NEEDS = """
    SELECT r.ward_code, n.need, count(*) AS households
    FROM survey_response AS r CROSS JOIN LATERAL unnest(r.needs) AS n(need)
    WHERE r.ward_code = ANY(:wards) GROUP BY 1, 2
"""
_NAMED = """
    SELECT ward_code, count(*) AS households FROM survey_response
    WHERE ward_code = ANY(:wards) AND cardinality(needs) > 0 GROUP BY 1
"""


def refresh_ward_needs(conn: Connection, wards: Sequence[str]) -> int:
    """Recompute the survey indicators of ``wards`` from every response stored in them.

    Runs in the caller's transaction (a batch's, so that its responses and the indicators
    they change commit together); returns the number of indicator rows written.
    """
    if not wards:
        return 0
    params: dict[str, object] = {"wards": sorted(set(wards))}
    levels = _frame(conn, _LEVELS, params, ["ward_code", "service", "code", "households"])
    needs = _frame(conn, _NEEDS, params, ["ward_code", "need", "households"])
    named = _frame(conn, _NAMED, params, ["ward_code", "households"])
    conn.execute(
        text("DELETE FROM ward_indicator WHERE source = :s AND ward_code = ANY(:wards)"),
        {"s": SOURCE, **params},
    )
    if levels.empty and named.empty:
        return 0
    rows = ward_needs_from_counts(levels, needs, named.set_index("ward_code")["households"])
    return copy_rows(conn, "ward_indicator", INDICATOR_COLUMNS, frame_rows(rows))


def _frame(
    conn: Connection, sql: str, params: dict[str, object], columns: list[str]
) -> pd.DataFrame:
    return pd.DataFrame(conn.execute(text(sql), params).all(), columns=columns)
