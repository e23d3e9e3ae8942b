"""Where each row is: coordinate checks, placeholder points and the ward of each point.

Every domain reads its coordinates its own way and words its own reasons; what a point's
problem is, whether it is a placeholder and which ward it lies in are decided here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from geosvc.geo import CoordinateProblem, coordinate_problems
from geosvc.wards.places import Places

PLACEHOLDER_TOLERANCE_DEG = 1e-6

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Values = npt.NDArray[np.object_]


@dataclass(frozen=True)
class PlacedPoints:
    """The outcome of placing a chunk's points, per row."""

    problems: Values
    """The ``CoordinateProblem`` of each point, None where there is none."""
    placeholder: Mask
    """Points at one of the listed placeholders (a device's or an export's default)."""
    ward: Values
    """The ward each point placed lies in; None for the rest."""
    in_no_ward: Mask
    """Points that were placed and lie in no ward."""

    @property
    def has_point(self) -> Mask:
        """Rows with coordinates that are numbers."""
        return np.asarray(self.problems != CoordinateProblem.MISSING, dtype=bool)


def place_points(
    lon: Floats,
    lat: Floats,
    places: Places,
    skip: Mask,
    placeholders: Iterable[tuple[float, float]] = (),
) -> PlacedPoints:
    """Check each point and find its ward; rows of ``skip`` (refused already) are not placed.

    A point is placed when it has no coordinate problem and is no placeholder.
    """
    problems = coordinate_problems(lon, lat, places.extent)
    has_point = problems != CoordinateProblem.MISSING
    placeholder = has_point & at_placeholder(lon, lat, placeholders)
    todo = pd.isna(problems) & ~placeholder & ~skip
    ward = np.full(len(lon), None, dtype=object)
    ward[todo] = places.wards.assign(lon[todo], lat[todo])
    return PlacedPoints(problems, placeholder, ward, todo & pd.isna(ward))


def at_placeholder(lon: Floats, lat: Floats, points: Iterable[tuple[float, float]]) -> Mask:
    """Whether each point is one of ``points`` (lon, lat), to a millionth of a degree."""
    hit = np.zeros(len(lon), dtype=bool)
    for px, py in points:
        near_x = np.abs(lon - px) <= PLACEHOLDER_TOLERANCE_DEG
        hit |= near_x & (np.abs(lat - py) <= PLACEHOLDER_TOLERANCE_DEG)
    return hit


def problem_refusals(
    problems: Values, reasons: Mapping[CoordinateProblem, str]
) -> list[tuple[Mask, str]]:
    """The rows with each problem of ``reasons``, with the domain's reason, in its order."""
    return [(np.asarray(problems == p, dtype=bool), reason) for p, reason in reasons.items()]
