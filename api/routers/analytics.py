"""Analysis results: clusters, ward hotspots and trends, the needs index, the scoreboard.

Everything here is aggregated by ward or cluster and holds no personal information, so it
is public: a municipality's residents may see where service fails as planners do.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from api.deps import ConnectionDep
from api.layers import (
    AreaPaging,
    ClustersDep,
    FeatureCollectionOut,
    HotspotsDep,
    feature_collection,
)
from geosvc.analytics.repo import results
from geosvc.features.collection import feature_page

router = APIRouter(prefix="/api", tags=["analytics"])

Service = Annotated[str, Query(description="Service group or type.", examples=["water"])]
AnyService = Annotated[
    str | None, Query(description="Service group or type; all when absent.", examples=["water"])
]
Period = Annotated[
    str, Query(description="all, a year, a quarter (2026-Q3) or a month.", examples=["all"])
]
Ward = Annotated[str | None, Query(description="Ward code.", examples=["79800001"])]
Municipality = Annotated[str | None, Query(description="Municipality code.", examples=["JHB"])]


@router.get("/analysis", summary="The newest analysis run")
def analysis(conn: ConnectionDep) -> dict[str, Any]:
    """Its parameters, start and finish, and what it stored."""
    return results.newest_run(conn)


@router.get(
    "/clusters", response_model=FeatureCollectionOut, summary="Incident clusters as GeoJSON"
)
def clusters(
    request: Request, conn: ConnectionDep, query: ClustersDep, page: AreaPaging
) -> FeatureCollectionOut:
    """Clusters with their convex hull, size, growth, wards and first and last incident,
    largest first."""
    return feature_collection(feature_page(conn, query, page), request)


@router.get(
    "/hotspots",
    response_model=FeatureCollectionOut,
    summary="Ward hotspot classes as GeoJSON",
)
def hotspots(
    request: Request, conn: ConnectionDep, query: HotspotsDep, page: AreaPaging
) -> FeatureCollectionOut:
    """Per ward: incidents, rate, z, permutation p, FDR q and hot/cold class at 90/95/99%,
    for one service."""
    return feature_collection(feature_page(conn, query, page), request)


@router.get("/trends", summary="Emerging and fading hotspots")
def trends(
    conn: ConnectionDep, service: AnyService = None, ward: Ward = None
) -> list[dict[str, Any]]:
    """Per ward and service: the pattern of its Gi* series over the months, with Mann-Kendall."""
    return results.result_rows(
        conn, "ward_trend", {"service": service, "ward_code": ward}, "service, ward_code"
    )


@router.get("/needs", summary="The needs index")
def needs(
    conn: ConnectionDep,
    service: AnyService = None,
    ward: Ward = None,
    period: Period = "all",
) -> list[dict[str, Any]]:
    """Per ward and service: score (0-100), rank within the service, evidence coverage."""
    return results.result_rows(
        conn,
        "ward_need",
        {"service": service, "ward_code": ward, "period": period},
        "service, rank NULLS LAST, ward_code",
    )


@router.get("/needs/greatest", summary="The service of greatest need per municipality")
def greatest_need(conn: ConnectionDep, period: Period = "all") -> list[dict[str, Any]]:
    """Per municipality, services ranked by household-weighted need (rank 1 = greatest)."""
    return results.greatest_needs(conn, period)


@router.get("/needs/{ward}/{service}", summary="One ward's needs score, explained")
def explain_need(
    conn: ConnectionDep, ward: str, service: str, period: Period = "all"
) -> dict[str, Any]:
    """The score with each component's raw value, normalised value and contribution."""
    return results.explain_need(conn, ward, service, period)


@router.get("/scoreboard", summary="How each municipality and ward answered")
def scoreboard(
    conn: ConnectionDep,
    level: Literal["municipality", "ward"] = "municipality",
    service: Annotated[str, Query(description="Service group, or all.")] = "all",
    period: Period = "all",
) -> list[dict[str, Any]]:
    """Shares within standard, median working days, backlog, satisfaction, NPS, rank."""
    return results.result_rows(
        conn,
        "scoreboard",
        {"level": level, "service": service, "period": period},
        "rank NULLS LAST, area_code",
    )


@router.get("/delivery-gaps", summary="Where delivery falls furthest short of need")
def delivery_gaps(
    conn: ConnectionDep, service: AnyService = None, period: Period = "all"
) -> list[dict[str, Any]]:
    """Need share against delivery share per ward and service, largest gap first."""
    return results.result_rows(
        conn,
        "delivery_gap",
        {"service": service, "period": period},
        "gap DESC NULLS LAST, ward_code",
    )
