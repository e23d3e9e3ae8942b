"""Exports: every feature a layer's query matches, as CSV or as a GeoPackage file.

Rows are read through a server-side cursor in chunks, so an export of a million incidents
never holds them all in memory: CSV rows are written as they come, and each chunk of a
GeoPackage is appended to its layer (pyogrio). Columns keep their types in a GeoPackage
(dates, numbers, booleans); lists are joined with ``;`` and JSON values written as text.
CSV carries ``lon`` and ``lat`` for point layers and ``wkt`` (EPSG:4326) for the others.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from sqlalchemy import Connection, CursorResult

from geosvc.features.repo.layer_query import LayerQuery, csv_geometry, stream_rows, wkb_geometry

CHUNK_ROWS = 20_000
# PostgreSQL type OIDs of the columns that keep their type in a GeoPackage.
_BOOL = {16}
_INT = {20, 21, 23}
_FLOAT = {700, 701, 1700}
_TIME = {1114, 1184}


class ExportFormat(StrEnum):
    """The file formats of an export."""

    CSV = "csv"
    GPKG = "gpkg"

    @property
    def media_type(self) -> str:
        """The format's media type."""
        return {"csv": "text/csv; charset=utf-8", "gpkg": "application/geopackage+sqlite3"}[
            self.value
        ]


@dataclass(frozen=True)
class ExportFile:
    """A written export: where, how many features, and the name to offer a download as."""

    path: Path
    rows: int
    filename: str
    media_type: str


def export_layer(
    conn: Connection, query: LayerQuery, fmt: ExportFormat, directory: Path, stem: str
) -> ExportFile:
    """Write every feature of ``query`` as ``fmt`` into ``directory`` (``stem``.fmt)."""
    filename = f"{stem}.{fmt.value}"
    path = directory / filename
    write = write_csv if fmt is ExportFormat.CSV else write_gpkg
    rows = write(conn, query, path)
    return ExportFile(path, rows, filename, fmt.media_type)


def write_csv(conn: Connection, query: LayerQuery, path: Path) -> int:
    """Every feature of ``query`` as CSV with a header row; returns how many."""
    result = stream_rows(conn, query, csv_geometry(query), CHUNK_ROWS)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(result.keys()))
        for row in result:
            writer.writerow([csv_value(v) for v in row])
            count += 1
    return count


def csv_value(value: object) -> object:
    """A value as CSV shows it: ISO times, lists joined by ``;``, JSON as text, None empty.

    >>> csv_value(["79800001", "79800002"]), csv_value(True), csv_value(None)
    ('79800001;79800002', 'true', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return value


def write_gpkg(conn: Connection, query: LayerQuery, path: Path) -> int:
    """Every feature of ``query`` as one GeoPackage layer named after it; returns how many."""
    result = stream_rows(conn, query, wkb_geometry(query), CHUNK_ROWS)
    names = list(result.keys())
    types: list[int] = [column[1] for column in result.cursor.description]  # type: ignore[misc]
    count = 0
    for chunk in _chunks(result, names, types):
        pyogrio.write_dataframe(
            chunk,
            path,
            layer=query.layer,
            driver="GPKG",
            geometry_type=query.geometry_type,
            append=count > 0,
        )
        count += len(chunk)
    if count == 0:
        empty = _frame([], names, types)
        pyogrio.write_dataframe(
            empty, path, layer=query.layer, driver="GPKG", geometry_type=query.geometry_type
        )
    return count


def _chunks(
    result: CursorResult[Any], names: list[str], types: list[int]
) -> Iterator[gpd.GeoDataFrame]:
    for rows in result.partitions():
        yield _frame(rows, names, types)


def _frame(rows: Sequence[Sequence[Any]], names: list[str], types: list[int]) -> gpd.GeoDataFrame:
    data = pd.DataFrame.from_records([tuple(row) for row in rows], columns=names)
    columns = {
        name: _typed(data[name], oid)
        for name, oid in zip(names, types, strict=True)
        if name != "geometry"
    }
    wkb = [None if v is None else bytes(v) for v in data["geometry"]]
    return gpd.GeoDataFrame(
        columns, geometry=shapely.from_wkb(wkb), crs="EPSG:4326", index=data.index
    )


def _typed(values: pd.Series, oid: int) -> pd.Series:
    """A column with the type it has in the database, where a GeoPackage has one."""
    if oid in _TIME:
        return pd.to_datetime(values, utc=True)
    if oid in _BOOL:
        return values.astype("boolean")
    if oid in _INT:
        return values.astype("Int64")
    if oid in _FLOAT:
        return pd.to_numeric(values.astype(object).where(values.notna(), None)).astype("float64")
    return values.map(lambda v: None if v is None else str(csv_value(v)))
