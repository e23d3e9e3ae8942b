"""The map layers as FastAPI dependencies, and their pages as GeoJSON FeatureCollections.

Each ``*_layer`` dependency reads the layer's filters and options and returns its query
(``geosvc.features``); a list endpoint pages it, an export writes all of it, so both
count the same features.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from api.auth import role
from api.deps import ConnectionDep
from api.filters import layer_filters, paging
from geosvc.accounts.roles import Principal, Role
from geosvc.features import areas, clusters, incidents, survey_points
from geosvc.features.collection import FeaturePage
from geosvc.features.filters import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, FeatureFilters, Filter, Paging
from geosvc.features.repo.layer_query import LayerQuery

LINK_TYPE = "application/json"

#: Point layers: a hundred features a page unless asked for more.
PointPaging = Annotated[Paging, Depends(paging(DEFAULT_PAGE_SIZE))]
#: Layers of areas are a few thousand outlines at most: one page holds them all by default.
AreaPaging = Annotated[Paging, Depends(paging(MAX_PAGE_SIZE))]


class Link(BaseModel):
    """A link to a related page of the same collection."""

    href: str = Field(description="Absolute URL.")
    rel: Literal["self", "next", "prev"] = Field(description="How it relates to this page.")
    type: str = LINK_TYPE


class FeatureCollectionOut(BaseModel):
    """A page of a layer as a GeoJSON FeatureCollection (RFC 7946) with paging links."""

    model_config = ConfigDict(populate_by_name=True)

    type: Literal["FeatureCollection"] = "FeatureCollection"
    number_matched: int = Field(
        alias="numberMatched", description="How many features match the filters, on all pages."
    )
    number_returned: int = Field(alias="numberReturned", description="Features on this page.")
    links: list[Link] = Field(description="This page, and the next and previous where any.")
    features: list[dict[str, Any]] = Field(description="GeoJSON Features.")


def feature_collection(page: FeaturePage, request: Request) -> FeatureCollectionOut:
    """``page`` as a FeatureCollection whose links keep the request's filters."""
    links = [Link(href=str(request.url), rel="self")]
    if page.has_next:
        url = request.url.include_query_params(page=page.paging.page + 1)
        links.append(Link(href=str(url), rel="next"))
    if page.has_prev:
        url = request.url.include_query_params(page=page.paging.page - 1)
        links.append(Link(href=str(url), rel="prev"))
    return FeatureCollectionOut(
        number_matched=page.number_matched,
        number_returned=page.number_returned,
        links=links,
        features=page.features,
    )


#: Survey points: planners and community development workers (and roles including either).
survey_reader = role(Role.PLANNER, Role.CDW)

SurveyReaderDep = Annotated[Principal, Depends(survey_reader)]

Simplify = Annotated[
    float | None,
    Query(
        ge=0,
        le=5000,
        description="Simplify outlines to this tolerance in metres (topology preserved).",
        examples=[50],
    ),
]
_RESULT_PERIOD = {
    Filter.PERIOD: "The analysis period whose results to show: all, a year, a quarter "
    "(2026-Q3) or a month; default the newest run's own period."
}

IncidentFilters = Annotated[
    FeatureFilters,
    Depends(
        layer_filters(
            incidents.FILTERS.applicable,
            {Filter.PERIOD: "Requested in this period: " + "all, a year (2026), a quarter "
             "(2026-Q3) or a month (2026-09), in the municipality's time zone."},
        )
    ),
]  # fmt: skip


def incidents_layer(conn: ConnectionDep, filters: IncidentFilters) -> LayerQuery:
    """The incidents layer for the request's filters."""
    return incidents.incidents_query(conn, filters)


SurveyFilters = Annotated[
    FeatureFilters,
    Depends(
        layer_filters(
            survey_points.FILTERS.applicable,
            {Filter.PERIOD: "Collected in this period: all, a year, a quarter (2026-Q3) "
             "or a month (2026-09), in the municipality's time zone."},
        )
    ),
]  # fmt: skip


def survey_points_layer(conn: ConnectionDep, filters: SurveyFilters) -> LayerQuery:
    """The survey-points layer for the request's filters."""
    return survey_points.survey_points_query(conn, filters)


WardFilters = Annotated[FeatureFilters, Depends(layer_filters(areas.WARD_FILTERS.applicable))]


def wards_layer(conn: ConnectionDep, filters: WardFilters, simplify: Simplify = None) -> LayerQuery:
    """The wards layer for the request's filters."""
    return areas.wards_query(conn, filters, simplify_m=simplify)


HotspotFilters = Annotated[
    FeatureFilters,
    Depends(
        layer_filters(
            areas.HOTSPOT_FILTERS.applicable,
            {
                **_RESULT_PERIOD,
                Filter.SERVICE: "The one service (a group such as water, or a service "
                "type's code) whose hotspots to show; required.",
            },
        )
    ),
]
Statistic = Annotated[
    Literal["gi_star", "local_moran"],
    Query(description="The hotspot statistic.", examples=["gi_star"]),
]


def hotspots_layer(
    conn: ConnectionDep,
    filters: HotspotFilters,
    statistic: Statistic = "gi_star",
    simplify: Simplify = None,
) -> LayerQuery:
    """The hotspots layer for the request's filters."""
    return areas.hotspots_query(conn, filters, statistic=statistic, simplify_m=simplify)


NeedFilters = Annotated[
    FeatureFilters,
    Depends(layer_filters(areas.NEED_FILTERS.applicable, _RESULT_PERIOD)),
]


def needs_layer(conn: ConnectionDep, filters: NeedFilters, simplify: Simplify = None) -> LayerQuery:
    """The needs layer (the newest run's needs index by ward) for the request's filters."""
    return areas.needs_query(conn, filters, simplify_m=simplify)


ClusterFilters = Annotated[
    FeatureFilters,
    Depends(
        layer_filters(
            clusters.FILTERS.applicable,
            {
                Filter.WARD: "Clusters touching any of these wards (codes, repeated or "
                "comma-separated).",
                Filter.MUNICIPALITY: "Clusters touching a ward of this municipality "
                "(code or name).",
                Filter.PERIOD: "Clusters active in this period (all, 2026, 2026-Q3, 2026-09).",
            },
        )
    ),
]


def clusters_layer(
    conn: ConnectionDep,
    filters: ClusterFilters,
    live: Annotated[
        bool,
        Query(
            description="The war room's live clusters (true) or the newest analysis run's.",
            examples=[True],
        ),
    ] = True,
    state: Annotated[
        list[Literal["new", "growing", "stable", "fading", "closed"]],
        Query(
            description="Cluster states to show (repeat); default all but closed.",
            examples=[["new", "growing"]],
        ),
    ] = [],  # noqa: B006 - FastAPI copies defaults per request
) -> LayerQuery:
    """The clusters layer for the request's filters."""
    return clusters.clusters_query(conn, filters, live=live, states=state)


IncidentsDep = Annotated[LayerQuery, Depends(incidents_layer)]
SurveyPointsDep = Annotated[LayerQuery, Depends(survey_points_layer)]
WardsDep = Annotated[LayerQuery, Depends(wards_layer)]
HotspotsDep = Annotated[LayerQuery, Depends(hotspots_layer)]
NeedsDep = Annotated[LayerQuery, Depends(needs_layer)]
ClustersDep = Annotated[LayerQuery, Depends(clusters_layer)]
