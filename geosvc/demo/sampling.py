"""Random draws over the wards: wards by households, uniform points inside them, labels.

Points are drawn by rejection in each ward's bounding box, so a ward's share of the points
follows its households while its shape only costs draws. The ward table is prepared once per
``generate`` and shared by the hotspots, the regions, the incidents and the surveys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

__all__ = [
    "WardTable",
    "choose_wards",
    "inside_any_ward",
    "points_in_wards",
    "ward_table",
    "weighted_choice",
]


@dataclass(frozen=True)
class WardTable:
    """Ward geometries prepared for drawing points, with their sampling weights."""

    codes: ObjectArray
    geometries: ObjectArray
    bounds: FloatArray
    fill_ratio: FloatArray
    weights: FloatArray
    tree: Any


def ward_table(wards: gpd.GeoDataFrame) -> WardTable:
    """Prepare wards (``code``, ``households``, geometry) for drawing points in WGS 84.

    A ward's weight is its share of the households; a ward without a count weighs as much as
    the median ward, and a ward without area nothing. ValueError if no ward can be drawn in.
    """
    if len(wards) == 0 or "code" not in wards.columns:
        raise ValueError("wards must be a non-empty GeoDataFrame with a 'code' column")
    if wards.crs is not None and wards.crs.to_epsg() != 4326:
        wards = wards.to_crs(4326)
    geometries = np.asarray(wards.geometry.array, dtype=object)
    bounds = np.nan_to_num(shapely.bounds(geometries).astype(np.float64))
    box_area = (bounds[:, 2] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 1])
    area = np.nan_to_num(shapely.area(geometries).astype(np.float64))
    drawable = area > 0
    fill_ratio = np.where(drawable, area / np.where(drawable, box_area, 1.0), 1.0)
    return WardTable(
        codes=wards["code"].astype(str).to_numpy(dtype=object),
        geometries=geometries,
        bounds=bounds,
        fill_ratio=fill_ratio,
        weights=_household_weights(wards, drawable),
        tree=shapely.STRtree(geometries),
    )


def _household_weights(wards: gpd.GeoDataFrame, drawable: BoolArray) -> FloatArray:
    if "households" in wards.columns:
        households = pd.to_numeric(wards["households"], errors="coerce")
        values = households.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = np.full(len(wards), np.nan)
    known = np.isfinite(values) & (values >= 0)
    fallback = float(np.median(values[known])) if known.any() else 1.0
    weights = np.where(known, values, fallback) * drawable
    if weights.sum() <= 0:
        raise ValueError("no ward has both households and an area to draw points in")
    normalised: FloatArray = weights / weights.sum()
    return normalised


def choose_wards(rng: np.random.Generator, wards: WardTable, count: int) -> IntArray:
    """``count`` ward positions drawn with replacement in proportion to households."""
    return rng.choice(len(wards.weights), size=count, p=wards.weights)


def points_in_wards(
    rng: np.random.Generator, wards: WardTable, ward_index: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Draw one uniform point inside each listed ward, in the order of ``ward_index``."""
    lon = np.empty(len(ward_index))
    lat = np.empty(len(ward_index))
    order = np.argsort(ward_index, kind="stable")
    found, first, counts = np.unique(ward_index[order], return_index=True, return_counts=True)
    for ward, start, count in zip(found, first, counts, strict=True):
        rows = order[start : start + count]
        lon[rows], lat[rows] = _points_in_polygon(rng, wards, int(ward), int(count))
    return lon, lat


def _points_in_polygon(
    rng: np.random.Generator, wards: WardTable, ward: int, count: int
) -> tuple[FloatArray, FloatArray]:
    """Rejection sampling: draw in the ward's bounds and keep the points inside it."""
    min_lon, min_lat, max_lon, max_lat = wards.bounds[ward]
    lons: list[FloatArray] = []
    lats: list[FloatArray] = []
    missing = count
    while missing > 0:
        batch = int(missing / wards.fill_ratio[ward] * 1.25) + 16
        lon = rng.uniform(min_lon, max_lon, batch)
        lat = rng.uniform(min_lat, max_lat, batch)
        inside = shapely.contains_xy(wards.geometries[ward], lon, lat)
        lons.append(lon[inside][:missing])
        lats.append(lat[inside][:missing])
        missing -= len(lons[-1])
    return np.concatenate(lons), np.concatenate(lats)


def inside_any_ward(wards: WardTable, lon: FloatArray, lat: FloatArray) -> BoolArray:
    """Whether each point lies within some ward."""
    hits = wards.tree.query(shapely.points(lon, lat), predicate="within")
    inside = np.zeros(len(lon), dtype=bool)
    inside[hits[0]] = True
    return inside


def weighted_choice(
    rng: np.random.Generator, weights: Mapping[str, float], count: int
) -> ObjectArray:
    """``count`` keys of ``weights`` drawn with replacement in proportion to their values."""
    options = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=np.float64)
    chosen: ObjectArray = options[rng.choice(len(options), size=count, p=p / p.sum())]
    return chosen
