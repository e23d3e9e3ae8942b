"""The planner's reads: a ward's profile, and what the planner map can show.

Both need the planner role: the profile names service failures ward by ward with the
municipality's own performance, which the planner page presents, not the public pages.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.auth import PlannerDep
from api.deps import ConnectionDep, SettingsDep
from geosvc.planning.evidence import MAX_MONTHS
from geosvc.planning.options import planner_options
from geosvc.planning.profile import DEFAULT_MONTHS, ward_profile
from geosvc.planning.schemas import PlannerOptions, WardProfile

router = APIRouter(prefix="/api", tags=["planner"])


@router.get(
    "/wards/{code}/profile",
    summary="A ward's profile for planners",
    response_model=WardProfile,
    response_model_by_alias=True,
    responses={404: {"description": "No such ward, nothing analysed, or no such period."}},
)
def profile(
    conn: ConnectionDep,
    settings: SettingsDep,
    _planner: PlannerDep,
    code: Annotated[str, Path(description="Official ward code.", examples=["79800060"])],
    period: Annotated[
        str | None,
        Query(
            description="A period the newest run stored (default: the run's own): all, a "
            "year, a quarter (2026-Q3) or a month (2026-09).",
            examples=["all"],
        ),
    ] = None,
    months: Annotated[
        int, Query(ge=1, le=MAX_MONTHS, description="Months in the incident series.")
    ] = DEFAULT_MONTHS,
) -> WardProfile:
    """Needs by service with score, rank and components; hotspot classes and trends;
    incidents per month and service; survey coverage; backlog and service standards."""
    return ward_profile(conn, code, period=period, timezone=settings.timezone, months=months)


@router.get(
    "/planner/options",
    summary="What the planner map can show",
    response_model=PlannerOptions,
    responses={404: {"description": "Nothing has been analysed yet."}},
)
def options(conn: ConnectionDep, _planner: PlannerDep) -> PlannerOptions:
    """The newest run's services (groups and types) with the measures each has, the
    periods per measure, the municipalities, and the legends (class breaks, colours, which
    statistic and inference)."""
    return planner_options(conn)
