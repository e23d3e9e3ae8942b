"""Resource allocations per ward and service, and need against delivery.

An allocation row says what was planned and what was delivered for one ward, service
and period: a budget (rand), units (taps, toilets, kilometres of pipe, named in
``unit``) or both. ``delivery_gaps`` sets each ward's share of the municipality's need
for a service beside its share of what was delivered for it: a positive gap is a ward
that gets less than its share of need.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from geosvc.errors import InvalidInputError, SourceFileError

ALLOCATION_COLUMNS = (
    "ward_code",
    "service",
    "period",
    "planned_budget",
    "delivered_budget",
    "planned_units",
    "delivered_units",
    "unit",
)
AMOUNT_COLUMNS = ("planned_budget", "delivered_budget", "planned_units", "delivered_units")
KEY_COLUMNS = ("ward_code", "service", "period")
UNREALISED_BELOW = 0.8
"""Delivery below 80% of plan is flagged ``unrealised``. A planning convention, not a
statutory figure: municipalities are commonly judged on spending at least about 80-90% of
their capital budget (the Auditor-General and National Treasury report under-spending
against such levels); pass ``unrealised_below`` to use another threshold."""

_FIRST_DATA_LINE = 2  # line 1 of the file is the header


def read_allocations(path: Path, *, services: Collection[str] | None = None) -> pd.DataFrame:
    """Read and check an allocations CSV with ``ALLOCATION_COLUMNS``.

    Parameters
    ----------
    path : Path
        A CSV file with a header line. Amounts may be empty; ``unit`` may be empty when
        the row has no units.
    services : Collection of str, optional
        The service groups allowed (from the catalogue); any value when not given.

    Returns
    -------
    DataFrame
        ``ALLOCATION_COLUMNS``, the amounts as floats (NaN where empty).

    Raises
    ------
    SourceFileError
        The file is missing, unreadable or empty.
    InvalidInputError
        A missing column, an empty key, an amount that is not a number or is negative,
        a row with neither budget nor units, units without a ``unit``, an unknown
        service, or a (ward_code, service, period) given twice; the message names the
        line of the file (the header is line 1) and the column.
    """
    frame = _read_csv(path)
    missing = [c for c in ALLOCATION_COLUMNS if c not in frame.columns]
    if missing:
        raise InvalidInputError(f"{path.name} lacks column(s): {', '.join(missing)}.")
    lines = pd.Series(frame.index + _FIRST_DATA_LINE, index=frame.index)
    out = frame[list(ALLOCATION_COLUMNS)].copy()
    for column in (*KEY_COLUMNS, "unit"):
        out[column] = out[column].str.strip().replace("", None)
    _check_keys(out, lines, path, services)
    for column in AMOUNT_COLUMNS:
        out[column] = _amounts(out[column], lines, path, column)
    _check_rows(out, lines, path)
    return out.astype(dict.fromkeys((*KEY_COLUMNS, "unit"), object))


def delivery_gaps(
    index: pd.DataFrame,
    allocations: pd.DataFrame,
    *,
    period: str | None = None,
    unrealised_below: float = UNREALISED_BELOW,
) -> pd.DataFrame:
    """Each ward's share of need against its share of delivery, per service.

    Parameters
    ----------
    index : DataFrame
        ``needs_index`` output: ``ward_code``, ``service``, ``score``, for the wards of
        one municipality (shares are taken over every ward given).
    allocations : DataFrame
        ``read_allocations`` output.
    period : str, optional
        Only allocations of this period; all periods together when not given.
    unrealised_below : float
        ``realised`` below this is flagged ``unrealised``.

    Returns
    -------
    DataFrame
        ``ward_code, service, score, need_share, measure, unit, planned, delivered,
        delivery_share, gap, realised, unrealised``. ``measure`` is ``budget`` when any
        row of the service has a budget, else ``units``. ``need_share`` is the ward's
        score over the sum of the service's scores (NaN when the score is unknown);
        ``delivery_share`` its delivered amount over the service's; ``gap`` = need share
        minus delivery share; ``realised`` = delivered / planned (NaN when nothing was
        planned). A ward with a score but no allocation counts as delivered 0. Sorted by
        gap, largest first (unknown gaps last).

    Examples
    --------
    >>> index = pd.DataFrame({"ward_code": ["A", "B"], "service": "water",
    ...                       "score": [75.0, 25.0]})
    >>> allocations = pd.DataFrame({"ward_code": ["B"], "service": ["water"],
    ...     "period": ["2025/26"], "planned_budget": [100.0], "delivered_budget": [50.0],
    ...     "planned_units": [None], "delivered_units": [None], "unit": [None]})
    >>> gaps = delivery_gaps(index, allocations)
    >>> gaps[["ward_code", "gap", "realised", "unrealised"]].values.tolist()
    [['A', 0.75, nan, False], ['B', -0.75, 0.5, True]]
    """
    missing = [c for c in ("ward_code", "service", "score") if c not in index.columns]
    missing += [c for c in ALLOCATION_COLUMNS if c not in allocations.columns]
    if missing:
        raise InvalidInputError(f"delivery_gaps lacks column(s): {', '.join(missing)}.")
    delivered = _delivered(_in_period(allocations, period))
    needs = index[["ward_code", "service", "score"]].astype({"score": float})
    out = needs.merge(delivered, on=["ward_code", "service"], how="outer")
    for column, default in (("measure", "budget"), ("unit", "rand")):
        out[column] = out.groupby("service")[column].transform("first").fillna(default)
    out["delivered"] = out["delivered"].fillna(0.0)
    by_service = out.groupby("service")
    out["need_share"] = out["score"] / by_service["score"].transform("sum")
    out["delivery_share"] = (
        out["delivered"] / by_service["delivered"].transform("sum").replace(0.0, np.nan)
    ).fillna(0.0)
    out["gap"] = out["need_share"] - out["delivery_share"]
    out["realised"] = out["delivered"] / out["planned"].where(out["planned"] > 0)
    out["unrealised"] = (out["realised"] < unrealised_below).fillna(False).astype(bool)
    out = out.sort_values(
        ["gap", "service", "ward_code"], ascending=[False, True, True], na_position="last"
    )
    columns = ["ward_code", "service", "score", "need_share", "measure", "unit", "planned"]
    columns += ["delivered", "delivery_share", "gap", "realised", "unrealised"]
    return out[columns].reset_index(drop=True)


def _in_period(allocations: pd.DataFrame, period: str | None) -> pd.DataFrame:
    if period is None:
        return allocations
    if not (allocations["period"] == period).any():
        known = ", ".join(sorted(map(str, allocations["period"].unique())))
        raise InvalidInputError(f"no allocations for period {period!r}; periods: {known}.")
    return allocations[allocations["period"] == period]


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise SourceFileError(f"{path} does not exist or is not a file.")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise SourceFileError(f"{path.name} is not a readable CSV file ({error}).") from None
    if frame.empty:
        raise SourceFileError(f"{path.name} has a header but no allocation rows.")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _fail(path: Path, lines: pd.Series, bad: pd.Series, column: str, problem: str) -> None:
    """Raise naming the first line where ``bad`` holds, when it holds anywhere."""
    if bad.any():
        line = int(lines[bad].iloc[0])
        raise InvalidInputError(f"{path.name} line {line}, column {column}: {problem}.")


def _check_keys(
    frame: pd.DataFrame, lines: pd.Series, path: Path, services: Collection[str] | None
) -> None:
    for column in KEY_COLUMNS:
        _fail(path, lines, frame[column].isna(), column, "is empty")
    if services is not None:
        unknown = ~frame["service"].isin(list(services))
        known = ", ".join(sorted(services))
        _fail(path, lines, unknown, "service", f"is not a known service ({known})")
    twice = frame.duplicated(list(KEY_COLUMNS), keep="first")
    if twice.any():
        first = frame[twice].iloc[0]
        same = (frame[list(KEY_COLUMNS)] == first[list(KEY_COLUMNS)]).all(axis=1)
        earlier = int(lines[same].iloc[0])
        problem = f"repeats ward_code, service and period of line {earlier}"
        _fail(path, lines, twice, "ward_code", problem)


def _amounts(values: pd.Series, lines: pd.Series, path: Path, column: str) -> pd.Series:
    text = values.str.strip()
    numbers = pd.to_numeric(text.replace("", None), errors="coerce").astype(float)
    _fail(path, lines, numbers.isna() & (text != ""), column, "is not a number")
    _fail(path, lines, numbers.isin([np.inf, -np.inf]), column, "is not finite")
    _fail(path, lines, numbers < 0, column, "is negative")
    return numbers


def _check_rows(frame: pd.DataFrame, lines: pd.Series, path: Path) -> None:
    budget = frame[["planned_budget", "delivered_budget"]].notna().any(axis=1)
    units = frame[["planned_units", "delivered_units"]].notna().any(axis=1)
    problem = "the row has neither a budget nor units"
    _fail(path, lines, ~budget & ~units, "planned_budget", problem)
    _fail(path, lines, units & frame["unit"].isna(), "unit", "is empty but the row has units")


def _delivered(allocations: pd.DataFrame) -> pd.DataFrame:
    """Planned and delivered per ward and service, in the service's measure."""
    frame = allocations.copy()
    has_budget = frame[["planned_budget", "delivered_budget"]].notna().any(axis=1)
    budget_services = set(frame.loc[has_budget, "service"])
    frame["measure"] = np.where(frame["service"].isin(budget_services), "budget", "units")
    in_units = frame["measure"] == "units"
    units = frame[in_units].groupby("service")["unit"].nunique()
    if (units > 1).any():
        raise InvalidInputError(
            f"{units[units > 1].index[0]} allocations have no budget and count units of "
            "more than one kind; give budgets or one unit."
        )
    frame["planned"] = frame["planned_budget"].where(~in_units, frame["planned_units"])
    frame["delivered"] = frame["delivered_budget"].where(~in_units, frame["delivered_units"])
    frame["unit"] = frame["unit"].where(in_units, "rand")
    sums = frame.groupby(["ward_code", "service"], as_index=False).agg(
        measure=("measure", "first"),
        unit=("unit", "first"),
        planned=("planned", lambda s: s.sum(min_count=1)),
        delivered=("delivered", "sum"),
    )
    return sums
