"""Emerging and fading hotspots: how each ward's Gi* hotspot status moved over the periods.

After ESRI's emerging hot spot analysis, restricted to the patterns below. For a ward over
``n`` consecutive periods, *hot* means class ``hot_99``, ``hot_95`` or ``hot_90`` from
``ward_hotspots`` (significant at 90% or more); *trend up/down* means a Mann-Kendall test
of the ward's Gi* z-scores finds a rising/falling trend at ``alpha``. The rules, checked in
this order (the first that matches wins):

``new``
    hot in the final period and in no earlier one.
``intensifying``
    hot in the final period and in at least 90% of the ``n`` periods; trend up.
``diminishing``
    hot in the final period and in at least 90% of the periods; trend down.
``persistent``
    hot in the final period and in at least 90% of the periods; no significant trend.
``emerging``
    hot in the final period, in fewer than 90% of the periods, more than once; trend up.
``sporadic``
    hot in the final period, in fewer than 90% of the periods, more than once (so not
    hot in some earlier period); no upward trend. ESRI's "consecutive" (one run of hot
    periods up to the final one) falls here too.
``fading``
    not hot in the final period, hot in an earlier one, and that hot period is more
    recent than any cold one (ESRI's "historical", without its 90% condition).
``cold_*``
    the same rules for cold spots (``cold_99`` to ``cold_90``), with the trend mirrored:
    ``cold_intensifying`` and ``cold_emerging`` have z trending down,
    ``cold_diminishing`` up; ``cold_fading`` when the latest significant period was cold.
``none``
    never hot nor cold.

With fewer than 10 periods, "at least 90%" means every period. A ward with no z-score
in a period (excluded, an island) is neither hot nor cold then; Mann-Kendall skips it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats  # type: ignore[import-untyped]  # scipy ships no stubs

from geosvc.analytics.hotspots.classes import CLASSES, COLD_CLASSES, HOT_CLASSES
from geosvc.errors import InvalidInputError

TREND_COLUMNS = (
    "ward_code",
    "pattern",
    "tau",
    "p",
    "trend",
    "periods",
    "periods_hot",
    "hot_now",
    "z_last",
)
MIN_TREND_VALUES = 3


@dataclass(frozen=True)
class MannKendall:
    """The Mann-Kendall trend test of one series.

    Attributes
    ----------
    s : int
        Mann-Kendall S: later-minus-earlier pairs that rise, less those that fall.
    tau : float
        Kendall's tau-b of the values against time.
    z : float
        S over its standard deviation under no trend (with the tie correction; no
        continuity correction, so that it matches the asymptotic p).
    p : float
        Two-sided p-value from ``scipy.stats.kendalltau``: exact for short series without
        ties, otherwise the normal approximation of ``z``. NaN when there is no test.
    trend : str
        ``"up"`` or ``"down"`` when p < alpha, else ``"none"``.
    """

    s: int
    tau: float
    z: float
    p: float
    trend: str


def mann_kendall(series: npt.ArrayLike, *, alpha: float = 0.05) -> MannKendall:
    """The Mann-Kendall test for a monotonic trend in a time-ordered series.

    Parameters
    ----------
    series : array-like
        Values in time order; NaN values are dropped (the others keep their order).
    alpha : float
        Significance level for ``trend``.

    Returns
    -------
    MannKendall
        With fewer than 3 values, or all values tied, ``trend`` is ``"none"`` and ``p``
        NaN.

    Examples
    --------
    >>> result = mann_kendall([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> result.s, round(result.tau, 3), round(result.p, 4), result.trend
    (10, 1.0, 0.0167, 'up')
    >>> mann_kendall([2.0, float("nan"), 1.0]).trend
    'none'
    """
    _check_alpha(alpha)
    values = np.asarray(series, dtype=float).ravel()
    finite = np.isfinite(values)
    x = values[finite]
    s = _mann_kendall_s(x)
    variance = _s_variance(x)
    if x.size < MIN_TREND_VALUES or variance == 0:
        return MannKendall(s=s, tau=np.nan, z=np.nan, p=np.nan, trend="none")
    tau, p = stats.kendalltau(np.flatnonzero(finite), x)
    significant = p < alpha
    trend = "up" if significant and s > 0 else "down" if significant and s < 0 else "none"
    return MannKendall(s=s, tau=float(tau), z=s / np.sqrt(variance), p=float(p), trend=trend)


def _mann_kendall_s(x: npt.NDArray[np.float64]) -> int:
    """S: the sum of sign(x_j - x_i) over all pairs i < j.

    scipy's kendalltau gives tau and p but neither S nor its z, which Mann-Kendall reports.
    """
    upper = np.triu_indices(x.size, k=1)
    return int(np.sign(x[np.newaxis, :] - x[:, np.newaxis])[upper].sum())


def _s_variance(x: npt.NDArray[np.float64]) -> float:
    """The variance of S under no trend, less the correction for groups of tied values."""
    n = x.size
    _, tied = np.unique(x, return_counts=True)
    ties = float((tied * (tied - 1) * (2 * tied + 5)).sum())
    return (n * (n - 1) * (2 * n + 5) - ties) / 18


def hotspot_trends(z: pd.DataFrame, classes: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Per ward, the emerging hot spot pattern over consecutive periods.

    Parameters
    ----------
    z : DataFrame
        Gi* z-scores: index ward_code, one column per period in time order.
    classes : DataFrame
        The class labels from ``ward_hotspots``, same wards and periods (missing = neither
        hot nor cold).
    alpha : float
        Significance level of the Mann-Kendall trend of each ward's z-scores.

    Returns
    -------
    DataFrame
        ``TREND_COLUMNS``: ``pattern`` (see the module docstring), ``tau``, ``p`` and
        ``trend`` of the z-scores, ``periods`` (the number of periods), ``periods_hot``,
        ``hot_now`` (hot in the final period) and ``z_last``; one row per ward, in order.

    Examples
    --------
    >>> periods = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    >>> z = pd.DataFrame([[0.5, 1.0, 2.2, 3.1], [3.0, 2.9, 3.2, 0.1]],
    ...                  index=["A", "B"], columns=periods)
    >>> classes = pd.DataFrame([["not_significant"] * 2 + ["hot_95", "hot_99"],
    ...                         ["hot_99"] * 3 + ["not_significant"]],
    ...                        index=["A", "B"], columns=periods)
    >>> hotspot_trends(z, classes)[["ward_code", "pattern", "periods_hot", "hot_now"]]
      ward_code   pattern  periods_hot  hot_now
    0         A  sporadic            2     True
    1         B    fading            3    False
    """
    _check_alpha(alpha)
    scores, labels = _aligned(z, classes)
    hot = labels.isin(HOT_CLASSES).to_numpy()
    cold = labels.isin(COLD_CLASSES).to_numpy()
    rows = []
    for row, (ward, series) in enumerate(zip(scores.index, scores.to_numpy(), strict=True)):
        test = mann_kendall(series, alpha=alpha)
        rows.append(
            {
                "ward_code": ward,
                "pattern": _pattern(hot[row], cold[row], test.trend),
                "tau": test.tau,
                "p": test.p,
                "trend": test.trend,
                "periods": len(series),
                "periods_hot": int(hot[row].sum()),
                "hot_now": bool(hot[row][-1]),
                "z_last": series[-1],
            }
        )
    return pd.DataFrame(rows, columns=list(TREND_COLUMNS))


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise InvalidInputError(f"alpha must be between 0 and 1, not {alpha}.")


def _aligned(z: pd.DataFrame, classes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The z-scores as floats and the classes in z's ward and period order, checked."""
    if z.shape[1] < 2:
        raise InvalidInputError(f"Trends need at least 2 periods, not {z.shape[1]}.")
    if z.index.has_duplicates or z.columns.has_duplicates:
        raise InvalidInputError("The z-scores repeat a ward or a period.")
    if set(z.index) != set(classes.index) or set(z.columns) != set(classes.columns):
        raise InvalidInputError("The z-scores and the classes cover different wards or periods.")
    labels = classes.loc[z.index, z.columns]
    present = labels.stack().dropna()
    unknown = sorted({str(label) for label in present} - set(CLASSES))
    if unknown:
        raise InvalidInputError(f"Unknown hotspot classes: {', '.join(unknown[:5])}.")
    scores = z.apply(pd.to_numeric, errors="coerce")
    not_numbers = scores.isna() & z.notna()
    if not_numbers.to_numpy().any():
        raise InvalidInputError("The z-scores hold values that are not numbers.")
    return scores.astype(float), labels


def _pattern(hot: npt.NDArray[np.bool_], cold: npt.NDArray[np.bool_], trend: str) -> str:
    """The ward's pattern from its hot and cold periods and the trend of its z-scores."""
    if hot[-1]:
        return _recent_pattern(hot, strengthening=trend == "up", weakening=trend == "down")
    if cold[-1]:
        pattern = _recent_pattern(cold, strengthening=trend == "down", weakening=trend == "up")
        return f"cold_{pattern}"
    last_hot = np.flatnonzero(hot).max(initial=-1)
    last_cold = np.flatnonzero(cold).max(initial=-1)
    if last_hot == last_cold:
        return "none"
    return "fading" if last_hot > last_cold else "cold_fading"


def _recent_pattern(flagged: npt.NDArray[np.bool_], *, strengthening: bool, weakening: bool) -> str:
    """The pattern of a ward flagged (hot, or cold) in the final period."""
    times = int(flagged.sum())
    if times == 1:
        return "new"
    if 10 * times >= 9 * flagged.size:  # at least 90% of the periods, in integers
        if strengthening:
            return "intensifying"
        return "diminishing" if weakening else "persistent"
    return "emerging" if strengthening else "sporadic"
