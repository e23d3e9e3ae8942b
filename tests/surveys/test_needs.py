"""Ward needs from stored responses: shares checked by hand, rows fit ward_indicator."""

from __future__ import annotations

import pandas as pd
import pytest

from geosvc.errors import InvalidInputError
from geosvc.surveys.needs import ward_needs
from geosvc.wards.tables import INDICATOR_COLUMNS

NA = pd.NA


def _responses() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ward_code": ["A", "A", "A", "A", "B", "B", None],
            "water_access": pd.array([0, 1, 1, 7, 2, 2, 0], dtype="Int16"),
            "sanitation_access": pd.array([0, 5, NA, 6, NA, NA, 0], dtype="Int16"),
            "electricity_access": pd.array([NA] * 7, dtype="Int16"),
            "refuse_access": pd.array([NA] * 7, dtype="Int16"),
            "needs": [
                ["water"],
                ["water", "roads"],
                [],
                ["housing", "water"],
                ["roads"],
                ["roads", "roads"],
                ["water"],
            ],
        }
    )


def _values(rows: pd.DataFrame, ward: str, service: str) -> dict[str, float]:
    mine = rows[(rows["ward_code"] == ward) & (rows["service"] == service)]
    return dict(zip(mine["category"], mine["value"], strict=True))


def test_shares_below_each_level_by_hand() -> None:
    rows = ward_needs(_responses())
    # Ward A water codes 0, 1, 1, 7: three below the best, one below each level from 1 on.
    assert _values(rows, "A", "water") == pytest.approx(
        {
            "households": 4,
            "below:piped_in_dwelling": 3 / 4,
            "below:piped_in_yard": 1 / 4,
            "below:communal_tap_within_200m": 1 / 4,
            "below:communal_tap_further": 1 / 4,
            "below:borehole_or_well": 1 / 4,
            "below:tanker": 1 / 4,
            "below:surface_water": 1 / 4,
        }
    )
    # Sanitation codes 0, 5, 6 (one household did not answer): 2 of 3 lack a flush toilet.
    assert _values(rows, "A", "sanitation") == pytest.approx(
        {
            "households": 3,
            "below:flush_sewerage": 2 / 3,
            "below:flush_septic": 2 / 3,
            "below:chemical": 2 / 3,
            "below:pit_ventilated": 2 / 3,
            "below:pit_unventilated": 2 / 3,
            "below:bucket": 1 / 3,
        }
    )
    assert _values(rows, "B", "water")["below:piped_in_yard"] == 1.0
    assert _values(rows, "B", "water")["below:communal_tap_within_200m"] == 0.0
    assert _values(rows, "B", "sanitation") == {}
    assert rows[rows["service"] == "electricity"].empty


def test_top_needs_by_hand() -> None:
    rows = ward_needs(_responses(), top=2)
    # Ward A: 3 households named a need; water all 3, roads and housing 1 each (tie: by name).
    assert _values(rows, "A", "needs") == pytest.approx(
        {"households": 3, "need:water": 1.0, "need:housing": 1 / 3}
    )
    # Ward B: a need named twice by one household counts once.
    assert _values(rows, "B", "needs") == {"households": 2, "need:roads": 1.0}
    a_needs = rows[(rows["ward_code"] == "A") & (rows["service"] == "needs")]
    assert a_needs["category"].tolist() == ["households", "need:water", "need:housing"]


def test_rows_fit_the_ward_indicator_table() -> None:
    rows = ward_needs(_responses(), period="2025-campaign")
    assert tuple(rows.columns) == INDICATOR_COLUMNS
    assert not rows.duplicated(["ward_code", "source", "period", "service", "category"]).any()
    assert (rows["value"] >= 0).all()
    assert rows["value"].notna().all()
    assert set(rows["source"]) == {"survey"}
    assert set(rows["period"]) == {"2025-campaign"}
    assert set(rows["unit"]) == {"households", "share"}
    assert rows["note"].notna().all()
    assert set(rows["ward_code"]) == {"A", "B"}  # the response without a ward is left out
    assert (rows.loc[rows["unit"] == "share", "value"] <= 1).all()


def test_codes_off_the_scale_are_refused() -> None:
    responses = _responses()
    responses.loc[0, "refuse_access"] = 5
    with pytest.raises(InvalidInputError, match=r"refuse_access holds 5, .* refuse scale"):
        ward_needs(responses)
    with pytest.raises(InvalidInputError, match="top must be at least 1"):
        ward_needs(_responses(), top=0)


def test_no_responses_give_no_rows() -> None:
    rows = ward_needs(_responses().iloc[:0])
    assert rows.empty
    assert tuple(rows.columns) == INDICATOR_COLUMNS
