"""DBSCAN on a grid of cells, with exactly scikit-learn's labels.

scikit-learn's DBSCAN lists every point's neighbours before it labels anything; once
incidents are dense that list is the whole cost (254,000 water outages within 250 m of one
another make 143 million pairs: 11 s and several GB). The ``dbscan`` package (Wang, Gu and
Shun, "Theoretically efficient and practical parallel DBSCAN", SIGMOD 2020) finds the same
core points and clusters on a grid of cells ``eps / sqrt(2)`` wide without listing pairs:
1,000,000 demo incidents in 1.5 s on one core (``bench/bench_clusters.py``). It may give
a border point to any cluster within reach and numbers clusters its own way, so two short
steps make its labels scikit-learn's:

1. clusters are numbered in the order of their smallest core point, as scikit-learn finds
   them;
2. a non-core point within ``eps`` of core points joins the lowest-numbered of their
   clusters (scikit-learn labels every point of one cluster before it starts the next);
   every other point is noise (-1). A non-core point has fewer than ``min_samples``
   neighbours, so the search from those points (a scipy k-d tree) stays short.
"""

from __future__ import annotations

import dbscan as grid  # type: ignore[import-untyped]  # the dbscan package ships no stubs
import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree  # type: ignore[import-untyped]  # scipy ships no stubs

from geosvc.errors import InvalidInputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

NOISE = -1

__all__ = ["NOISE", "dbscan", "renumbered_by_first_member"]


def dbscan(points: FloatArray, eps: float, min_samples: int) -> IntArray:
    """The labels scikit-learn's ``DBSCAN(eps, min_samples=min_samples).fit_predict`` gives.

    Parameters
    ----------
    points : ndarray of float64, shape (n, 2)
        Finite coordinates in one unit (metres for incidents), one row per point.
    eps : float
        The neighbourhood radius: points at most ``eps`` apart are neighbours.
    min_samples : int
        The neighbours (the point itself included) that make a point core; at least 1.

    Returns
    -------
    ndarray of int64
        Clusters 0..k-1 numbered by their smallest core point, noise -1; each border point
        in the lowest-numbered cluster holding a core point within ``eps`` of it.

    Examples
    --------
    >>> points = np.array([[0.0, 0], [1, 0], [2, 0], [9, 0], [3, 0], [20, 0]])
    >>> dbscan(points, eps=1.0, min_samples=3).tolist()
    [0, 0, 0, -1, 0, -1]
    """
    if points.ndim != 2 or points.shape[1] != 2 or not (eps > 0 and min_samples >= 1):
        raise InvalidInputError("dbscan needs an (n, 2) array, eps > 0 and min_samples >= 1.")
    if len(points) == 0:
        return np.empty(0, dtype=np.int64)
    coordinates = np.ascontiguousarray(points, dtype=np.float64)
    found, core = grid.DBSCAN(coordinates, eps=float(eps), min_samples=int(min_samples))
    core = np.asarray(core, dtype=bool)
    # The core points' clusters, numbered by their smallest core point; borders come next.
    labels = renumbered_by_first_member(np.where(core, np.asarray(found, dtype=np.int64), NOISE))
    return _with_borders(labels, coordinates, core, eps)


def renumbered_by_first_member(raw: IntArray) -> IntArray:
    """Relabel clusters 0..k-1 in the order of their first member; noise (-1) stays -1.

    >>> renumbered_by_first_member(np.array([7, -1, 3, 7, 3, 5])).tolist()
    [0, -1, 1, 0, 1, 2]
    """
    clustered = raw != NOISE
    found, first = np.unique(raw[clustered], return_index=True)
    rank = np.empty(len(found), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(found))
    labels = np.full(len(raw), NOISE, dtype=np.int64)
    labels[clustered] = rank[np.searchsorted(found, raw[clustered])]
    return labels


def _with_borders(labels: IntArray, points: FloatArray, core: BoolArray, eps: float) -> IntArray:
    """``labels`` with each non-core point in the lowest-numbered cluster of its core neighbours."""
    cores = np.flatnonzero(core)
    others = np.flatnonzero(~core)
    if len(cores) == 0 or len(others) == 0:
        return labels
    reach = cKDTree(points[others]).sparse_distance_matrix(
        cKDTree(points[cores]), eps, output_type="ndarray"
    )
    if len(reach) == 0:
        return labels
    border = others[reach["i"]]
    cluster = labels[cores[reach["j"]]]
    order = np.lexsort((cluster, border))
    borders, first = np.unique(border[order], return_index=True)
    result = labels.copy()
    result[borders] = cluster[order][first]
    return result
