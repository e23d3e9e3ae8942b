"""A layer's query read as a page of GeoJSON features, with the count of all that match."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, RowMapping

from geosvc.features.filters import Paging
from geosvc.features.repo.layer_query import LayerQuery, count_matched, geojson_rows


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


def feature_page(conn: Connection, query: LayerQuery, paging: Paging) -> FeaturePage:
    """One page of the layer as GeoJSON features (RFC 7946: WGS84, 6 decimals)."""
    rows = geojson_rows(conn, query, limit=paging.page_size, offset=paging.offset)
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
