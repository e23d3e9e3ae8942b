"""Ward hotspots (Gi*, 999 permutations, queen) against esda's G_Local called directly.

Run: .venv/bin/python -m bench.bench_hotspots [--repeat N] [--copies N] [--permutations N]

The wards are the 354 bundled Gauteng metro wards (data/wards), and a national-sized set
made of ``--copies`` copies of them side by side (13 copies: 4,602 wards, each copy its
own group of neighbours). Incidents are synthetic and skewed like the real ones (Poisson
around a lognormal mean that rises from west to east), with households per ward. Three
comparisons per set:

- ward_weights (queen) against libpysal's Queen.from_dataframe on the same frame;
- ward_hotspots against esda.G_Local(star=True, transform="R", n_jobs=1) on the same
  precomputed weights and rates: what geosvc adds is checking, exclusions, FDR, classes;
- hotspot_trends over 8 quarters against scipy's kendalltau alone, per ward.

No database is needed.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
from scipy import stats
from shapely import affinity

from bench.common import ROOT, best_of, report
from geosvc.analytics.hotspots.statistics import ward_hotspots
from geosvc.analytics.hotspots.weights import WardWeights, ward_weights
from geosvc.analytics.trends.emerging import hotspot_trends

WARDS = ROOT / "data" / "wards" / "gauteng_metros_wards_2020.geojson"
QUARTERS = [f"{year}-Q{quarter}" for year in (2025, 2026) for quarter in (1, 2, 3, 4)]


def load_wards(path: Path, copies: int) -> gpd.GeoDataFrame:
    """The bundled wards, ``copies`` times, each copy moved 1.5 degrees on from the last."""
    wards = gpd.read_file(path)[["ward_id", "geometry"]].rename(columns={"ward_id": "ward_code"})
    parts = []
    for copy in range(copies):
        row, column = divmod(copy, 4)
        moved = wards.geometry.apply(
            lambda shape, dx=1.5 * column, dy=-1.2 * row: affinity.translate(shape, dx, dy)
        )
        parts.append(wards.assign(ward_code=f"{copy:02d}" + wards["ward_code"], geometry=moved))
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=wards.crs)


def east_of_west(wards: gpd.GeoDataFrame) -> np.ndarray:
    """Each ward's position from west (0) to east (about 1) within its copy of the metros."""
    longitude = wards.geometry.representative_point().x.to_numpy()
    return ((longitude - longitude.min()) % 1.5) / 1.2


def synthetic_values(
    ids: list[str], east: np.ndarray, seed: int = 2026, gradient: float = 2.5
) -> pd.DataFrame:
    """Skewed incident counts (rates rising eastwards by ``gradient``) and households."""
    rng = np.random.default_rng(seed)
    households = rng.integers(2_000, 15_000, len(ids)).astype(float)
    rate = rng.lognormal(mean=2.0 + gradient * east, sigma=0.8)
    incidents = rng.poisson(rate * households / 1000)
    return pd.DataFrame({"ward_code": ids, "incidents": incidents, "households": households})


def esda_gi_star(rates: np.ndarray, weights: WardWeights, permutations: int) -> object:
    """The baseline: G_Local on the same weights (it fills the diagonal in a copy)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(
            rates, weights.w, star=True, transform="R", permutations=permutations, seed=1, n_jobs=1
        )


def kendall_only(z: pd.DataFrame) -> list[float]:
    """The trends baseline: scipy's kendalltau of each ward's z-scores against time."""
    time_axis = np.arange(z.shape[1])
    return [stats.kendalltau(time_axis, row).pvalue for row in z.to_numpy()]


def quarterly(
    weights: WardWeights, east: np.ndarray, permutations: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gi* z-scores and classes for 8 synthetic quarters, the east growing busier."""
    z, classes = {}, {}
    for index, quarter in enumerate(QUARTERS):
        period = synthetic_values(weights.ids, east, seed=index, gradient=1.0 + 0.3 * index)
        result = ward_hotspots(period, weights, permutations=permutations, seed=index)
        z[quarter], classes[quarter] = result["z"].to_numpy(), result["class"].to_numpy()
    return pd.DataFrame(z, index=weights.ids), pd.DataFrame(classes, index=weights.ids)


def bench_set(name: str, wards: gpd.GeoDataFrame, repeat: int, permutations: int) -> None:
    """Time the three comparisons on one set of wards and print them."""
    print(f"== {name}: {len(wards):,} wards")
    ours_w, weights = best_of(repeat, lambda: ward_weights(wards))
    libpysal_w, _ = best_of(
        repeat,
        lambda: libpysal.weights.Queen.from_dataframe(
            wards, ids=wards["ward_code"].tolist(), use_index=False, silence_warnings=True
        ),
    )
    east = east_of_west(wards)
    values = synthetic_values(weights.ids, east)
    rates = (values["incidents"] / values["households"] * 1000).to_numpy()
    start = time.perf_counter()
    result = ward_hotspots(values, weights, permutations=permutations)
    first = time.perf_counter() - start
    ours_gi, _ = best_of(repeat, lambda: ward_hotspots(values, weights, permutations=permutations))
    esda_gi, _ = best_of(repeat, lambda: esda_gi_star(rates, weights, permutations))
    z, classes = quarterly(weights, east, permutations)
    ours_trend, trends = best_of(repeat, lambda: hotspot_trends(z, classes))
    scipy_trend, _ = best_of(repeat, lambda: kendall_only(z))
    counts = result["class"].str.replace(r"_\d+$", "", regex=True).value_counts().to_dict()
    print(f"first ward_hotspots call (any compilation included): {first:.3f} s")
    print(f"classes: {counts}; islands: {len(weights.islands)}")
    print(f"trend patterns: {trends['pattern'].value_counts().to_dict()}")
    print(f"{'work':<40}{'geosvc s':>10}{'baseline s':>12}")
    for work, ours, baseline in [
        ("queen weights", ours_w, libpysal_w),
        (f"Gi*, {permutations} permutations", ours_gi, esda_gi),
        (f"trends, {len(QUARTERS)} quarters", ours_trend, scipy_trend),
    ]:
        print(f"{work:<40}{ours:>10.3f}{baseline:>12.3f}")
    report("ward_weights", ours_w, "libpysal Queen.from_dataframe", libpysal_w)
    report("ward_hotspots", ours_gi, "esda G_Local on the same weights", esda_gi)
    report("hotspot_trends", ours_trend, "scipy kendalltau per ward", scipy_trend)


def main() -> None:
    """Time weights, Gi* and trends on the bundled wards and on a national-sized copy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--copies", type=int, default=13, help="0 skips the large set")
    parser.add_argument("--permutations", type=int, default=999)
    args = parser.parse_args()
    bench_set("bundled Gauteng metros", load_wards(WARDS, 1), args.repeat, args.permutations)
    if args.copies > 1:
        large = load_wards(WARDS, args.copies)
        bench_set(f"{args.copies} copies", large, args.repeat, args.permutations)


if __name__ == "__main__":
    main()
