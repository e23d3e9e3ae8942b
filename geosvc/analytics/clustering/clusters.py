"""Density clusters of incidents in metres: DBSCAN, separately for each service type.

A cluster is a place where one service keeps failing: a burst main, a blocked sewer line, a
dead transformer. Incidents are projected once to a UTM zone chosen for the whole input
(``metric_crs``) and clustered per service type with DBSCAN (``geosvc.analytics.clustering.dbscan``,
which gives scikit-learn's labels faster), so ``eps_m`` is a true distance in metres.
Cluster numbers are deterministic and independent of row order: service types in sorted
order, and within one the cluster holding the smallest incident id first. The summary of
each cluster (hull, centroid, wards, times) is built in ``geosvc.analytics.clustering.summary``;
``cluster_points`` clusters one service type's points without summaries, and
``summarise_points`` summarises only the clusters asked for (the live update's path).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import CRS

from geosvc.analytics.clustering.dbscan import NOISE, dbscan, renumbered_by_first_member
from geosvc.analytics.clustering.inputs import (
    ClusterParams,
    IncidentPoints,
    check_incidents,
    effective_params,
    in_window,
)
from geosvc.analytics.clustering.summary import (
    ClusterMembers,
    cluster_memberships,
    empty_clusters,
    summarise_clusters,
)
from geosvc.analytics.projection import checked_metric_crs, crs_name, metric_crs, to_metres
from geosvc.errors import InvalidInputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

__all__ = [
    "NOISE",
    "ClusterParams",
    "ClusterResult",
    "PointClusters",
    "cluster_incidents",
    "cluster_points",
    "dbscan_labels",
    "metric_crs",
    "summarise_points",
    "to_metres",
]


@dataclass(frozen=True)
class ClusterResult:
    """Clusters of one run, with the label of every incident analysed.

    ``labels`` is indexed by incident ``id`` (int64 cluster number, ``NOISE`` = -1);
    ``clusters`` has one row per cluster (see ``cluster_summary.CLUSTER_COLUMNS``);
    ``noise`` counts the noise incidents per service type; ``params`` holds the settings
    used per service type; ``crs`` names the metric CRS (None when nothing was projected).
    """

    labels: pd.Series
    clusters: gpd.GeoDataFrame
    noise: dict[str, int] = field(default_factory=dict)
    params: dict[str, ClusterParams] = field(default_factory=dict)
    crs: str | None = None


@dataclass(frozen=True)
class PointClusters:
    """One service type's points clustered, without summaries.

    ``labels`` (as ``dbscan_labels``) are aligned with ``points.ids``; ``clusters`` has
    ``cluster_no, service_code, member_ids, count`` (see ``cluster_memberships``); ``crs``
    is the metric CRS, None when there were no points.
    """

    points: IncidentPoints
    labels: IntArray
    clusters: pd.DataFrame
    crs: CRS | None


def dbscan_labels(x_m: npt.ArrayLike, y_m: npt.ArrayLike, params: ClusterParams) -> IntArray:
    """DBSCAN labels of projected points: 0..k-1, numbered by smallest member index; -1 noise.

    Parameters
    ----------
    x_m, y_m : array_like
        Easting and northing in metres (see ``to_metres``), none missing.
    params : ClusterParams
        ``eps_m`` is DBSCAN's ``eps``; ``min_count`` its ``min_samples`` (the point counts).

    Returns
    -------
    ndarray of int64
        One label per point. Cluster 0 holds the first point that is in any cluster.

    Examples
    --------
    >>> x = [0.0, 5000.0, 10.0, 5010.0, 20.0, 9000.0]
    >>> dbscan_labels(x, [0.0] * 6, ClusterParams(eps_m=15.0, min_count=2)).tolist()
    [0, 1, 0, 1, 0, -1]
    """
    points = _checked_points(x_m, y_m)
    if len(points) == 0:
        return np.empty(0, dtype=np.int64)
    return renumbered_by_first_member(dbscan(points, params.eps_m, params.min_count))


def cluster_incidents(
    incidents: pd.DataFrame,
    params: ClusterParams | Mapping[str, ClusterParams] = ClusterParams(),
    *,
    window: tuple[datetime, datetime] | None = None,
    crs: CRS | None = None,
) -> ClusterResult:
    """Cluster incidents per service type with DBSCAN on projected coordinates.

    Parameters
    ----------
    incidents : DataFrame
        ``id`` (unique integers), ``service_code``, ``lon`` and ``lat`` (WGS 84, none
        missing), ``requested_at`` (tz-aware) and ``ward_code`` (str or None).
    params : ClusterParams or mapping of service code to ClusterParams
        One setting for all service types, or one per type; types missing from the
        mapping use ``ClusterParams()``.
    window : tuple of datetime, optional
        ``(start, end)``, tz-aware: cluster only incidents with
        ``start <= requested_at < end``; the others are not counted anywhere.
    crs : pyproj.CRS, optional
        A projected CRS in metres; by default ``metric_crs`` of the incidents analysed.

    Returns
    -------
    ClusterResult
        Every incident analysed is in exactly one cluster or counted as noise:
        ``clusters["count"].sum() + sum(noise.values()) == len(labels)``.

    Examples
    --------
    >>> from datetime import UTC
    >>> incidents = pd.DataFrame({
    ...     "id": [1, 2, 3, 4], "service_code": ["water_leak"] * 3 + ["pothole"],
    ...     "lon": [28.0, 28.0005, 28.001, 28.0], "lat": -26.2,
    ...     "requested_at": pd.Timestamp("2026-05-04 08:00", tz=UTC), "ward_code": "79800001",
    ... })
    >>> result = cluster_incidents(incidents, ClusterParams(eps_m=60.0, min_count=2))
    >>> result.labels.tolist(), result.noise, result.crs
    ([0, 0, 0, -1], {'pothole': 1, 'water_leak': 0}, 'EPSG:32735')
    >>> result.clusters[["service_code", "member_ids", "count", "wards"]].values.tolist()
    [['water_leak', [1, 2, 3], 3, ['79800001']]]
    >>> round(float(result.clusters["radius_m"].iloc[0]))
    50
    """
    check_incidents(incidents)
    analysed = in_window(incidents, window)
    codes = sorted(analysed["service_code"].astype(str).unique())
    effective = effective_params(params, codes)
    chosen = checked_metric_crs(crs) if crs is not None else None
    if len(analysed) == 0:
        name = crs_name(chosen) if chosen is not None else None
        empty = empty_clusters(incidents["requested_at"])
        return ClusterResult(_label_series([], []), empty, crs=name)
    if chosen is None:
        chosen = metric_crs(analysed["lon"], analysed["lat"])
    return _clustered(analysed, effective, chosen)


def cluster_points(
    points: IncidentPoints, service_code: str, params: ClusterParams = ClusterParams()
) -> PointClusters:
    """Cluster the points of one service type as ``cluster_incidents`` does, minus summaries.

    The labels, cluster numbers, members and CRS are those ``cluster_incidents`` gives the
    same incidents; ``summarise_points`` adds the summaries of chosen clusters later, so a
    caller that needs few of them (the live update) does not build them all.

    Examples
    --------
    >>> points = IncidentPoints(
    ...     ids=np.array([1, 2, 3, 4]), lon=np.array([28.0, 28.0005, 28.001, 28.1]),
    ...     lat=np.full(4, -26.2),
    ... )
    >>> clustered = cluster_points(points, "water_leak", ClusterParams(eps_m=60.0, min_count=2))
    >>> clustered.labels.tolist(), clustered.clusters["member_ids"].tolist()
    ([0, 0, 0, -1], [[1, 2, 3]])
    >>> crs_name(clustered.crs)
    'EPSG:32735'
    """
    crs = metric_crs(points.lon, points.lat) if len(points.ids) else None
    labels = (
        dbscan_labels(*to_metres(points.lon, points.lat, crs), params)
        if crs is not None
        else np.empty(0, dtype=np.int64)
    )
    clusters = cluster_memberships(points.ids, service_code, labels)
    return PointClusters(points, labels, clusters, crs)


def summarise_points(incidents: pd.DataFrame, clustered: PointClusters) -> gpd.GeoDataFrame:
    """The summaries (``cluster_summary.CLUSTER_COLUMNS``) of the clusters ``incidents`` hold.

    ``incidents`` (``INCIDENT_COLUMNS``, any order) are members of ``clustered``, all of
    them for each cluster to summarise; each summary equals ``cluster_incidents``'.
    """
    rows = incidents.sort_values("id", kind="stable")
    if len(rows) == 0 or clustered.crs is None:
        return empty_clusters(incidents["requested_at"])
    ids = rows["id"].to_numpy(dtype=np.int64)
    at = np.searchsorted(clustered.points.ids, ids).clip(max=len(clustered.points.ids) - 1)
    if not (clustered.points.ids[at] == ids).all() or (clustered.labels[at] == NOISE).any():
        raise InvalidInputError("summarise_points needs members of the clusters, nothing else.")
    members = ClusterMembers.from_rows(rows, *to_metres(rows["lon"], rows["lat"], clustered.crs))
    return summarise_clusters(members, clustered.labels[at], clustered.crs)


def _clustered(
    analysed: pd.DataFrame, params: Mapping[str, ClusterParams], crs: CRS
) -> ClusterResult:
    """Label the incidents, sorted by service type and id, then summarise the clusters."""
    order = _service_then_id_order(analysed)
    rows = analysed.iloc[order]
    members = ClusterMembers.from_rows(rows, *to_metres(rows["lon"], rows["lat"], crs))
    labels = _labels_per_service(members.service_codes, members.x_m, members.y_m, params)
    noise_by_code = pd.Series(labels == NOISE).groupby(members.service_codes).sum()
    in_input_order = np.empty(len(labels), dtype=np.int64)
    in_input_order[order] = labels
    return ClusterResult(
        labels=_label_series(analysed["id"].to_numpy(dtype=np.int64), in_input_order),
        clusters=summarise_clusters(members, labels, crs),
        noise={str(code): int(count) for code, count in noise_by_code.items()},
        params=dict(params),
        crs=crs_name(crs),
    )


def _labels_per_service(
    codes: npt.NDArray[np.object_],
    x_m: FloatArray,
    y_m: FloatArray,
    params: Mapping[str, ClusterParams],
) -> IntArray:
    """Global cluster numbers for points sorted by service code: one DBSCAN per code."""
    labels = np.full(len(codes), NOISE, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    stops = np.r_[starts[1:], len(codes)]
    clusters_so_far = 0
    for start, stop in zip(starts, stops, strict=True):
        local = dbscan_labels(x_m[start:stop], y_m[start:stop], params[str(codes[start])])
        labels[start:stop] = np.where(local == NOISE, NOISE, local + clusters_so_far)
        clusters_so_far += int(local.max(initial=NOISE)) + 1
    return labels


def _service_then_id_order(incidents: pd.DataFrame) -> IntArray:
    """Positions that sort the incidents by service code, then id (ids are unique)."""
    keys = pd.DataFrame(
        {
            "service_code": incidents["service_code"].astype(str).to_numpy(),
            "id": incidents["id"].to_numpy(dtype=np.int64),
        }
    )
    return keys.sort_values(["service_code", "id"]).index.to_numpy(dtype=np.int64)


def _label_series(ids: npt.ArrayLike, labels: npt.ArrayLike) -> pd.Series:
    index = pd.Index(np.asarray(ids, dtype=np.int64), name="id")
    return pd.Series(np.asarray(labels, dtype=np.int64), index=index, name="cluster_no")


def _checked_points(x_m: npt.ArrayLike, y_m: npt.ArrayLike) -> FloatArray:
    x = np.asarray(x_m, dtype=np.float64)
    y = np.asarray(y_m, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise InvalidInputError(
            f"x_m and y_m must be 1-d arrays of the same length, not shapes {x.shape} "
            f"and {y.shape}."
        )
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InvalidInputError("x_m and y_m must be finite coordinates in metres.")
    return np.column_stack([x, y])
