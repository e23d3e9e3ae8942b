"""Mapbox vector tiles cut by PostGIS (``ST_AsMVT``) for the incident, survey and ward layers.

Below ``aggregate_below_zoom`` a point layer is counted in grid cells of a few pixels (an
EPSG:3857 grid aligned with the tile's edges, each cell drawn at its centre with a
``count``), so a z8 tile over a metro of a million incidents is a few hundred counted cells
instead of every point. The SQL that cuts them is in ``repo.tiles``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from geosvc.errors import InvalidInputError
from geosvc.features import incidents, survey_points
from geosvc.features.areas import WARD_FILTERS
from geosvc.features.filters import FeatureFilters, Filter
from geosvc.features.names import check_names
from geosvc.features.repo.clauses import LayerFilters
from geosvc.features.repo.tiles import (
    INCIDENT_TILES,
    SURVEY_TILES,
    WARD_TILES,
    TileSource,
    tile_bytes,
)
from geosvc.features.settings import TileSettings

#: Half the width of the EPSG:3857 world, in metres (the bounds of ST_TileEnvelope).
WORLD_HALF_M = 20037508.342789244
TILE_PX = 256


@dataclass(frozen=True)
class Tile:
    """A tile's address in the XYZ scheme (y counts from the north)."""

    z: int
    x: int
    y: int

    @property
    def size_m(self) -> float:
        """The tile's width in EPSG:3857 metres."""
        return 2 * WORLD_HALF_M / (1 << self.z)


def check_tile(z: int, x: int, y: int, max_zoom: int) -> Tile:
    """The tile ``z/x/y``; InvalidInputError naming a zoom, column or row out of range.

    >>> check_tile(8, 146, 147, 22)
    Tile(z=8, x=146, y=147)
    >>> check_tile(2, 4, 0, 22)
    Traceback (most recent call last):
    ...
    geosvc.errors.InvalidInputError: tile x 4 is out of range at zoom 2 (0 to 3)
    """
    if not 0 <= z <= max_zoom:
        raise InvalidInputError(f"tile zoom {z} is out of range (0 to {max_zoom})")
    last = 2**z - 1
    for name, value in (("x", x), ("y", y)):
        if not 0 <= value <= last:
            raise InvalidInputError(
                f"tile {name} {value} is out of range at zoom {z} (0 to {last})"
            )
    return Tile(z, x, y)


def _without_bbox(filters: LayerFilters, name: str) -> LayerFilters:
    """A layer's filters for tiles, whose box is the tile itself."""
    return LayerFilters(name, {k: v for k, v in filters.clauses.items() if k is not Filter.BBOX})


@dataclass(frozen=True)
class TileLayer:
    """A layer as tiles: its name, its rows (``repo.tiles.TileSource``) and its filters."""

    name: str
    rows: TileSource
    filters: LayerFilters


INCIDENTS = TileLayer(
    "incidents", INCIDENT_TILES, _without_bbox(incidents.FILTERS, "incidents tiles")
)
SURVEYS = TileLayer("surveys", SURVEY_TILES, _without_bbox(survey_points.FILTERS, "surveys tiles"))
WARDS = TileLayer("wards", WARD_TILES, _without_bbox(WARD_FILTERS, "wards tiles"))
#: The sphere of EPSG:3857 (Web Mercator): x = R·lon, y = R·ln(tan(pi/4 + lat/2)).
EARTH_RADIUS_M = 6378137.0


def is_aggregated(layer: TileLayer, tile: Tile, settings: TileSettings) -> bool:
    """Whether ``tile`` of ``layer`` counts points in cells instead of drawing them."""
    return layer.rows.cell_source is not None and tile.z < settings.aggregate_below_zoom


def render_tile(
    conn: Connection,
    layer: TileLayer,
    tile: Tile,
    filters: FeatureFilters,
    settings: TileSettings,
    *,
    now: datetime | None = None,
) -> bytes:
    """The MVT bytes of ``tile`` of ``layer`` for ``filters``; empty when nothing is there.

    In a counted tile each feature is a cell's centre with ``count``, the points in it;
    the counts of a tile add up to the points inside it.
    """
    where = layer.filters.where(filters)
    check_names(conn, filters)
    cell = tile.size_m * settings.cell_px / TILE_PX
    params = {
        **where.params,
        "now": now or datetime.now(UTC),
        "layer": layer.name,
        "z": tile.z,
        "x": tile.x,
        "y": tile.y,
        "extent": settings.extent,
        "buffer": settings.buffer,
        "margin": settings.buffer / settings.extent,
        "cell": cell,
        "origin": -WORLD_HALF_M,
        "earth_r": EARTH_RADIUS_M,
    }
    aggregated = is_aggregated(layer, tile, settings)
    return tile_bytes(conn, layer.rows, where.sql, params, aggregated=aggregated)
