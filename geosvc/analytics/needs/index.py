"""The needs index: per ward and service, a transparent 0 to 100 score of unmet need.

The components and their normalisation are in ``needs_components``. The score is the
weighted mean of the normalised components present, times 100; missing components (no
survey for roads, say) do not count as zero need, they leave the mean, and ``coverage``
(the sum of the weights present) says how much of the full evidence the score rests on.
Each component's ``contribution`` is its points of the score, so a planner can see why a
ward ranks where it does (``explain``), and ``greatest_need`` lifts the scores to a
municipality: which service needs most there.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from geosvc.analytics.needs.components import (
    CAP_QUANTILE,
    COMPONENTS,
    DEFAULT_WEIGHTS,
    KEYS,
    RATE_COMPONENTS,
    SHARE_COMPONENTS,
    default_caps,
    normalise_components,
    normalised_weights,
)
from geosvc.errors import InvalidInputError

__all__ = [
    "CAP_QUANTILE",
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "RATE_COMPONENTS",
    "SHARE_COMPONENTS",
    "default_caps",
    "explain",
    "greatest_need",
    "needs_index",
    "normalise_components",
    "normalised_weights",
]


def needs_index(
    raw: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    caps: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Score the need of each ward and service, 0 to 100, with each component's part.

    Parameters
    ----------
    raw : DataFrame
        As for ``normalise_components``.
    weights : Mapping, optional
        Non-negative weights over the component names (others count 0), renormalised to
        sum to 1; ``DEFAULT_WEIGHTS`` when not given.
    caps : Mapping, optional
        Rate caps, as for ``normalise_components``.

    Returns
    -------
    DataFrame
        ``ward_code, service, score, rank, coverage`` and ``{c}_raw, {c}_norm,
        {c}_contribution`` per component. ``score`` is NaN when no weighted component is
        known; ``rank`` is 1 for the greatest need within the service, ties sharing the
        lowest rank; contributions sum to the score. The weights used are in
        ``attrs["weights"]`` and the caps in ``attrs["caps"]``.

    Examples
    --------
    >>> raw = pd.DataFrame({"ward_code": ["A", "B"], "service": "water",
    ...                     "survey": [0.8, 0.2], "census": [0.4, None], "incidents": None,
    ...                     "backlog": None, "breaches": None})
    >>> index = needs_index(raw, {"survey": 1, "census": 1})
    >>> index[["ward_code", "score", "rank", "coverage"]].values.tolist()
    [['A', 60.0, 1, 1.0], ['B', 20.0, 2, 0.5]]
    """
    used = normalised_weights(weights)
    norm = normalise_components(raw, caps)
    normalised = norm[[f"{c}_norm" for c in COMPONENTS]].to_numpy(dtype=float)
    weight = np.array([used[c] for c in COMPONENTS])
    present = np.where(np.isnan(normalised), 0.0, weight)
    coverage = present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        parts = np.nan_to_num(normalised) * present / coverage[:, None] * 100
    parts[coverage == 0] = np.nan
    out = norm[KEYS].copy()
    out["score"] = np.where(coverage > 0, np.nansum(parts, axis=1), np.nan)
    out["rank"] = out.groupby("service")["score"].rank(method="min", ascending=False)
    out["rank"] = out["rank"].astype("Int64")
    out["coverage"] = coverage
    for position, component in enumerate(COMPONENTS):
        out[f"{component}_raw"] = norm[f"{component}_raw"]
        out[f"{component}_norm"] = norm[f"{component}_norm"]
        out[f"{component}_contribution"] = np.where(
            np.isnan(normalised[:, position]), np.nan, parts[:, position]
        )
    out.attrs = {"weights": used, "caps": norm.attrs["caps"]}
    return out


def explain(
    index: pd.DataFrame,
    ward_code: str,
    service: str,
    *,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """How one ward's score for one service is made up, one row per component.

    Parameters
    ----------
    index : DataFrame
        ``needs_index`` output.
    ward_code, service : str
        The row to explain.
    weights : Mapping, optional
        The weights the index was built with, when ``index.attrs`` lost them.

    Returns
    -------
    DataFrame
        ``component, raw, normalised, weight, contribution, share_of_score``: ``weight``
        is the component's weight (all five summing to 1); ``contribution`` its points of
        the score; ``share_of_score`` its fraction of the score (NaN for a score of 0).

    Examples
    --------
    >>> raw = pd.DataFrame({"ward_code": ["A"], "service": "water", "survey": [0.8],
    ...                     "census": [0.4], "incidents": None, "backlog": None,
    ...                     "breaches": None})
    >>> table = explain(needs_index(raw, {"survey": 3, "census": 1}), "A", "water")
    >>> table.set_index("component")["contribution"].round(1).to_dict()
    {'survey': 60.0, 'census': 10.0, 'incidents': nan, 'backlog': nan, 'breaches': nan}
    """
    row = index[(index["ward_code"] == ward_code) & (index["service"] == service)]
    if row.empty:
        raise InvalidInputError(f"the index has no row for ward {ward_code}, {service}.")
    used = normalised_weights(weights) if weights is not None else index.attrs.get("weights")
    if used is None:
        raise InvalidInputError("the index carries no weights; pass the weights it was built with.")
    first = row.iloc[0]
    table = pd.DataFrame(
        {
            "component": list(COMPONENTS),
            "raw": [first[f"{c}_raw"] for c in COMPONENTS],
            "normalised": [first[f"{c}_norm"] for c in COMPONENTS],
            "weight": [used[c] for c in COMPONENTS],
            "contribution": [first[f"{c}_contribution"] for c in COMPONENTS],
        }
    ).astype({"raw": float, "normalised": float, "contribution": float})
    score = float(first["score"])
    table["share_of_score"] = table["contribution"] / score if score > 0 else np.nan
    return table


def greatest_need(
    index: pd.DataFrame, wards: pd.DataFrame, *, by: str = "municipality_code"
) -> pd.DataFrame:
    """Per area and service the household-weighted mean need, services ranked per area.

    Each ward's score is weighted by its households, so the area's score is the need of
    the average household there: a small ward with a high score does not outweigh a
    large one. Without a ``households`` column every ward weighs the same; a ward whose
    household count is missing or 0 is left out (its households are unknown).

    Parameters
    ----------
    index : DataFrame
        ``needs_index`` output (``ward_code``, ``service``, ``score``, ``coverage``).
    wards : DataFrame
        ``ward_code``, the ``by`` column and optionally ``households``.
    by : str
        The area column of ``wards``: ``municipality_code`` by default.

    Returns
    -------
    DataFrame
        ``{by}, service, score, coverage, wards, households, rank``: ``wards`` scored and
        their ``households`` (the weight), ``rank`` 1 for the service of greatest need
        in the area (ties share the lowest rank), sorted by area and rank. Rows with no
        scored ward are left out.

    Examples
    --------
    >>> index = pd.DataFrame({"ward_code": ["A", "B", "A", "B"],
    ...                       "service": ["water", "water", "refuse", "refuse"],
    ...                       "score": [80.0, 20.0, 10.0, 40.0], "coverage": 1.0})
    >>> wards = pd.DataFrame({"ward_code": ["A", "B"], "municipality_code": "WR",
    ...                       "households": [300, 100]})
    >>> top = greatest_need(index, wards)
    >>> top[["service", "score", "rank"]].values.tolist()
    [['water', 65.0, 1], ['refuse', 17.5, 2]]
    """
    scored = _weighted_wards(index, wards, by)
    scored["weighted_score"] = scored["score"] * scored["weight"]
    scored["weighted_coverage"] = scored["coverage"] * scored["weight"]
    sums = scored.groupby([by, "service"], sort=True).agg(
        weighted_score=("weighted_score", "sum"),
        weighted_coverage=("weighted_coverage", "sum"),
        weight=("weight", "sum"),
        wards=("ward_code", "nunique"),
        households=("households", "sum"),
    )
    out = pd.DataFrame(
        {
            "score": sums["weighted_score"] / sums["weight"],
            "coverage": sums["weighted_coverage"] / sums["weight"],
            "wards": sums["wards"],
            "households": sums["households"],
        }
    ).reset_index()
    out["rank"] = out.groupby(by)["score"].rank(method="min", ascending=False).astype("Int64")
    return out.sort_values([by, "rank", "service"], ignore_index=True)


def _weighted_wards(index: pd.DataFrame, wards: pd.DataFrame, by: str) -> pd.DataFrame:
    """The scored rows of ``index`` with their ward's area and weight (households or 1)."""
    missing = [c for c in ("ward_code", by) if c not in wards.columns]
    missing += [c for c in ("ward_code", "service", "score", "coverage") if c not in index]
    if missing:
        raise InvalidInputError(f"greatest_need lacks column(s): {', '.join(missing)}.")
    if wards["ward_code"].duplicated().any():
        twice = wards.loc[wards["ward_code"].duplicated(), "ward_code"].iloc[0]
        raise InvalidInputError(f"ward {twice} appears more than once in wards.")
    columns = ["ward_code", by, *(["households"] if "households" in wards else [])]
    areas = wards[columns].copy()
    if "households" in areas:
        households = pd.to_numeric(areas["households"], errors="coerce").astype(float)
        if (households < 0).any():
            raise InvalidInputError("households must not be negative.")
        areas["households"] = households.where(households > 0)
        areas["weight"] = areas["households"]
    else:
        areas["households"] = np.nan
        areas["weight"] = 1.0
    scored = index[["ward_code", "service", "score", "coverage"]].merge(
        areas, on="ward_code", how="inner"
    )
    return scored.dropna(subset=["score", "weight", by])
