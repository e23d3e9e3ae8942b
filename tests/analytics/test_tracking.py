"""Cluster identities across runs: keys inherited by shared members, states, splits, merges."""

from __future__ import annotations

from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geosvc.analytics.clustering.clusters import ClusterParams, cluster_incidents
from geosvc.analytics.clustering.tracking import track_clusters
from geosvc.errors import InvalidInputError

WATER = "water_leak"


def previous_clusters(*rows: tuple[object, ...]) -> pd.DataFrame:
    """Rows of (key, member ids, service code[, state]); state defaults to ``stable``."""
    return pd.DataFrame(
        {
            "key": [row[0] for row in rows],
            "service_code": [row[2] for row in rows],
            "member_ids": [row[1] for row in rows],
            "count": [len(row[1]) for row in rows],
            "state": [row[3] if len(row) > 3 else "stable" for row in rows],
        }
    )


def current_clusters(*rows: tuple[list[int], str]) -> pd.DataFrame:
    """Rows of (member ids, service code), numbered 0.. in order, with an extra column."""
    return pd.DataFrame(
        {
            "cluster_no": range(len(rows)),
            "service_code": [row[1] for row in rows],
            "member_ids": [row[0] for row in rows],
            "count": [len(row[0]) for row in rows],
            "radius_m": [10.0 * (n + 1) for n in range(len(rows))],
        }
    )


def ids(first: int, last: int) -> list[int]:
    return list(range(first, last + 1))


def by_key(tracked: pd.DataFrame) -> dict[int, tuple[str, object, object]]:
    rows = tracked[["key", "state", "previous_count", "closed_into"]].itertuples(index=False)
    return {int(key): (state, before, into) for key, state, before, into in rows}


def test_first_run_makes_every_cluster_new_in_cluster_no_order() -> None:
    current = current_clusters((ids(1, 5), WATER), (ids(6, 9), "pothole")).iloc[::-1]
    tracked = track_clusters(pd.DataFrame(), current, next_key=100)
    assert tracked["cluster_no"].tolist() == [1, 0]
    assert tracked["key"].tolist() == [101, 100]
    assert tracked["state"].tolist() == ["new", "new"]
    assert tracked["previous_count"].tolist() == [None, None]
    assert tracked["closed_into"].tolist() == [None, None]
    assert tracked["radius_m"].tolist() == [20.0, 10.0]


@pytest.mark.parametrize(
    ("now", "state"),
    [(ids(1, 12), "growing"), (ids(1, 11), "stable"), (ids(1, 9), "stable"), (ids(1, 8), "fading")],
)
def test_state_follows_the_change_in_count(now: list[int], state: str) -> None:
    previous = previous_clusters((7, ids(1, 10), WATER))
    tracked = track_clusters(previous, current_clusters((now, WATER)), next_key=8)
    assert by_key(tracked) == {7: (state, 10, None)}


def test_growth_sets_the_threshold() -> None:
    previous = previous_clusters((7, ids(1, 10), WATER))
    current = current_clusters((ids(1, 12), WATER))
    assert track_clusters(previous, current, next_key=8, growth=0.3)["state"].iloc[0] == "stable"
    assert track_clusters(previous, current, next_key=8, growth=0.0)["state"].iloc[0] == "growing"


def test_an_unmatched_previous_cluster_is_closed() -> None:
    previous = previous_clusters((3, ids(1, 5), WATER), (4, ids(20, 24), WATER))
    tracked = track_clusters(previous, current_clusters((ids(1, 6), WATER)), next_key=5)
    assert by_key(tracked) == {3: ("growing", 5, None), 4: ("closed", 5, None)}
    closed = tracked.iloc[1]
    assert (closed["member_ids"], closed["count"], closed["service_code"]) == (
        ids(20, 24),
        5,
        WATER,
    )
    assert closed["cluster_no"] is None
    assert np.isnan(closed["radius_m"])


def test_a_split_keeps_the_key_on_the_biggest_share() -> None:
    previous = previous_clusters((1, ids(1, 10), WATER))
    current = current_clusters((ids(7, 10), WATER), (ids(1, 6), WATER))
    assert by_key(track_clusters(previous, current, next_key=2)) == {
        1: ("fading", 10, None),
        2: ("new", None, None),
    }
    assert track_clusters(previous, current, next_key=2)["key"].tolist() == [2, 1]


def test_split_ties_go_to_the_larger_then_the_lower_numbered_cluster() -> None:
    previous = previous_clusters((1, ids(1, 10), WATER))
    larger = current_clusters((ids(1, 5), WATER), (ids(6, 10) + ids(50, 53), WATER))
    assert track_clusters(previous, larger, next_key=2)["key"].tolist() == [2, 1]
    equal = current_clusters((ids(1, 5), WATER), (ids(6, 10), WATER))
    assert track_clusters(previous, equal, next_key=2)["key"].tolist() == [1, 2]


def test_a_merge_keeps_the_best_match_and_closes_the_rest_into_it() -> None:
    previous = previous_clusters(
        (1, ids(1, 5), WATER), (2, ids(6, 12), WATER), (3, ids(13, 15), WATER)
    )
    tracked = track_clusters(previous, current_clusters((ids(1, 15), WATER)), next_key=4)
    assert by_key(tracked) == {
        2: ("growing", 7, None),
        1: ("closed", 5, 2),
        3: ("closed", 3, 2),
    }
    assert tracked["key"].tolist() == [2, 1, 3]


def test_merge_ties_go_to_the_older_key() -> None:
    previous = previous_clusters((5, ids(1, 4), WATER), (2, ids(5, 8), WATER))
    tracked = track_clusters(previous, current_clusters((ids(1, 8), WATER)), next_key=6)
    assert by_key(tracked) == {2: ("growing", 4, None), 5: ("closed", 4, 2)}


def test_a_closed_cluster_points_to_the_new_cluster_holding_its_members() -> None:
    previous = previous_clusters((1, ids(1, 10), WATER), (2, ids(20, 22), WATER))
    # Cluster 1 loses the split of key 1, yet holds all of key 2's members.
    current = current_clusters((ids(1, 6), WATER), (ids(7, 10) + ids(20, 22), WATER))
    assert by_key(track_clusters(previous, current, next_key=3)) == {
        1: ("fading", 10, None),
        3: ("new", None, None),
        2: ("closed", 3, 3),
    }


def test_service_types_are_never_matched_across() -> None:
    previous = previous_clusters((1, ids(1, 5), WATER))
    tracked = track_clusters(previous, current_clusters((ids(1, 5), "pothole")), next_key=2)
    assert by_key(tracked) == {2: ("new", None, None), 1: ("closed", 5, None)}


def test_closed_previous_clusters_are_ignored() -> None:
    previous = previous_clusters((1, ids(1, 5), WATER, "closed"), (2, ids(30, 35), WATER, "new"))
    tracked = track_clusters(previous, current_clusters((ids(1, 5), WATER)), next_key=3)
    assert by_key(tracked) == {3: ("new", None, None), 2: ("closed", 6, None)}


def test_geometries_of_closed_rows_are_none() -> None:
    current = gpd.GeoDataFrame(
        current_clusters((ids(1, 5), WATER)).assign(
            centroid=gpd.GeoSeries([shapely.Point(28.0, -26.2)], crs=4326)
        ),
        geometry=[shapely.Point(28.0, -26.2).buffer(0.001)],
        crs=4326,
    )
    previous = previous_clusters((1, ids(1, 5), WATER), (2, ids(8, 9), WATER))
    tracked = track_clusters(previous, current, next_key=3)
    assert isinstance(tracked, gpd.GeoDataFrame)
    assert tracked.crs.to_epsg() == 4326
    assert tracked.geometry.isna().tolist() == [False, True]
    assert tracked["centroid"].crs.to_epsg() == 4326
    assert tracked["centroid"].tolist()[1] is None


def test_keys_follow_clusters_through_runs_of_cluster_incidents() -> None:
    t0 = datetime(2026, 5, 4, tzinfo=UTC)

    def incidents(lons: list[float], first_id: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "id": range(first_id, first_id + len(lons)),
                "service_code": WATER,
                "lon": lons,
                "lat": -26.2,
                "requested_at": pd.Timestamp(t0),
                "ward_code": "79800001",
            }
        )

    near_a = [28.0 + 0.0002 * n for n in range(5)]
    near_b = [28.1 + 0.0002 * n for n in range(5)]
    params = ClusterParams(eps_m=50.0, min_count=3)
    first = cluster_incidents(pd.concat([incidents(near_a, 0), incidents(near_b, 10)]), params)
    keys = track_clusters(pd.DataFrame(), first.clusters, next_key=1)
    assert keys["key"].tolist() == [1, 2]
    # B gains three reports; A keeps two, too few to stay a cluster.
    second_run = pd.concat([incidents(near_b + near_b[:3], 10), incidents(near_a[:2], 0)])
    second = cluster_incidents(second_run, params)
    tracked = track_clusters(keys, second.clusters, next_key=3)
    assert by_key(tracked) == {2: ("growing", 5, None), 1: ("closed", 5, None)}
    assert tracked["first_at"].tolist()[0] == t0
    assert tracked["wards"].tolist() == [["79800001"], None]
    assert tracked.geometry.isna().tolist() == [False, True]


def test_the_same_input_gives_the_same_output() -> None:
    previous = previous_clusters((1, ids(1, 10), WATER), (2, ids(11, 14), WATER))
    current = current_clusters((ids(1, 4), WATER), (ids(5, 14), WATER), (ids(40, 44), WATER))
    once = track_clusters(previous, current, next_key=3)
    pd.testing.assert_frame_equal(once, track_clusters(previous, current, next_key=3))
    reordered = track_clusters(previous.iloc[::-1], current.iloc[::-1], next_key=3)
    assert by_key(reordered) == by_key(once)


@pytest.mark.parametrize(
    ("previous", "kwargs", "message"),
    [
        (previous_clusters((5, [1], WATER)), {"next_key": 5}, "greater than every previous key"),
        (previous_clusters((1, [1], WATER), (1, [2], WATER)), {"next_key": 5}, "unique"),
        (previous_clusters((1, [1], WATER, "lost")), {"next_key": 5}, "unknown state"),
        (previous_clusters((1, [1], WATER)).drop(columns="state"), {"next_key": 5}, "state"),
        (pd.DataFrame(), {"next_key": 5, "growth": 1.0}, "growth"),
        (pd.DataFrame(), {"next_key": 5.0}, "next_key"),
    ],
)
def test_bad_input_is_refused(
    previous: pd.DataFrame, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        track_clusters(previous, current_clusters(([1], WATER)), **kwargs)


@st.composite
def runs(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two runs of clusters over ids 0..29, each id in at most one cluster per run."""

    def clusters(owner: str) -> pd.DataFrame:
        assignment = draw(st.lists(st.integers(-1, 4), min_size=30, max_size=30))
        services = draw(st.lists(st.sampled_from([WATER, "pothole"]), min_size=5, max_size=5))
        found = sorted({n for n in assignment if n >= 0})
        members = [[i for i, n in enumerate(assignment) if n == number] for number in found]
        return pd.DataFrame(
            {
                owner: found,
                "service_code": [services[n] for n in found],
                "member_ids": members,
                "count": [len(m) for m in members],
            }
        )

    previous = clusters("key").assign(state="stable")
    return previous, clusters("cluster_no")


@settings(deadline=None, max_examples=100)
@given(data=runs())
def test_every_identity_is_kept_or_closed_exactly_once(
    data: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    previous, current = data
    tracked = track_clusters(previous, current, next_key=10)
    live = tracked[tracked["state"] != "closed"]
    closed = tracked[tracked["state"] == "closed"]
    assert tracked["key"].is_unique
    assert sorted(live["cluster_no"]) == sorted(current["cluster_no"])
    assert set(previous["key"]) == set(closed["key"]) | (set(live["key"]) & set(previous["key"]))
    new = live[live["state"] == "new"].sort_values("cluster_no")
    assert new["key"].tolist() == list(range(10, 10 + len(new)))
    services = dict(zip(previous["key"], previous["service_code"], strict=True))
    for row in live[live["state"] != "new"].itertuples():
        assert services[row.key] == row.service_code
        assert set(row.member_ids) & set(previous.set_index("key").loc[row.key, "member_ids"])
    for row in closed.itertuples():
        if row.closed_into is not None:
            assert row.closed_into in set(live["key"])
