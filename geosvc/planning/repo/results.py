"""A ward's stored results in an analysis run, and which services and periods a run holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, text

#: Rows of a textual query, read by column name.
Rows = Sequence[Row[*tuple[Any, ...]]]

#: The table holding each measure's per-ward results.
RESULT_TABLES = {"needs": "ward_need", "hotspots": "ward_hotspot"}

_NEEDS = """
    SELECT service, score, rank, coverage, components, ranked FROM (
        SELECT ward_code, service, score, rank, coverage, components,
               count(rank) OVER (PARTITION BY service) AS ranked
        FROM ward_need WHERE run_id = :run AND period = :period
    ) AS n
    WHERE ward_code = :code
    ORDER BY score DESC NULLS LAST, service
"""
_HOTSPOTS = """
    SELECT h.service, h.class AS hotspot_class, h.incidents, h.value, h.z, h.p_sim, h.q,
           h.confidence, t.pattern
    FROM ward_hotspot AS h
    LEFT JOIN ward_trend AS t
           ON t.run_id = h.run_id AND t.service = h.service AND t.ward_code = h.ward_code
    WHERE h.run_id = :run AND h.ward_code = :code AND h.period = :period
      AND h.statistic = :statistic
    ORDER BY h.service
"""
_STANDARDS = """
    SELECT service, requests, rank, suppressed, metrics, ranked FROM (
        SELECT area_code, service, requests, rank, suppressed, metrics,
               count(rank) OVER (PARTITION BY service) AS ranked
        FROM scoreboard WHERE run_id = :run AND level = 'ward' AND period = :period
    ) AS s
    WHERE area_code = :code
    ORDER BY requests DESC, service
"""


def stored_services(conn: Connection, measure: str, run_id: int) -> set[str]:
    """The services run ``run_id`` stored ``measure`` (``needs``, ``hotspots``) results for."""
    table = RESULT_TABLES[measure]
    return set(
        conn.execute(
            text(f"SELECT DISTINCT service FROM {table} WHERE run_id = :run"), {"run": run_id}
        ).scalars()
    )


def stored_periods(conn: Connection, measure: str, run_id: int) -> set[str]:
    """The periods run ``run_id`` stored ``measure`` results for."""
    table = RESULT_TABLES[measure]
    rows = conn.execute(
        text(f"SELECT DISTINCT period FROM {table} WHERE run_id = :run"), {"run": run_id}
    ).scalars()
    return set(rows)


def stored_services_and_periods(conn: Connection, measure: str, run_id: int) -> Rows:
    """Each (service, period) run ``run_id`` stored ``measure`` results for."""
    table = RESULT_TABLES[measure]
    return conn.execute(
        text(f"SELECT DISTINCT service, period FROM {table} WHERE run_id = :run"), {"run": run_id}
    ).all()


def ward_needs(conn: Connection, run_id: int, period: str, code: str) -> Rows:
    """Ward ``code``'s needs scores per service, with how many wards each service ranks."""
    return conn.execute(text(_NEEDS), {"run": run_id, "period": period, "code": code}).all()


def ward_hotspots(conn: Connection, run_id: int, code: str, period: str, statistic: str) -> Rows:
    """Ward ``code``'s hotspot class per service by ``statistic``, with its trend pattern."""
    params = {"run": run_id, "code": code, "period": period, "statistic": statistic}
    return conn.execute(text(_HOTSPOTS), params).all()


def ward_standards(conn: Connection, run_id: int, period: str, code: str) -> Rows:
    """Ward ``code``'s scoreboard rows per service, with how many wards each service ranks."""
    return conn.execute(text(_STANDARDS), {"run": run_id, "period": period, "code": code}).all()
