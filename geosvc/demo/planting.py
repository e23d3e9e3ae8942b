"""Planted hotspots: bursts of one service's incidents within a few hundred metres over days.

The ground truth of each burst is kept (``PlantedHotspot``) so that the cluster analytics can
be checked against what was planted. Centres sit where people live (wards by households), at
least ``MIN_HOTSPOT_SEPARATION_M`` apart so that no two bursts can merge into one cluster.
Planted regions, the slow regional kind, are in ``geosvc.demo.regions``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from geosvc.analytics.projection import metres_per_degree
from geosvc.demo.sampling import (
    WardTable,
    choose_wards,
    inside_any_ward,
    points_in_wards,
    weighted_choice,
)
from geosvc.demo.times import Period

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MIN_HOTSPOT_SEPARATION_M = 2_000.0
MIN_HOTSPOT_COUNT = 15
_MAX_PLACEMENT_ROUNDS = 50

__all__ = [
    "MIN_HOTSPOT_COUNT",
    "MIN_HOTSPOT_SEPARATION_M",
    "PlantedHotspot",
    "hotspots_to_geojson",
    "plant_hotspots",
    "points_around",
]


@dataclass(frozen=True)
class PlantedHotspot:
    """The ground truth of one planted hotspot: where, when, what and how many."""

    id: str
    service_code: str
    lon: float
    lat: float
    radius_m: float
    start: datetime
    end: datetime
    count: int
    ward_code: str


def plant_hotspots(
    rng: np.random.Generator,
    wards: WardTable,
    count: int,
    incidents: int,
    service_weights: Mapping[str, float],
    period: Period,
) -> list[PlantedHotspot]:
    """``count`` hotspots sharing 3%-6% of ``incidents``, each in a window of the period.

    ValueError if the incidents cannot give each hotspot ``MIN_HOTSPOT_COUNT`` or the wards
    cannot hold the centres ``MIN_HOTSPOT_SEPARATION_M`` apart.
    """
    if count == 0:
        return []
    sizes = _hotspot_sizes(rng, count, incidents)
    lon, lat, ward = _hotspot_centres(rng, wards, count)
    services = weighted_choice(rng, service_weights, count)
    radii = np.round(rng.uniform(150.0, 400.0, count))
    windows = [_hotspot_window(rng, period) for _ in range(count)]
    return [
        PlantedHotspot(
            id=f"H{number + 1:02d}",
            service_code=str(services[number]),
            lon=float(lon[number]),
            lat=float(lat[number]),
            radius_m=float(radii[number]),
            start=windows[number][0],
            end=windows[number][1],
            count=int(sizes[number]),
            ward_code=str(wards.codes[ward[number]]),
        )
        for number in range(count)
    ]


def _hotspot_sizes(rng: np.random.Generator, count: int, incidents: int) -> IntArray:
    """Split 3%-6% of the incidents among the hotspots, at least 15 each."""
    total = max(round(rng.uniform(0.03, 0.06) * incidents), MIN_HOTSPOT_COUNT * count)
    if total > incidents:
        raise ValueError(
            f"{incidents} incidents cannot hold {count} hotspots of {MIN_HOTSPOT_COUNT} each"
        )
    shares = rng.dirichlet(np.full(count, 2.0))
    sizes: IntArray = MIN_HOTSPOT_COUNT + rng.multinomial(total - MIN_HOTSPOT_COUNT * count, shares)
    return sizes


def _hotspot_centres(
    rng: np.random.Generator, wards: WardTable, count: int
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Centres inside household-weighted wards, greedily kept when 2 km from all others."""
    kept: list[tuple[float, float, int]] = []
    for _ in range(_MAX_PLACEMENT_ROUNDS):
        candidate_wards = choose_wards(rng, wards, 4 * count + 8)
        lons, lats = points_in_wards(rng, wards, candidate_wards)
        for lon, lat, ward in zip(lons, lats, candidate_wards, strict=True):
            if _far_from_all(kept, float(lon), float(lat)):
                kept.append((float(lon), float(lat), int(ward)))
            if len(kept) == count:
                lon_kept, lat_kept, ward_kept = zip(*kept, strict=True)
                return np.array(lon_kept), np.array(lat_kept), np.array(ward_kept)
    raise ValueError(f"cannot place {count} hotspots {MIN_HOTSPOT_SEPARATION_M:.0f} m apart")


def _far_from_all(kept: list[tuple[float, float, int]], lon: float, lat: float) -> bool:
    if not kept:
        return True
    lons = np.array([centre[0] for centre in kept])
    lats = np.array([centre[1] for centre in kept])
    return bool(_local_distance_m(lons, lats, lon, lat).min() >= MIN_HOTSPOT_SEPARATION_M)


def _local_distance_m(lon: FloatArray, lat: FloatArray, lon0: float, lat0: float) -> FloatArray:
    """Distance in metres, exact enough at a few kilometres, never small when points are far."""
    east_per_deg, north_per_deg = metres_per_degree((lat + lat0) / 2.0)
    distance: FloatArray = np.hypot((lon - lon0) * east_per_deg, (lat - lat0) * north_per_deg)
    return distance


def _hotspot_window(rng: np.random.Generator, period: Period) -> Period:
    """A window of 1-14 whole days starting on the hour, inside the period."""
    period_hours = int((period[1] - period[0]).total_seconds() // 3600)
    days = min(int(rng.integers(1, 15)), period_hours // 24)
    start = period[0] + timedelta(hours=int(rng.integers(0, period_hours - 24 * days + 1)))
    return start, start + timedelta(days=days)


def points_around(
    rng: np.random.Generator, wards: WardTable, hotspot: PlantedHotspot
) -> tuple[FloatArray, FloatArray]:
    """Locations of the hotspot's incidents: normal offsets cut to its radius and the wards.

    The offsets have a standard deviation of half the radius in each direction.
    """
    east_per_deg, north_per_deg = metres_per_degree(hotspot.lat)
    lons: list[FloatArray] = []
    lats: list[FloatArray] = []
    missing = hotspot.count
    while missing > 0:
        east_m, north_m = rng.normal(0.0, hotspot.radius_m / 2.0, (2, 2 * missing + 16))
        lon = hotspot.lon + east_m / east_per_deg
        lat = hotspot.lat + north_m / north_per_deg
        keep = (np.hypot(east_m, north_m) <= hotspot.radius_m) & inside_any_ward(wards, lon, lat)
        lons.append(lon[keep][:missing])
        lats.append(lat[keep][:missing])
        missing -= len(lons[-1])
    return np.concatenate(lons), np.concatenate(lats)


def hotspots_to_geojson(hotspots: Sequence[PlantedHotspot]) -> dict[str, Any]:
    """Write planted hotspots as a GeoJSON FeatureCollection of points.

    Parameters
    ----------
    hotspots : sequence of PlantedHotspot
        The ground truth returned in ``DemoData.hotspots``.

    Returns
    -------
    dict
        A FeatureCollection, ready for ``json.dumps``: one Point feature per hotspot with every
        field as a property and the window as ISO 8601 datetimes.
    """
    return {
        "type": "FeatureCollection",
        "name": "planted_hotspots",
        "features": [_hotspot_feature(hotspot) for hotspot in hotspots],
    }


def _hotspot_feature(hotspot: PlantedHotspot) -> dict[str, Any]:
    properties = dataclasses.asdict(hotspot)
    properties["start"] = hotspot.start.isoformat()
    properties["end"] = hotspot.end.isoformat()
    return {
        "type": "Feature",
        "id": hotspot.id,
        "geometry": {"type": "Point", "coordinates": [hotspot.lon, hotspot.lat]},
        "properties": properties,
    }
