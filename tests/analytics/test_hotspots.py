"""Ward hotspots against esda on real Ekurhuleni ward boundaries, with planted patterns."""

from __future__ import annotations

import warnings
from pathlib import Path

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from shapely.geometry import box

from geosvc.analytics.hotspots.statistics import CLASSES, COLUMNS, ISLAND, ISOLATED, ward_hotspots
from geosvc.analytics.hotspots.values import NO_HOUSEHOLDS
from geosvc.analytics.hotspots.weights import WardWeights, ward_weights
from geosvc.errors import InvalidInputError

WARDS = Path(__file__).resolve().parents[2] / "data" / "wards" / "gauteng_metros_wards_2020.geojson"
PERMUTATIONS = 199


@pytest.fixture(scope="module")
def wards() -> gpd.GeoDataFrame:
    """The 112 wards of Ekurhuleni, 2020 demarcation."""
    everything = gpd.read_file(WARDS)
    ekurhuleni = everything[everything["muni_code"] == "EKU"]
    return ekurhuleni.rename(columns={"ward_id": "ward_code"}).reset_index(drop=True)


@pytest.fixture(scope="module")
def weights(wards: gpd.GeoDataFrame) -> WardWeights:
    return ward_weights(wards)


def _households(weights: WardWeights) -> np.ndarray:
    return np.random.default_rng(2026).integers(3000, 12000, len(weights.ids)).astype(float)


def _field(weights: WardWeights, rate: np.ndarray, seed: int = 7) -> pd.DataFrame:
    """Poisson incidents at ``rate`` per 1,000 households in every ward."""
    households = _households(weights)
    incidents = np.random.default_rng(seed).poisson(rate * households / 1000)
    return pd.DataFrame(
        {"ward_code": weights.ids, "incidents": incidents, "households": households}
    )


def _cluster(weights: WardWeights, centre: int = 40) -> list[str]:
    """A ward and its queen neighbours."""
    ward = weights.ids[centre]
    return [ward, *weights.w.neighbors[ward]]


def _planted(weights: WardWeights) -> tuple[pd.DataFrame, list[str]]:
    """Rate 60 in one cluster of adjacent wards, 20 elsewhere."""
    cluster = _cluster(weights)
    rate = np.where(np.isin(weights.ids, cluster), 60.0, 20.0)
    return _field(weights, rate), cluster


def _esda_quietly(statistic: type, y: np.ndarray, w: libpysal.weights.W, **options: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return statistic(y, w, permutations=PERMUTATIONS, n_jobs=1, **options)


def test_gi_star_equals_esda_on_the_same_weights(weights: WardWeights) -> None:
    values, _ = _planted(weights)
    result = ward_hotspots(values, weights, permutations=PERMUTATIONS, seed=99, fdr=False)
    rates = values["incidents"] / values["households"] * 1000
    gi = _esda_quietly(esda.G_Local, rates.to_numpy(), weights.w, star=True, transform="R", seed=99)
    assert result.columns.tolist() == list(COLUMNS)
    assert result["ward_code"].tolist() == weights.ids
    assert_allclose(result["value"], rates)
    assert_allclose(result["z"], gi.Zs)
    assert_allclose(result["p_norm"], gi.p_norm)
    assert_allclose(result["p_sim"], gi.p_sim)
    assert result["q"].isna().all()


def test_excluded_wards_leave_esda_to_the_rest_on_w_subset(weights: WardWeights) -> None:
    values, _ = _planted(weights)
    values.loc[[3, 17], "households"] = [np.nan, 0.0]
    result = ward_hotspots(values, weights, permutations=PERMUTATIONS, seed=5)
    excluded = result.iloc[[3, 17]]
    assert excluded["class"].tolist() == ["excluded", "excluded"]
    assert excluded["excluded"].tolist() == [NO_HOUSEHOLDS, NO_HOUSEHOLDS]
    assert excluded[["value", "z", "p_sim", "q"]].isna().all().all()
    kept = result.drop(index=[3, 17])
    subset = libpysal.weights.w_subset(weights.w, kept["ward_code"].tolist())
    gi = _esda_quietly(esda.G_Local, kept["value"].to_numpy(), subset, star=True, seed=5)
    assert_allclose(kept["z"], gi.Zs)
    assert_allclose(kept["p_sim"], gi.p_sim)
    assert kept["excluded"].isna().all()


def test_a_planted_cluster_of_high_rates_is_hot(weights: WardWeights) -> None:
    values, cluster = _planted(weights)
    result = ward_hotspots(values, weights).set_index("ward_code")
    hot = result.index[result["class"].str.startswith("hot_")]
    assert cluster[0] in hot
    assert len(set(hot) & set(cluster)) >= len(cluster) - 1
    assert set(hot) <= set(cluster)
    assert (result.loc[hot, "q"] <= 0.10).all()
    assert_allclose(result["q"], stats.false_discovery_control(result["p_sim"]))
    assert (result.loc[hot, "z"] > 0).all()


def test_spatially_random_rates_give_no_hotspots_after_fdr(weights: WardWeights) -> None:
    with_fdr, without_fdr = [], []
    for seed in range(10):
        values = _field(weights, np.full(len(weights.ids), 20.0), seed=100 + seed)
        for fdr, flagged in ((True, with_fdr), (False, without_fdr)):
            result = ward_hotspots(values, weights, permutations=PERMUTATIONS, seed=seed, fdr=fdr)
            flagged.append(int((result["class"] != "not_significant").sum()))
    assert all(count > 0 for count in without_fdr)
    assert sum(count > 0 for count in with_fdr) <= 1


def test_an_island_is_reported_and_left_out(wards: gpd.GeoDataFrame) -> None:
    far = gpd.GeoDataFrame(
        {"ward_code": ["ISLAND01"]}, geometry=[box(30.0, -26.0, 30.05, -25.95)], crs=wards.crs
    )
    with_island = ward_weights(pd.concat([wards, far], ignore_index=True))
    assert with_island.islands == ["ISLAND01"]
    values, _ = _planted(ward_weights(wards))
    values = pd.concat(
        [values, pd.DataFrame({"ward_code": ["ISLAND01"], "incidents": [90], "households": [1e3]})]
    )
    result = ward_hotspots(values, with_island, seed=3).set_index("ward_code")
    island = result.loc["ISLAND01"]
    assert (island["class"], island["island"], island["excluded"]) == ("island", True, ISLAND)
    assert np.isnan(island["z"])
    assert island["confidence"] is None
    alone = ward_hotspots(values.iloc[:-1], ward_weights(wards), seed=3).set_index("ward_code")
    assert_allclose(result.drop(index="ISLAND01")["z"], alone["z"])
    assert_allclose(result.drop(index="ISLAND01")["p_sim"], alone["p_sim"])


def test_a_ward_cut_off_by_excluded_neighbours_is_an_island(weights: WardWeights) -> None:
    values, _ = _planted(weights)
    ward = weights.ids[60]
    values.loc[values["ward_code"].isin(weights.w.neighbors[ward]), "households"] = np.nan
    result = ward_hotspots(values, weights).set_index("ward_code")
    assert (result.loc[ward, "class"], result.loc[ward, "excluded"]) == ("island", ISOLATED)
    assert bool(result.loc[ward, "island"])
    neighbours = result.loc[weights.w.neighbors[ward]]
    assert (neighbours["class"] == "excluded").all()
    assert not neighbours["island"].any()


def test_local_moran_equals_esda_and_finds_the_cluster(weights: WardWeights) -> None:
    values, cluster = _planted(weights)
    result = ward_hotspots(values, weights, statistic="local_moran", permutations=PERMUTATIONS)
    rates = result["value"].to_numpy()
    w = libpysal.weights.w_subset(weights.w, weights.ids)
    lisa = _esda_quietly(esda.Moran_Local, rates, w, seed=12345)
    assert_allclose(result["z"], lisa.z_sim)
    assert_allclose(result["p_sim"], lisa.p_sim)
    assert (result["statistic"] == "local_moran").all()
    assert set(result["class"]) <= set(CLASSES)
    hot = result.loc[result["class"].str.startswith("hot_"), "ward_code"]
    assert cluster[0] in set(hot)
    assert (lisa.q[result["class"].str.startswith("hot_").to_numpy()] == 1).all()


def test_a_high_ward_among_low_neighbours_is_not_a_hotspot() -> None:
    grid = libpysal.weights.lat2W(7, 7, rook=False, id_type="string")
    weights = WardWeights(grid, grid.id_order, [], "queen", None)
    counts = 10 + np.arange(49) % 7
    centre = "id24"
    counts[[grid.id_order.index(ward) for ward in grid.neighbors[centre]]] = 0
    counts[grid.id_order.index(centre)] = 400
    values = pd.DataFrame({"ward_code": grid.id_order, "incidents": counts})
    gi = ward_hotspots(values, weights, value="count", fdr=False).set_index("ward_code")
    assert gi.loc[centre, "z"] > 0
    assert gi.loc[centre, "p_sim"] <= 0.01
    assert gi.loc[centre, "class"] == "not_significant"
    moran = ward_hotspots(values, weights, value="count", statistic="local_moran", fdr=False)
    assert moran.set_index("ward_code").loc[centre, "class"] == "outlier_high_99"


def test_the_same_seed_gives_the_same_output(weights: WardWeights) -> None:
    values, _ = _planted(weights)
    np.random.seed(1)
    expected_draw = np.random.random()
    np.random.seed(1)
    first = ward_hotspots(values, weights, seed=11)
    assert np.random.random() == expected_draw
    pd.testing.assert_frame_equal(first, ward_hotspots(values, weights, seed=11))
    other = ward_hotspots(values, weights, seed=12)
    assert not np.array_equal(first["p_sim"], other["p_sim"])


def test_missing_wards_have_no_incidents_and_counts_need_no_households(
    weights: WardWeights,
) -> None:
    values = pd.DataFrame({"ward_code": weights.ids[:50], "incidents": np.arange(50) % 9})
    result = ward_hotspots(values, weights, value="count")
    assert (result["incidents"].iloc[50:] == 0).all()
    assert_allclose(result["value"], result["incidents"])
    assert result["households"].isna().all()
    assert result["excluded"].isna().all()


def test_the_same_value_everywhere_has_no_hotspot(weights: WardWeights) -> None:
    values = pd.DataFrame({"ward_code": weights.ids, "incidents": 0})
    result = ward_hotspots(values, weights, value="count")
    assert (result["class"] == "not_significant").all()
    assert (result["p_sim"] == 1.0).all()


def test_distance_band_weights_drive_the_statistic(wards: gpd.GeoDataFrame) -> None:
    weights = ward_weights(wards, method="distance", threshold_m=6000)
    centroids = wards.to_crs(wards.estimate_utm_crs()).centroid
    first = centroids.iloc[0]
    near = [
        code
        for code, point in zip(wards["ward_code"], centroids, strict=True)
        if 0 < first.distance(point) <= 6000
    ]
    assert sorted(weights.w.neighbors[weights.ids[0]]) == sorted(near)
    assert (weights.method, weights.threshold_m) == ("distance", 6000)
    values, cluster = _planted(ward_weights(wards))
    result = ward_hotspots(values, weights)
    hot = set(result.loc[result["class"].str.startswith("hot_"), "ward_code"])
    assert cluster[0] in hot


def test_distance_band_islands_are_reported(wards: gpd.GeoDataFrame) -> None:
    sparse = ward_weights(wards, method="distance", threshold_m=1500)
    lonely = [ward for ward in sparse.ids if not sparse.w.neighbors[ward]]
    assert lonely
    assert sparse.islands == lonely


def test_distance_needs_a_crs(wards: gpd.GeoDataFrame) -> None:
    unplaced = wards.set_crs(None, allow_override=True)
    with pytest.raises(InvalidInputError, match="no CRS"):
        ward_weights(unplaced, method="distance", threshold_m=5000)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "rook"}, "method must be one of"),
        ({"method": "distance"}, "needs threshold_m"),
        ({"method": "distance", "threshold_m": -5.0}, "needs threshold_m"),
        ({"threshold_m": 500.0}, "only to method='distance'"),
        ({"id_column": "code"}, "no 'code' column"),
    ],
)
def test_bad_weight_options_are_refused(
    wards: gpd.GeoDataFrame, options: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        ward_weights(wards, **options)  # type: ignore[arg-type]


def test_repeated_ward_codes_are_refused(wards: gpd.GeoDataFrame) -> None:
    with pytest.raises(InvalidInputError, match="more than once"):
        ward_weights(pd.concat([wards, wards.iloc[:1]], ignore_index=True))


@pytest.mark.parametrize(
    ("change", "options", "message"),
    [
        (lambda v: v.assign(incidents=-1), {}, "whole numbers >= 0"),
        (lambda v: v.assign(incidents=1.5), {}, "whole numbers >= 0"),
        (lambda v: v.assign(households=-3.0), {}, "cannot be negative"),
        (lambda v: v.drop(columns="households"), {}, "no households column"),
        (lambda v: pd.concat([v, v.iloc[:1]]), {}, "more than once"),
        (lambda v: v.assign(ward_code="X" + v["ward_code"]), {}, "not in the weights"),
        (lambda v: v.assign(households=np.nan), {}, "hotspots need at least 3"),
        (lambda v: v, {"statistic": "gi"}, "statistic must be one of"),
        (lambda v: v, {"value": "share"}, "value must be one of"),
        (lambda v: v, {"permutations": 9}, "at least 99"),
    ],
)
def test_bad_values_are_refused(
    weights: WardWeights, change: object, options: dict[str, object], message: str
) -> None:
    values, _ = _planted(weights)
    with pytest.raises(InvalidInputError, match=message):
        ward_hotspots(change(values), weights, **options)  # type: ignore[operator, arg-type]
