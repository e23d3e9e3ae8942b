"""Mapbox vector tiles cut by PostGIS (``ST_AsMVT``) for the incident, survey and ward layers.

The tile's envelope is transformed to the data's EPSG:4326, never the column, so the
GiST index on ``geom`` finds the rows. Below ``aggregate_below_zoom`` a point layer is
counted in grid cells of a few pixels (an EPSG:3857 grid aligned with the tile's edges,
each cell drawn at its centre with a ``count``), so a z8 tile over a metro of a million
incidents is a few hundred counted cells instead of every point.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from geosvc.errors import InvalidInputError
from geosvc.features import incidents, survey_points
from geosvc.features.areas import WARD_FILTERS
from geosvc.features.filters import FeatureFilters, Filter
from geosvc.features.names import check_names
from geosvc.features.settings import TileSettings
from geosvc.features.sql import LayerFilters

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
    """A layer as tiles: its rows, geometry, attributes, and what counts its points.

    ``cell_source`` is the FROM clause used when counting points in cells (no joins that
    only attributes need); None for layers that are never aggregated (polygons).
    """

    name: str
    source: str
    geometry: str
    properties: str
    filters: LayerFilters
    cell_source: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


INCIDENTS = TileLayer(
    name="incidents",
    source="service_request AS r JOIN service_type AS t ON t.code = r.service_code",
    geometry="r.geom",
    properties=f"""r.reference, r.service_code, t.group_name AS service_group, r.status,
        {incidents.OVERDUE} AS overdue, r.ward_code""",
    filters=_without_bbox(incidents.FILTERS, "incidents tiles"),
    cell_source="service_request AS r",
)
SURVEYS = TileLayer(
    name="surveys",
    source="survey_response AS s",
    geometry="s.geom",
    properties="""s.submission_id, s.ward_code,
        (CAST(:water_levels AS text[]))[s.water_access + 1] AS water_access,
        (CAST(:sanitation_levels AS text[]))[s.sanitation_access + 1] AS sanitation_access,
        (CAST(:electricity_levels AS text[]))[s.electricity_access + 1] AS electricity_access,
        (CAST(:refuse_levels AS text[]))[s.refuse_access + 1] AS refuse_access""",
    filters=_without_bbox(survey_points.FILTERS, "surveys tiles"),
    cell_source="survey_response AS s",
    params=survey_points.LEVEL_PARAMS,
)
WARDS = TileLayer(
    name="wards",
    source="ward AS w",
    geometry="w.geom",
    properties="w.code, w.name, w.municipality_code, w.households",
    filters=_without_bbox(WARD_FILTERS, "wards tiles"),
)
_TILE = "ST_TileEnvelope(CAST(:z AS integer), CAST(:x AS integer), CAST(:y AS integer)"
#: The tile in EPSG:3857, and the tile (with the buffer's margin) in the data's EPSG:4326.
TILE_3857 = _TILE + ")"
BOX_4326 = f"ST_Transform({_TILE}, margin => CAST(:margin AS float8)), 4326)"
CELL_BOX_4326 = f"ST_Transform({TILE_3857}, 4326)"

_FEATURES = """
SELECT ST_AsMVT(f, :layer, :extent, 'geom') FROM (
    SELECT ST_AsMVTGeom(ST_Transform({geometry}, 3857), {tile}, :extent, :buffer, true) AS geom,
           {properties}
    FROM {source}
    WHERE {geometry} && {box} AND {where}
) AS f WHERE f.geom IS NOT NULL
"""
#: The sphere of EPSG:3857 (Web Mercator): x = R·lon, y = R·ln(tan(pi/4 + lat/2)).
EARTH_RADIUS_M = 6378137.0
# Each point's cell in the EPSG:3857 grid of ``:cell`` metres whose lines run along the tile
# edges: the grid of ST_SnapToGrid(ST_Transform(geom, 3857), ...) moved to cell centres,
# computed from the coordinates with Web Mercator's formula instead of building a
# transformed geometry per point and sorting geometries (bench/bench_tiles.py measures
# both). A point on a tile's east or north edge falls in the next tile's cell, so each
# point is counted in exactly one tile. MATERIALIZED: cells are counted, then encoded;
# otherwise the planner runs the encoder once per point, below the GROUP BY.
_CELLS = """
WITH cells AS MATERIALIZED (
    SELECT i, j, count(*) AS count
    FROM (
        SELECT floor((radians(ST_X({geometry})) * :earth_r - :origin) / :cell) AS i,
               floor((ln(tan(pi() / 4 + radians(ST_Y({geometry})) / 2)) * :earth_r - :origin)
                     / :cell) AS j
        FROM {source}
        WHERE {geometry} && {box} AND {where}
    ) AS points
    GROUP BY i, j
)
SELECT ST_AsMVT(f, :layer, :extent, 'geom') FROM (
    SELECT ST_AsMVTGeom(
               ST_SetSRID(ST_MakePoint(:origin + (i + 0.5) * :cell, :origin + (j + 0.5) * :cell),
                          3857),
               {tile}, :extent, 0, true) AS geom,
           count
    FROM cells
) AS f WHERE f.geom IS NOT NULL
"""


def is_aggregated(layer: TileLayer, tile: Tile, settings: TileSettings) -> bool:
    """Whether ``tile`` of ``layer`` counts points in cells instead of drawing them."""
    return layer.cell_source is not None and tile.z < settings.aggregate_below_zoom


def tile_sql(layer: TileLayer, tile: Tile, where_sql: str, settings: TileSettings) -> str:
    """The SQL cutting ``tile`` of ``layer`` (raw features or counted cells)."""
    if is_aggregated(layer, tile, settings):
        assert layer.cell_source is not None
        return _CELLS.format(
            geometry=layer.geometry,
            source=layer.cell_source,
            where=where_sql,
            tile=TILE_3857,
            box=CELL_BOX_4326,
        )
    return _FEATURES.format(
        geometry=layer.geometry,
        properties=layer.properties,
        source=layer.source,
        where=where_sql,
        tile=TILE_3857,
        box=BOX_4326,
    )


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
        **layer.params,
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
    # PostGIS's functions are costed so high that every tile would pass the JIT threshold
    # and spend about 100 ms compiling a query that runs in a few milliseconds.
    conn.execute(text("SET LOCAL jit = off"))
    data = conn.execute(text(tile_sql(layer, tile, where.sql, settings)), params).scalar_one()
    return bytes(data or b"")
