"""What the surveyed households of each ward lack, as rows for ``ward_indicator``.

Per ward and service: how many households gave an access level, and for each level the
share of them whose access is worse (``below:piped_in_yard`` is the share with no tap in
the yard or dwelling). Per ward, under service ``needs``: how many households named any
top need, and the share of them naming each of the most named needs.
"""

from __future__ import annotations

import pandas as pd

from geosvc.errors import InvalidInputError
from geosvc.surveys.scales import SCALES, AccessScale
from geosvc.wards.tables import INDICATOR_COLUMNS

SOURCE = "survey"
NEEDS_SERVICE = "needs"


def ward_needs(responses: pd.DataFrame, period: str = "all", top: int = 5) -> pd.DataFrame:
    """Survey indicators per ward, in ``INDICATOR_COLUMNS``, ready for ``ward_indicator``.

    Parameters
    ----------
    responses : DataFrame
        Stored responses: ``ward_code``, the four ``*_access`` level codes (NA where
        unanswered) and ``needs`` (a list of need codes per household).
    period : str
        The period the responses cover: ``all``, or a campaign's name.
    top : int
        How many of a ward's most named needs to report.

    Returns
    -------
    DataFrame
        Categories ``households`` (unit ``households``), ``below:<level>`` for every level
        but the worst and ``need:<need>`` (unit ``share``, 0 to 1). Responses without a
        ward are left out.

    Examples
    --------
    >>> responses = pd.DataFrame({
    ...     "ward_code": ["A", "A", "A", "A"],
    ...     "water_access": [0, 1, 1, 7], "sanitation_access": [0, 0, 0, None],
    ...     "electricity_access": None, "refuse_access": None,
    ...     "needs": [["water"], ["water", "roads"], [], ["housing", "water"]],
    ... })
    >>> rows = ward_needs(responses, top=2).set_index(["service", "category"])["value"]
    >>> rows["water"].head(3).round(2).to_dict()
    {'households': 4.0, 'below:piped_in_dwelling': 0.75, 'below:piped_in_yard': 0.25}
    >>> rows["needs"].round(2).to_dict()
    {'households': 3.0, 'need:water': 1.0, 'need:housing': 0.33}
    """
    located = responses[responses["ward_code"].notna()]
    levels = pd.concat(
        [_level_counts(located, scale) for scale in SCALES.values()], ignore_index=True
    )
    named, needs = _need_counts(located)
    return ward_needs_from_counts(levels, needs, named, period=period, top=top)


def ward_needs_from_counts(
    levels: pd.DataFrame,
    needs: pd.DataFrame,
    named: pd.Series,
    *,
    period: str = "all",
    top: int = 5,
) -> pd.DataFrame:
    """``ward_needs`` from counts already made (by the database, say).

    ``levels`` has ``ward_code``, ``service``, ``code`` (a level code) and ``households``;
    ``needs`` has ``ward_code``, ``need`` and ``households`` (naming it); ``named`` is, per
    ward, the households that named any need.
    """
    if top < 1:
        raise InvalidInputError(f"top must be at least 1, not {top}.")
    parts = [
        _access_rows(levels[levels["service"] == str(scale.service)], scale)
        for scale in SCALES.values()
    ]
    parts.append(_needs_rows(named, needs, top))
    rows = pd.concat(parts, ignore_index=True).assign(source=SOURCE, period=period)
    rows = rows.sort_values("ward_code", kind="stable", ignore_index=True)
    return rows[list(INDICATOR_COLUMNS)]


def _level_counts(responses: pd.DataFrame, scale: AccessScale) -> pd.DataFrame:
    """Households per ward and level code of one service."""
    answered = responses[["ward_code", scale.column]].dropna()
    counts = answered.groupby(["ward_code", scale.column]).size()
    frame = counts.rename("households").reset_index().rename(columns={scale.column: "code"})
    return frame.assign(service=str(scale.service))


def _need_counts(responses: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Per ward, households naming any need; and households naming each need."""
    named = responses[["ward_code", "needs"]].explode("needs").dropna(subset=["needs"])
    named = named.rename_axis("response").reset_index().drop_duplicates(["response", "needs"])
    households = named.groupby("ward_code")["response"].nunique()
    counts = named.groupby(["ward_code", "needs"]).size().rename("households").reset_index()
    return households, counts.rename(columns={"needs": "need"})


def _access_rows(levels: pd.DataFrame, scale: AccessScale) -> pd.DataFrame:
    """Households with a level, and the share below each level but the worst, per ward."""
    codes = levels["code"].astype(int)
    off_scale = ~codes.between(0, len(scale.levels) - 1)
    if off_scale.any():
        raise InvalidInputError(
            f"{scale.column} holds {codes[off_scale].iloc[0]}, which is not a code on the "
            f"{scale.service} scale (0 to {len(scale.levels) - 1})."
        )
    counts = (
        levels.assign(code=codes)
        .pivot_table(index="ward_code", columns="code", values="households", aggfunc="sum")
        .reindex(columns=range(len(scale.levels)), fill_value=0)
        .fillna(0)
    )
    households = counts.sum(axis=1)
    at_or_better = counts.cumsum(axis=1).iloc[:, :-1]
    worse = (1 - at_or_better.div(households, axis=0)).clip(lower=0)
    worse.columns = [f"below:{level}" for level in scale.levels[:-1]]
    shares = worse.rename_axis(index="ward_code").reset_index()
    return _long(
        households,
        shares.melt(id_vars="ward_code", var_name="category", value_name="value"),
        service=str(scale.service),
        counted=f"households that gave a {scale.service} access level",
        share="share of those households with access worse than the level",
    )


def _needs_rows(households: pd.Series, needs: pd.DataFrame, top: int) -> pd.DataFrame:
    """Households naming any need, and the share naming each of the ``top`` needs, per ward."""
    counts = needs.rename(columns={"need": "needs", "households": "count"})
    counts["value"] = counts["count"] / counts["ward_code"].map(households).astype(float)
    counts = counts.sort_values(["ward_code", "value", "needs"], ascending=[True, False, True])
    best = counts.groupby("ward_code").head(top)
    shares = best.assign(category="need:" + best["needs"].astype(str))
    return _long(
        households,
        shares[["ward_code", "category", "value"]],
        service=NEEDS_SERVICE,
        counted="households that named any top need",
        share="share of those households naming the need",
    )


def _long(
    households: pd.Series, shares: pd.DataFrame, service: str, counted: str, share: str
) -> pd.DataFrame:
    """Rows for one service: per ward, its count of households, then its shares in order."""
    count_rows = pd.DataFrame(
        {
            "ward_code": households.index.to_numpy(dtype=object),
            "category": "households",
            "value": households.to_numpy(dtype=float),
            "unit": "households",
            "note": counted,
        }
    )
    share_rows = shares.assign(unit="share", note=share)
    rows = pd.concat([count_rows, share_rows], ignore_index=True)
    rows = rows.sort_values("ward_code", kind="stable", ignore_index=True)
    return rows.astype({"ward_code": object, "category": object, "value": float}).assign(
        service=service
    )
