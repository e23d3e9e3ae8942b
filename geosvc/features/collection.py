"""A layer's query, and reading it as a page of GeoJSON features with the count of all.

``LayerQuery`` is what every layer module builds for a set of filters; pages, exports and
tiles read the same one, so they cannot disagree about which rows match.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, RowMapping, text

from geosvc.features.filters import Paging
from geosvc.features.sql import Where


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


@dataclass(frozen=True)
class FeaturePage:
    """One page of features, and how many features match in all."""

    features: list[dict[str, Any]]
    number_matched: int
    paging: Paging

    @property
    def number_returned(self) -> int:
        """Features on this page."""
        return len(self.features)

    @property
    def has_next(self) -> bool:
        """Whether a later page holds more features."""
        return self.paging.offset + self.number_returned < self.number_matched

    @property
    def has_prev(self) -> bool:
        """Whether this is not the first page."""
        return self.paging.page > 1


def count_matched(conn: Connection, query: LayerQuery) -> int:
    """How many rows of the layer match."""
    sql = f"SELECT count(*) FROM {query.source} WHERE {query.where.sql}"
    return int(conn.execute(text(sql), query.bound).scalar_one())


def feature_page(conn: Connection, query: LayerQuery, paging: Paging) -> FeaturePage:
    """One page of the layer as GeoJSON features (RFC 7946: WGS84, 6 decimals)."""
    sql = (
        query.select(f"ST_AsGeoJSON({query.geometry}, 6) AS geometry")
        + " LIMIT :page_limit OFFSET :page_offset"
    )
    params = query.bound | {"page_limit": paging.page_size, "page_offset": paging.offset}
    rows = conn.execute(text(sql), params).mappings()
    features = [_feature(row, query.id_column) for row in rows]
    return FeaturePage(features, count_matched(conn, query), paging)


def _feature(row: RowMapping, id_column: str) -> dict[str, Any]:
    geometry = row["geometry"]
    return {
        "type": "Feature",
        "id": row[id_column],
        "properties": {k: v for k, v in row.items() if k != "geometry"},
        "geometry": None if geometry is None else json.loads(geometry),
    }
