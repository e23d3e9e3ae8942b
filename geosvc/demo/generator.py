"""Generate realistic synthetic demo data from ward boundaries and one seed.

The generator is pure: no database, no files, no clock and no global random state. The same
wards, arguments and seed always give identical frames, so a demo, a test or a benchmark can be
rebuilt from the seed alone. Incidents carry an office-hours and weekday rhythm and hide a few
planted hotspots and a few planted regions (``geosvc.demo.regions``) whose ground truth is
returned with them, so that the cluster and hotspot analytics can be checked against what was
planted.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geosvc.analytics.projection import metres_per_degree
from geosvc.demo.regions import (
    REGION_FACTOR,
    PlantedRegion,
    extra_incidents,
    region_count,
    region_wards,
)
from geosvc.demo.tables import (
    ACCESS_SCALES,
    CHANNEL_WEIGHTS,
    COMPLAINT_PREFIXES,
    COMPLIMENT_TEMPLATES,
    DAY_S,
    EPOCH_WEEKDAY,
    GENERIC_TEMPLATES,
    HOUR_WEIGHTS,
    KIND_WEIGHTS,
    REQUEST_TEMPLATES,
    SAST_OFFSET_S,
    SERVICE_LABELS,
    SERVICE_WEIGHTS,
    UNLISTED_SERVICE_WEIGHT,
    WEEKDAY_WEIGHTS,
    AccessScale,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]

__all__ = [
    "DEFAULT_END",
    "DEFAULT_SERVICES",
    "NEEDS",
    "DemoData",
    "PlantedHotspot",
    "PlantedRegion",
    "generate",
    "hotspots_to_geojson",
]

DEFAULT_SERVICES: tuple[str, ...] = (
    "water_outage",
    "water_leak",
    "sewer_blockage",
    "electricity_outage",
    "streetlight",
    "pothole",
    "refuse_missed",
    "housing",
)
DEFAULT_END = datetime(2026, 11, 1, tzinfo=UTC)
SURVEY_MONTHS = 2
MIN_HOTSPOT_SEPARATION_M = 2_000.0
MIN_HOTSPOT_COUNT = 15
_MAX_PLACEMENT_ROUNDS = 50
NEEDS: tuple[str, ...] = ("water", "sanitation", "electricity", "refuse", "roads", "housing")


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


@dataclass(frozen=True)
class DemoData:
    """Generated incidents and surveys, with the hotspots and regions planted among them."""

    incidents: pd.DataFrame
    surveys: pd.DataFrame
    hotspots: list[PlantedHotspot]
    regions: list[PlantedRegion] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class _Wards:
    """Ward geometries prepared for drawing points, with their sampling weights."""

    codes: ObjectArray
    geometries: ObjectArray
    bounds: FloatArray
    fill_ratio: FloatArray
    weights: FloatArray
    tree: Any


def generate(
    wards: gpd.GeoDataFrame,
    *,
    incidents: int,
    surveys: int,
    seed: int,
    services: Sequence[str] = DEFAULT_SERVICES,
    end: datetime | None = None,
    months: int = 6,
    hotspots: int = 8,
    regions: int = 2,
) -> DemoData:
    """Generate service requests with planted hotspots, and household surveys.

    Parameters
    ----------
    wards : geopandas.GeoDataFrame
        Columns ``code``, ``households`` (may be missing or NaN) and (Multi)Polygon geometry.
        A ward's share of the points follows its households; a ward without a count weighs as
        much as the median ward, since wards are demarcated to hold similar numbers of voters.
    incidents, surveys : int
        Exact numbers of incidents and survey responses to generate.
    seed : int
        Seed of the random generator; the output depends on it and the inputs only.
    services : sequence of str
        Service codes to draw incidents from, with realistic relative frequencies.
    end : datetime, optional
        Tz-aware end of the period (exclusive); defaults to ``DEFAULT_END``.
    months : int
        Length of the incident period in months before ``end``.
    hotspots : int
        Number of hotspots to plant, at least 2 km apart, each with at least 15 incidents.
    regions : int
        Number of regions to plant, each of a different service type (one without a
        planted hotspot while there are enough): ten neighbouring wards where that
        service's incidents per household run at four times the rate elsewhere all period.
        Fewer when the wards are few (``region_count``: none under 30 wards) or the
        services fewer.

    Returns
    -------
    DemoData
        Incidents sorted by time (``incident_id`` 0..N-1), surveys sorted by time, and the
        ground truth of the planted hotspots and regions.

    Raises
    ------
    ValueError
        If an argument is out of range, ``end`` is naive, the wards give nowhere to draw points,
        or the hotspots cannot fit.
    """
    end_at = _checked_end(end)
    _check_counts(
        incidents=incidents, surveys=surveys, months=months, hotspots=hotspots, regions=regions
    )
    service_weights = _service_weights(services)
    table = _ward_table(wards)
    period = _period_before(end_at, months)
    hotspot_rng, incident_rng, survey_rng, region_rng = np.random.default_rng(seed).spawn(4)
    planted = _plant_hotspots(hotspot_rng, table, hotspots, incidents, service_weights, period)
    ordinary = incidents - sum(hotspot.count for hotspot in planted)
    zones = _plant_regions(region_rng, table, regions, ordinary, service_weights, planted)
    incident_frame = _generate_incidents(
        incident_rng, table, incidents, planted, zones, service_weights, period
    )
    survey_period = _period_before(end_at, SURVEY_MONTHS)
    survey_frame = _generate_surveys(survey_rng, table, surveys, survey_period)
    return DemoData(incidents=incident_frame, surveys=survey_frame, hotspots=planted, regions=zones)


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


# --- arguments ---------------------------------------------------------------------------------


def _checked_end(end: datetime | None) -> datetime:
    if end is None:
        return DEFAULT_END
    if end.tzinfo is None or end.utcoffset() is None:
        raise ValueError("end must be timezone-aware")
    return end


def _check_counts(
    *, incidents: int, surveys: int, months: int, hotspots: int, regions: int
) -> None:
    for name, value, least in (
        ("incidents", incidents, 0),
        ("surveys", surveys, 0),
        ("months", months, 1),
        ("hotspots", hotspots, 0),
        ("regions", regions, 0),
    ):
        if value < least:
            raise ValueError(f"{name} must be at least {least}, got {value}")


def _service_weights(services: Sequence[str]) -> dict[str, float]:
    if isinstance(services, str) or not services:
        raise ValueError("services must be a non-empty sequence of service codes")
    if len(set(services)) != len(services):
        raise ValueError("services must not repeat a code")
    return {code: SERVICE_WEIGHTS.get(code, UNLISTED_SERVICE_WEIGHT) for code in services}


def _period_before(end: datetime, months: int) -> tuple[datetime, datetime]:
    """The period of whole calendar months before ``end``, counted in ``end``'s time zone."""
    start: datetime = (pd.Timestamp(end) - pd.DateOffset(months=months)).to_pydatetime()
    return start.astimezone(UTC), end.astimezone(UTC)


# --- wards and points inside them --------------------------------------------------------------


def _ward_table(wards: gpd.GeoDataFrame) -> _Wards:
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
    return _Wards(
        codes=wards["code"].astype(str).to_numpy(dtype=object),
        geometries=geometries,
        bounds=bounds,
        fill_ratio=fill_ratio,
        weights=_household_weights(wards, drawable),
        tree=shapely.STRtree(geometries),
    )


def _household_weights(wards: gpd.GeoDataFrame, drawable: npt.NDArray[np.bool_]) -> FloatArray:
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


def _choose_wards(rng: np.random.Generator, wards: _Wards, count: int) -> IntArray:
    return rng.choice(len(wards.weights), size=count, p=wards.weights)


def _points_in_wards(
    rng: np.random.Generator, wards: _Wards, ward_index: IntArray
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
    rng: np.random.Generator, wards: _Wards, ward: int, count: int
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


def _inside_any_ward(wards: _Wards, lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.bool_]:
    hits = wards.tree.query(shapely.points(lon, lat), predicate="within")
    inside = np.zeros(len(lon), dtype=bool)
    inside[hits[0]] = True
    return inside


# --- distances, on the plane of projection.metres_per_degree -------------------------------------


def _local_distance_m(lon: FloatArray, lat: FloatArray, lon0: float, lat0: float) -> FloatArray:
    """Distance in metres, exact enough at a few kilometres, never small when points are far."""
    east_per_deg, north_per_deg = metres_per_degree((lat + lat0) / 2.0)
    distance: FloatArray = np.hypot((lon - lon0) * east_per_deg, (lat - lat0) * north_per_deg)
    return distance


# --- time ---------------------------------------------------------------------------------------


def _draw_seconds(
    rng: np.random.Generator, count: int, period: tuple[datetime, datetime]
) -> IntArray:
    """Epoch seconds in ``[start, end)`` with SAST office-hours and weekday rhythms."""
    start_s, end_s = (int(moment.timestamp()) for moment in period)
    first_day, last_day = ((moment + SAST_OFFSET_S) // DAY_S for moment in (start_s, end_s - 1))
    days = np.arange(first_day, last_day + 1)
    day_weights = WEEKDAY_WEIGHTS[(days + EPOCH_WEEKDAY) % 7]
    hour_p = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
    chunks: list[IntArray] = [np.empty(0, dtype=np.int64)]
    missing = count
    while missing > 0:
        batch = 2 * missing + 16
        local_day = rng.choice(days, size=batch, p=day_weights / day_weights.sum())
        hour = rng.choice(24, size=batch, p=hour_p)
        seconds = local_day * DAY_S + hour * 3600 + rng.integers(0, 3600, batch) - SAST_OFFSET_S
        chunks.append(seconds[(seconds >= start_s) & (seconds < end_s)][:missing])
        missing -= len(chunks[-1])
    return np.concatenate(chunks).astype(np.int64)


def _utc_times(seconds: IntArray) -> pd.DatetimeIndex:
    return pd.to_datetime(seconds, unit="s", utc=True)


# --- planted hotspots ---------------------------------------------------------------------------


def _plant_hotspots(
    rng: np.random.Generator,
    wards: _Wards,
    count: int,
    incidents: int,
    service_weights: Mapping[str, float],
    period: tuple[datetime, datetime],
) -> list[PlantedHotspot]:
    if count == 0:
        return []
    sizes = _hotspot_sizes(rng, count, incidents)
    lon, lat, ward = _hotspot_centres(rng, wards, count)
    services = _weighted_choice(rng, service_weights, count)
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
    rng: np.random.Generator, wards: _Wards, count: int
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Centres inside household-weighted wards, greedily kept when 2 km from all others."""
    kept: list[tuple[float, float, int]] = []
    for _ in range(_MAX_PLACEMENT_ROUNDS):
        candidate_wards = _choose_wards(rng, wards, 4 * count + 8)
        lons, lats = _points_in_wards(rng, wards, candidate_wards)
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


def _hotspot_window(
    rng: np.random.Generator, period: tuple[datetime, datetime]
) -> tuple[datetime, datetime]:
    """A window of 1-14 whole days starting on the hour, inside the period."""
    period_hours = int((period[1] - period[0]).total_seconds() // 3600)
    days = min(int(rng.integers(1, 15)), period_hours // 24)
    start = period[0] + timedelta(hours=int(rng.integers(0, period_hours - 24 * days + 1)))
    return start, start + timedelta(days=days)


def _points_around(
    rng: np.random.Generator, wards: _Wards, hotspot: PlantedHotspot
) -> tuple[FloatArray, FloatArray]:
    """Normal offsets (sigma = radius / 2) truncated to the radius and to the wards."""
    east_per_deg, north_per_deg = metres_per_degree(hotspot.lat)
    lons: list[FloatArray] = []
    lats: list[FloatArray] = []
    missing = hotspot.count
    while missing > 0:
        east_m, north_m = rng.normal(0.0, hotspot.radius_m / 2.0, (2, 2 * missing + 16))
        lon = hotspot.lon + east_m / east_per_deg
        lat = hotspot.lat + north_m / north_per_deg
        keep = (np.hypot(east_m, north_m) <= hotspot.radius_m) & _inside_any_ward(wards, lon, lat)
        lons.append(lon[keep][:missing])
        lats.append(lat[keep][:missing])
        missing -= len(lons[-1])
    return np.concatenate(lons), np.concatenate(lats)


# --- planted regions ----------------------------------------------------------------------------


def _plant_regions(
    rng: np.random.Generator,
    wards: _Wards,
    wanted: int,
    ordinary: int,
    service_weights: Mapping[str, float],
    hotspots: list[PlantedHotspot],
) -> list[PlantedRegion]:
    """Regions of distinct service types, sized against the ``ordinary`` incidents.

    A region's service is drawn from those without a planted hotspot while there are
    enough: a burst of a hundred incidents in one ward is an outlier that dominates the
    permutation tests of its service's ward hotspots over the whole period, and the demo
    should show each kind of pattern where it can be seen.
    """
    count = min(region_count(wanted, len(wards.codes)), len(service_weights))
    if count == 0:
        return []
    groups = region_wards(rng, _ward_centres_m(wards), wards.weights, count)
    options = list(service_weights)
    p = np.array(list(service_weights.values())) / sum(service_weights.values())
    bursts = {hotspot.service_code for hotspot in hotspots}
    quiet = np.array([code not in bursts for code in options])
    preferred = p * quiet if quiet.sum() >= count else p
    services = rng.choice(len(options), size=count, replace=False, p=preferred / preferred.sum())
    shares = [
        p[code] * wards.weights[group].sum() for code, group in zip(services, groups, strict=True)
    ]
    extras = extra_incidents(ordinary, shares)
    return [
        PlantedRegion(
            id=f"R{number + 1:02d}",
            service_code=options[services[number]],
            ward_codes=tuple(str(code) for code in wards.codes[groups[number]]),
            factor=REGION_FACTOR,
            count=int(extras[number]),
        )
        for number in range(count)
    ]


def _ward_centres_m(wards: _Wards) -> FloatArray:
    """Ward bounding-box centres in metres on a plane around the wards' mean latitude."""
    lon = (wards.bounds[:, 0] + wards.bounds[:, 2]) / 2.0
    lat = (wards.bounds[:, 1] + wards.bounds[:, 3]) / 2.0
    east_per_deg, north_per_deg = metres_per_degree(float(lat.mean()))
    return np.column_stack([lon * east_per_deg, lat * north_per_deg])


# --- incidents ----------------------------------------------------------------------------------


def _generate_incidents(
    rng: np.random.Generator,
    wards: _Wards,
    count: int,
    hotspots: list[PlantedHotspot],
    regions: list[PlantedRegion],
    service_weights: Mapping[str, float],
    period: tuple[datetime, datetime],
) -> pd.DataFrame:
    planted = sum(hotspot.count for hotspot in hotspots) + sum(zone.count for zone in regions)
    parts = [_background_incidents(rng, wards, count - planted, service_weights, period)]
    parts.extend(_hotspot_incidents(rng, wards, hotspot) for hotspot in hotspots)
    parts.extend(_region_incidents(rng, wards, zone, period) for zone in regions)
    services, lons, lats, seconds, hotspot_ids = (
        np.concatenate(column) for column in zip(*parts, strict=True)
    )
    order = np.argsort(seconds, kind="stable")
    return _incident_frame(
        rng, services[order], lons[order], lats[order], seconds[order], hotspot_ids[order]
    )


def _background_incidents(
    rng: np.random.Generator,
    wards: _Wards,
    count: int,
    service_weights: Mapping[str, float],
    period: tuple[datetime, datetime],
) -> tuple[ObjectArray, FloatArray, FloatArray, IntArray, ObjectArray]:
    lon, lat = _points_in_wards(rng, wards, _choose_wards(rng, wards, count))
    services = _weighted_choice(rng, service_weights, count)
    seconds = _draw_seconds(rng, count, period)
    return services, lon, lat, seconds, np.full(count, None, dtype=object)


def _hotspot_incidents(
    rng: np.random.Generator, wards: _Wards, hotspot: PlantedHotspot
) -> tuple[ObjectArray, FloatArray, FloatArray, IntArray, ObjectArray]:
    lon, lat = _points_around(rng, wards, hotspot)
    seconds = _draw_seconds(rng, hotspot.count, (hotspot.start, hotspot.end))
    services = np.full(hotspot.count, hotspot.service_code, dtype=object)
    return services, lon, lat, seconds, np.full(hotspot.count, hotspot.id, dtype=object)


def _region_incidents(
    rng: np.random.Generator,
    wards: _Wards,
    region: PlantedRegion,
    period: tuple[datetime, datetime],
) -> tuple[ObjectArray, FloatArray, FloatArray, IntArray, ObjectArray]:
    """The region's extra incidents: its wards by households, any time in the period."""
    members = np.flatnonzero(np.isin(wards.codes, region.ward_codes))
    shares = wards.weights[members] / wards.weights[members].sum()
    lon, lat = _points_in_wards(rng, wards, rng.choice(members, size=region.count, p=shares))
    seconds = _draw_seconds(rng, region.count, period)
    services = np.full(region.count, region.service_code, dtype=object)
    return services, lon, lat, seconds, np.full(region.count, None, dtype=object)


def _incident_frame(
    rng: np.random.Generator,
    services: ObjectArray,
    lon: FloatArray,
    lat: FloatArray,
    seconds: IntArray,
    hotspot_ids: ObjectArray,
) -> pd.DataFrame:
    count = len(services)
    kinds = _weighted_choice(rng, KIND_WEIGHTS, count)
    return pd.DataFrame(
        {
            "incident_id": np.arange(count, dtype=np.int64),
            "service_code": services,
            "lon": lon,
            "lat": lat,
            "requested_at": _utc_times(seconds),
            "channel": _weighted_choice(rng, CHANNEL_WEIGHTS, count),
            "kind": kinds,
            "description": _descriptions(rng, services, kinds),
            "hotspot_id": hotspot_ids,
        }
    )


def _weighted_choice(
    rng: np.random.Generator, weights: Mapping[str, float], count: int
) -> ObjectArray:
    options = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=np.float64)
    chosen: ObjectArray = options[rng.choice(len(options), size=count, p=p / p.sum())]
    return chosen


def _pick(rng: np.random.Generator, options: Sequence[str], count: int) -> ObjectArray:
    picked: ObjectArray = np.array(options, dtype=object)[rng.integers(0, len(options), count)]
    return picked


def _descriptions(
    rng: np.random.Generator, services: ObjectArray, kinds: ObjectArray
) -> ObjectArray:
    """A short sentence per incident from a few templates per service and kind."""
    text = np.empty(len(services), dtype=object)
    for service in sorted(set(services)):
        label = SERVICE_LABELS.get(service, service.replace("_", " "))
        generic = tuple(template.format(label=label) for template in GENERIC_TEMPLATES)
        rows = services == service
        text[rows] = _pick(rng, REQUEST_TEMPLATES.get(service, generic), int(rows.sum()))
        praise = rows & (kinds == "compliment")
        compliments = [template.format(label=label) for template in COMPLIMENT_TEMPLATES]
        text[praise] = _pick(rng, compliments, int(praise.sum()))
    complaint = kinds == "complaint"
    text[complaint] = _pick(rng, COMPLAINT_PREFIXES, int(complaint.sum())) + text[complaint]
    return text


# --- surveys ------------------------------------------------------------------------------------


def _generate_surveys(
    rng: np.random.Generator, wards: _Wards, count: int, period: tuple[datetime, datetime]
) -> pd.DataFrame:
    ward_deprivation = rng.beta(1.5, 2.0, len(wards.codes))
    ward = _choose_wards(rng, wards, count)
    lon, lat = _points_in_wards(rng, wards, ward)
    deprivation = np.clip(ward_deprivation[ward] + rng.normal(0.0, 0.15, count), 0.0, 1.0)
    levels = {
        column: _access_levels(rng, deprivation, scale) for column, scale in ACCESS_SCALES.items()
    }
    frame = pd.DataFrame(
        {
            "submission_id": _submission_ids(rng, count),
            "lon": lon,
            "lat": lat,
            "precision_m": _precision_m(rng, count),
            "collected_at": _utc_times(_draw_seconds(rng, count, period)),
            **levels,
            "needs": _top_needs(rng, levels, deprivation),
            "ward_code": wards.codes[ward],
        }
    )
    return frame.sort_values("collected_at", kind="stable", ignore_index=True)


def _access_levels(
    rng: np.random.Generator, deprivation: FloatArray, scale: AccessScale
) -> npt.NDArray[np.int16]:
    """Draw each household's level from a mix of a well-served and a deprived distribution."""
    well_served = np.cumsum(scale.well_served)[:-1]
    deprived = np.cumsum(scale.deprived)[:-1]
    cdf = np.outer(1.0 - deprivation, well_served) + np.outer(deprivation, deprived)
    at_or_above = rng.random((len(deprivation), 1)) >= cdf
    levels: npt.NDArray[np.int16] = at_or_above.sum(axis=1, dtype=np.int16)
    return levels


def _top_needs(
    rng: np.random.Generator,
    levels: Mapping[str, npt.NDArray[np.int16]],
    deprivation: FloatArray,
) -> list[list[str]]:
    """One to three top needs per household, led by its worst access levels."""
    badness = {
        scale.need: levels[column] / (len(scale.well_served) - 1)
        for column, scale in ACCESS_SCALES.items()
    }
    badness["roads"] = 0.15 + 0.35 * deprivation
    badness["housing"] = 0.10 + 0.50 * deprivation
    scores = 2.5 * np.column_stack([badness[need] for need in NEEDS])
    scores += rng.gumbel(0.0, 0.35, scores.shape)
    ranked = np.argsort(-scores, axis=1, kind="stable")
    how_many = rng.choice([1, 2, 3], size=len(deprivation), p=[0.3, 0.4, 0.3])
    return [[NEEDS[j] for j in row[:k]] for row, k in zip(ranked, how_many, strict=True)]


def _submission_ids(rng: np.random.Generator, count: int) -> list[str]:
    return [f"uuid:{uuid.UUID(bytes=rng.bytes(16), version=4)}" for _ in range(count)]


def _precision_m(rng: np.random.Generator, count: int) -> FloatArray:
    """GPS precision: mostly 3-15 m, about one fix in twelve much worse."""
    good = rng.uniform(3.0, 15.0, count)
    poor = 15.0 + rng.exponential(30.0, count)
    precision: FloatArray = np.where(rng.random(count) < 0.92, good, poor)
    return precision.round(1)
