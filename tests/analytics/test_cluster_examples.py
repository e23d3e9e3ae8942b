"""Incident clusters by example: summaries, hulls, metres, params, empty and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from pyproj import CRS

from geosvc.analytics.clustering.clusters import (
    ClusterParams,
    cluster_incidents,
    metric_crs,
    to_metres,
)
from geosvc.analytics.projection import from_metres
from geosvc.errors import InvalidInputError

UTM_35S = CRS.from_epsg(32735)
ORIGIN_X_M, ORIGIN_Y_M = (float(v[0]) for v in to_metres([28.0], [-26.2], UTM_35S))
T0 = datetime(2026, 5, 4, 8, tzinfo=UTC)


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
    lon, lat = from_metres(ORIGIN_X_M + x_m, ORIGIN_Y_M + y_m, UTM_35S)
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


def test_a_cluster_is_summarised() -> None:
    x_m = np.array([0.0, 100.0, 0.0, 100.0, 5000.0, 5000.0])
    y_m = np.array([0.0, 0.0, 100.0, 100.0, 0.0, 0.0])
    frame = incidents_at(
        x_m,
        y_m,
        ["water_leak"] * 6,
        ids=[40, 10, 30, 20, 50, 60],
        hours=[5, 1, 9, 3, 0, 0],
        wards=["W2", None, "W1", "W2", "W9", "W9"],
    )
    result = cluster_incidents(frame, ClusterParams(eps_m=150.0, min_count=3))
    assert result.labels.to_dict() == {40: 0, 10: 0, 30: 0, 20: 0, 50: -1, 60: -1}
    row = result.clusters.iloc[0]
    assert (row["member_ids"], row["count"], row["wards"]) == ([10, 20, 30, 40], 4, ["W1", "W2"])
    assert (row["first_at"], row["last_at"]) == (T0 + timedelta(hours=1), T0 + timedelta(hours=9))
    assert row["radius_m"] == pytest.approx(np.hypot(50.0, 50.0), abs=1e-6)
    centre = to_metres([row["centroid"].x], [row["centroid"].y], UTM_35S)
    assert (float(centre[0][0]) - ORIGIN_X_M, float(centre[1][0]) - ORIGIN_Y_M) == (
        pytest.approx(50.0, abs=1e-6),
        pytest.approx(50.0, abs=1e-6),
    )
    assert row["hull"].geom_type == "Polygon"
    assert len(row["hull"].exterior.coords) == 5
    assert result.clusters.crs.to_epsg() == 4326
    assert result.noise == {"water_leak": 2}
    assert result.crs == "EPSG:32735"


def test_collinear_and_coincident_members_give_line_and_point_hulls() -> None:
    frame = pd.DataFrame(
        {
            "id": range(5),
            "service_code": ["pothole"] * 3 + ["water_leak"] * 2,
            "lon": [28.0, 28.0005, 28.001, 28.1, 28.1],
            "lat": -26.2,
            "requested_at": pd.Timestamp(T0),
            "ward_code": None,
        }
    )
    clusters = cluster_incidents(frame, ClusterParams(eps_m=60.0, min_count=2)).clusters
    assert clusters["hull"].geom_type.tolist() == ["LineString", "Point"]
    assert clusters["radius_m"].tolist() == pytest.approx([50.0, 0.0], abs=0.1)


def test_distances_are_metres_not_degrees() -> None:
    """0.0024 degrees is 240 m east-west in Johannesburg but 266 m north-south."""
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "service_code": ["pothole", "pothole", "water_leak", "water_leak"],
            "lon": [28.0, 28.0024, 28.1, 28.1],
            "lat": [-26.2, -26.2, -26.2, -26.2024],
            "requested_at": pd.Timestamp(T0),
            "ward_code": None,
        }
    )
    result = cluster_incidents(frame, ClusterParams(eps_m=250.0, min_count=2))
    assert result.labels.to_dict() == {1: 0, 2: 0, 3: -1, 4: -1}


def test_each_service_type_has_its_own_params_and_numbers() -> None:
    x_m = np.array([0.0, 40.0, 80.0, 0.0, 40.0, 80.0, 1000.0, 1040.0])
    services = ["water_leak"] * 3 + ["pothole"] * 3 + ["sewer_blockage"] * 2
    frame = incidents_at(x_m, np.zeros(8), services)
    params = {"water_leak": ClusterParams(eps_m=50.0, min_count=4)}
    result = cluster_incidents(frame, params)
    assert result.params == {
        "pothole": ClusterParams(),
        "sewer_blockage": ClusterParams(),
        "water_leak": ClusterParams(eps_m=50.0, min_count=4),
    }
    assert result.noise == {"pothole": 3, "sewer_blockage": 2, "water_leak": 3}
    relaxed = cluster_incidents(frame, ClusterParams(eps_m=50.0, min_count=2))
    assert relaxed.clusters["service_code"].tolist() == ["pothole", "sewer_blockage", "water_leak"]
    assert relaxed.clusters["member_ids"].tolist() == [[3, 4, 5], [6, 7], [0, 1, 2]]


def test_empty_input_gives_empty_results() -> None:
    frame = incidents_at(np.array([0.0]), np.array([0.0]), ["pothole"]).iloc[:0]
    result = cluster_incidents(frame)
    assert len(result.labels) == 0
    assert result.labels.dtype == np.int64
    assert list(result.clusters.columns) == [
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
    ]
    assert result.clusters["first_at"].dtype == frame["requested_at"].dtype
    assert (result.noise, result.params, result.crs) == ({}, {}, None)
    outside = incidents_at(np.array([0.0]), np.array([0.0]), ["pothole"])
    late = (T0 + timedelta(days=1), T0 + timedelta(days=2))
    windowed = cluster_incidents(outside, window=late, crs=UTM_35S)
    assert (len(windowed.labels), len(windowed.clusters), windowed.crs) == (0, 0, "EPSG:32735")
    from_database = pd.DataFrame({column: [] for column in frame.columns})  # all object
    empty = cluster_incidents(from_database).clusters
    assert str(empty["last_at"].dtype) == "datetime64[us, UTC]"
    assert empty["count"].dtype == np.int64


def test_metric_crs_is_the_utm_zone_of_the_data() -> None:
    assert metric_crs([27.9, 28.2], [-26.3, -26.1]).to_epsg() == 32735  # Johannesburg
    assert metric_crs([30.9, 31.1], [-29.9, -29.8]).to_epsg() == 32736  # eThekwini
    assert metric_crs([2.3], [48.9]).to_epsg() == 32631  # north of the equator


def _one_incident(**changes: object) -> pd.DataFrame:
    frame = incidents_at(np.array([0.0, 10.0]), np.array([0.0, 0.0]), ["pothole"] * 2)
    return frame.assign(**changes)


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [
        (_one_incident(lon=[28.0, np.nan]), {}, "no location"),
        (_one_incident(id=[1, 1]), {}, "unique"),
        (_one_incident(service_code=["pothole", None]), {}, "service_code"),
        (_one_incident(requested_at=pd.Timestamp("2026-05-04")), {}, "tz-aware"),
        (_one_incident().drop(columns="ward_code"), {}, "ward_code"),
        (_one_incident(lat=[-26.2, 95.0]), {}, "WGS 84"),
        (_one_incident(), {"window": (datetime(2026, 5, 1), T0)}, "tz-aware"),
        (_one_incident(), {"window": (T0, T0 - timedelta(days=1))}, "before it starts"),
        (_one_incident(), {"crs": CRS.from_epsg(4326)}, "not a projected CRS in metres"),
        (_one_incident(), {"params": {"pothole": 250.0}}, "not a ClusterParams"),
    ],
)
def test_bad_input_is_refused(frame: pd.DataFrame, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        cluster_incidents(frame, **kwargs)


@pytest.mark.parametrize(
    ("eps_m", "min_count"), [(0.0, 5), (-1.0, 5), (float("nan"), 5), (250.0, 1), (250.0, 2.5)]
)
def test_bad_params_are_refused(eps_m: float, min_count: int) -> None:
    with pytest.raises(InvalidInputError):
        ClusterParams(eps_m=eps_m, min_count=min_count)
