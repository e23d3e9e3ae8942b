"""Analysis periods: ``all``, a year, a quarter or a month, as half-open local-time ranges.

Planners speak of "the third quarter" in the municipality's own time zone, so periods are
calendar ranges in that zone converted to UTC instants; ``all`` has no bounds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from geosvc.errors import InvalidInputError

ALL = "all"
_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


@dataclass(frozen=True)
class Period:
    """A named half-open range of time; ``start`` and ``end`` are None for ``all``."""

    label: str
    start: datetime | None
    end: datetime | None

    def contains(self, times: pd.Series) -> pd.Series:
        """Which of the tz-aware ``times`` fall inside the period."""
        inside = pd.Series(True, index=times.index)
        if self.start is not None:
            inside &= times >= self.start
        if self.end is not None:
            inside &= times < self.end
        return inside


def parse_period(label: str, timezone: str = "UTC") -> Period:
    """The period a label names: ``all``, ``2026``, ``2026-Q3`` or ``2026-09``.

    Examples
    --------
    >>> p = parse_period("2026-Q3", "Africa/Johannesburg")
    >>> p.start.isoformat(), p.end.isoformat()
    ('2026-06-30T22:00:00+00:00', '2026-09-30T22:00:00+00:00')
    >>> parse_period("all").start is None
    True
    """
    text = label.strip()
    if text.lower() == ALL:
        return Period(ALL, None, None)
    match = _PATTERN.match(text)
    if match is None:
        raise InvalidInputError(
            f"period {label!r} is not 'all', a year (2026), a quarter (2026-Q3) "
            "or a month (2026-09)"
        )
    year = int(match["year"])
    if match["quarter"]:
        first, months = 3 * int(match["quarter"]) - 2, 3
    elif match["month"]:
        first, months = int(match["month"]), 1
    else:
        first, months = 1, 12
    zone = ZoneInfo(timezone)
    start = datetime(year, first, 1, tzinfo=zone)
    end_year, end_month = divmod(first - 1 + months, 12)
    end = datetime(year + end_year, end_month + 1, 1, tzinfo=zone)
    return Period(text, start.astimezone(UTC), end.astimezone(UTC))


def month_series(first: datetime, last: datetime, timezone: str, limit: int) -> list[Period]:
    """The calendar months from the one holding ``first`` to the one holding ``last``.

    At most the ``limit`` most recent months are returned, oldest first.

    Examples
    --------
    >>> months = month_series(datetime(2026, 5, 3, tzinfo=UTC),
    ...                       datetime(2026, 10, 31, tzinfo=UTC), "UTC", 4)
    >>> [m.label for m in months]
    ['2026-07', '2026-08', '2026-09', '2026-10']
    """
    if limit < 1:
        raise InvalidInputError(f"a month series needs at least one month, not {limit}")
    zone = ZoneInfo(timezone)
    start, stop = first.astimezone(zone), last.astimezone(zone)
    index = start.year * 12 + start.month - 1
    last_index = stop.year * 12 + stop.month - 1
    labels = [
        f"{number // 12:04d}-{number % 12 + 1:02d}"
        for number in range(max(index, last_index - limit + 1), last_index + 1)
    ]
    return [parse_period(label, timezone) for label in labels]
