"""``/api/incidents``, ``/api/survey-points`` and ``/api/export/{layer}.{fmt}``.

Incidents are public (no personal information, as Open311's GET requests); survey points
are for planners and community development workers. An export takes the layer's filters,
holds every matching feature (no paging) and needs the layer's role.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from api.deps import ConnectionDep
from api.filters import no_paging
from api.layers import (
    FeatureCollectionOut,
    IncidentsDep,
    PointPaging,
    SurveyPointsDep,
    SurveyReaderDep,
    clusters_layer,
    feature_collection,
    hotspots_layer,
    incidents_layer,
    needs_layer,
    survey_points_layer,
    survey_reader,
    wards_layer,
)
from geosvc.features.collection import feature_page
from geosvc.features.export import ExportFormat, export_layer
from geosvc.features.repo.layer_query import LayerQuery

router = APIRouter(prefix="/api", tags=["map layers"])


@router.get(
    "/incidents",
    response_model=FeatureCollectionOut,
    summary="Incidents (service requests) as GeoJSON points, without personal information",
)
def list_incidents(
    request: Request, conn: ConnectionDep, query: IncidentsDep, page: PointPaging
) -> FeatureCollectionOut:
    """Service requests newest first: reference, service, kind, status, channel, ward,
    requested, due and closed times, and whether they are overdue; never contact details,
    descriptions or addresses. A request lodged with an address only has a null geometry."""
    return feature_collection(feature_page(conn, query, page), request)


@router.get(
    "/survey-points",
    response_model=FeatureCollectionOut,
    summary="Surveyed households as GeoJSON points (planner or cdw)",
)
def list_survey_points(
    request: Request,
    _: SurveyReaderDep,
    conn: ConnectionDep,
    query: SurveyPointsDep,
    page: PointPaging,
) -> FeatureCollectionOut:
    """Household survey responses, most recently collected first: submission id, batch,
    ward, collection time, GPS precision, access level per service (name, and code with 0
    the best level) and the needs the household named."""
    return feature_collection(feature_page(conn, query, page), request)


FormatParam = Annotated[
    ExportFormat,
    PathParam(description="csv (lon/lat or WKT columns) or gpkg (GeoPackage).", examples=["csv"]),
]


def _add_export(
    layer: str,
    dependency: Callable[..., LayerQuery],
    guard: Callable[..., Any] | None,
    what: str,
) -> None:
    """Register ``GET /api/export/{layer}.{fmt}`` for one layer (closures keep its own
    dependency: FastAPI resolves it from the default, not from a text annotation)."""
    guards = [Depends(guard)] if guard is not None else []

    @router.get(
        f"/export/{layer}.{{fmt}}",
        response_class=FileResponse,
        dependencies=[*guards, Depends(no_paging)],
        summary=f"Export {what} as CSV or GeoPackage",
        responses={200: {"content": {f.media_type: {} for f in ExportFormat}}},
        name=f"export_{layer.replace('-', '_')}",
    )
    def export(
        conn: ConnectionDep, fmt: FormatParam, query: LayerQuery = Depends(dependency)
    ) -> FileResponse:
        """Every feature the layer's filters match (the count the layer reports as
        numberMatched), as an attachment."""
        directory = Path(tempfile.mkdtemp(prefix="geosvc-export-"))
        try:
            written = export_layer(conn, query, fmt, directory, f"geosvc-{layer}-{date.today()}")
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        return FileResponse(
            written.path,
            media_type=written.media_type,
            filename=written.filename,
            headers={"X-Feature-Count": str(written.rows)},
            background=BackgroundTask(shutil.rmtree, directory, ignore_errors=True),
        )


for _layer, _dependency, _guard, _what in (
    ("incidents", incidents_layer, None, "incidents"),
    ("survey-points", survey_points_layer, survey_reader, "survey points (planner or cdw)"),
    ("wards", wards_layer, None, "wards"),
    ("hotspots", hotspots_layer, None, "ward hotspot classes"),
    ("needs", needs_layer, None, "the needs index by ward"),
    ("clusters", clusters_layer, None, "incident clusters"),
):
    _add_export(_layer, _dependency, _guard, _what)
