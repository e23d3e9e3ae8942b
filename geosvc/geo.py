"""Coordinates: range checks with a reason for each bad point (metric CRSs are in
``geosvc.analytics.projection``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt


class CoordinateProblem(StrEnum):
    """Why a coordinate pair cannot be a place; the value is the message shown to users."""

    MISSING = "the location is missing or not a number"
    OUT_OF_RANGE = "longitude must be within -180..180 and latitude within -90..90"
    NULL_ISLAND = "the location is (0, 0), a device's default rather than a place"
    SWAPPED = "latitude and longitude appear to be swapped"
    OUTSIDE_EXTENT = "the location is outside the area this service covers"


@dataclass(frozen=True)
class Extent:
    """A longitude/latitude box: the jurisdiction's wards, say."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(
        self, lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.bool_]:
        """Whether each point lies in the box (edges included)."""
        return (
            (lon >= self.min_lon)
            & (lon <= self.max_lon)
            & (lat >= self.min_lat)
            & (lat <= self.max_lat)
        )


def coordinate_problems(
    lon: npt.ArrayLike, lat: npt.ArrayLike, extent: Extent | None = None
) -> npt.NDArray[np.object_]:
    """The problem with each (lon, lat) pair, or None where there is none.

    Checked in order: missing, out of range, (0, 0), and, against ``extent``: swapped
    (the point is outside but (lat, lon) would be inside) or outside.

    Examples
    --------
    >>> za = Extent(16.4, -34.9, 32.9, -22.1)
    >>> [p and p.name for p in coordinate_problems([28.0, -26.2, 0, 200], [-26.2, 28.0, 0, 1], za)]
    [None, 'SWAPPED', 'NULL_ISLAND', 'OUT_OF_RANGE']
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    problems = np.full(x.shape, None, dtype=object)
    missing = ~(np.isfinite(x) & np.isfinite(y))
    out_of_range = ~missing & ((np.abs(x) > 180) | (np.abs(y) > 90))
    null_island = ~missing & (x == 0) & (y == 0)
    _mark(problems, null_island, CoordinateProblem.NULL_ISLAND)
    if extent is not None:
        plausible = ~(missing | out_of_range | null_island)
        outside = plausible & ~extent.contains(x, y)
        swapped = outside & extent.contains(y, x)
        _mark(problems, outside & ~swapped, CoordinateProblem.OUTSIDE_EXTENT)
        _mark(problems, swapped, CoordinateProblem.SWAPPED)
    _mark(problems, out_of_range, CoordinateProblem.OUT_OF_RANGE)
    _mark(problems, missing, CoordinateProblem.MISSING)
    return problems


def _mark(
    problems: npt.NDArray[np.object_], mask: npt.NDArray[np.bool_], problem: CoordinateProblem
) -> None:
    problems[mask & (problems == None)] = problem  # noqa: E711 (elementwise comparison)
