"""Shares below the basic level: census categories and survey levels checked by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geosvc.analytics.needs.baseline import (
    CENSUS_BELOW_BASIC,
    NOT_COUNTED,
    SURVEY_BASIC_LEVEL,
    census_shares,
    survey_shares,
)
from geosvc.errors import InvalidInputError
from geosvc.surveys.needs import ward_needs
from geosvc.surveys.scales import SCALES, Service
from geosvc.wards.census import SERVICES, census_indicators

ROOT = Path(__file__).resolve().parents[2]
CENSUS_WIDE = ROOT / "data" / "census2011" / "ward_services_wide.csv"


def test_census_shares_leave_unanswered_out_of_the_denominator() -> None:
    census = pd.DataFrame(
        {
            "ward_code": "A",
            "service": "sanitation",
            "category": [
                "flush_toilet_connected_to_sewerage_system",
                "pit_toilet_with_ventilation_vip",
                "pit_toilet_without_ventilation",
                "bucket_toilet",
                "not_applicable",
                "unspecified",
            ],
            "value": [50.0, 20.0, 20.0, 10.0, 7.0, 3.0],
        }
    )
    shares = census_shares(census)
    assert shares.to_dict("records") == [
        {"ward_code": "A", "service": "sanitation", "people": 100.0, "share_below_basic": 0.3}
    ]


def test_census_shares_of_nobody_counted_are_unknown() -> None:
    census = pd.DataFrame(
        {"ward_code": "A", "service": "refuse", "category": ["not_applicable"], "value": [4.0]}
    )
    assert census_shares(census).empty
    zero = census.assign(category="own_refuse_dump", value=0.0)
    assert np.isnan(census_shares(zero)["share_below_basic"].iloc[0])


def test_census_mapping_covers_exactly_the_real_categories() -> None:
    header = pd.read_csv(CENSUS_WIDE, nrows=0).columns
    for prefix, service in SERVICES.items():
        present = {c.removeprefix(prefix + "__") for c in header if c.startswith(prefix + "__")}
        assert present - NOT_COUNTED == set(CENSUS_BELOW_BASIC[service]), service


def test_census_shares_of_real_wards() -> None:
    wide = pd.read_csv(CENSUS_WIDE, dtype={"geo_code": str, "geo_version": str}, nrows=300)
    shares = census_shares(census_indicators(wide))
    assert set(shares["service"]) == {"water", "sanitation", "refuse", "electricity"}
    assert shares["share_below_basic"].between(0, 1).all()
    ward = shares[shares["ward_code"] == "10101001"].set_index("service")["share_below_basic"]
    # Matzikama ward 1, read off the CSV: the 2016 rows for water and refuse, 2011 lighting.
    # water: below = dam 1379 + other 190 + rain 93 + river 148 + spring 21 + tanker 281
    # + vendor 56 = 2168 of 10319 counted (regional scheme 7909, borehole 242)
    assert ward["water"] == pytest.approx(2168 / 10319)
    # refuse: 7005 removed weekly of 10302 counted (not applicable 33, unspecified 17 out)
    assert ward["refuse"] == pytest.approx(3297 / 10302)
    # lighting: electricity 8411 of 9019 counted
    assert ward["electricity"] == pytest.approx(608 / 9019)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"category": "piped_from_moon"}, "piped_from_moon"),
        ({"service": "roads"}, "roads"),
        ({"value": -1.0}, "negative"),
        ({"value": "many"}, "not a number"),
    ],
)
def test_census_shares_refuse_bad_rows(change: dict[str, object], message: str) -> None:
    census = pd.DataFrame(
        {"ward_code": ["A"], "service": ["water"], "category": ["borehole"], "value": [1.0]}
    )
    with pytest.raises(InvalidInputError, match=message):
        census_shares(census.assign(**change))


def test_census_shares_refuse_a_category_counted_twice() -> None:
    census = pd.DataFrame(
        {"ward_code": "A", "service": "water", "category": ["borehole"] * 2, "value": 1.0}
    )
    with pytest.raises(InvalidInputError, match="repeat"):
        census_shares(census)


def test_survey_basic_levels_are_on_the_scales() -> None:
    for service, level in SURVEY_BASIC_LEVEL.items():
        scale = SCALES[Service(service)]
        assert 0 <= scale.code(level) < len(scale.levels) - 1


def test_survey_shares_from_ward_needs() -> None:
    responses = pd.DataFrame(
        {
            "ward_code": ["A", "A", "A", "A", "B"],
            # water: piped_in_dwelling, in yard, tap within 200 m, further, surface water
            "water_access": [0, 1, 2, 3, 6],
            # sanitation: flush, VIP, unventilated pit, bucket, flush
            "sanitation_access": [0, 3, 4, 5, 0],
            # electricity: own meter, shared, none, own meter, shared
            "electricity_access": [0, 1, 3, 0, 1],
            "refuse_access": [0, 0, 1, None, 0],
            "needs": [[], [], [], [], []],
        }
    )
    shares = survey_shares(ward_needs(responses)).set_index(["ward_code", "service"])
    assert shares.loc[("A", "water"), "households"] == 4
    assert shares.loc[("A", "water"), "share_below_basic"] == pytest.approx(0.25)
    assert shares.loc[("B", "water"), "share_below_basic"] == pytest.approx(1.0)
    assert shares.loc[("A", "sanitation"), "share_below_basic"] == pytest.approx(0.5)
    assert shares.loc[("A", "electricity"), "share_below_basic"] == pytest.approx(0.5)
    assert shares.loc[("B", "electricity"), "share_below_basic"] == pytest.approx(1.0)
    assert shares.loc[("A", "refuse"), "households"] == 3
    assert shares.loc[("A", "refuse"), "share_below_basic"] == pytest.approx(1 / 3)
    assert "needs" not in shares.index.get_level_values("service")


def test_survey_shares_refuse_two_periods_and_bad_shares() -> None:
    rows = pd.DataFrame(
        {
            "ward_code": "A",
            "service": "refuse",
            "category": ["households", "below:removed_weekly"],
            "value": [10.0, 0.4],
            "period": ["2025", "2026"],
        }
    )
    with pytest.raises(InvalidInputError, match="more than one period"):
        survey_shares(rows)
    with pytest.raises(InvalidInputError, match="outside 0 to 1"):
        survey_shares(rows.assign(period="all", value=[10.0, 1.5]))
