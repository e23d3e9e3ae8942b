"""Coordinate checks: every bad point gets its own reason."""

from __future__ import annotations

import numpy as np

from geosvc.geo import CoordinateProblem, Extent, coordinate_problems

GAUTENG = Extent(27.5, -26.9, 29.0, -25.0)


def test_each_problem_has_its_reason() -> None:
    lon = [28.0, np.nan, 200.0, 0.0, -26.2, 18.4]
    lat = [-26.2, -26.2, 10.0, 0.0, 28.0, -33.9]
    assert list(coordinate_problems(lon, lat, GAUTENG)) == [
        None,
        CoordinateProblem.MISSING,
        CoordinateProblem.OUT_OF_RANGE,
        CoordinateProblem.NULL_ISLAND,
        CoordinateProblem.SWAPPED,
        CoordinateProblem.OUTSIDE_EXTENT,
    ]


def test_without_an_extent_only_range_checks_apply() -> None:
    assert list(coordinate_problems([18.4, 91.0], [-33.9, 0.0])) == [None, None]
    assert list(coordinate_problems([18.4], [-91.0])) == [CoordinateProblem.OUT_OF_RANGE]
