"""The location pipeline: coordinate problems, placeholders and wards."""

from __future__ import annotations

import numpy as np
import pytest

from geosvc.geo import CoordinateProblem, Extent
from geosvc.rowchecks.location import at_placeholder, place_points, problem_refusals
from geosvc.wards.places import Places


class TwoWards:
    """West of 28.0 is ward W, east of it ward E, nothing north of -26.0."""

    codes = ("W", "E")

    def assign(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        ward = np.where(lon < 28.0, "W", "E").astype(object)
        ward[lat > -26.0] = None
        return ward


PLACES = Places(
    extent=Extent(27.0, -27.0, 29.0, -25.0),
    wards=TwoWards(),  # type: ignore[arg-type]
    ward_codes=frozenset({"W", "E"}),
)


def test_each_point_is_checked_placed_or_left_out() -> None:
    lon = np.array([27.5, 28.5, np.nan, 0.0, -26.5, 27.2, 27.5, 28.5])
    lat = np.array([-26.5, -26.5, -26.5, 0.0, 28.5, -25.5, -26.5, -26.5])
    skip = np.zeros(len(lon), dtype=bool)
    skip[6] = True
    placed = place_points(lon, lat, PLACES, skip, placeholders=[(28.5000001, -26.5)])
    assert placed.problems.tolist() == [
        None,
        None,
        CoordinateProblem.MISSING,
        CoordinateProblem.NULL_ISLAND,
        CoordinateProblem.SWAPPED,
        None,
        None,
        None,
    ]
    assert placed.has_point.tolist() == [True, True, False, True, True, True, True, True]
    assert placed.placeholder.tolist() == [False, True, False, False, False, False, False, True]
    assert placed.ward.tolist() == ["W", None, None, None, None, None, None, None]
    assert placed.in_no_ward.tolist() == [False] * 5 + [True, False, False]


@pytest.mark.parametrize(
    ("lon", "hit"), [(28.0, True), (28.0000009, True), (28.000002, False), (27.0, False)]
)
def test_placeholders_match_to_a_millionth_of_a_degree(lon: float, hit: bool) -> None:
    assert at_placeholder(np.array([lon]), np.array([-26.0]), [(28.0, -26.0)]).tolist() == [hit]


def test_problem_refusals_in_the_domain_s_order_and_words() -> None:
    problems = np.array(
        [None, CoordinateProblem.SWAPPED, CoordinateProblem.NULL_ISLAND], dtype=object
    )
    reasons = {CoordinateProblem.NULL_ISLAND: "no fix", CoordinateProblem.SWAPPED: "swapped"}
    refusals = problem_refusals(problems, reasons)
    assert [(m.tolist(), r) for m, r in refusals] == [
        ([False, False, True], "no fix"),
        ([False, True, False], "swapped"),
    ]
