"""A layer's query, and reading its rows: a counted page, or every row as a stream.

``LayerQuery`` is what every layer module builds for a set of filters; pages, exports and
tiles read the same one, so they cannot disagree about which rows match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, CursorResult, RowMapping, text

from geosvc.features.repo.clauses import Where


@dataclass(frozen=True)
class LayerQuery:
    """The rows of one layer that match some filters.

    ``properties`` is an SQL select list (no geometry), ``source`` the FROM clause with its
    joins, ``geometry`` an expression for the feature's geometry in EPSG:4326 and
    ``geometry_type`` its type as a GeoPackage declares it. ``params`` binds what the layer
    itself needs besides the filters' values (a run id, the time now, a tolerance).
    """

    layer: str
    properties: str
    source: str
    where: Where
    order: str
    id_column: str
    geometry: str
    geometry_type: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def bound(self) -> dict[str, Any]:
        """Every value the query binds."""
        return {**self.where.params, **self.params}

    def select(self, geometry: str) -> str:
        """SELECT of the properties and ``geometry`` (SQL naming one column) in order."""
        return (
            f"SELECT {self.properties}, {geometry} FROM {self.source} "
            f"WHERE {self.where.sql} ORDER BY {self.order}"
        )


def count_matched(conn: Connection, query: LayerQuery) -> int:
    """How many rows of the layer match."""
    sql = f"SELECT count(*) FROM {query.source} WHERE {query.where.sql}"
    return int(conn.execute(text(sql), query.bound).scalar_one())


def geojson_rows(
    conn: Connection, query: LayerQuery, *, limit: int, offset: int
) -> Sequence[RowMapping]:
    """``limit`` rows of the layer from ``offset``, the geometry as GeoJSON text (6 decimals)."""
    sql = (
        query.select(f"ST_AsGeoJSON({query.geometry}, 6) AS geometry")
        + " LIMIT :page_limit OFFSET :page_offset"
    )
    params = query.bound | {"page_limit": limit, "page_offset": offset}
    return conn.execute(text(sql), params).mappings().all()


def stream_rows(
    conn: Connection, query: LayerQuery, geometry: str, chunk_rows: int
) -> CursorResult[Any]:
    """Every row of the layer with ``geometry`` (SQL naming its columns), ``chunk_rows`` a fetch."""
    return conn.execute(
        text(query.select(geometry)),
        query.bound,
        execution_options={"stream_results": True, "yield_per": chunk_rows},
    )


def csv_geometry(query: LayerQuery) -> str:
    """The geometry's columns in CSV: ``lon`` and ``lat`` for points, ``wkt`` for the others."""
    if query.geometry_type == "Point":
        return f"ST_X({query.geometry}) AS lon, ST_Y({query.geometry}) AS lat"
    return f"ST_AsText({query.geometry}) AS wkt"


def wkb_geometry(query: LayerQuery) -> str:
    """The geometry as a WKB column named ``geometry``."""
    return f"ST_AsBinary({query.geometry}) AS geometry"
