"""Incident counts and rates per 1,000 households, per ward, service group and quarter."""

from __future__ import annotations

import pandas as pd


def quarter(timestamps: pd.Series) -> pd.Series:
    """The calendar quarter of each timestamp, as ``2026-Q3``."""
    labels: pd.Series = timestamps.dt.year.astype(str) + "-Q" + timestamps.dt.quarter.astype(str)
    return labels


def incident_rates(incidents: pd.DataFrame, households: pd.Series) -> pd.DataFrame:
    """Count incidents per (ward, service group, period) and rate them per 1,000 households.

    Parameters
    ----------
    incidents : DataFrame
        One row per incident with ``ward_code``, ``service_group`` and ``period``.
    households : Series
        Households per ward code; wards without a count get no rate (NaN), not a guess.

    Returns
    -------
    DataFrame
        ``ward_code, service_group, period, incidents, per_1000_households``.

    Examples
    --------
    >>> inc = pd.DataFrame({"ward_code": ["A", "A", "B"], "service_group": "water"})
    >>> rates = incident_rates(inc.assign(period="all"), pd.Series({"A": 500, "B": 0}))
    >>> rates[["ward_code", "incidents", "per_1000_households"]].values.tolist()
    [['A', 2, 4.0], ['B', 1, nan]]
    """
    counts = (
        incidents.dropna(subset=["ward_code"])
        .groupby(["ward_code", "service_group", "period"], observed=True)
        .size()
        .rename("incidents")
        .reset_index()
    )
    per_ward = counts["ward_code"].map(households).astype(float)
    per_ward = per_ward.where(per_ward > 0)
    counts["per_1000_households"] = counts["incidents"] / per_ward * 1000
    return counts
