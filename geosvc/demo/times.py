"""Drawing the demo's moments: whole-month periods and times with a SAST office rhythm.

Requests reach a municipality mostly on weekdays and in office hours (``HOUR_WEIGHTS`` and
``WEEKDAY_WEIGHTS`` in ``geosvc.demo.distributions``, on South African Standard Time); the draws
here follow those weights and stay inside the period asked for.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pandas as pd

from geosvc.demo.distributions import (
    DAY_S,
    EPOCH_WEEKDAY,
    HOUR_WEIGHTS,
    SAST_OFFSET_S,
    WEEKDAY_WEIGHTS,
)

IntArray = npt.NDArray[np.int64]
Period = tuple[datetime, datetime]
"""A half-open period ``[start, end)`` of tz-aware datetimes in UTC."""

__all__ = ["Period", "draw_seconds", "period_before", "utc_times"]


def period_before(end: datetime, months: int) -> Period:
    """The period of whole calendar months before ``end``, counted in ``end``'s time zone."""
    start: datetime = (pd.Timestamp(end) - pd.DateOffset(months=months)).to_pydatetime()
    return start.astimezone(UTC), end.astimezone(UTC)


def draw_seconds(rng: np.random.Generator, count: int, period: Period) -> IntArray:
    """``count`` epoch seconds in ``[start, end)`` with SAST office-hours and weekday rhythms."""
    start_s, end_s = (int(moment.timestamp()) for moment in period)
    first_day, last_day = ((moment + SAST_OFFSET_S) // DAY_S for moment in (start_s, end_s - 1))
    days = np.arange(first_day, last_day + 1)
    day_weights = WEEKDAY_WEIGHTS[(days + EPOCH_WEEKDAY) % 7]
    hour_p = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
    chunks: list[IntArray] = [np.empty(0, dtype=np.int64)]
    missing = count
    while missing > 0:
        batch = 2 * missing + 16
        local_day = rng.choice(days, size=batch, p=day_weights / day_weights.sum())
        hour = rng.choice(24, size=batch, p=hour_p)
        seconds = local_day * DAY_S + hour * 3600 + rng.integers(0, 3600, batch) - SAST_OFFSET_S
        chunks.append(seconds[(seconds >= start_s) & (seconds < end_s)][:missing])
        missing -= len(chunks[-1])
    return np.concatenate(chunks).astype(np.int64)


def utc_times(seconds: IntArray) -> pd.DatetimeIndex:
    """Epoch seconds as tz-aware UTC timestamps."""
    return pd.to_datetime(seconds, unit="s", utc=True)
