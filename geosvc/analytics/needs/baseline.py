"""Shares of a ward below the basic level of service, from Census 2011 and from surveys.

The basic level is South Africa's national standard, the RDP / Free Basic Services level:

- water: a tap with clean water within 200 m of the dwelling (the Strategic Framework for
  Water Services, 2003);
- sanitation: a ventilated improved pit latrine (VIP) or better (the National Sanitation
  Policy);
- refuse: removed at least once a week (the National Domestic Waste Collection Standards,
  2011);
- electricity: a connection to the grid (the Free Basic Electricity policy).

Census 2011 asked for the main source of water, the toilet facility, refuse removal and
the energy for lighting; each answer category is mapped, in ``CENSUS_BELOW_BASIC``, to
basic or below. Surveys store the share below each level of an ordered scale
(``geosvc.surveys.scales``); ``SURVEY_BASIC_LEVEL`` names the level that is basic, so the
share below basic is the ``below:<level>`` share.

Examples
--------
>>> census = pd.DataFrame({
...     "ward_code": "A", "service": "water",
...     "category": ["regional_scheme", "river_stream", "not_applicable"],
...     "value": [75.0, 25.0, 10.0],
... })
>>> census_shares(census).to_dict("records")
[{'ward_code': 'A', 'service': 'water', 'people': 100.0, 'share_below_basic': 0.25}]
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geosvc.errors import InvalidInputError

NOT_COUNTED: frozenset[str] = frozenset({"not_applicable", "unspecified"})
"""Census categories left out of the denominator: no answer, or not a household."""

CENSUS_BELOW_BASIC: Mapping[str, Mapping[str, bool]] = {
    # Source of water. The census asked for the main source, not the distance to a tap: a
    # regional or local scheme is the reticulated (piped) supply the standard requires, and
    # a borehole is counted basic because in 2011 many small-town schemes were borehole-fed
    # and a private borehole also gives a safe supply on the property. The rest is below:
    # rain tanks fail in the dry season, tankers and vendors are stop-gaps, surface water
    # and springs are unsafe, "other" is unknown and counted conservatively as below.
    "water": {
        "regional_scheme": False,
        "borehole": False,
        "rain_water_tank": True,
        "water_tanker": True,
        "water_vendor": True,
        "spring": True,
        "river_stream": True,
        "dam_pool_stagnant_water": True,
        "other": True,
    },
    # Toilet facility: a VIP latrine or better (chemical toilets rank above VIP on the
    # survey scale, so they count as basic here too). The 2011 and 2016 ward tables spell
    # the pit and bucket categories differently; both spellings are listed.
    "sanitation": {
        "flush_toilet_connected_to_sewerage_system": False,
        "flush_toilet_with_septic_tank": False,
        "chemical_toilet": False,
        "pit_toilet_with_ventilation_vip": False,
        "pit_latrine_with_ventilation_vip": False,
        "pit_toilet_without_ventilation": True,
        "pit_latrine_without_ventilation": True,
        "bucket_toilet": True,
        "bucket_latrine": True,
        "none": True,
        "other": True,
    },
    # Refuse removal: by the municipality or its contractor at least once a week.
    "refuse": {
        "removed_by_local_authority_private_company_at_least_once_a_week": False,
        "removed_by_local_authority_private_company_less_often": True,
        "communal_refuse_dump": True,
        "own_refuse_dump": True,
        "no_rubbish_disposal": True,
        "other": True,
    },
    # Energy for lighting: electricity is the only category showing a connection (legal
    # or not: the census cannot tell an informal connection apart, so this share is a
    # lower bound of the survey's). Solar counts as below, as on the survey scale.
    "electricity": {
        "electricity": False,
        "solar": True,
        "gas": True,
        "paraffin": True,
        "candles_not_a_valid_option": True,  # Wazimap's name for "candles"
        "none": True,
    },
}
"""Per service, each counted census category: True when it is below the basic level."""

SURVEY_BASIC_LEVEL: Mapping[str, str] = {
    "water": "communal_tap_within_200m",
    "sanitation": "pit_ventilated",
    # The household's own metered connection: a line from a neighbour, a shared meter or
    # a self-made connection is below, as it gets no Free Basic Electricity and is unsafe.
    "electricity": "grid_metered",
    "refuse": "removed_weekly",
}
"""Per service, the survey access level that is the basic level (``geosvc.surveys.scales``)."""

_INDICATOR_KEYS = ("ward_code", "service", "category", "value")


def census_shares(census: pd.DataFrame) -> pd.DataFrame:
    """The share of people counted below the basic level, per ward and service.

    Parameters
    ----------
    census : DataFrame
        ``ward_indicator`` rows of source ``census2011``: ``ward_code``, ``service``,
        ``category`` and ``value`` (a count, persons; the 2016-boundary toilet counts are
        households, as the rows' ``unit`` says).

    Returns
    -------
    DataFrame
        ``ward_code, service, people, share_below_basic``: ``people`` counted with an
        answer (``not_applicable`` and ``unspecified`` left out) and the share of them
        below basic, 0 to 1 (NaN when nobody was counted).

    Raises
    ------
    InvalidInputError
        A missing column, a negative or non-numeric count, a service or category that
        ``CENSUS_BELOW_BASIC`` does not know, or a ward counted twice in one category.
    """
    rows = _checked_indicators(census, "census")
    unknown_service = ~rows["service"].isin(list(CENSUS_BELOW_BASIC))
    if unknown_service.any():
        raise InvalidInputError(
            f"census service {rows.loc[unknown_service, 'service'].iloc[0]!r} has no basic "
            f"level; known services: {', '.join(CENSUS_BELOW_BASIC)}."
        )
    _refuse_duplicates(rows, ["ward_code", "service", "category"], "census")
    counted = rows[~rows["category"].isin(list(NOT_COUNTED))]
    below = _below_flags(counted)
    people = counted.groupby(["ward_code", "service"], sort=True)["value"].sum()
    under = counted["value"].where(below, 0.0).groupby([counted["ward_code"], counted["service"]])
    shares = under.sum().reindex(people.index) / people.where(people > 0)
    return pd.DataFrame({"people": people, "share_below_basic": shares.astype(float)}).reset_index()


def survey_shares(survey: pd.DataFrame) -> pd.DataFrame:
    """The share of surveyed households below the basic level, per ward and service.

    Parameters
    ----------
    survey : DataFrame
        ``ward_indicator`` rows of source ``survey`` for one period: ``ward_code``,
        ``service``, ``category`` and ``value``. Per ward and service ``households`` and
        ``below:<level>`` shares (``geosvc.surveys.needs``); services without a basic
        level (``needs``) and the other ``below:`` levels are ignored.

    Returns
    -------
    DataFrame
        ``ward_code, service, households, share_below_basic`` (0 to 1; NaN where the
        ward has a household count but no share).

    Raises
    ------
    InvalidInputError
        A missing column, more than one period, a share outside 0 to 1, a negative count
        or a ward reported twice.

    Examples
    --------
    >>> survey = pd.DataFrame({
    ...     "ward_code": "A", "service": "water",
    ...     "category": ["households", "below:piped_in_yard", "below:communal_tap_within_200m"],
    ...     "value": [40.0, 0.5, 0.2],
    ... })
    >>> survey_shares(survey).to_dict("records")
    [{'ward_code': 'A', 'service': 'water', 'households': 40.0, 'share_below_basic': 0.2}]
    """
    rows = _checked_indicators(survey, "survey")
    if "period" in survey.columns and survey["period"].nunique() > 1:
        raise InvalidInputError(
            "survey rows cover more than one period "
            f"({', '.join(map(str, survey['period'].unique()))}); pass one period at a time."
        )
    basic = rows["service"].map(SURVEY_BASIC_LEVEL)
    households = rows[basic.notna() & (rows["category"] == "households")]
    shares = rows[basic.notna() & (rows["category"] == "below:" + basic.fillna(""))]
    _refuse_duplicates(households, ["ward_code", "service"], "survey households")
    _refuse_duplicates(shares, ["ward_code", "service"], "survey share")
    outside = ~shares["value"].between(0, 1)
    if outside.any():
        raise InvalidInputError(
            f"survey share {shares.loc[outside, 'value'].iloc[0]} for ward "
            f"{shares.loc[outside, 'ward_code'].iloc[0]} is outside 0 to 1."
        )
    keys = ["ward_code", "service"]
    out = (
        households[[*keys, "value"]]
        .rename(columns={"value": "households"})
        .merge(
            shares[[*keys, "value"]].rename(columns={"value": "share_below_basic"}),
            on=keys,
            how="left",
        )
    )
    return out.sort_values(keys, ignore_index=True)


def _checked_indicators(rows: pd.DataFrame, what: str) -> pd.DataFrame:
    """The indicator key columns, with numeric non-negative values; refuses anything else."""
    missing = [c for c in _INDICATOR_KEYS if c not in rows.columns]
    if missing:
        raise InvalidInputError(f"{what} rows lack column(s): {', '.join(missing)}.")
    values = pd.to_numeric(rows["value"], errors="coerce")
    bad = values.isna() & rows["value"].notna()
    if bad.any():
        raise InvalidInputError(f"{what} value {rows.loc[bad, 'value'].iloc[0]!r} is not a number.")
    out = rows[list(_INDICATOR_KEYS)].assign(value=values.astype(float)).dropna(subset=["value"])
    if (out["value"] < 0).any():
        first = out[out["value"] < 0].iloc[0]
        raise InvalidInputError(
            f"{what} value for ward {first['ward_code']}, {first['service']} "
            f"{first['category']} is negative ({first['value']})."
        )
    return out.astype({"ward_code": object, "service": object, "category": object})


def _refuse_duplicates(rows: pd.DataFrame, keys: list[str], what: str) -> None:
    twice = rows.duplicated(keys, keep=False)
    if twice.any():
        first = rows.loc[twice, keys].iloc[0]
        raise InvalidInputError(
            f"{what} rows repeat {', '.join(map(str, first))}; give one row each."
        )


def _below_flags(counted: pd.DataFrame) -> pd.Series:
    """Whether each counted category is below basic; refuses a category not in the mapping."""
    lookup = pd.Series(
        {
            (service, category): below
            for service, categories in CENSUS_BELOW_BASIC.items()
            for category, below in categories.items()
        },
        dtype="boolean",
    )
    keys = pd.MultiIndex.from_arrays([counted["service"], counted["category"]])
    below = pd.Series(lookup.reindex(keys).to_numpy(), index=counted.index, dtype="boolean")
    unknown = below.isna()
    if unknown.any():
        first = counted[unknown].iloc[0]
        raise InvalidInputError(
            f"census category {first['category']!r} of {first['service']} is not in "
            "CENSUS_BELOW_BASIC: say whether it is below the basic level."
        )
    return below.astype(bool)
