"""``/tiles/{layer}/{z}/{x}/{y}.pbf``: Mapbox vector tiles of incidents, survey points, wards.

Incidents and wards are public; survey points need the planner or cdw role. Below
``GEOSVC_TILES_AGGREGATE_BELOW_ZOOM`` (12) point layers come as grid cells with a
``count``. A tile with no feature is answered 204 No Content (with the same caching
headers), which Leaflet.VectorGrid and MapLibre both draw as an empty tile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from api.deps import ConnectionDep
from api.filters import layer_filters
from api.layers import survey_reader
from geosvc.features import tiles
from geosvc.features.filters import FeatureFilters, Filter
from geosvc.features.settings import TileSettings, get_tile_settings

router = APIRouter(prefix="/tiles", tags=["vector tiles"])

MVT = "application/vnd.mapbox-vector-tile"
TileSettingsDep = Annotated[TileSettings, Depends(get_tile_settings)]
Zoom = Annotated[int, Path(description="Zoom level, 0 to 22.", examples=[12])]
Column = Annotated[
    int, Path(description="Tile column, 0 to 2^z - 1, west to east.", examples=[2359])
]
Row = Annotated[int, Path(description="Tile row, 0 to 2^z - 1, north to south.", examples=[2369])]
_PERIODS = {
    "incidents": "Incidents requested in this period",
    "surveys": "Households surveyed in this period",
}


def _respond(data: bytes, cache_control: str) -> Response:
    headers = {"Cache-Control": cache_control}
    if not data:
        return Response(status_code=204, headers=headers)
    return Response(content=data, media_type=MVT, headers=headers)


def _add_tile_route(layer: tiles.TileLayer, guard: Callable[..., Any] | None, what: str) -> None:
    """Register ``GET /tiles/{layer}/{z}/{x}/{y}.pbf`` for one layer."""
    public = guard is None
    descriptions = {}
    if layer.name in _PERIODS:
        descriptions[Filter.PERIOD] = (
            f"{_PERIODS[layer.name]}: all, a year, a quarter (2026-Q3) or a month (2026-09)."
        )
    filters_dependency = layer_filters(layer.filters.applicable, descriptions)

    @router.get(
        f"/{layer.name}/{{z}}/{{x}}/{{y}}.pbf",
        response_class=Response,
        dependencies=[Depends(guard)] if guard is not None else [],
        summary=f"Vector tile of {what}",
        responses={
            200: {"content": {MVT: {}}, "description": "A Mapbox vector tile."},
            204: {"description": "No feature in this tile."},
        },
        name=f"tile_{layer.name}",
    )
    def tile(
        conn: ConnectionDep,
        settings: TileSettingsDep,
        z: Zoom,
        x: Column,
        y: Row,
        filters: FeatureFilters = Depends(filters_dependency),
    ) -> Response:
        """A tile of the layer in EPSG:3857; points are counted in cells below the
        aggregation zoom."""
        address = tiles.check_tile(z, x, y, settings.max_zoom)
        data = tiles.render_tile(conn, layer, address, filters, settings)
        max_age = settings.ward_max_age_s if layer is tiles.WARDS else settings.max_age_s
        scope = "public" if public else "private"
        return _respond(data, f"{scope}, max-age={max_age}")


_add_tile_route(tiles.INCIDENTS, None, "incidents (counted in cells at low zooms)")
_add_tile_route(tiles.SURVEYS, survey_reader, "surveyed households (planner or cdw)")
_add_tile_route(tiles.WARDS, None, "ward outlines")
