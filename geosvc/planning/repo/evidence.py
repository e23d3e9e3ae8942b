"""A ward's live evidence: incidents per month and service group, survey answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, text

#: Rows of a textual query, read by column name.
Rows = Sequence[Row[*tuple[Any, ...]]]

_MONTHLY = """
    SELECT to_char(r.requested_at AT TIME ZONE :tz, 'YYYY-MM') AS month,
           t.group_name AS service, count(*) AS incidents
    FROM service_request AS r JOIN service_type AS t ON t.code = r.service_code
    WHERE r.ward_code = :code AND r.kind <> 'compliment'
      AND r.requested_at >= :start AND r.requested_at < :end
    GROUP BY 1, 2
"""


def monthly_incidents(
    conn: Connection, code: str, timezone: str, start: datetime | None, end: datetime | None
) -> Rows:
    """(month, service group, incidents) lodged in ward ``code`` from ``start`` to ``end``.

    Months are ``YYYY-MM`` in ``timezone``; compliments are not incidents.
    """
    params = {"code": code, "tz": timezone, "start": start, "end": end}
    return conn.execute(text(_MONTHLY), params).all()


def survey_totals(conn: Connection, code: str) -> Row[int, datetime | None]:
    """How many households were surveyed in ward ``code``, and the last collection time."""
    return conn.execute(
        text("SELECT count(*), max(collected_at) FROM survey_response WHERE ward_code = :code"),
        {"code": code},
    ).one()


def survey_indicators(conn: Connection, code: str, source: str) -> Rows:
    """Ward ``code``'s indicators from ``source`` for all time as (service, category, value)."""
    return conn.execute(
        text(
            "SELECT service, category, value FROM ward_indicator "
            "WHERE ward_code = :code AND source = :source AND period = 'all'"
        ),
        {"code": code, "source": source},
    ).all()
