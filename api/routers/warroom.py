"""The war room's board data: what the page loads before it follows the event stream.

Every endpoint needs the warroom role (staff and admin have it). The lists hold the same
views the stream sends, without personal data; ``summary`` holds them all and the event id
to stream from.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import WarroomDep
from api.deps import ConnectionDep
from geosvc.warroom import board, repo
from geosvc.warroom.schemas import BoardSummary, Cluster, OverdueRequest, RequestEvent, RequestView

router = APIRouter(prefix="/api/warroom", tags=["war room"])

Limit = Annotated[int, Query(ge=1, le=500, description="Rows per list.", examples=[50])]


@router.get("/summary", summary="The war-room board at a glance", response_model=BoardSummary)
def summary(conn: ConnectionDep, _warroom: WarroomDep, limit: Limit = 50) -> BoardSummary:
    """Counters, live clusters, the newest requests, overdue requests and escalations, and
    ``last_event_id``: stream from it (``GET /api/stream?last_event_id=...``) to miss nothing."""
    return BoardSummary.model_validate(board.summary(conn, limit))


@router.get("/clusters", summary="Live clusters, largest first", response_model=list[Cluster])
def clusters(conn: ConnectionDep, _warroom: WarroomDep, limit: Limit = 200) -> list[Cluster]:
    """Service, size, growth, wards, centroid, hull and first and last incident."""
    rows = repo.active_clusters(conn, limit, datetime.now(UTC))
    return [Cluster.model_validate(row) for row in rows]


@router.get("/requests", summary="The newest requests", response_model=list[RequestView])
def requests(conn: ConnectionDep, _warroom: WarroomDep, limit: Limit = 50) -> list[RequestView]:
    """The requests received last, newest first."""
    rows = repo.newest_requests(conn, limit, datetime.now(UTC))
    return [RequestView.model_validate(row) for row in rows]


@router.get(
    "/overdue",
    summary="Requests breaching their service standard",
    response_model=list[OverdueRequest],
)
def overdue(conn: ConnectionDep, _warroom: WarroomDep, limit: Limit = 50) -> list[OverdueRequest]:
    """Open requests past a due date (acknowledge, notify or complete), longest overdue first."""
    rows = repo.overdue_requests(conn, limit, datetime.now(UTC))
    return [OverdueRequest.model_validate(row) for row in rows]


@router.get("/escalations", summary="The newest escalations", response_model=list[RequestEvent])
def escalations(conn: ConnectionDep, _warroom: WarroomDep, limit: Limit = 50) -> list[RequestEvent]:
    """Escalations, newest first, with the breach each answers."""
    rows = repo.recent_escalations(conn, limit, datetime.now(UTC))
    return [RequestEvent.model_validate(row) for row in rows]
