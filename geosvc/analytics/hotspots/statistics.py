"""Ward hotspots: where incident rates (or counts) cluster high or low, with significance.

The statistics are esda's: Getis-Ord Gi* (``G_Local`` with ``star=True``) or Local Moran's
I (``Moran_Local``), on binary ward weights that esda row-standardises itself. Which wards
are hot or cold is decided by the conditional permutation test (``p_sim``), adjusted for
testing every ward at once by the Benjamini-Hochberg false discovery rate (``q``). The
analytic z-score and its normal p-value are reported beside it, but not used for classes:
see ``INFERENCE``.

Wards that cannot take part are reported, not dropped: a ward without households has no
rate, and a ward without a neighbour (an island, including one whose only neighbours had
no households) has no neighbourhood to compare; both get ``excluded`` with the reason, and
the statistic is computed on the other wards alone.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import esda
import libpysal
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats  # type: ignore[import-untyped]  # scipy ships no stubs

from geosvc.analytics.hotspots.classes import (
    CLASSES,
    COLD_CLASSES,
    CONFIDENCE,
    HOT_CLASSES,
    class_label,
    confidence_levels,
)
from geosvc.analytics.hotspots.values import NO_HOUSEHOLDS, FloatArray, rates_per_1000, ward_table
from geosvc.analytics.hotspots.weights import WardWeights
from geosvc.errors import InvalidInputError

__all__ = [
    "CLASSES",
    "COLD_CLASSES",
    "COLUMNS",
    "CONFIDENCE",
    "HOT_CLASSES",
    "INFERENCE",
    "ISLAND",
    "ISOLATED",
    "MIN_WARDS",
    "STATISTICS",
    "VALUES",
    "rates_per_1000",
    "ward_hotspots",
]

STATISTICS = ("gi_star", "local_moran")
VALUES = ("rate", "count")
INFERENCE = (
    "Classes come from esda's conditional permutation test (p_sim), with a "
    "Benjamini-Hochberg false discovery rate across wards (q) unless fdr=False. p_sim is "
    "folded one-sided: each ward is tested in the direction it leans, so in a spatially "
    "random field about 5% of wards reach p_sim <= 0.05 leaning high and 5% leaning low; "
    "q keeps such fields almost free of hotspots. The analytic z and p_norm assume "
    "normally distributed values; ward incident counts are very skewed, and on the "
    "synthetic national set the analytic test flagged 27 hot wards and no cold ones where "
    "the 999-permutation test flagged about 270 hot and 290 cold. The permutation "
    "inference is the one shown."
)
COLUMNS = (
    "ward_code",
    "incidents",
    "households",
    "value",
    "statistic",
    "z",
    "p_norm",
    "p_sim",
    "q",
    "class",
    "confidence",
    "island",
    "excluded",
)
ISLAND = "no neighbouring ward"
ISOLATED = "no neighbouring ward left once wards without households were excluded"
MIN_WARDS = 3
# esda draws all permutations on one core in a fraction of a second for 4,500 wards; its
# default n_jobs=-1 would start a process per core on a machine shared with others.
_N_JOBS = 1
_MORAN_QUADRANTS = {1: "hot", 2: "outlier_low", 3: "cold", 4: "outlier_high"}


def ward_hotspots(
    values: pd.DataFrame,
    weights: WardWeights,
    *,
    value: str = "rate",
    statistic: str = "gi_star",
    permutations: int = 999,
    seed: int = 12345,
    fdr: bool = True,
) -> pd.DataFrame:
    """Hot and cold wards by Gi* or Local Moran, with permutation significance and FDR.

    Parameters
    ----------
    values : DataFrame
        ``ward_code``, ``incidents`` (integers >= 0) and ``households`` (NaN allowed; only
        needed for ``value="rate"``). Wards in ``weights`` missing here have 0 incidents.
    weights : WardWeights
        From ``ward_weights``; fixes the wards and their order.
    value : {"rate", "count"}
        Analyse incidents per 1,000 households, or raw incident counts.
    statistic : {"gi_star", "local_moran"}
        Getis-Ord Gi* or Local Moran's I.
    permutations : int
        Conditional permutations for ``p_sim`` (at least 99).
    seed : int
        Seeds esda's permutations; the same seed gives the same output. The caller's
        global numpy random state is left as it was.
    fdr : bool
        Classify by the Benjamini-Hochberg ``q`` (True) or by the raw ``p_sim``.

    Returns
    -------
    DataFrame
        One row per ward in ``weights.ids`` order, columns ``COLUMNS``. ``z`` is Gi*'s
        analytic z-score (``Zs``) or Local Moran's permutation z (``z_sim``); ``p_norm``
        its normal p-value. ``class`` is ``hot_99|95|90``, ``cold_99|95|90``,
        ``outlier_high_*``/``outlier_low_*`` (Moran only), ``not_significant``,
        ``island`` or ``excluded``; ``confidence`` 0.99, 0.95, 0.90 or None.

    Examples
    --------
    A 6 x 6 grid of wards with a block of high counts in its top-left corner:

    >>> grid = libpysal.weights.lat2W(6, 6, rook=False, id_type="string")
    >>> weights = WardWeights(grid, grid.id_order, [], "queen", None)
    >>> counts = np.where(np.isin(np.arange(36), [0, 1, 2, 6, 7, 8, 12, 13, 14]), 40, 3)
    >>> table = pd.DataFrame({"ward_code": grid.id_order, "incidents": counts + np.arange(36) % 3})
    >>> result = ward_hotspots(table, weights, value="count", seed=7)
    >>> result.loc[result["class"].str.startswith("hot"), "ward_code"].tolist()
    ['id0', 'id1', 'id6', 'id7', 'id8', 'id13']
    """
    _check_options(value, statistic, permutations)
    table = ward_table(values, weights.ids, value)
    candidates = table.loc[table["excluded"].isna(), "ward_code"].tolist()
    candidate_w = libpysal.weights.w_subset(weights.w, candidates, silence_warnings=True)
    isolated = [str(ward) for ward in candidate_w.islands]
    table = _mark_islands(table, weights.islands, isolated)
    analysed = table["excluded"].isna().to_numpy()
    if analysed.sum() < MIN_WARDS:
        raise InvalidInputError(
            f"Only {int(analysed.sum())} wards have a value and a neighbour; hotspots need "
            f"at least {MIN_WARDS}."
        )
    w = _binary_weights(candidate_w, table.loc[analysed, "ward_code"].tolist())
    y = table.loc[analysed, "value"].to_numpy(dtype=float)
    result = _statistic(y, w, statistic, permutations, seed)
    return _assemble(table, analysed, result, statistic, fdr)


def _check_options(value: str, statistic: str, permutations: int) -> None:
    if value not in VALUES:
        raise InvalidInputError(f"value must be one of {', '.join(VALUES)}, not {value!r}.")
    if statistic not in STATISTICS:
        raise InvalidInputError(
            f"statistic must be one of {', '.join(STATISTICS)}, not {statistic!r}."
        )
    if permutations < 99:
        raise InvalidInputError(f"permutations must be at least 99, not {permutations}.")


def _binary_weights(w: libpysal.weights.W, wards: list[str]) -> libpysal.weights.W:
    """Binary weights among ``wards`` only, in their order, as a new W.

    esda sets the transform of the W it is given, so it gets a W of its own; "B" makes
    G_Local give Gi* a self-weight of 1 without warning (esda row-standardises after).
    """
    subset = libpysal.weights.w_subset(w, wards, silence_warnings=True)
    subset.transform = "B"
    return subset


def _mark_islands(table: pd.DataFrame, islands: list[str], isolated: list[str]) -> pd.DataFrame:
    """Flag wards without a neighbour and exclude those not already excluded, with why."""
    codes = table["ward_code"]
    marked = table.assign(island=codes.isin(islands) | codes.isin(isolated))
    unexcluded = marked["excluded"].isna()
    marked.loc[unexcluded & codes.isin(isolated), "excluded"] = ISOLATED
    marked.loc[unexcluded & codes.isin(islands), "excluded"] = ISLAND
    return marked


@contextmanager
def _own_random_state() -> Iterator[None]:
    """Keep the caller's global numpy random state: esda seeds it (np.random.seed)."""
    state = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(state)


def _statistic(
    y: FloatArray, w: libpysal.weights.W, statistic: str, permutations: int, seed: int
) -> pd.DataFrame:
    """Per analysed ward: z, p_norm, p_sim and the kind (hot, cold, outlier_*, none)."""
    if np.ptp(y) == 0:
        # Every ward has the same value: nothing to cluster, and esda would divide by zero
        # (the variance); every permutation ties the observed statistic, so p_sim is 1.
        return pd.DataFrame(
            {"z": np.nan, "p_norm": np.nan, "p_sim": 1.0, "kind": "none"}, index=range(len(y))
        )
    with _own_random_state(), warnings.catch_warnings():
        # esda 2.9 warns that the default p_sim alternative will change; the folded
        # one-sided ("directed") p_sim it computes is the one documented here.
        warnings.filterwarnings("ignore", "The alternative hypothesis", DeprecationWarning)
        # Disconnected groups of wards (metros apart, wards cut off by excluded ones) are
        # expected; libpysal warns each time esda rebuilds the weights.
        warnings.filterwarnings("ignore", "The weights matrix is not fully connected", UserWarning)
        if statistic == "gi_star":
            return _gi_star(y, w, permutations, seed)
        return _local_moran(y, w, permutations, seed)


def _gi_star(y: FloatArray, w: libpysal.weights.W, permutations: int, seed: int) -> pd.DataFrame:
    """Gi* by esda; hot or cold only where the analytic z and the permutations agree."""
    gi = esda.G_Local(
        y, w, transform="R", permutations=permutations, star=True, n_jobs=_N_JOBS, seed=seed
    )
    # A high ward among low neighbours can have Zs > 0 (its own value lifts the local
    # mean) while its neighbours are significantly low under the permutations (z_sim < 0):
    # it is an outlier, neither hot nor cold.
    agree = np.sign(gi.Zs) == np.sign(gi.z_sim)
    kind = np.where(agree & (gi.Zs > 0), "hot", np.where(agree & (gi.Zs < 0), "cold", "none"))
    return pd.DataFrame({"z": gi.Zs, "p_norm": gi.p_norm, "p_sim": gi.p_sim, "kind": kind})


def _local_moran(
    y: FloatArray, w: libpysal.weights.W, permutations: int, seed: int
) -> pd.DataFrame:
    """Local Moran by esda; the kind follows the quadrant (HH hot, LL cold, HL, LH)."""
    lisa = esda.Moran_Local(
        y, w, transformation="r", permutations=permutations, n_jobs=_N_JOBS, seed=seed
    )
    kind = pd.Series(lisa.q).map(_MORAN_QUADRANTS).fillna("none").to_numpy()
    return pd.DataFrame(
        {"z": lisa.z_sim, "p_norm": lisa.p_z_sim, "p_sim": lisa.p_sim, "kind": kind}
    )


def _assemble(
    table: pd.DataFrame,
    analysed: npt.NDArray[np.bool_],
    result: pd.DataFrame,
    statistic: str,
    fdr: bool,
) -> pd.DataFrame:
    """The output frame: statistics on analysed wards, classes and reasons on all."""
    p_sim = result["p_sim"].to_numpy(dtype=float)
    q = stats.false_discovery_control(p_sim) if fdr else np.full(len(p_sim), np.nan)
    confidence = confidence_levels(q if fdr else p_sim)
    out = table.assign(statistic=statistic)
    columns = {"z": result["z"], "p_norm": result["p_norm"], "p_sim": p_sim, "q": q}
    for column, tested in columns.items():
        out[column] = np.nan
        out.loc[analysed, column] = np.asarray(tested, dtype=float)
    out["class"] = np.where(out["island"], "island", "excluded").astype(object)
    out.loc[analysed, "class"] = [
        class_label(kind, level) for kind, level in zip(result["kind"], confidence, strict=True)
    ]
    out.loc[out["excluded"] == NO_HOUSEHOLDS, "class"] = "excluded"
    levels = iter(confidence)
    out["confidence"] = pd.Series(
        [next(levels) if tested else None for tested in analysed], dtype=object
    )
    return out[list(COLUMNS)]
