"""Turning a boundary layer into ward rows: codes checked, geometry repaired, CRS 4326.

Pure functions over GeoDataFrames; nothing here touches the database, so a file that
fails any check has changed nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geosvc.errors import SourceFileError
from geosvc.wards.fields import FieldMap

WARD_COLUMNS = [
    "code",
    "name",
    "ward_no",
    "municipality_code",
    "municipality_name",
    "district",
    "province",
    "area_ha",
]

# The first digit of an MDB ward code is the province (Stats SA province numbering).
SA_PROVINCES = {
    "1": "Western Cape",
    "2": "Eastern Cape",
    "3": "Northern Cape",
    "4": "Free State",
    "5": "KwaZulu-Natal",
    "6": "North West",
    "7": "Gauteng",
    "8": "Mpumalanga",
    "9": "Limpopo",
}
_MDB_CODE = re.compile(r"^\d{8}$")
_POLYGONAL = {"Polygon", "MultiPolygon"}


@dataclass(frozen=True)
class WardFrame:
    """Ward rows ready to store, and what was done to them on the way."""

    wards: gpd.GeoDataFrame
    features: int
    repaired: int
    merged: int


def normalise_wards(
    frame: gpd.GeoDataFrame,
    field_map: FieldMap,
    *,
    label: str,
    code_pattern: str,
    assume_crs: str | None = None,
    municipality_names: dict[str, str] | None = None,
) -> WardFrame:
    """Check and convert a raw boundary layer into the ward table's columns.

    Raises ``SourceFileError`` naming the first problem: missing or
    non-polygon geometry, no CRS, missing, malformed or unusable ward codes.
    """
    _check_geometries(frame, label)
    frame = _to_wgs84(frame, label, assume_crs)
    codes = _ward_codes(frame[field_map.code], field_map.code or "", label, code_pattern)
    geometry, repaired = repair_polygons(frame.geometry.to_numpy(), label)
    wards = _attributes(frame, field_map, codes, municipality_names or {})
    wards = gpd.GeoDataFrame(wards, geometry=geometry, crs="EPSG:4326")
    wards, merged = _merge_duplicate_codes(wards)
    return WardFrame(wards=wards, features=len(frame), repaired=repaired, merged=merged)


def _check_geometries(frame: gpd.GeoDataFrame, label: str) -> None:
    missing = int(frame.geometry.isna().sum() + frame.geometry.is_empty.sum())
    if missing:
        raise SourceFileError(f"{label} has {missing} features without a geometry.")
    kinds = set(frame.geom_type.unique())
    if not kinds <= _POLYGONAL:
        other = ", ".join(sorted(kinds - _POLYGONAL))
        raise SourceFileError(f"{label} holds {other} features; a ward layer must hold polygons.")


def _to_wgs84(frame: gpd.GeoDataFrame, label: str, assume_crs: str | None) -> gpd.GeoDataFrame:
    if frame.crs is None:
        if assume_crs is None:
            raise SourceFileError(
                f"{label} does not say its coordinate reference system; give it with --crs."
            )
        frame = frame.set_crs(assume_crs)
    result = frame.to_crs(4326)
    minx, miny, maxx, maxy = result.total_bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise SourceFileError(
            f"{label} lies outside longitude -180..180 and latitude -90..90 after "
            "reprojection; its coordinate reference system is probably wrong."
        )
    return result


def _ward_codes(values: pd.Series, field: str, label: str, pattern: str) -> pd.Series:
    codes = values.map(_code_text)
    empty = codes.isna()
    if empty.all():
        raise SourceFileError(f"{label}: field {field!r} holds no ward codes.")
    if empty.any():
        raise SourceFileError(f"{label}: {int(empty.sum())} features have no code in {field!r}.")
    bad = ~codes.str.fullmatch(pattern)
    if bad.any():
        example = codes[bad].iloc[0]
        raise SourceFileError(
            f"{label}: {int(bad.sum())} values of {field!r} are not ward codes "
            f"(such as {example!r}; the pattern is {pattern}); name the code field with "
            "--code-field or change the pattern with --code-pattern."
        )
    return codes


def _code_text(value: object) -> str | None:
    """A code as text; integral floats (79800001.0, from spreadsheets) lose their '.0'."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def repair_polygons(geometry: np.ndarray, label: str) -> tuple[np.ndarray, int]:
    """Valid MultiPolygons for ``geometry`` and how many needed repair.

    ``make_valid`` may return a collection with lines or points where a ring touched itself;
    only the polygonal parts are kept, since a ward is an area.
    """
    invalid = ~shapely.is_valid(geometry)
    repaired = geometry.copy()
    if invalid.any():
        fixed = shapely.make_valid(geometry[invalid])
        repaired[invalid] = [_polygonal_part(g) for g in fixed]
    if shapely.is_empty(repaired).any():
        raise SourceFileError(f"{label} has polygons with no area left after repair.")
    as_multi = [g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in repaired]
    return np.array(as_multi, dtype=object), int(invalid.sum())


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type in _POLYGONAL:
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in _POLYGONAL]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(polygons) if polygons else shapely.MultiPolygon()


def _attributes(
    frame: gpd.GeoDataFrame, field_map: FieldMap, codes: pd.Series, muni_names: dict[str, str]
) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for prop, field in field_map.items():
        out[prop] = frame[field] if field is not None else None
    out["code"] = codes
    out["ward_no"] = pd.to_numeric(out["ward_no"], errors="coerce")
    mdb = codes.str.fullmatch(_MDB_CODE.pattern)
    out.loc[out["ward_no"].isna() & mdb, "ward_no"] = codes[mdb].str[-3:].astype(int)
    out["ward_no"] = out["ward_no"].astype("Int64")
    out["municipality_code"] = out["municipality_code"].map(_text)
    out["municipality_name"] = out["municipality_name"].map(_text)
    missing_name = out["municipality_name"].isna()
    out.loc[missing_name, "municipality_name"] = out.loc[missing_name, "municipality_code"].map(
        muni_names
    )
    missing_province = out["province"].isna()
    out.loc[missing_province & mdb, "province"] = codes.str[0].map(SA_PROVINCES)
    out["name"] = _ward_names(out)
    out["area_ha"] = pd.to_numeric(out["area_ha"], errors="coerce")
    return out[WARD_COLUMNS]


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value).strip() or None


def _ward_names(out: pd.DataFrame) -> pd.Series:
    """The file's name where it is more than the code, else "<municipality> Ward <n>"."""
    given = out["name"].map(_text)
    useful = given.notna() & (given != out["code"])
    place = out["municipality_name"].fillna(out["municipality_code"]).fillna("")
    number = out["ward_no"].astype("string").fillna(out["code"])
    built = (place + " Ward " + number).str.strip()
    return given.where(useful, built)


def _merge_duplicate_codes(wards: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int]:
    """One row per code: features sharing a code are parts of one ward and are unioned."""
    duplicated = wards["code"].duplicated(keep=False)
    if not duplicated.any():
        return wards.reset_index(drop=True), 0
    merged_rows = []
    for _, group in wards[duplicated].groupby("code", sort=False):
        row = group.iloc[[0]].copy()
        union = shapely.union_all(group.geometry.to_numpy())
        row["geometry"] = [_polygonal_part(union)]
        row["geometry"] = row.geometry.map(
            lambda g: g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g])
        )
        merged_rows.append(row)
    result = pd.concat([wards[~duplicated], *merged_rows], ignore_index=True)
    return gpd.GeoDataFrame(result, geometry="geometry", crs=wards.crs), int(
        duplicated.sum() - len(merged_rows)
    )
