"""Allocations: the CSV's checks name line and column; need against delivery by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geosvc.analytics.delivery.allocation import ALLOCATION_COLUMNS, delivery_gaps, read_allocations
from geosvc.errors import InvalidInputError, SourceFileError

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "allocations" / "sample_allocations.csv"
HEADER = ",".join(ALLOCATION_COLUMNS)


def _csv(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "allocations.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _allocations(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(ALLOCATION_COLUMNS))


def _index(scores: dict[tuple[str, str], float]) -> pd.DataFrame:
    return pd.DataFrame(
        [(ward, service, score) for (ward, service), score in scores.items()],
        columns=["ward_code", "service", "score"],
    )


def test_read_allocations_reads_the_sample() -> None:
    allocations = read_allocations(
        SAMPLE, services={"water", "sanitation", "electricity", "refuse"}
    )
    assert list(allocations.columns) == list(ALLOCATION_COLUMNS)
    assert len(allocations) == len(SAMPLE.read_text().splitlines()) - 1
    assert not allocations.duplicated(["ward_code", "service", "period"]).any()
    amounts = allocations[["planned_budget", "delivered_budget", "planned_units"]]
    assert (amounts.fillna(0) >= 0).all().all()
    assert allocations["ward_code"].str.fullmatch(r"798000\d\d").all()


def test_read_allocations_keeps_empty_amounts_unknown(tmp_path: Path) -> None:
    path = _csv(tmp_path, "A,water,2025/26,100,,,,", "A,sanitation,2025/26,,,4,2,toilets")
    allocations = read_allocations(path)
    assert allocations["planned_budget"].tolist()[0] == 100.0
    assert np.isnan(allocations["delivered_budget"].iloc[0])
    assert pd.isna(allocations["unit"].iloc[0])
    assert allocations["unit"].iloc[1] == "toilets"
    assert allocations["delivered_units"].iloc[1] == 2.0


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["A,water,2025/26,100,50,,,", "B,water,2025/26,abc,,,,"], "line 3, column planned_budget"),
        (["A,water,2025/26,100,-5,,,"], "line 2, column delivered_budget: is negative"),
        (["A,water,2025/26,,,,,"], "line 2, column planned_budget: the row has neither"),
        (["A,water,2025/26,,,5,2,"], "line 2, column unit: is empty"),
        ([",water,2025/26,1,1,,,"], "line 2, column ward_code: is empty"),
        (["A,water,,1,1,,,"], "line 2, column period: is empty"),
        (
            ["A,water,2025/26,1,1,,,", "B,water,2025/26,1,1,,,", "A,water,2025/26,2,2,,,"],
            "line 4, column ward_code: repeats ward_code, service and period of line 2",
        ),
        (["A,water,2025/26,1,inf,,,"], "line 2, column delivered_budget: is not finite"),
    ],
)
def test_read_allocations_names_line_and_column(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        read_allocations(_csv(tmp_path, *lines))


def test_read_allocations_refuses_unknown_services(tmp_path: Path) -> None:
    path = _csv(tmp_path, "A,water,2025/26,1,1,,,", "A,watr,2025/26,1,1,,,")
    with pytest.raises(InvalidInputError, match="line 3, column service"):
        read_allocations(path, services={"water", "refuse"})


def test_read_allocations_refuses_missing_columns_and_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"lacks column\(s\): unit"):
        read_allocations(_csv(tmp_path, "A,water,2025,1,1,1,1", header=HEADER[: -len(",unit")]))
    with pytest.raises(SourceFileError, match="does not exist"):
        read_allocations(tmp_path / "nothing.csv")
    with pytest.raises(SourceFileError, match="no allocation rows"):
        read_allocations(_csv(tmp_path))


def test_gaps_are_need_share_less_delivery_share_largest_first() -> None:
    index = _index({("A", "water"): 60.0, ("B", "water"): 30.0, ("C", "water"): 10.0})
    allocations = _allocations(
        [
            ("B", "water", "2025/26", 100.0, 50.0, None, None, None),
            ("C", "water", "2025/26", 60.0, 50.0, None, None, None),
        ]
    )
    gaps = delivery_gaps(index, allocations).set_index("ward_code")
    assert list(gaps.index) == ["A", "B", "C"]
    assert gaps.loc["A", "need_share"] == pytest.approx(0.6)
    assert gaps.loc["A", "delivered"] == 0.0
    assert gaps.loc["A", "gap"] == pytest.approx(0.6)
    assert gaps.loc["B", "delivery_share"] == pytest.approx(0.5)
    assert gaps.loc["B", "gap"] == pytest.approx(-0.2)
    assert gaps.loc["C", "gap"] == pytest.approx(-0.4)
    assert gaps["gap"].sum() == pytest.approx(0.0)
    assert gaps.loc["B", "realised"] == pytest.approx(0.5)
    assert bool(gaps.loc["B", "unrealised"])
    assert gaps.loc["C", "realised"] == pytest.approx(50 / 60)
    assert not gaps.loc["C", "unrealised"]
    assert np.isnan(gaps.loc["A", "realised"])
    assert not gaps.loc["A", "unrealised"]
    assert set(gaps["measure"]) == {"budget"}


def test_units_are_used_when_a_service_has_no_budget() -> None:
    index = _index({("A", "sanitation"): 40.0, ("B", "sanitation"): 40.0})
    allocations = _allocations(
        [
            ("A", "sanitation", "2025/26", None, None, 10.0, 3.0, "toilets"),
            ("B", "sanitation", "2025/26", None, None, 10.0, 9.0, "toilets"),
        ]
    )
    gaps = delivery_gaps(index, allocations).set_index("ward_code")
    assert set(gaps["measure"]) == {"units"}
    assert set(gaps["unit"]) == {"toilets"}
    assert gaps.loc["A", "delivery_share"] == pytest.approx(0.25)
    assert gaps.loc["A", "gap"] == pytest.approx(0.25)
    assert gaps.loc["A", "realised"] == pytest.approx(0.3)


def test_units_of_different_kinds_cannot_be_compared() -> None:
    allocations = _allocations(
        [
            ("A", "water", "p", None, None, 10.0, 3.0, "taps"),
            ("B", "water", "p", None, None, 100.0, 90.0, "metres of pipe"),
        ]
    )
    with pytest.raises(InvalidInputError, match="more than one kind"):
        delivery_gaps(_index({("A", "water"): 1.0}), allocations)


def test_period_filter_and_unknown_period() -> None:
    index = _index({("A", "refuse"): 50.0, ("B", "refuse"): 50.0})
    allocations = _allocations(
        [
            ("A", "refuse", "2024/25", 10.0, 10.0, None, None, None),
            ("B", "refuse", "2025/26", 10.0, 10.0, None, None, None),
        ]
    )
    one_year = delivery_gaps(index, allocations, period="2025/26").set_index("ward_code")
    assert one_year.loc["A", "delivered"] == 0.0
    assert one_year.loc["A", "gap"] == pytest.approx(0.5)
    both_years = delivery_gaps(index, allocations).set_index("ward_code")
    assert both_years["gap"].abs().max() == pytest.approx(0.0)
    with pytest.raises(InvalidInputError, match="no allocations for period '2030'"):
        delivery_gaps(index, allocations, period="2030")


def test_a_service_with_nothing_delivered_shows_the_whole_need_as_gap() -> None:
    index = _index({("A", "roads"): 30.0, ("B", "roads"): 10.0})
    gaps = delivery_gaps(index, _allocations([]))
    assert gaps["gap"].tolist() == pytest.approx([0.75, 0.25])
    assert gaps["delivery_share"].tolist() == [0.0, 0.0]


def test_allocation_to_a_ward_without_a_score_keeps_its_delivery() -> None:
    index = _index({("A", "water"): 30.0})
    allocations = _allocations([("Z", "water", "p", 10.0, 10.0, None, None, None)])
    gaps = delivery_gaps(index, allocations)
    assert gaps["ward_code"].tolist() == ["A", "Z"]
    assert np.isnan(gaps["gap"].iloc[1])
    assert gaps["delivery_share"].iloc[1] == 1.0
