"""geosvc's DBSCAN gives exactly scikit-learn's labels: clusters, numbers, noise and borders."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import DBSCAN

from geosvc.analytics.clustering.dbscan import dbscan
from geosvc.errors import InvalidInputError

# eps^2 is 20.5 grid steps^2 and grid distances^2 are whole steps^2, so no pair is exactly
# eps apart; the same for the other radii (x.5 steps^2).
GRID_EPS = [float(np.sqrt(r)) for r in (1.5, 2.5, 4.5, 8.5, 20.5)]


@st.composite
def grid_points(draw: st.DrawFn) -> np.ndarray:
    """Up to 60 points on a small integer grid: dense, coincident, with many border points
    within reach of two clusters."""
    count = draw(st.integers(0, 60))
    span = draw(st.sampled_from([2, 5, 12]))
    cell = st.tuples(st.integers(-span, span), st.integers(-span, span))
    cells = draw(st.lists(cell, min_size=count, max_size=count))
    return np.array(cells, dtype=np.float64).reshape(count, 2)


@st.composite
def scattered_points(draw: st.DrawFn) -> np.ndarray:
    """Up to 60 points anywhere in a square of 100 units."""
    count = draw(st.integers(0, 60))
    coordinate = st.floats(0, 100, allow_nan=False, allow_infinity=False)
    pairs = draw(st.lists(st.tuples(coordinate, coordinate), min_size=count, max_size=count))
    return np.array(pairs, dtype=np.float64).reshape(count, 2)


def _sklearn(points: np.ndarray, eps: float, min_samples: int) -> np.ndarray:
    if len(points) == 0:
        return np.empty(0, dtype=np.int64)
    model = DBSCAN(eps=eps, min_samples=min_samples, algorithm="kd_tree")
    return np.asarray(model.fit_predict(points), dtype=np.int64)


@settings(deadline=None, max_examples=300)
@given(points=grid_points(), eps=st.sampled_from(GRID_EPS), min_samples=st.integers(1, 9))
def test_grid_labels_are_sklearns(points: np.ndarray, eps: float, min_samples: int) -> None:
    assert dbscan(points, eps, min_samples).tolist() == _sklearn(points, eps, min_samples).tolist()


@settings(deadline=None, max_examples=200)
@given(
    points=scattered_points(),
    eps=st.floats(1, 40, allow_nan=False),
    min_samples=st.integers(1, 8),
)
def test_scattered_labels_are_sklearns(points: np.ndarray, eps: float, min_samples: int) -> None:
    assert dbscan(points, eps, min_samples).tolist() == _sklearn(points, eps, min_samples).tolist()


def test_a_border_point_joins_the_cluster_found_first() -> None:
    # Two rows of four points and, between them, a border point within reach of one core
    # point of each: it joins whichever cluster holds the smaller core point.
    left = [[0.0, 0], [-0.3, 0], [-0.6, 0], [-0.9, 0]]
    right = [[2.0, 0], [2.3, 0], [2.6, 0], [2.9, 0]]
    points = np.array([*left, [1.0, 0], *right])
    assert dbscan(points, 1.1, 4).tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    flipped = np.array([*right, [1.0, 0], *left])
    assert dbscan(flipped, 1.1, 4).tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert _sklearn(flipped, 1.1, 4).tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1]


@pytest.mark.parametrize(
    ("points", "eps", "min_samples"),
    [
        (np.zeros(3), 1.0, 2),
        (np.zeros((3, 3)), 1.0, 2),
        (np.zeros((3, 2)), 0.0, 2),
        (np.zeros((3, 2)), 1.0, 0),
    ],
)
def test_bad_arguments_are_refused(points: np.ndarray, eps: float, min_samples: int) -> None:
    with pytest.raises(InvalidInputError):
        dbscan(points, eps, min_samples)


@settings(deadline=None, max_examples=200)
@given(points=grid_points(), eps=st.sampled_from([1.0, 2.0, 3.0]), min_samples=st.integers(1, 9))
def test_points_exactly_eps_apart_are_neighbours(
    points: np.ndarray, eps: float, min_samples: int
) -> None:
    # Whole steps on an integer grid: many pairs lie exactly eps apart, and scikit-learn
    # counts them as neighbours (distance <= eps) for core points and for borders alike.
    assert dbscan(points, eps, min_samples).tolist() == _sklearn(points, eps, min_samples).tolist()


def test_dense_and_sparse_points_together_match_sklearn() -> None:
    # Clumps dense enough that whole grid cells are core, on a sparse background with many
    # border points: the grid's shortcuts and the border step, on more than a few dozen points.
    rng = np.random.default_rng(3)
    clumps = rng.normal(scale=30.0, size=(4_000, 2)) + rng.uniform(0, 2_000, size=(20, 1, 2))
    background = rng.uniform(0, 2_000, size=(3_000, 2))
    points = np.concatenate([clumps.reshape(-1, 2), background])
    labels = dbscan(points, eps=25.0, min_samples=5)
    assert labels.tolist() == _sklearn(points, 25.0, 5).tolist()
    assert labels.max() > 10  # many clusters
    assert (labels == -1).sum() > 1_000  # and much noise
