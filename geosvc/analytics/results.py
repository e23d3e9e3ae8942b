"""Reading stored analysis results for the API: the newest run's, as features and rows."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from geosvc.analytics.needs_components import COMPONENTS
from geosvc.analytics.needs_index import greatest_need
from geosvc.analytics.store import latest_run
from geosvc.errors import NotFoundError
from geosvc.wards.repo import geojson_feature, simplified_sql

BBox = tuple[float, float, float, float]


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


def hotspot_features(
    conn: Connection,
    *,
    service: str,
    period: str,
    statistic: str = "gi_star",
    municipality: str | None = None,
    simplify_m: float | None = None,
) -> list[dict[str, Any]]:
    """Each ward's hotspot class for a service and period, with its outline, as features."""
    geom = simplified_sql("w.geom") if simplify_m else "w.geom"
    sql = f"""
        SELECT h.ward_code, w.name AS ward_name, w.municipality_code, h.service, h.period,
               h.statistic, h.incidents, h.households, h.value, h.z, h.p_norm, h.p_sim, h.q,
               h.class, h.confidence, h.island, h.excluded, ST_AsGeoJSON({geom}, 6) AS geometry
        FROM ward_hotspot AS h JOIN ward AS w ON w.code = h.ward_code
        WHERE h.run_id = :run AND h.service = :service AND h.period = :period
          AND h.statistic = :statistic
          AND (CAST(:municipality AS text) IS NULL OR w.municipality_code = :municipality)
        ORDER BY h.ward_code
    """
    params = {
        "run": _run(conn),
        "service": service,
        "period": period,
        "statistic": statistic,
        "municipality": municipality,
        "tolerance_m": simplify_m,
    }
    return [geojson_feature(row, "ward_code") for row in conn.execute(text(sql), params).mappings()]


def cluster_features(
    conn: Connection,
    *,
    live: bool,
    service: str | None = None,
    states: Sequence[str] = (),
    bbox: BBox | None = None,
) -> list[dict[str, Any]]:
    """Clusters as features with their hull: the live ones or the newest run's."""
    table, scope = ("live_cluster", "TRUE") if live else ("cluster", "run_id = :run")
    wanted_states = list(states) or ["new", "growing", "stable", "fading"]
    sql = f"""
        SELECT key, service_code, state, member_count AS count, previous_count, wards,
               first_at, last_at, radius_m, closed_into, cardinality(member_ids) AS members,
               ST_AsGeoJSON(hull, 6) AS geometry,
               ST_X(centroid) AS centroid_lon, ST_Y(centroid) AS centroid_lat
        FROM {table}
        WHERE {scope} AND state = ANY(:states)
          AND (CAST(:service AS text) IS NULL OR service_code = :service)
          AND (CAST(:west AS float8) IS NULL
               OR hull && ST_MakeEnvelope(:west, :south, :east, :north, 4326))
        ORDER BY member_count DESC, key
    """
    west, south, east, north = bbox or (None, None, None, None)
    params = {
        "run": None if live else _run(conn),
        "states": wanted_states,
        "service": service,
        "west": west,
        "south": south,
        "east": east,
        "north": north,
    }
    return [geojson_feature(row, "key") for row in conn.execute(text(sql), params).mappings()]


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
