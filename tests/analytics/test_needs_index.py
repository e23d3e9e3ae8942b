"""The needs index: scores, weights, ranks, contributions and areas checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from geosvc.analytics.needs.index import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    default_caps,
    explain,
    greatest_need,
    needs_index,
    normalise_components,
)
from geosvc.errors import InvalidInputError

NAN = np.nan
CAPS = {"incidents": 20.0, "backlog": 10.0}


def _raw(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """Raw components from (ward, service, survey, census, incidents, backlog, breaches)."""
    return pd.DataFrame(rows, columns=["ward_code", "service", *COMPONENTS])


def _row(index: pd.DataFrame, ward: str, service: str) -> pd.Series:
    return index[(index["ward_code"] == ward) & (index["service"] == service)].iloc[0]


def test_score_with_every_component_uses_the_default_weights() -> None:
    index = needs_index(_raw([("A", "water", 0.5, 0.4, 10.0, 5.0, 0.2)]), caps=CAPS)
    row = index.iloc[0]
    # 0.30*0.5 + 0.15*0.4 + 0.20*(10/20) + 0.20*(5/10) + 0.15*0.2 = 0.44
    assert row["score"] == pytest.approx(44.0)
    assert row["coverage"] == pytest.approx(1.0)
    assert row["incidents_norm"] == pytest.approx(0.5)
    assert row["incidents_raw"] == pytest.approx(10.0)
    assert row["survey_contribution"] == pytest.approx(15.0)
    assert sum(DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)


def test_missing_components_leave_the_mean_and_lower_the_coverage() -> None:
    index = needs_index(_raw([("A", "roads", NAN, NAN, NAN, NAN, 0.2)]), caps=CAPS)
    row = index.iloc[0]
    assert row["score"] == pytest.approx(20.0)
    assert row["coverage"] == pytest.approx(0.15)
    both = needs_index(_raw([("A", "water", 0.5, NAN, NAN, NAN, 0.2)]), caps=CAPS).iloc[0]
    # (0.30*0.5 + 0.15*0.2) / 0.45
    assert both["score"] == pytest.approx(40.0)
    assert both["coverage"] == pytest.approx(0.45)
    assert np.isnan(both["census_contribution"])


def test_no_component_means_no_score_and_no_rank() -> None:
    index = needs_index(
        _raw([("A", "parks", NAN, NAN, NAN, NAN, NAN), ("B", "parks", 0.1, NAN, NAN, NAN, NAN)])
    )
    assert np.isnan(_row(index, "A", "parks")["score"])
    assert _row(index, "A", "parks")["coverage"] == 0
    assert pd.isna(_row(index, "A", "parks")["rank"])
    assert _row(index, "B", "parks")["rank"] == 1


def test_weight_override_is_renormalised() -> None:
    raw = _raw([("A", "water", 0.8, 0.2, 40.0, NAN, 0.5)])
    index = needs_index(raw, {"survey": 2, "census": 2}, caps=CAPS)
    assert index.attrs["weights"] == {
        "survey": 0.5,
        "census": 0.5,
        "incidents": 0.0,
        "backlog": 0.0,
        "breaches": 0.0,
    }
    row = index.iloc[0]
    assert row["score"] == pytest.approx(50.0)
    assert row["coverage"] == pytest.approx(1.0)
    assert row["incidents_contribution"] == 0.0
    scaled = needs_index(raw, {"survey": 0.5, "census": 0.5}, caps=CAPS)
    assert scaled["score"].iloc[0] == pytest.approx(row["score"])


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"survey": 1, "votes": 1}, "unknown component"),
        ({"survey": 0, "census": 0}, "all zero"),
        ({"survey": -1, "census": 2}, "non-negative"),
        ({"survey": float("nan")}, "non-negative"),
    ],
)
def test_bad_weights_are_refused(weights: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        needs_index(_raw([("A", "water", 0.5, NAN, NAN, NAN, NAN)]), weights)


def test_contributions_sum_to_the_score() -> None:
    raw = _raw(
        [
            ("A", "water", 0.9, 0.7, 35.0, 2.0, 0.1),
            ("B", "water", NAN, 0.3, 5.0, NAN, 0.6),
            ("C", "refuse", 0.2, NAN, NAN, 12.0, NAN),
        ]
    )
    index = needs_index(raw, {"survey": 1, "census": 3, "backlog": 2, "breaches": 1})
    contributions = index[[f"{c}_contribution" for c in COMPONENTS]].sum(axis=1)
    assert_allclose(contributions, index["score"])
    assert index["score"].between(0, 100).all()


def test_ranks_are_per_service_with_ties_sharing_the_lowest_rank() -> None:
    raw = _raw(
        [
            ("A", "water", 0.5, NAN, NAN, NAN, NAN),
            ("B", "water", 0.5, NAN, NAN, NAN, NAN),
            ("C", "water", 0.3, NAN, NAN, NAN, NAN),
            ("A", "refuse", 0.1, NAN, NAN, NAN, NAN),
            ("B", "refuse", 0.9, NAN, NAN, NAN, NAN),
        ]
    )
    index = needs_index(raw)
    ranks = {(w, s): r for w, s, r in index[["ward_code", "service", "rank"]].to_numpy()}
    assert ranks == {
        ("A", "water"): 1,
        ("B", "water"): 1,
        ("C", "water"): 3,
        ("A", "refuse"): 2,
        ("B", "refuse"): 1,
    }


def test_default_cap_is_the_95th_percentile_over_all_rows() -> None:
    incidents = np.arange(101, dtype=float)  # 0 .. 100: the 95th percentile is 95
    raw = pd.DataFrame(
        {
            "ward_code": [f"W{i}" for i in range(101)],
            "service": ["water", "refuse"] * 50 + ["water"],
            "survey": NAN,
            "census": NAN,
            "incidents": incidents,
            "backlog": NAN,
            "breaches": NAN,
        }
    )
    assert default_caps(raw)["incidents"] == pytest.approx(95.0)
    assert np.isnan(default_caps(raw)["backlog"])
    norm = normalise_components(raw).set_index("ward_code")["incidents_norm"]
    assert norm["W100"] == 1.0
    assert norm["W95"] == pytest.approx(1.0)
    assert norm["W50"] == pytest.approx(50 / 95)
    assert norm["W0"] == 0.0
    assert normalise_components(raw, caps={"incidents": 200}).attrs["caps"]["incidents"] == 200


def test_a_rate_nobody_has_normalises_to_zero() -> None:
    raw = _raw([("A", "water", NAN, NAN, 0.0, NAN, NAN), ("B", "water", NAN, NAN, 0.0, 0, 0)])
    norm = normalise_components(raw)
    assert norm["incidents_norm"].tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("raw", "caps", "message"),
    [
        (_raw([("A", "water", 1.2, NAN, NAN, NAN, NAN)]), None, "survey must be 0 to 1"),
        (_raw([("A", "water", NAN, NAN, -3.0, NAN, NAN)]), None, "incidents must be 0 or more"),
        (_raw([("A", "water", NAN, NAN, NAN, NAN, "x")]), None, "breaches holds"),
        (_raw([("A", "water", 0.1, NAN, NAN, NAN, NAN)] * 2), None, "more than once"),
        (_raw([("A", "water", 0.1, NAN, NAN, NAN, NAN)]), {"survey": 1.0}, "caps apply only"),
        (_raw([("A", "water", 0.1, NAN, NAN, NAN, NAN)]), {"backlog": 0.0}, "positive"),
        (pd.DataFrame({"ward_code": ["A"], "service": ["water"]}), None, "lack column"),
    ],
)
def test_bad_components_are_refused(
    raw: pd.DataFrame, caps: dict[str, float] | None, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        needs_index(raw, caps=caps)


def test_explain_shows_each_components_part() -> None:
    raw = _raw([("A", "water", 0.6, NAN, 10.0, 5.0, 0.4)])
    index = needs_index(raw, caps=CAPS)
    table = explain(index, "A", "water").set_index("component")
    assert list(table.index) == list(COMPONENTS)
    assert table.loc["incidents", "raw"] == 10.0
    assert table.loc["incidents", "normalised"] == 0.5
    assert table.loc["survey", "weight"] == pytest.approx(0.30)
    assert np.isnan(table.loc["census", "contribution"])
    # present weights 0.85: survey 0.30*0.6/0.85*100
    assert table.loc["survey", "contribution"] == pytest.approx(18 / 0.85)
    assert table["contribution"].sum() == pytest.approx(index["score"].iloc[0])
    assert table["share_of_score"].sum() == pytest.approx(1.0)


def test_explain_refuses_a_row_it_does_not_have() -> None:
    index = needs_index(_raw([("A", "water", 0.6, NAN, NAN, NAN, NAN)]))
    with pytest.raises(InvalidInputError, match="no row for ward B"):
        explain(index, "B", "water")


def test_greatest_need_picks_water_where_water_need_dominates() -> None:
    raw = _raw(
        [
            ("W1", "water", 0.9, 0.8, NAN, NAN, NAN),
            ("W2", "water", 0.7, 0.6, NAN, NAN, NAN),
            ("W1", "refuse", 0.2, 0.3, NAN, NAN, NAN),
            ("W2", "refuse", 0.4, 0.1, NAN, NAN, NAN),
            ("E1", "water", 0.1, 0.1, NAN, NAN, NAN),
            ("E1", "refuse", 0.5, 0.5, NAN, NAN, NAN),
        ]
    )
    wards = pd.DataFrame(
        {
            "ward_code": ["W1", "W2", "E1"],
            "municipality_code": ["WR", "WR", "EKU"],
            "households": [1000, 3000, 500],
        }
    )
    areas = greatest_need(needs_index(raw, {"survey": 1, "census": 1}), wards)
    first = areas[areas["rank"] == 1].set_index("municipality_code")["service"]
    assert first.to_dict() == {"EKU": "refuse", "WR": "water"}
    west_rand_water = areas[(areas["municipality_code"] == "WR") & (areas["service"] == "water")]
    # W1 scores 85, W2 65; weighted by 1,000 and 3,000 households: 70
    assert west_rand_water["score"].iloc[0] == pytest.approx(70.0)
    assert west_rand_water["households"].iloc[0] == 4000
    assert west_rand_water["wards"].iloc[0] == 2


def test_greatest_need_weights_by_households() -> None:
    raw = _raw(
        [
            ("S", "water", 0.9, NAN, NAN, NAN, NAN),
            ("L", "water", 0.1, NAN, NAN, NAN, NAN),
            ("S", "sanitation", 0.2, NAN, NAN, NAN, NAN),
            ("L", "sanitation", 0.4, NAN, NAN, NAN, NAN),
        ]
    )
    index = needs_index(raw)
    weighted = pd.DataFrame({"ward_code": ["S", "L"], "region": "R", "households": [10, 990]})
    by_households = greatest_need(index, weighted, by="region")
    assert by_households["service"].iloc[0] == "sanitation"
    # without household counts every ward weighs the same, and water (mean 50) leads
    equal = greatest_need(index, weighted.drop(columns="households"), by="region")
    assert equal["service"].iloc[0] == "water"
    assert equal["score"].iloc[0] == pytest.approx(50.0)


def test_greatest_need_refuses_missing_area_column() -> None:
    index = needs_index(_raw([("A", "water", 0.6, NAN, NAN, NAN, NAN)]))
    with pytest.raises(InvalidInputError, match="district"):
        greatest_need(index, pd.DataFrame({"ward_code": ["A"]}), by="district")
