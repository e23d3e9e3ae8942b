"""Ward rows in PostGIS: bulk upsert by COPY, lookups, GeoJSON, census counts, indicators."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import shapely
from sqlalchemy import Connection, Row, RowMapping, text

from geosvc.db import SRID, column_names, copy_rows, frame_rows
from geosvc.geo import Extent
from geosvc.wards.normalise import WARD_COLUMNS
from geosvc.wards.tables import INDICATOR_COLUMNS, ward

# Households and population come from the census, loaded_at from the merge.
_STAGE_COLUMNS = column_names(ward, exclude=("households", "population", "loaded_at"))
_CHUNK = 500

_LOCATE_SQL = text(
    """
    SELECT code, name, municipality_code, municipality_name, province
    FROM ward
    WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), :srid))
    ORDER BY code
    LIMIT 1
    """
)


@dataclass(frozen=True)
class UpsertCounts:
    """How many wards an upsert inserted, changed and left as they were."""

    inserted: int
    updated: int
    unchanged: int


def upsert_wards(
    conn: Connection,
    wards: gpd.GeoDataFrame,
    *,
    source: str,
    demarcation_year: int | None,
    progress: Callable[[int], None] | None = None,
) -> UpsertCounts:
    """Insert new wards and update changed ones, in the caller's transaction.

    Rows go through a temporary table by COPY (geopandas' ``to_postgis`` does one INSERT
    per row); households and population, which come from the census and not from the
    boundary file, are kept when the file does not carry them.
    """
    conn.execute(
        text(
            "CREATE TEMP TABLE ward_stage (LIKE ward INCLUDING DEFAULTS) ON COMMIT DROP;"
            "ALTER TABLE ward_stage DROP COLUMN loaded_at"
        )
    )
    copy_rows(
        conn,
        "ward_stage",
        _STAGE_COLUMNS,
        ward_rows(wards, source, demarcation_year),
        progress=progress,
        every=_CHUNK,
    )
    inserted, updated = conn.execute(text(_MERGE_SQL)).one()
    conn.execute(text("DROP TABLE ward_stage"))
    return UpsertCounts(int(inserted), int(updated), len(wards) - int(inserted) - int(updated))


_ASSIGNMENTS = ", ".join(f"{c} = EXCLUDED.{c}" for c in _STAGE_COLUMNS[1:])
_MERGE_SQL = f"""
WITH merged AS (
    INSERT INTO ward ({", ".join(_STAGE_COLUMNS)})
    SELECT {", ".join(_STAGE_COLUMNS)} FROM ward_stage
    ON CONFLICT (code) DO UPDATE SET {_ASSIGNMENTS}, loaded_at = now()
    WHERE (ward.name, ward.ward_no, ward.municipality_code, ward.municipality_name,
           ward.district, ward.province, ward.area_ha, ward.demarcation_year, ward.source)
          IS DISTINCT FROM
          (EXCLUDED.name, EXCLUDED.ward_no, EXCLUDED.municipality_code,
           EXCLUDED.municipality_name, EXCLUDED.district, EXCLUDED.province,
           EXCLUDED.area_ha, EXCLUDED.demarcation_year, EXCLUDED.source)
       OR NOT ST_Equals(ward.geom, EXCLUDED.geom)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged
"""


def ward_rows(
    wards: gpd.GeoDataFrame, source: str, year: int | None
) -> Iterator[tuple[object, ...]]:
    """COPY rows for normalised wards: their attributes, year, source and EWKB geometry.

    In ``_STAGE_COLUMNS`` order, which is ``WARD_COLUMNS`` followed by those three.
    """
    ewkb = shapely.to_wkb(
        shapely.set_srid(wards.geometry.to_numpy(), SRID), hex=True, include_srid=True
    )
    for rec, geom in zip(frame_rows(wards[WARD_COLUMNS]), ewkb, strict=True):
        yield (*rec, year, source, geom)


def ward_geojson(
    conn: Connection,
    *,
    code: str | None = None,
    municipality: str | None = None,
    simplify_m: float | None = None,
) -> list[dict[str, Any]]:
    """Wards as GeoJSON features, optionally one code or one municipality, optionally simplified.

    Simplification runs in PostGIS (``simplified_sql``).
    """
    geom = f"ST_Multi({simplified_sql('geom')})" if simplify_m else "geom"
    sql = f"""
        SELECT code, name, ward_no, municipality_code, municipality_name, district, province,
               households, population, area_ha, demarcation_year,
               ST_AsGeoJSON({geom}, 6) AS geometry
        FROM ward
        WHERE (CAST(:code AS text) IS NULL OR code = :code)
          AND (CAST(:municipality AS text) IS NULL OR municipality_code = :municipality
               OR municipality_name = :municipality)
        ORDER BY code
    """
    params = {"code": code, "municipality": municipality, "tolerance_m": simplify_m}
    return [geojson_feature(row, "code") for row in conn.execute(text(sql), params).mappings()]


def simplified_sql(column: str) -> str:
    """SQL simplifying ward outlines ``column`` to ``:tolerance_m`` metres, topology kept.

    The tolerance is converted from metres to degrees at the ward's latitude, where a
    degree of longitude is shorter.
    """
    return (
        f"ST_SimplifyPreserveTopology({column}, :tolerance_m / "
        f"(111320.0 * cos(radians(ST_Y(ST_PointOnSurface({column}))))))"
    )


def geojson_feature(row: Any, id_column: str) -> dict[str, Any]:
    """A GeoJSON Feature from a row whose ``geometry`` is ST_AsGeoJSON text (or NULL)."""
    geometry = row["geometry"]
    return {
        "type": "Feature",
        "id": row[id_column],
        "properties": {k: v for k, v in row.items() if k != "geometry"},
        "geometry": None if geometry is None else json.loads(geometry),
    }


def jurisdiction_extent(conn: Connection) -> Extent | None:
    """The box around every ward: where a plausible point must fall (None without wards)."""
    row = conn.execute(
        text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            "FROM (SELECT ST_Extent(geom) AS e FROM ward) AS x"
        )
    ).one()
    return None if row[0] is None else Extent(*row)


def ward_at(conn: Connection, lon: float, lat: float) -> RowMapping | None:
    """The code, name, municipality and province of the ward with the smallest code that
    contains (``lon``, ``lat``), through the ward GiST index; None when no ward does."""
    return conn.execute(_LOCATE_SQL, {"lon": lon, "lat": lat, "srid": SRID}).mappings().first()


def ward_outlines(conn: Connection, municipality: str | None = None) -> Sequence[Row[str, bytes]]:
    """(code, WKB polygon) of every ward, or of one municipality's wards."""
    return conn.execute(
        text(
            "SELECT code, ST_AsBinary(geom) FROM ward "
            "WHERE CAST(:m AS text) IS NULL OR municipality_code = :m"
        ),
        {"m": municipality},
    ).all()


def ward_codes(conn: Connection) -> set[str]:
    """The code of every ward in the database."""
    return set(conn.execute(text("SELECT code FROM ward")).scalars())


def set_ward_counts(
    conn: Connection,
    codes: list[str],
    households: list[int | None],
    population: list[int | None],
) -> None:
    """Set the households and population of the wards ``codes`` (parallel lists)."""
    conn.execute(
        text(
            "UPDATE ward SET households = v.households, population = v.population "
            "FROM unnest(CAST(:codes AS text[]), CAST(:households AS int[]), "
            "CAST(:population AS int[])) AS v(code, households, population) "
            "WHERE ward.code = v.code"
        ),
        {"codes": codes, "households": households, "population": population},
    )


def replace_indicators(
    conn: Connection,
    source: str,
    rows: Iterable[Sequence[object]],
    *,
    wards: Sequence[str] | None = None,
) -> int:
    """Replace the ``ward_indicator`` rows of ``source`` by ``rows``; returns how many.

    ``rows`` are in ``INDICATOR_COLUMNS`` order. With ``wards``, only those wards' rows of
    ``source`` are deleted first (the survey refresh recomputes the wards a batch touched);
    without, every row of ``source``. Runs in the caller's transaction.
    """
    if wards is None:
        conn.execute(text("DELETE FROM ward_indicator WHERE source = :s"), {"s": source})
    else:
        conn.execute(
            text("DELETE FROM ward_indicator WHERE source = :s AND ward_code = ANY(:wards)"),
            {"s": source, "wards": wards},
        )
    return copy_rows(conn, "ward_indicator", INDICATOR_COLUMNS, rows)
