"""Working days: Monday to Friday, office hours, less the jurisdiction's public holidays.

Service standards are promised in working days ("acknowledge within 5 working days"), so
every due date is computed here. Public holidays come from the ``holidays`` package, which
knows South Africa's, including the Public Holidays Act's rule that a holiday falling on a
Sunday is observed on the Monday.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import numpy.typing as npt
import pandas as pd

from geosvc.config import Settings

_WEEKEND = frozenset({5, 6})


class WorkingCalendar:
    """A jurisdiction's working days and office hours.

    Parameters
    ----------
    country, subdivision : str
        ISO codes understood by ``holidays.country_holidays`` (default South Africa).
    timezone : str
        IANA zone the office hours are in.
    opens, closes : time
        Office hours; a target ends when the office closes on its last working day.

    Examples
    --------
    >>> cal = WorkingCalendar()
    >>> lodged = datetime(2026, 4, 24, 10, 0, tzinfo=ZoneInfo("Africa/Johannesburg"))
    >>> cal.add_working_days(lodged, 2).isoformat()  # Mon 27 April is Freedom Day
    '2026-04-29T16:30:00+02:00'
    """

    def __init__(
        self,
        country: str = "ZA",
        subdivision: str | None = None,
        timezone: str = "Africa/Johannesburg",
        opens: time = time(8, 0),
        closes: time = time(16, 30),
    ) -> None:
        if opens >= closes:
            raise ValueError("office hours must open before they close")
        self.country = country
        self.subdivision = subdivision
        self.zone = ZoneInfo(timezone)
        self.opens = opens
        self.closes = closes

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        return holidays.country_holidays(self.country, subdiv=self.subdivision)

    def holiday(self, day: date) -> str | None:
        """The name of the public holiday on ``day``, or None."""
        name = self._holidays.get(day)
        return str(name) if name else None

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a weekday that is not a public holiday."""
        return day.weekday() not in _WEEKEND and day not in self._holidays

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """When a target of ``days`` working days from ``start`` runs out: closing time.

        The day the request arrives is day 0 whatever the hour; the target ends when the
        office closes on the ``days``-th working day after it. A target of 0 days ends at
        closing time the same day, or the next working day when it arrived after closing
        or on a day off.
        """
        if start.tzinfo is None:
            raise ValueError("start must carry a time zone")
        if days < 0:
            raise ValueError("a target cannot be negative")
        local = start.astimezone(self.zone)
        day = local.date()
        if days == 0 and not (self.is_working_day(day) and local.time() < self.closes):
            day = self.next_working_day(day)
        for _ in range(days):
            day = self.next_working_day(day)
        return datetime.combine(day, self.closes, tzinfo=self.zone)

    def add_working_days_many(self, starts: pd.Series, days: npt.ArrayLike) -> pd.Series:
        """``add_working_days`` for many requests at once (imports, the demo).

        numpy's business-day arithmetic does the counting, with this calendar's holidays;
        ``starts`` must be time-zone aware. Same rules as ``add_working_days``.
        """
        local = starts.dt.tz_convert(self.zone)
        day0 = local.dt.tz_localize(None).dt.normalize().to_numpy().astype("datetime64[D]")
        targets = np.broadcast_to(np.asarray(days, dtype=np.int64), day0.shape)
        if (targets < 0).any():
            raise ValueError("a target cannot be negative")
        after_hours = (local.dt.tz_localize(None) - local.dt.tz_localize(None).dt.normalize()) >= (
            pd.Timedelta(hours=self.closes.hour, minutes=self.closes.minute)
        )
        holidays_ = self._holiday_dates(day0)
        # Day 0 never counts: roll a day off back to the last working day, then count on.
        due = np.busday_offset(day0, targets, roll="backward", holidays=holidays_)
        same_day = np.busday_offset(day0, 0, roll="forward", holidays=holidays_)
        next_day = np.busday_offset(day0, 1, roll="backward", holidays=holidays_)
        zero = np.where(after_hours.to_numpy() & (same_day == day0), next_day, same_day)
        due = np.where(targets == 0, zero, due)
        closing = pd.to_datetime(due) + pd.Timedelta(
            hours=self.closes.hour, minutes=self.closes.minute
        )
        return pd.Series(closing, index=starts.index).dt.tz_localize(self.zone)

    def _holiday_dates(self, days: npt.NDArray[np.datetime64]) -> npt.NDArray[np.datetime64]:
        if len(days) == 0:
            return np.array([], dtype="datetime64[D]")
        first = int(str(days.min())[:4])
        last = int(str(days.max())[:4]) + 2  # targets run into the next year
        found = holidays.country_holidays(
            self.country, subdiv=self.subdivision, years=range(first, last + 1)
        )
        return np.array(sorted(found.keys()), dtype="datetime64[D]")

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after ``start``'s day up to and including ``end``'s day (local dates)."""
        first = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        count = 0
        day = first
        while day < last:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def working_days_between_many(self, starts: pd.Series, ends: pd.Series) -> pd.Series:
        """``working_days_between`` for many pairs at once; NaN where either time is missing.

        Both series must be time-zone aware and share an index; numpy counts the business
        days with this calendar's holidays.
        """
        known = starts.notna() & ends.notna()
        result = pd.Series(np.nan, index=starts.index, dtype="float64")
        if not known.any():
            return result
        first = self._local_days(starts[known])
        last = self._local_days(ends[known])
        holidays_ = self._holiday_dates(np.concatenate([first, last]))
        counts = np.busday_count(first + 1, last + 1, holidays=holidays_)
        result[known] = np.maximum(counts, 0)
        return result

    def _local_days(self, times: pd.Series) -> npt.NDArray[np.datetime64]:
        local = times.dt.tz_convert(self.zone).dt.tz_localize(None).dt.normalize()
        days: npt.NDArray[np.datetime64] = local.to_numpy().astype("datetime64[D]")
        return days


def calendar_for(settings: Settings) -> WorkingCalendar:
    """The working calendar of the jurisdiction the settings describe."""
    return WorkingCalendar(
        country=settings.calendar_country,
        subdivision=settings.calendar_subdivision,
        timezone=settings.timezone,
        opens=settings.office_opens,
        closes=settings.office_closes,
    )
