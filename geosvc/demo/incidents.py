"""Generated service requests: the ordinary background plus the planted hotspots and regions.

Each part is drawn on its own (where, what, when), then all are sorted by time and given a
channel, a kind and a short description, so that incident ids run in time order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from geosvc.demo.distributions import (
    CHANNEL_WEIGHTS,
    COMPLAINT_PREFIXES,
    COMPLIMENT_TEMPLATES,
    GENERIC_TEMPLATES,
    KIND_WEIGHTS,
    REQUEST_TEMPLATES,
    SERVICE_LABELS,
)
from geosvc.demo.planting import PlantedHotspot, points_around
from geosvc.demo.regions import PlantedRegion
from geosvc.demo.sampling import WardTable, choose_wards, points_in_wards, weighted_choice
from geosvc.demo.times import Period, draw_seconds, utc_times

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]
_Part = tuple[ObjectArray, FloatArray, FloatArray, IntArray, ObjectArray]
"""Service codes, longitudes, latitudes, epoch seconds and hotspot ids of some incidents."""

__all__ = ["generate_incidents"]


def generate_incidents(
    rng: np.random.Generator,
    wards: WardTable,
    count: int,
    hotspots: Sequence[PlantedHotspot],
    regions: Sequence[PlantedRegion],
    service_weights: Mapping[str, float],
    period: Period,
) -> pd.DataFrame:
    """``count`` incidents in time order, the planted ones among them (see ``generate``)."""
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
    wards: WardTable,
    count: int,
    service_weights: Mapping[str, float],
    period: Period,
) -> _Part:
    lon, lat = points_in_wards(rng, wards, choose_wards(rng, wards, count))
    services = weighted_choice(rng, service_weights, count)
    seconds = draw_seconds(rng, count, period)
    return services, lon, lat, seconds, np.full(count, None, dtype=object)


def _hotspot_incidents(
    rng: np.random.Generator, wards: WardTable, hotspot: PlantedHotspot
) -> _Part:
    lon, lat = points_around(rng, wards, hotspot)
    seconds = draw_seconds(rng, hotspot.count, (hotspot.start, hotspot.end))
    services = np.full(hotspot.count, hotspot.service_code, dtype=object)
    return services, lon, lat, seconds, np.full(hotspot.count, hotspot.id, dtype=object)


def _region_incidents(
    rng: np.random.Generator, wards: WardTable, region: PlantedRegion, period: Period
) -> _Part:
    """The region's extra incidents: its wards by households, any time in the period."""
    members = np.flatnonzero(np.isin(wards.codes, region.ward_codes))
    shares = wards.weights[members] / wards.weights[members].sum()
    lon, lat = points_in_wards(rng, wards, rng.choice(members, size=region.count, p=shares))
    seconds = draw_seconds(rng, region.count, period)
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
    kinds = weighted_choice(rng, KIND_WEIGHTS, count)
    return pd.DataFrame(
        {
            "incident_id": np.arange(count, dtype=np.int64),
            "service_code": services,
            "lon": lon,
            "lat": lat,
            "requested_at": utc_times(seconds),
            "channel": weighted_choice(rng, CHANNEL_WEIGHTS, count),
            "kind": kinds,
            "description": _descriptions(rng, services, kinds),
            "hotspot_id": hotspot_ids,
        }
    )


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


def _pick(rng: np.random.Generator, options: Sequence[str], count: int) -> ObjectArray:
    picked: ObjectArray = np.array(options, dtype=object)[rng.integers(0, len(options), count)]
    return picked
