"""The five components of the needs index, checked and normalised to 0..1.

- ``survey``: the survey share of households below the basic level (``baseline``);
- ``census``: the Census 2011 share of people below the basic level (``baseline``);
- ``incidents``: service failures reported in the period per 1,000 households;
- ``backlog``: requests still open per 1,000 households;
- ``breaches``: the share of the period's requests that breached a service standard.

Shares are already on a common, absolute scale and are used as they are, so a ward
where 60% lack water needs more than one where 30% do, whatever the other wards show.
The rates have no natural maximum: each is divided by a cap and clipped to 1. The
default cap is the 95th percentile of the rate over every ward-service row that has it:
a robust "very high" that one extreme ward (a burst main in a ward with few households)
cannot set on its own, and one cap across services, so scores stay comparable between
water and refuse. A planner can pass caps (a policy maximum, say) instead. Min-max
scaling (scikit-learn's ``MinMaxScaler``) is not used: it would let the single worst
ward set the scale and would stretch shares that are already absolute.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from geosvc.errors import InvalidInputError

COMPONENTS: tuple[str, ...] = ("survey", "census", "incidents", "backlog", "breaches")
SHARE_COMPONENTS: tuple[str, ...] = ("survey", "census", "breaches")
RATE_COMPONENTS: tuple[str, ...] = ("incidents", "backlog")
CAP_QUANTILE = 0.95
"""The quantile of a rate over all ward-service rows that is its default cap."""

DEFAULT_WEIGHTS: Mapping[str, float] = {
    # Households' own account of their access now: the most direct evidence of need.
    "survey": 0.30,
    # The same measure for every household, but from 2011 and on older ward boundaries.
    "census": 0.15,
    # Failures reported now; reporting depends on who reports (households with no
    # service at all report little), so less than the survey.
    "incidents": 0.20,
    # Failures still unfixed: need that is unmet today.
    "backlog": 0.20,
    # Breached standards measure the response more than the need itself.
    "breaches": 0.15,
}
"""The weights of the components, summing to 1; a planner may override them."""

KEYS = ["ward_code", "service"]


def normalise_components(
    raw: pd.DataFrame, caps: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Each component's raw value and its 0..1 normalised value, per ward and service.

    Parameters
    ----------
    raw : DataFrame
        ``ward_code``, ``service`` and the five raw components, NaN where unknown. The
        shares must lie in 0..1 and the rates must not be negative.
    caps : Mapping, optional
        Caps for ``incidents`` and ``backlog``; a rate at or above its cap normalises
        to 1. A component left out gets the default cap (``default_caps``).

    Returns
    -------
    DataFrame
        ``ward_code, service`` and ``{c}_raw, {c}_norm`` for each component; the caps
        used are in ``attrs["caps"]``.

    Examples
    --------
    >>> raw = pd.DataFrame({"ward_code": ["A", "B"], "service": "water", "survey": [0.4, None],
    ...                     "census": None, "incidents": [10.0, 40.0], "backlog": None,
    ...                     "breaches": None})
    >>> out = normalise_components(raw, caps={"incidents": 20})
    >>> out[["survey_norm", "incidents_norm"]].values.tolist()
    [[0.4, 0.5], [nan, 1.0]]
    """
    values = _checked_raw(raw)
    used = default_caps(values) | _checked_caps(caps)
    out = values[KEYS].copy()
    for component in COMPONENTS:
        column = values[component]
        out[f"{component}_raw"] = column
        if component in RATE_COMPONENTS:
            column = _capped(column, used[component])
        out[f"{component}_norm"] = column
    out.attrs["caps"] = used
    return out


def default_caps(raw: pd.DataFrame) -> dict[str, float]:
    """The default cap of each rate: its ``CAP_QUANTILE`` over the rows that have it.

    When that quantile is 0 (most rows have no incidents) the largest value is the cap,
    so the few non-zero rows still count; NaN when no row has the rate.

    >>> rates = pd.DataFrame({"incidents": [0.0] * 30 + [5.0], "backlog": range(31)})
    >>> default_caps(rates)
    {'incidents': 5.0, 'backlog': 28.5}
    """
    caps = {}
    for component in RATE_COMPONENTS:
        known = raw[component].dropna()
        cap = float(known.quantile(CAP_QUANTILE)) if len(known) else np.nan
        caps[component] = cap if cap > 0 or not len(known) else float(known.max())
    return caps


def normalised_weights(weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """Component weights scaled to sum to 1; components not named get weight 0.

    ``DEFAULT_WEIGHTS`` when ``weights`` is None. Raises InvalidInputError for an unknown
    component, a negative or non-finite weight, or weights that are all zero.

    >>> normalised_weights({"survey": 3, "census": 1})["survey"]
    0.75
    """
    if weights is None:
        weights = DEFAULT_WEIGHTS
    unknown = sorted(set(weights) - set(COMPONENTS))
    if unknown:
        raise InvalidInputError(
            f"unknown component(s) in weights: {', '.join(unknown)}; "
            f"known: {', '.join(COMPONENTS)}."
        )
    given = {c: float(weights.get(c, 0.0)) for c in COMPONENTS}
    bad = [c for c, w in given.items() if not np.isfinite(w) or w < 0]
    if bad:
        raise InvalidInputError(f"weight of {bad[0]} must be a non-negative number.")
    total = sum(given.values())
    if total == 0:
        raise InvalidInputError("weights are all zero; give at least one a positive weight.")
    return {c: w / total for c, w in given.items()}


def _checked_raw(raw: pd.DataFrame) -> pd.DataFrame:
    """The raw components as floats, after checking columns, ranges and duplicates."""
    missing = [c for c in (*KEYS, *COMPONENTS) if c not in raw.columns]
    if missing:
        raise InvalidInputError(f"needs components lack column(s): {', '.join(missing)}.")
    twice = raw.duplicated(KEYS, keep=False)
    if twice.any():
        first = raw.loc[twice, KEYS].iloc[0]
        raise InvalidInputError(
            f"ward {first['ward_code']}, {first['service']} appears more than once."
        )
    values = raw[KEYS].copy()
    for component in COMPONENTS:
        column = pd.to_numeric(raw[component], errors="coerce").astype(float)
        if (column.isna() & raw[component].notna()).any():
            raise InvalidInputError(f"{component} holds a value that is not a number.")
        high = 1.0 if component in SHARE_COMPONENTS else np.inf
        if (~column.dropna().between(0, high)).any():
            limits = "0 to 1" if component in SHARE_COMPONENTS else "0 or more"
            found = column[~column.between(0, high) & column.notna()].iloc[0]
            raise InvalidInputError(f"{component} must be {limits}; found {found}.")
        values[component] = column
    return values


def _checked_caps(caps: Mapping[str, float] | None) -> dict[str, float]:
    if caps is None:
        return {}
    unknown = sorted(set(caps) - set(RATE_COMPONENTS))
    if unknown:
        raise InvalidInputError(
            f"caps apply only to {', '.join(RATE_COMPONENTS)}, not {', '.join(unknown)}."
        )
    checked = {c: float(v) for c, v in caps.items()}
    bad = [c for c, v in checked.items() if not np.isfinite(v) or v <= 0]
    if bad:
        raise InvalidInputError(f"the cap of {bad[0]} must be a positive number.")
    return checked


def _capped(rate: pd.Series, cap: float) -> pd.Series:
    """``rate / cap`` clipped to 1; NaN where the rate is unknown or nobody has it."""
    if not np.isfinite(cap) or cap <= 0:
        return rate * 0.0
    return (rate / cap).clip(upper=1.0)
