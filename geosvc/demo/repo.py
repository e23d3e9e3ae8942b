"""The demo's reads: the wards it generates over, its own requests, the service standards.

The demo owns no table. What it writes, service requests and their events, goes through
the requests' repository (``geosvc.requests.repo.imports``: ``reserve_request_ids``,
``copy_request_rows``); this module only reads, and names the columns the demo fills.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import geopandas as gpd
import pandas as pd
from sqlalchemy import Connection, Row, text

from geosvc.db import column_names
from geosvc.requests.tables import request_event, service_request

DEMO_REQUEST_COLUMNS = column_names(
    service_request,
    # Left to their defaults: a demo request has no contact, hold, escalation or rating.
    exclude=(
        "status_notes",
        "contact",
        "anonymous",
        "attributes",
        "address",
        "priority",
        "parent_id",
        "satisfaction",
        "token",
        "actionable",
        "assigned_to",
        "service_notice",
        "media_url",
        "notified_at",
        "on_hold_since",
        "resume_status",
        "escalations",
        "escalated_at",
        "resolved_by_citizen",
        "feedback",
        "rated_at",
        "source",
        "source_id",
        "recommend",
    ),
)
DEMO_EVENT_COLUMNS = column_names(request_event, exclude=("id", "note", "public", "data"))
"""The order of the event rows the demo's loader yields."""


def wards_to_generate_over(conn: Connection) -> gpd.GeoDataFrame:
    """Every loaded ward's code, households and ``geom``, by code."""
    return gpd.read_postgis(
        "SELECT code, households, geom FROM ward ORDER BY code", conn, geom_col="geom"
    )


def demo_set_loaded(conn: Connection, prefix: str) -> bool:
    """Whether any request's reference starts with the demo set's ``prefix`` and a dash."""
    already = conn.execute(
        text("SELECT 1 FROM service_request WHERE reference LIKE :p LIMIT 1"), {"p": prefix + "-%"}
    ).scalar()
    return bool(already)


def service_standards(conn: Connection) -> pd.DataFrame:
    """Each service type's acknowledge, notify and complete days, indexed by its code."""
    return pd.read_sql(
        text("SELECT code, acknowledge_days, notify_days, complete_days FROM service_type"),
        conn,
        index_col="code",
    )


def recent_demo_requests(conn: Connection, since: datetime, mark: str) -> int:
    """How many requests received since ``since`` have a description starting with ``mark``."""
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM service_request"
                " WHERE requested_at >= :since AND description LIKE :mark"
            ),
            {"since": since, "mark": mark + "%"},
        ).scalar_one()
    )


def populous_ward_points(conn: Connection) -> Sequence[Row[float, float]]:
    """An interior point (``lon``, ``lat``) of each of the 60 wards with most households."""
    return conn.execute(
        text(
            "SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM ("
            " SELECT ST_PointOnSurface(geom) AS p FROM ward"
            " ORDER BY households DESC NULLS LAST LIMIT 60) AS w"
        )
    ).all()
