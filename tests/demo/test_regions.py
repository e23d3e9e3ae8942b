"""Planted regions: disjoint groups of nearest wards, and extras sized to the rate asked for."""

from __future__ import annotations

import numpy as np
import pytest

from geosvc.demo.regions import REGION_WARDS, extra_incidents, region_count, region_wards


def test_regions_are_disjoint_groups_of_the_nearest_free_wards() -> None:
    centres = np.array([[x, y] for x in range(10) for y in range(10)], dtype=np.float64) * 1_000
    weights = np.full(100, 0.01)
    groups = region_wards(np.random.default_rng(4), centres, weights, 3)
    assert [len(group) for group in groups] == [REGION_WARDS] * 3
    assert len(np.unique(np.concatenate(groups))) == 3 * REGION_WARDS
    taken: set[int] = set()
    for group in groups:
        seed = group[0]
        distance = np.hypot(*(centres - centres[seed]).T)
        free = np.setdiff1d(np.arange(100), list(taken))
        # No free ward outside the group is nearer the seed than the group's farthest ward.
        outside = np.setdiff1d(free, group)
        assert distance[outside].min() >= distance[group].max()
        taken.update(group.tolist())


def test_wards_without_households_never_seed_a_region() -> None:
    centres = np.array([[x, 0.0] for x in range(40)]) * 1_000
    weights = np.zeros(40)
    weights[35] = 1.0
    (group,) = region_wards(np.random.default_rng(0), centres, weights, 1)
    assert group[0] == 35


def test_too_many_regions_are_refused() -> None:
    assert region_count(5, 100) == 3
    with pytest.raises(ValueError, match="cannot hold 4 regions"):
        region_wards(np.random.default_rng(0), np.zeros((100, 2)), np.full(100, 0.01), 4)


def test_extras_give_the_factor_asked_for() -> None:
    extras = extra_incidents(20_000, [0.01, 0.005], factor=4.0)
    background = 20_000 - extras.sum()
    # Region r holds shares[r] * background ordinary incidents plus its extras.
    assert (0.01 * background + extras[0]) / (0.01 * background) == pytest.approx(4.0, rel=1e-3)
    assert extra_incidents(20_000, [0.01], factor=1.0).tolist() == [0]
    with pytest.raises(ValueError, match="factor"):
        extra_incidents(100, [0.1], factor=0.5)
