"""One row per incident cluster: members, hull, centroid, wards, times and radius.

Every summary is computed for all clusters at once (sorted members and ``reduceat``, and
shapely's vectorised ``multipoints`` and ``convex_hull``), so a run with thousands of
clusters costs a few array passes, not a Python loop per cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS

from geosvc.analytics.projection import WGS84, from_metres

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]

CLUSTER_COLUMNS = (
    "cluster_no",
    "service_code",
    "member_ids",
    "count",
    "hull",
    "centroid",
    "wards",
    "first_at",
    "last_at",
    "radius_m",
)

__all__ = [
    "CLUSTER_COLUMNS",
    "ClusterMembers",
    "cluster_memberships",
    "empty_clusters",
    "summarise_clusters",
]


@dataclass(frozen=True)
class ClusterMembers:
    """Incidents as aligned arrays, in degrees and in metres, in one fixed order."""

    ids: IntArray
    service_codes: ObjectArray
    lon: FloatArray
    lat: FloatArray
    x_m: FloatArray
    y_m: FloatArray
    requested_at: pd.Series
    ward_codes: ObjectArray

    @classmethod
    def from_rows(cls, rows: pd.DataFrame, x_m: FloatArray, y_m: FloatArray) -> ClusterMembers:
        """Arrays from incident rows (``INCIDENT_COLUMNS``) and their projected coordinates."""
        wards = rows["ward_code"].astype(object)
        return cls(
            ids=rows["id"].to_numpy(dtype=np.int64),
            service_codes=rows["service_code"].astype(str).to_numpy(dtype=object),
            lon=rows["lon"].to_numpy(dtype=np.float64),
            lat=rows["lat"].to_numpy(dtype=np.float64),
            x_m=x_m,
            y_m=y_m,
            requested_at=rows["requested_at"].reset_index(drop=True),
            ward_codes=wards.where(wards.notna(), None).to_numpy(dtype=object),
        )


def summarise_clusters(members: ClusterMembers, labels: IntArray, crs: CRS) -> gpd.GeoDataFrame:
    """One row per cluster, in ``CLUSTER_COLUMNS``, from members labelled 0..k-1 (-1 noise).

    ``member_ids`` and ``wards`` are sorted lists when the members are sorted by id.
    ``hull`` (the active geometry) is the convex hull of the members in degrees: a Polygon,
    or a LineString or Point when they are collinear or coincide. ``centroid`` is the mean
    of the members in metres, unprojected; ``radius_m`` the farthest member from it.
    """
    order, starts = _runs(labels)
    if len(order) == 0:
        return empty_clusters(members.requested_at)
    grouped = labels[order]
    counts = np.diff(np.r_[starts, len(order)])
    group = np.repeat(np.arange(len(starts)), counts)
    centre_x, centre_y, radius_m = _centres_and_radii(members, order, starts, counts)
    centre_lon, centre_lat = from_metres(centre_x, centre_y, crs)
    times = members.requested_at.iloc[order].groupby(group).agg(["min", "max"])
    frame = pd.DataFrame(
        {
            "cluster_no": grouped[starts],
            "service_code": members.service_codes[order[starts]],
            "member_ids": _split_lists(members.ids[order], starts),
            "count": counts.astype(np.int64),
            "wards": _ward_lists(members.ward_codes[order], group, len(starts)),
            "first_at": times["min"].array,
            "last_at": times["max"].array,
            "radius_m": radius_m,
        }
    )
    frame["hull"] = _hulls(members.lon[order], members.lat[order], group)
    frame["centroid"] = gpd.GeoSeries(shapely.points(centre_lon, centre_lat), crs=WGS84)
    return gpd.GeoDataFrame(frame[list(CLUSTER_COLUMNS)], geometry="hull", crs=WGS84)


def cluster_memberships(ids: IntArray, service_code: str, labels: IntArray) -> pd.DataFrame:
    """``cluster_no, service_code, member_ids, count`` of points of one service type.

    The first columns of ``summarise_clusters`` and nothing else, for tracking clusters
    before deciding which need a summary. ``labels`` are 0..k-1 (-1 noise), aligned with
    ``ids``; ``member_ids`` are sorted lists when ``ids`` are sorted.

    Examples
    --------
    >>> cluster_memberships(np.array([3, 5, 8, 9]), "pothole", np.array([1, 0, -1, 1]))
       cluster_no service_code member_ids  count
    0           0      pothole        [5]      1
    1           1      pothole     [3, 9]      2
    """
    order, starts = _runs(labels)
    grouped = labels[order]
    return pd.DataFrame(
        {
            "cluster_no": grouped[starts].astype(np.int64),
            "service_code": pd.Series([service_code] * len(starts), dtype=object),
            "member_ids": pd.Series(
                _split_lists(ids[order], starts) if len(order) else [], dtype=object
            ),
            "count": np.diff(np.r_[starts, len(order)]).astype(np.int64),
        }
    )


def empty_clusters(times: pd.Series) -> gpd.GeoDataFrame:
    """No clusters, with every column of ``CLUSTER_COLUMNS``; times of ``times``' dtype."""
    no_times = times.iloc[:0].reset_index(drop=True)
    if not isinstance(no_times.dtype, pd.DatetimeTZDtype):
        no_times = no_times.astype("datetime64[us, UTC]")
    frame = pd.DataFrame(
        {
            "cluster_no": pd.Series([], dtype=np.int64),
            "service_code": pd.Series([], dtype=str),
            "member_ids": pd.Series([], dtype=object),
            "count": pd.Series([], dtype=np.int64),
            "hull": gpd.GeoSeries([], crs=WGS84),
            "centroid": gpd.GeoSeries([], crs=WGS84),
            "wards": pd.Series([], dtype=object),
            "first_at": no_times,
            "last_at": no_times,
            "radius_m": pd.Series([], dtype=np.float64),
        }
    )
    return gpd.GeoDataFrame(frame, geometry="hull", crs=WGS84)


def _runs(labels: IntArray) -> tuple[IntArray, IntArray]:
    """Positions of the clustered points grouped by label (stable), and where each group starts."""
    order = np.flatnonzero(labels >= 0)
    order = order[np.argsort(labels[order], kind="stable")]
    grouped = labels[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if len(order) else order
    return order, starts


def _centres_and_radii(
    members: ClusterMembers, order: IntArray, starts: IntArray, counts: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Mean position of each cluster in metres, and its farthest member's distance."""
    x = members.x_m[order]
    y = members.y_m[order]
    centre_x = np.add.reduceat(x, starts) / counts
    centre_y = np.add.reduceat(y, starts) / counts
    distance = np.hypot(x - np.repeat(centre_x, counts), y - np.repeat(centre_y, counts))
    radius: FloatArray = np.maximum.reduceat(distance, starts)
    return centre_x, centre_y, radius


def _hulls(lon: FloatArray, lat: FloatArray, group: IntArray) -> gpd.GeoSeries:
    """Convex hull of each cluster's members in degrees (``group`` is 0..k-1, sorted)."""
    points = shapely.multipoints(np.column_stack([lon, lat]), indices=group)
    return gpd.GeoSeries(shapely.convex_hull(points), crs=WGS84)


def _split_lists(values: IntArray, starts: IntArray) -> list[list[int]]:
    return [part.tolist() for part in np.split(values, starts[1:])]


def _ward_lists(wards: ObjectArray, group: IntArray, clusters: int) -> list[list[str]]:
    """The sorted distinct ward codes of each cluster; [] when none of its members has one."""
    located = pd.DataFrame({"cluster": group, "ward": wards}).dropna()
    located = located.assign(ward=located["ward"].astype(str)).drop_duplicates()
    lists = located.sort_values(["cluster", "ward"]).groupby("cluster")["ward"].agg(list)
    every = lists.reindex(range(clusters)).tolist()
    return [wards if isinstance(wards, list) else [] for wards in every]
