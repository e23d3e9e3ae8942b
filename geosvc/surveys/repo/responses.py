"""SQL on ``survey_response``: storing, replacing and finding responses, counting them per ward.

The counts are made by the database for ``refresh``: reading a million responses back
into Python to count them took longer than loading them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, text

from geosvc.db import copy_csv
from geosvc.surveys.response_rows import RESPONSE_COLUMNS
from geosvc.surveys.scales import SCALES

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


def has_responses(conn: Connection) -> bool:
    """Whether any survey response is stored."""
    return bool(conn.execute(text("SELECT EXISTS (SELECT 1 FROM survey_response)")).scalar_one())


def store_responses(conn: Connection, csv: bytes) -> None:
    """COPY responses, as ``response_rows.response_csv`` writes them, into ``survey_response``."""
    copy_csv(conn, "survey_response", RESPONSE_COLUMNS, csv)


def delete_responses(conn: Connection, submission_ids: list[object]) -> None:
    """Delete the stored responses with these submission ids (edits replace them)."""
    conn.execute(
        text("DELETE FROM survey_response WHERE submission_id = ANY(:old)"),
        {"old": submission_ids},
    )


def stored_versions(conn: Connection, keys: list[object]) -> pd.DataFrame:
    """The stored responses whose submission id or root id is one of ``keys``.

    Columns ``submission_id``, ``root_id``, ``batch_id`` and ``ward`` (its ward code).
    """
    result = conn.execute(
        text(
            "SELECT submission_id, root_id, batch_id, ward_code FROM survey_response "
            "WHERE submission_id = ANY(:keys) OR root_id = ANY(:keys)"
        ),
        {"keys": keys},
    )
    return pd.DataFrame(result.all(), columns=["submission_id", "root_id", "batch_id", "ward"])


def households_by_level(conn: Connection, wards: Sequence[str]) -> pd.DataFrame:
    """Households per ward, service and access level code, in ``wards``."""
    return _frame(conn, _LEVELS, wards, ["ward_code", "service", "code", "households"])


def households_by_need(conn: Connection, wards: Sequence[str]) -> pd.DataFrame:
    """Households per ward and top need named, in ``wards``."""
    return _frame(conn, _NEEDS, wards, ["ward_code", "need", "households"])


def households_naming_needs(conn: Connection, wards: Sequence[str]) -> pd.DataFrame:
    """Households per ward that named any top need, in ``wards``."""
    return _frame(conn, _NAMED, wards, ["ward_code", "households"])


def _frame(conn: Connection, sql: str, wards: Sequence[str], columns: list[str]) -> pd.DataFrame:
    rows = conn.execute(text(sql), {"wards": wards}).all()
    return pd.DataFrame(rows, columns=columns)
