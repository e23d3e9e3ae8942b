"""Running the analytics that exist over the whole database and storing their results."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, text

from geosvc.analytics.rates import incident_rates, quarter
from geosvc.db import copy_rows, frame_rows

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
    by_quarter = incidents.assign(
        period=quarter(pd.to_datetime(incidents["requested_at"], utc=True))
    )
    rates = pd.concat(
        [
            incident_rates(by_quarter, households),
            incident_rates(incidents.assign(period="all"), households),
        ]
    )
    conn.execute(text("DELETE FROM ward_indicator WHERE source = :s"), {"s": SOURCE})
    rows = _indicator_rows(rates)
    copy_rows(conn, "ward_indicator", _COLUMNS, rows)
    return AnalysisResult(incidents=len(incidents), indicators=len(rows))


def _indicator_rows(rates: pd.DataFrame) -> list[tuple[object, ...]]:
    keys = rates[["ward_code", "period", "service_group"]]
    counts = keys.assign(category="count", value=rates["incidents"], unit="incidents")
    per_1000 = keys.assign(
        category="rate", value=rates["per_1000_households"], unit="per 1,000 households"
    ).dropna(subset=["value"])
    rows = pd.concat([counts, per_1000]).assign(source=SOURCE, note=None)
    rows = rows.rename(columns={"service_group": "service"})[list(_COLUMNS)]
    return list(frame_rows(rows))
