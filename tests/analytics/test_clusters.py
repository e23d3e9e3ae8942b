"""Incident clusters: DBSCAN's own properties, checked on generated incidents in metres."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS
from scipy.spatial.distance import cdist
from sklearn.cluster import DBSCAN
from sklearn.metrics import adjusted_rand_score

from geosvc.analytics.clustering.clusters import (
    ClusterParams,
    ClusterResult,
    cluster_incidents,
    cluster_points,
    summarise_points,
    to_metres,
)
from geosvc.analytics.clustering.inputs import IncidentPoints
from geosvc.analytics.projection import from_metres

UTM_35S = CRS.from_epsg(32735)
ORIGIN_X_M, ORIGIN_Y_M = (float(v[0]) for v in to_metres([28.0], [-26.2], UTM_35S))
GRID_M = 10.0
# eps^2 = 20.5 grid steps^2: no two grid points are exactly eps apart (distances^2 are whole
# steps^2), so a metre-scale round trip through degrees cannot flip a neighbourhood.
EPS_M = GRID_M * float(np.sqrt(20.5))
T0 = datetime(2026, 5, 4, 8, tzinfo=UTC)
SERVICES = ("pothole", "water_leak")


def incidents_at(
    x_m: np.ndarray,
    y_m: np.ndarray,
    services: list[str],
    *,
    ids: list[int] | None = None,
    hours: list[int] | None = None,
    wards: list[str | None] | None = None,
) -> pd.DataFrame:
    """Incidents at offsets in metres from (28.0, -26.2), in UTM zone 35S."""
    lon, lat = from_metres(ORIGIN_X_M + np.asarray(x_m), ORIGIN_Y_M + np.asarray(y_m), UTM_35S)
    count = len(services)
    return pd.DataFrame(
        {
            "id": np.asarray(ids if ids is not None else range(count), dtype=np.int64),
            "service_code": services,
            "lon": lon,
            "lat": lat,
            "requested_at": pd.to_datetime(
                [T0 + timedelta(hours=h) for h in (hours or [0] * count)], utc=True
            ),
            "ward_code": wards if wards is not None else [None] * count,
        }
    )


@st.composite
def grid_incidents(draw: st.DrawFn) -> tuple[pd.DataFrame, np.ndarray]:
    """Up to 40 incidents of two services on a 10 m grid (often dense, some coincident)."""
    count = draw(st.integers(0, 40))
    span = draw(st.sampled_from([4, 10, 25]))
    cell = st.tuples(st.integers(-span, span), st.integers(-span, span))
    cells = np.array(draw(st.lists(cell, min_size=count, max_size=count)), dtype=float)
    cells = cells.reshape(count, 2) * GRID_M
    frame = incidents_at(
        cells[:, 0],
        cells[:, 1],
        draw(st.lists(st.sampled_from(SERVICES), min_size=count, max_size=count)),
        ids=draw(st.lists(st.integers(0, 10**9), min_size=count, max_size=count, unique=True)),
        hours=draw(st.lists(st.integers(0, 240), min_size=count, max_size=count)),
        wards=draw(st.lists(st.sampled_from([None, "W1", "W2"]), min_size=count, max_size=count)),
    )
    return frame, cells


min_counts = st.integers(2, 5)


@settings(deadline=None, max_examples=60)
@given(data=grid_incidents(), min_count=min_counts)
def test_every_incident_is_counted_once(
    data: tuple[pd.DataFrame, np.ndarray], min_count: int
) -> None:
    frame, _ = data
    result = cluster_incidents(frame, ClusterParams(EPS_M, min_count))
    members = [i for ids in result.clusters["member_ids"] for i in ids]
    assert result.clusters["count"].sum() + sum(result.noise.values()) == len(frame)
    assert len(members) == len(set(members)) == result.clusters["count"].sum()
    assert sorted(result.labels.index) == sorted(frame["id"])
    assert result.clusters["cluster_no"].tolist() == list(range(len(result.clusters)))
    for row in result.clusters.itertuples():
        assert row.member_ids == sorted(row.member_ids)
        assert len(row.member_ids) == row.count
        assert (result.labels.loc[row.member_ids] == row.cluster_no).all()
    noise = result.labels[result.labels == -1]
    codes = frame.set_index("id").loc[noise.index, "service_code"].value_counts().to_dict()
    assert {code: n for code, n in result.noise.items() if n} == codes


@settings(deadline=None, max_examples=60)
@given(data=grid_incidents(), min_count=min_counts)
def test_clusters_obey_dbscan(data: tuple[pd.DataFrame, np.ndarray], min_count: int) -> None:
    """Core points (min_count within eps, itself included) make clusters; others border them."""
    frame, cells = data
    labels = cluster_incidents(frame, ClusterParams(EPS_M, min_count)).labels
    labels = labels.loc[frame["id"]].to_numpy()
    services = frame["service_code"].to_numpy()
    near = (cdist(cells, cells) <= EPS_M) & (services[:, None] == services[None, :])
    core = near.sum(axis=1) >= min_count
    assert (labels[core] >= 0).all()
    # Core points within eps of each other share a cluster; service types never mix.
    linked = near & core[:, None] & core[None, :]
    assert (labels[:, None] == labels[None, :])[linked].all()
    for cluster in set(labels[labels >= 0]):
        inside = labels == cluster
        assert len(set(services[inside])) == 1
        assert core[inside].any()
        # Every member is a core point or within eps of a core point of its own cluster,
        # and, in a cluster of two or more, within eps of another member.
        assert near[np.ix_(inside, inside & core)].any(axis=1).all()
        if inside.sum() >= 2:
            others = near[np.ix_(inside, inside)] & ~np.eye(int(inside.sum()), dtype=bool)
            assert others.any(axis=1).all()
    # Noise is no core point and lies beyond eps of every core point.
    assert not near[np.ix_(labels < 0, core)].any()


@settings(deadline=None, max_examples=40)
@given(data=grid_incidents(), min_count=min_counts)
def test_labels_agree_with_sklearn_dbscan(
    data: tuple[pd.DataFrame, np.ndarray], min_count: int
) -> None:
    frame, _ = data
    frame = frame.sort_values("id")
    result = cluster_incidents(frame, ClusterParams(EPS_M, min_count))
    assert result.crs == ("EPSG:32735" if len(frame) else None)
    x_m, y_m = to_metres(frame["lon"], frame["lat"], UTM_35S)
    for code in SERVICES:
        rows = (frame["service_code"] == code).to_numpy()
        if not rows.any():
            continue
        direct = DBSCAN(eps=EPS_M, min_samples=min_count, algorithm="kd_tree").fit_predict(
            np.column_stack([x_m[rows], y_m[rows]])
        )
        ours = result.labels.loc[frame["id"][rows]].to_numpy()
        assert adjusted_rand_score(direct, ours) == pytest.approx(1.0)
        assert ((direct == -1) == (ours == -1)).all()


@settings(deadline=None, max_examples=40)
@given(data=grid_incidents(), start_h=st.integers(0, 240), length_h=st.integers(0, 240))
def test_window_clusters_only_incidents_inside_it(
    data: tuple[pd.DataFrame, np.ndarray], start_h: int, length_h: int
) -> None:
    frame, _ = data
    window = (T0 + timedelta(hours=start_h), T0 + timedelta(hours=start_h + length_h))
    inside = frame[(frame["requested_at"] >= window[0]) & (frame["requested_at"] < window[1])]
    windowed = cluster_incidents(frame, ClusterParams(EPS_M, 3), window=window)
    assert sorted(windowed.labels.index) == sorted(inside["id"])
    assert windowed.clusters["count"].sum() + sum(windowed.noise.values()) == len(inside)
    alone = cluster_incidents(inside, ClusterParams(EPS_M, 3), crs=UTM_35S)
    _assert_same_result(windowed, alone)


@settings(deadline=None, max_examples=30)
@given(data=grid_incidents(), seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(data: tuple[pd.DataFrame, np.ndarray], seed: int) -> None:
    frame, _ = data
    shuffled = frame.sample(frac=1.0, random_state=np.random.default_rng(seed))
    _assert_same_result(
        cluster_incidents(frame, ClusterParams(EPS_M, 2)),
        cluster_incidents(shuffled, ClusterParams(EPS_M, 2)),
    )


@settings(deadline=None, max_examples=60)
@given(data=grid_incidents(), min_count=min_counts, chosen=st.sets(st.integers(0, 8)))
def test_points_give_the_same_clusters_and_summaries(
    data: tuple[pd.DataFrame, np.ndarray], min_count: int, chosen: set[int]
) -> None:
    """``cluster_points`` then ``summarise_points`` of some clusters: cluster_incidents' rows."""
    frame, _ = data
    one = frame[frame["service_code"] == "pothole"]
    params = ClusterParams(EPS_M, min_count)
    full = cluster_incidents(one, params)
    ordered = one.sort_values("id")
    points = IncidentPoints(
        ordered["id"].to_numpy(), ordered["lon"].to_numpy(), ordered["lat"].to_numpy()
    )
    clustered = cluster_points(points, "pothole", params)
    assert clustered.labels.tolist() == full.labels.loc[points.ids].tolist()
    membership = ["cluster_no", "service_code", "member_ids", "count"]
    pd.testing.assert_frame_equal(
        clustered.clusters, full.clusters[membership].reset_index(drop=True), check_dtype=False
    )
    wanted = full.clusters[full.clusters["cluster_no"].isin(chosen)].reset_index(drop=True)
    members = {i for ids in wanted["member_ids"] for i in ids}
    shuffled = one[one["id"].isin(members)].iloc[::-1]
    summaries = summarise_points(shuffled, clustered)
    columns = [*membership, "wards", "first_at", "last_at", "radius_m"]
    pd.testing.assert_frame_equal(summaries[columns], wanted[columns], check_dtype=False)
    for name in ("hull", "centroid"):
        assert summaries[name].geom_equals_exact(wanted[name], 0).all()


def _assert_same_result(first: ClusterResult, second: ClusterResult) -> None:
    pd.testing.assert_series_equal(first.labels.sort_index(), second.labels.sort_index())
    columns = ["cluster_no", "service_code", "member_ids", "count", "wards", "radius_m"]
    pd.testing.assert_frame_equal(first.clusters[columns], second.clusters[columns])
    assert first.clusters.geometry.geom_equals_exact(second.clusters.geometry, 1e-12).all()
    assert {k: v for k, v in first.noise.items() if v} == {
        k: v for k, v in second.noise.items() if v
    }
