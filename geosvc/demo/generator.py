"""Generate realistic synthetic demo data from ward boundaries and one seed.

The generator is pure: no database, no files, no clock and no global random state. The same
wards, arguments and seed always give identical frames, so a demo, a test or a benchmark can be
rebuilt from the seed alone. Incidents carry an office-hours and weekday rhythm and hide a few
planted hotspots (``geosvc.demo.planting``) and a few planted regions (``geosvc.demo.regions``)
whose ground truth is returned with them, so that the cluster and hotspot analytics can be
checked against what was planted. This module checks the arguments and runs the parts in a
fixed order of random streams; changing that order changes every generated data set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd

from geosvc.demo.distributions import SERVICE_WEIGHTS, UNLISTED_SERVICE_WEIGHT
from geosvc.demo.incidents import generate_incidents
from geosvc.demo.planting import PlantedHotspot, hotspots_to_geojson, plant_hotspots
from geosvc.demo.regions import PlantedRegion, plant_regions
from geosvc.demo.sampling import ward_table
from geosvc.demo.surveys import NEEDS, SURVEY_MONTHS, generate_surveys
from geosvc.demo.times import period_before

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


@dataclass(frozen=True)
class DemoData:
    """Generated incidents and surveys, with the hotspots and regions planted among them."""

    incidents: pd.DataFrame
    surveys: pd.DataFrame
    hotspots: list[PlantedHotspot]
    regions: list[PlantedRegion] = dataclasses.field(default_factory=list)


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
    table = ward_table(wards)
    period = period_before(end_at, months)
    hotspot_rng, incident_rng, survey_rng, region_rng = np.random.default_rng(seed).spawn(4)
    planted = plant_hotspots(hotspot_rng, table, hotspots, incidents, service_weights, period)
    ordinary = incidents - sum(hotspot.count for hotspot in planted)
    zones = plant_regions(region_rng, table, regions, ordinary, service_weights, planted)
    incident_frame = generate_incidents(
        incident_rng, table, incidents, planted, zones, service_weights, period
    )
    survey_period = period_before(end_at, SURVEY_MONTHS)
    survey_frame = generate_surveys(survey_rng, table, surveys, survey_period)
    return DemoData(incidents=incident_frame, surveys=survey_frame, hotspots=planted, regions=zones)


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
