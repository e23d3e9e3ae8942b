"""The SQL cutting Mapbox vector tiles (``ST_AsMVT``): raw features, or points counted in cells.

The tile's envelope is transformed to the data's EPSG:4326, never the column, so the
GiST index on ``geom`` finds the rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from geosvc.features.repo import incidents, survey_points


@dataclass(frozen=True)
class TileSource:
    """A layer's rows as tiles read them: FROM clause, geometry, attributes, bound values.

    ``cell_source`` is the FROM clause used when counting points in cells (no joins that
    only attributes need); None for layers that are never aggregated (polygons).
    """

    source: str
    geometry: str
    properties: str
    cell_source: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


INCIDENT_TILES = TileSource(
    source="service_request AS r JOIN service_type AS t ON t.code = r.service_code",
    geometry="r.geom",
    properties=f"""r.reference, r.service_code, t.group_name AS service_group, r.status,
        {incidents.OVERDUE} AS overdue, r.ward_code""",
    cell_source="service_request AS r",
)
SURVEY_TILES = TileSource(
    source="survey_response AS s",
    geometry="s.geom",
    properties="""s.submission_id, s.ward_code,
        (CAST(:water_levels AS text[]))[s.water_access + 1] AS water_access,
        (CAST(:sanitation_levels AS text[]))[s.sanitation_access + 1] AS sanitation_access,
        (CAST(:electricity_levels AS text[]))[s.electricity_access + 1] AS electricity_access,
        (CAST(:refuse_levels AS text[]))[s.refuse_access + 1] AS refuse_access""",
    cell_source="survey_response AS s",
    params=survey_points.LEVEL_PARAMS,
)
WARD_TILES = TileSource(
    source="ward AS w",
    geometry="w.geom",
    properties="w.code, w.name, w.municipality_code, w.households",
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


def tile_sql(layer: TileSource, where_sql: str, *, aggregated: bool) -> str:
    """The SQL cutting a tile of ``layer``: counted cells when ``aggregated``, else features."""
    if aggregated:
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


def tile_bytes(
    conn: Connection,
    layer: TileSource,
    where_sql: str,
    params: Mapping[str, Any],
    *,
    aggregated: bool,
) -> bytes:
    """The MVT bytes of the tile ``params`` address (``z``, ``x``, ``y``, ...); empty if none."""
    # PostGIS's functions are costed so high that every tile would pass the JIT threshold
    # and spend about 100 ms compiling a query that runs in a few milliseconds.
    conn.execute(text("SET LOCAL jit = off"))
    sql = tile_sql(layer, where_sql, aggregated=aggregated)
    data = conn.execute(text(sql), {**layer.params, **params}).scalar_one()
    return bytes(data or b"")
