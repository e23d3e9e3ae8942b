"""Reading stored analysis results for the API: the newest run's rows.

The map layers of hotspots, needs and clusters (GeoJSON, exports) are in ``geosvc.features``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from geosvc.analytics.needs.components import COMPONENTS
from geosvc.analytics.needs.index import greatest_need
from geosvc.analytics.repo.runs import latest_run
from geosvc.errors import NotFoundError


def newest_run(conn: Connection) -> dict[str, Any]:
    """The newest finished analysis run: id, parameters, times and summary."""
    run_id = _run(conn)
    row = conn.execute(
        text(
            "SELECT id, params, started_at, finished_at, summary FROM analysis_run WHERE id = :id"
        ),
        {"id": run_id},
    ).mappings()
    return dict(row.one())


def _run(conn: Connection) -> int:
    run_id = latest_run(conn)
    if run_id is None:
        raise NotFoundError("Nothing has been analysed yet: run 'geosvc analyse'.")
    return run_id


def result_rows(
    conn: Connection, table: str, filters: Mapping[str, object], order: str
) -> list[dict[str, Any]]:
    """Rows of one result table of the newest run, with equality ``filters`` (None: any)."""
    clauses = ["run_id = :run"]
    params: dict[str, object] = {"run": _run(conn)}
    for column, value in filters.items():
        if value is not None:
            clauses.append(f"{column} = :{column}")
            params[column] = value
    sql = f"SELECT * FROM {table} WHERE {' AND '.join(clauses)} ORDER BY {order}"
    return [
        {k: v for k, v in row.items() if k != "run_id"}
        for row in conn.execute(text(sql), params).mappings()
    ]


def explain_need(conn: Connection, ward_code: str, service: str, period: str) -> dict[str, Any]:
    """One ward's needs score for a service, component by component."""
    rows = result_rows(
        conn, "ward_need", {"ward_code": ward_code, "service": service, "period": period}, "rank"
    )
    if not rows:
        raise NotFoundError(f"No needs score for ward {ward_code!r}, {service}, {period}.")
    row = rows[0]
    parts = row.pop("components")
    row["components"] = [
        {
            "component": name,
            "raw": parts.get(f"{name}_raw"),
            "normalised": parts.get(f"{name}_norm"),
            "contribution": parts.get(f"{name}_contribution"),
        }
        for name in COMPONENTS
    ]
    return row


def greatest_needs(
    conn: Connection, period: str, by: str = "municipality_code"
) -> list[dict[str, Any]]:
    """Per municipality (or ward ``by`` column) the services ranked by need, greatest first."""
    index = pd.DataFrame(
        result_rows(conn, "ward_need", {"period": period}, "service, ward_code")
    ).reindex(columns=["ward_code", "service", "score", "coverage"])
    wards = pd.DataFrame(
        conn.execute(text("SELECT code AS ward_code, municipality_code, households FROM ward"))
        .mappings()
        .all()
    )
    ranked = greatest_need(index.dropna(subset=["score"]), wards, by=by)
    records = json.loads(ranked.to_json(orient="records"))
    return list(records)
