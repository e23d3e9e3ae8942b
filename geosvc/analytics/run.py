"""Running the analytics that exist over the whole database and storing their results."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, text

from geosvc.analytics.rates import incident_rates, quarter
from geosvc.db import copy_rows

SOURCE = "incidents"
_COLUMNS = ("ward_code", "source", "period", "service", "category", "value", "unit", "note")


@dataclass(frozen=True)
class AnalysisResult:
    """What an analysis run stored."""

    incidents: int
    indicators: int


def run_incident_rates(conn: Connection) -> AnalysisResult:
    """Recompute ward incident counts and rates for every quarter and for all time."""
    incidents = pd.read_sql_query(
        text(
            "SELECT r.ward_code, t.group_name AS service_group, r.requested_at "
            "FROM service_request r JOIN service_type t ON t.code = r.service_code "
            "WHERE r.kind <> 'compliment'"
        ),
        conn,
    )
    households = pd.read_sql_query(
        text("SELECT code, households FROM ward"), conn, index_col="code"
    )["households"]
    by_quarter = incidents.assign(period=quarter(pd.to_datetime(incidents["requested_at"], utc=True)))
    rates = pd.concat(
        [incident_rates(by_quarter, households), incident_rates(incidents.assign(period="all"), households)]
    )
    conn.execute(text("DELETE FROM ward_indicator WHERE source = :s"), {"s": SOURCE})
    rows = _indicator_rows(rates)
    copy_rows(conn, "ward_indicator", _COLUMNS, rows)
    return AnalysisResult(incidents=len(incidents), indicators=len(rows))


def _indicator_rows(rates: pd.DataFrame) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for r in rates.itertuples(index=False):
        rows.append((r.ward_code, SOURCE, r.period, r.service_group, "count", float(r.incidents), "incidents", None))
        if pd.notna(r.per_1000_households):
            rows.append((r.ward_code, SOURCE, r.period, r.service_group, "rate", float(r.per_1000_households), "per 1,000 households", None))
    return rows
