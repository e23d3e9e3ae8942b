"""``/healthz``: is the service and its database up."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from api.deps import get_engine
from geosvc import schema
from geosvc.db import check_postgis
from geosvc.errors import DatabaseUnavailableError

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Service and database health")
def healthz(engine: Annotated[Engine, Depends(get_engine)]) -> JSONResponse:
    """200 with PostGIS's version and the schema revision when the database answers, else 503."""
    body: dict[str, Any] = {"status": "ok"}
    try:
        body["postgis"] = check_postgis(engine)
        body["schema"] = schema.current_revision(engine)
    except DatabaseUnavailableError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    body["database"] = "reachable"
    return JSONResponse(body)
