"""Mann-Kendall against hand counts and scipy; each emerging hot spot pattern by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from geosvc.analytics.trends.emerging import TREND_COLUMNS, hotspot_trends, mann_kendall
from geosvc.errors import InvalidInputError

PERIODS = [f"{year}-Q{quarter}" for year in (2024, 2025, 2026) for quarter in (1, 2, 3, 4)][:10]
H, C, N = "hot_95", "cold_95", "not_significant"
RISING = np.linspace(1.0, 5.5, 10)
FLAT = np.array([3.1, 2.9, 3.3, 2.8, 3.0, 3.2, 2.7, 3.4, 2.9, 3.1])


def test_a_rising_series_against_the_hand_count() -> None:
    result = mann_kendall([1.0, 2.0, 3.0, 4.0, 5.0])
    # all 10 pairs rise; Var(S) = 5 * 4 * 15 / 18; exact p = 2 / 5! (two of 120 orders)
    assert result.s == 10
    assert result.z == pytest.approx(10 / np.sqrt(5 * 4 * 15 / 18))
    assert result.tau == pytest.approx(1.0)
    assert result.p == pytest.approx(2 / 120)
    assert result.trend == "up"


def test_a_falling_series_is_down() -> None:
    result = mann_kendall(RISING[::-1])
    assert (result.s, result.trend) == (-45, "down")
    assert result.p == pytest.approx(stats.kendalltau(np.arange(10), RISING[::-1]).pvalue)


def test_ties_against_the_hand_count_and_scipy() -> None:
    result = mann_kendall([1.0, 2.0, 2.0, 3.0])
    # pairs: 1<2, 1<2, 1<3, 2=2, 2<3, 2<3 -> S = 5; Var(S) = (4*3*13 - 2*1*9) / 18
    assert result.s == 5
    assert result.z == pytest.approx(5 / np.sqrt((4 * 3 * 13 - 2 * 1 * 9) / 18))
    tied = np.array([2.0, 3.0, 3.0, 3.0, 5.0, 4.0, 4.0, 6.0, 7.0, 7.0, 9.0, 8.0])
    result = mann_kendall(tied)
    reference = stats.kendalltau(np.arange(tied.size), tied, method="asymptotic")
    assert_allclose(2 * stats.norm.sf(abs(result.z)), reference.pvalue)
    assert result.p == pytest.approx(stats.kendalltau(np.arange(tied.size), tied).pvalue)
    assert result.tau == pytest.approx(reference.statistic)
    assert result.trend == "up"


def test_noise_flat_and_short_series_have_no_trend() -> None:
    noise = np.random.default_rng(4).normal(size=12)
    result = mann_kendall(noise)
    assert result.p == pytest.approx(stats.kendalltau(np.arange(12), noise).pvalue)
    assert result.trend == "none"
    assert result.p > 0.05
    flat = mann_kendall([2.0, 2.0, 2.0, 2.0])
    assert (flat.s, flat.trend) == (0, "none")
    assert np.isnan(flat.p)
    short = mann_kendall([1.0, np.nan, 2.0])
    assert short.trend == "none"
    assert np.isnan(short.p)


def test_missing_values_are_dropped_keeping_the_order() -> None:
    with_gaps = mann_kendall([1.0, np.nan, 2.0, 3.0, np.nan, 4.0, 5.0])
    assert (with_gaps.s, with_gaps.trend) == (10, "up")
    assert with_gaps.p == pytest.approx(2 / 120)


def _ward(pattern_name: str) -> tuple[list[float], list[str]]:
    """A hand-built z series and class series over the 10 periods, for one pattern."""
    quiet = list(np.linspace(0.4, 0.1, 9))
    series: dict[str, tuple[list[float], list[str]]] = {
        "new": ([*quiet, 3.0], [N] * 9 + [H]),
        "intensifying": (list(RISING), [N] + [H] * 9),
        "persistent": (list(FLAT), [H] * 10),
        "diminishing": (list(RISING[::-1] + 1), [H] * 10),
        "emerging": (list(RISING), [N] * 6 + [H] * 4),
        "sporadic": (list(FLAT), [N, H, N, N, H, N, H, N, N, H]),
        "fading": (list(RISING[::-1]), [H] * 5 + [N] * 5),
        "none": (list(FLAT - 3), [N] * 10),
        "cold_new": ([-z for z in quiet[:9]] + [-3.0], [N] * 9 + [C]),
        "cold_intensifying": (list(-RISING), [N] + [C] * 9),
        "cold_persistent": (list(-FLAT), [C] * 10),
        "cold_emerging": (list(-RISING), [N] * 7 + [C] * 3),
        "cold_sporadic": (list(-FLAT), [C, N, C, N, N, N, N, C, N, C]),
        "cold_fading": (list(FLAT - 3), [H, H, N, C, C, N, N, N, N, N]),
    }
    return series[pattern_name]


PATTERNS = [
    "new",
    "intensifying",
    "persistent",
    "diminishing",
    "emerging",
    "sporadic",
    "fading",
    "none",
    "cold_new",
    "cold_intensifying",
    "cold_persistent",
    "cold_emerging",
    "cold_sporadic",
    "cold_fading",
]


def _frames(names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    built = [_ward(name) for name in names]
    z = pd.DataFrame([zs for zs, _ in built], index=names, columns=PERIODS)
    classes = pd.DataFrame([labels for _, labels in built], index=names, columns=PERIODS)
    return z.rename_axis("ward_code"), classes.rename_axis("ward_code")


def test_each_pattern_from_hand_built_series() -> None:
    z, classes = _frames(PATTERNS)
    result = hotspot_trends(z, classes)
    assert result.columns.tolist() == list(TREND_COLUMNS)
    assert dict(zip(result["ward_code"], result["pattern"], strict=True)) == {
        name: name for name in PATTERNS
    }
    row = result.set_index("ward_code").loc["intensifying"]
    assert (row["periods"], row["periods_hot"], row["hot_now"]) == (10, 9, True)
    assert row["trend"] == "up"
    assert row["z_last"] == pytest.approx(5.5)
    assert not result.set_index("ward_code").loc["fading", "hot_now"]


def test_a_hot_run_that_is_not_trending_up_is_sporadic() -> None:
    z, classes = _frames(["emerging"])
    flat = z.assign(**{period: FLAT[i] for i, period in enumerate(PERIODS)})
    assert hotspot_trends(flat, classes)["pattern"].tolist() == ["sporadic"]


def test_periods_without_a_statistic_count_as_not_hot() -> None:
    z, classes = _frames(["persistent"])
    z.iloc[0, 4] = np.nan
    classes.iloc[0, 4] = "excluded"
    result = hotspot_trends(z, classes).iloc[0]
    # hot in 9 of 10 periods: still at least 90%
    assert (result["pattern"], result["periods_hot"]) == ("persistent", 9)
    classes.iloc[0, 3] = "island"
    assert hotspot_trends(z, classes).iloc[0]["pattern"] == "sporadic"


def test_two_periods_are_enough_and_classes_follow_the_z_order() -> None:
    z = pd.DataFrame({"2026-Q1": [1.0, 2.5], "2026-Q2": [2.8, 0.3]}, index=["A", "B"])
    classes = pd.DataFrame({"2026-Q2": [H, N], "2026-Q1": [N, "hot_90"]}, index=["B", "A"])
    result = hotspot_trends(z, classes)
    assert result["ward_code"].tolist() == ["A", "B"]
    assert dict(zip(result["ward_code"], result["pattern"], strict=True)) == {
        "A": "fading",
        "B": "new",
    }


@pytest.mark.parametrize(
    ("z", "classes", "message"),
    [
        (pd.DataFrame({"p1": [1.0]}, index=["A"]), pd.DataFrame({"p1": [H]}, index=["A"]), "2"),
        (
            pd.DataFrame({"p1": [1.0], "p2": [2.0]}, index=["A"]),
            pd.DataFrame({"p1": [H], "p2": [H]}, index=["B"]),
            "different wards",
        ),
        (
            pd.DataFrame({"p1": [1.0], "p2": [2.0]}, index=["A"]),
            pd.DataFrame({"p1": [H], "p2": ["very_hot"]}, index=["A"]),
            "Unknown hotspot classes: very_hot",
        ),
        (
            pd.DataFrame({"p1": [1.0], "p2": ["high"]}, index=["A"]),
            pd.DataFrame({"p1": [H], "p2": [H]}, index=["A"]),
            "not numbers",
        ),
    ],
)
def test_bad_input_is_refused(z: pd.DataFrame, classes: pd.DataFrame, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        hotspot_trends(z, classes)


def test_alpha_must_be_a_probability() -> None:
    with pytest.raises(InvalidInputError, match="alpha"):
        mann_kendall([1.0, 2.0, 3.0], alpha=1.5)
