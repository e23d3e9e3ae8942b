"""The municipal scoreboard: how a municipality answers its residents' service requests.

Per group (municipality, ward, service group or service type): how many requests came
in, whether they were acknowledged and closed within the service standard, how long
closing took, what is still open and overdue, escalations, and what residents said
(mean satisfaction, net promoter score).

Groups are ranked on a composite, the mean of the two within-standard shares
(acknowledged and closed in time, equal weight: a fast acknowledgement does not make up
for a slow repair, nor the reverse; a group with only one of the two is ranked on that
one). Groups with fewer than ``min_requests`` requests are shown but not ranked
(``suppressed``): with small numbers one late request swings a share by tens of points,
and small numbers must not mislead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from geosvc.errors import InvalidInputError
from geosvc.requests.transitions import Status

GROUP_COLUMNS = ("municipality_code", "ward_code", "service", "service_code")
TIME_COLUMNS = ("requested_at", "acknowledged_at", "acknowledge_due_at", "closed_at", "due_at")
REQUEST_COLUMNS = (
    *GROUP_COLUMNS,
    "status",
    *TIME_COLUMNS,
    "working_days_to_close",
    "escalations",
    "satisfaction",
    "recommend",
)
PROMOTER_FROM = 9
"""A ``recommend`` answer of 9 or 10 is a promoter."""
DETRACTOR_UP_TO = 6
"""A ``recommend`` answer of 0 to 6 is a detractor (the net promoter convention)."""


def scoreboard(
    requests: pd.DataFrame,
    *,
    by: Sequence[str] = ("municipality_code",),
    min_requests: int = 20,
    now: datetime,
) -> pd.DataFrame:
    """How each group answers its requests, ranked where there are enough of them.

    Parameters
    ----------
    requests : DataFrame
        One row per request (compliments excluded) with ``REQUEST_COLUMNS``; times are
        timezone-aware (NaT allowed), ``escalations`` a count, ``satisfaction`` 1 to 5
        and ``recommend`` 0 to 10 (NaN when not answered).
    by : sequence of str
        The group columns, any of ``GROUP_COLUMNS``.
    min_requests : int
        Groups with fewer requests are not ranked.
    now : datetime
        The moment the board is made (timezone-aware): what is due or overdue by then.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``requests``, ``acknowledged_within_standard`` (of requests
        whose acknowledgement was due by ``now``, the share acknowledged by the due
        time), ``closed_within_standard`` (of requests due by ``now``, the share closed
        by the due time), ``median_working_days_to_close``, ``backlog`` (open),
        ``overdue`` (open past due), ``escalations`` (total), ``satisfaction`` (mean),
        ``ratings`` (count), ``nps`` (-100 to 100, NaN without answers), ``composite``,
        ``rank`` (1 = best; NA when suppressed or nothing was due) and ``suppressed``.
        Requests without a due date are left out of the within-standard shares. Sorted
        by rank, then by the group columns.

    Examples
    --------
    >>> t = pd.Timestamp("2026-03-02 09:00", tz="Africa/Johannesburg")
    >>> requests = pd.DataFrame({
    ...     "municipality_code": "JHB", "ward_code": "79800001", "service": "water",
    ...     "service_code": "water_leak", "status": ["closed", "closed", "in_progress"],
    ...     "requested_at": t, "acknowledged_at": [t, t + pd.Timedelta(days=3), pd.NaT],
    ...     "acknowledge_due_at": t + pd.Timedelta(days=1),
    ...     "closed_at": [t + pd.Timedelta(days=2), t + pd.Timedelta(days=9), pd.NaT],
    ...     "due_at": t + pd.Timedelta(days=3), "working_days_to_close": [2.0, 6.0, None],
    ...     "escalations": [0, 2, 1], "satisfaction": [5, 2, None],
    ...     "recommend": [10, 3, None]})
    >>> board = scoreboard(requests, now=t + pd.Timedelta(days=10), min_requests=2)
    >>> board[["requests", "acknowledged_within_standard", "closed_within_standard",
    ...        "median_working_days_to_close", "backlog", "overdue", "nps", "rank"]
    ...       ].round(3).values.tolist()
    [[3, 0.333, 0.333, 4.0, 1, 1, 0.0, 1]]
    """
    groups = _checked_groups(by)
    when = _checked_now(now)
    if min_requests < 1:
        raise InvalidInputError(f"min_requests must be at least 1, not {min_requests}.")
    flags = _request_flags(_checked_requests(requests), when)
    board = _aggregate(flags, groups)
    return _ranked(board, groups, min_requests)


def _checked_groups(by: Sequence[str]) -> list[str]:
    groups = [by] if isinstance(by, str) else list(by)
    unknown = [c for c in groups if c not in GROUP_COLUMNS]
    if not groups or unknown or len(set(groups)) != len(groups):
        raise InvalidInputError(
            f"by must name distinct columns among {', '.join(GROUP_COLUMNS)}; got {groups}."
        )
    return groups


def _checked_now(now: datetime) -> pd.Timestamp:
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidInputError("now must be timezone-aware.")
    return pd.Timestamp(now).tz_convert("UTC")


def _checked_requests(requests: pd.DataFrame) -> pd.DataFrame:
    """The request columns with times in UTC and answers as floats, after range checks."""
    missing = [c for c in REQUEST_COLUMNS if c not in requests.columns]
    if missing:
        raise InvalidInputError(f"requests lack column(s): {', '.join(missing)}.")
    frame = requests[list(REQUEST_COLUMNS)].copy()
    for column in TIME_COLUMNS:
        frame[column] = _utc(frame[column], column)
    ranges = {"satisfaction": (1, 5), "recommend": (0, 10), "escalations": (0, np.inf)}
    for column in ("working_days_to_close", *ranges):
        numbers = pd.to_numeric(frame[column], errors="coerce").astype(float)
        if (numbers.isna() & frame[column].notna()).any():
            raise InvalidInputError(f"{column} holds a value that is not a number.")
        low, high = ranges.get(column, (0, np.inf))
        outside = numbers.notna() & ~numbers.between(low, high)
        if outside.any():
            raise InvalidInputError(
                f"{column} must lie in {low} to {high}; found {numbers[outside].iloc[0]}."
            )
        frame[column] = numbers
    frame["escalations"] = frame["escalations"].fillna(0.0)
    return frame


def _utc(values: pd.Series, column: str) -> pd.Series:
    """``values`` as UTC timestamps; refuses naive times, which would be guessed."""
    if values.isna().all():
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        converted: pd.Series = values.dt.tz_convert("UTC")
        return converted
    known = values.dropna()
    naive = pd.api.types.is_datetime64_dtype(values.dtype) or any(
        getattr(v, "tzinfo", None) is None for v in known
    )
    if naive:
        raise InvalidInputError(f"{column} holds times without a timezone.")
    try:
        parsed: pd.Series = pd.to_datetime(values, utc=True)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{column} holds a value that is not a time.") from None
    return parsed


def _request_flags(frame: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Per request: what was due by ``now``, what was met, and what is open or overdue."""
    is_open = frame["status"] != Status.CLOSED
    ack_due = frame["acknowledge_due_at"].notna() & (frame["acknowledge_due_at"] <= now)
    close_due = frame["due_at"].notna() & (frame["due_at"] <= now)
    recommend = frame["recommend"]
    return frame.assign(
        ack_due=ack_due,
        ack_met=ack_due & (frame["acknowledged_at"] <= frame["acknowledge_due_at"]),
        close_due=close_due,
        close_met=close_due & (frame["closed_at"] <= frame["due_at"]),
        open=is_open,
        overdue=is_open & frame["due_at"].notna() & (frame["due_at"] < now),
        answered=recommend.notna(),
        promoter=recommend >= PROMOTER_FROM,
        detractor=recommend <= DETRACTOR_UP_TO,
    )


def _aggregate(flags: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    grouped = flags.groupby(groups, dropna=False, sort=True)
    sums = grouped[["ack_due", "ack_met", "close_due", "close_met", "open", "overdue"]].sum()
    answers = grouped[["answered", "promoter", "detractor"]].sum()
    board = pd.DataFrame(
        {
            "requests": grouped.size(),
            "acknowledged_within_standard": sums["ack_met"] / sums["ack_due"].replace(0, np.nan),
            "closed_within_standard": sums["close_met"] / sums["close_due"].replace(0, np.nan),
            "median_working_days_to_close": grouped["working_days_to_close"].median(),
            "backlog": sums["open"],
            "overdue": sums["overdue"],
            "escalations": grouped["escalations"].sum().astype(int),
            "satisfaction": grouped["satisfaction"].mean(),
            "ratings": grouped["satisfaction"].count(),
            "nps": (answers["promoter"] - answers["detractor"])
            / answers["answered"].replace(0, np.nan)
            * 100,
        }
    )
    return board.reset_index()


def _ranked(board: pd.DataFrame, groups: list[str], min_requests: int) -> pd.DataFrame:
    shares = board[["acknowledged_within_standard", "closed_within_standard"]]
    board["composite"] = shares.mean(axis=1, skipna=True)
    board["suppressed"] = board["requests"] < min_requests
    rankable = board["composite"].where(~board["suppressed"])
    board["rank"] = rankable.rank(method="min", ascending=False).astype("Int64")
    board = board.sort_values(["rank", *groups], na_position="last", ignore_index=True)
    columns = [*groups, "requests", "acknowledged_within_standard", "closed_within_standard"]
    columns += ["median_working_days_to_close", "backlog", "overdue", "escalations"]
    columns += ["satisfaction", "ratings", "nps", "composite", "rank", "suppressed"]
    return board[columns]
