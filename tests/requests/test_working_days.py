"""Working days against South Africa's real calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geosvc.requests.working_days import WorkingCalendar

SAST = ZoneInfo("Africa/Johannesburg")
CAL = WorkingCalendar()


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=SAST)


def test_sunday_holiday_is_observed_on_monday() -> None:
    assert CAL.holiday(date(2027, 3, 21)) == "Human Rights Day"
    assert not CAL.is_working_day(date(2027, 3, 22))  # Monday, observed
    assert CAL.is_working_day(date(2027, 3, 23))


def test_easter_and_weekends_are_skipped() -> None:
    # Thu 2 April 2026; Good Friday 3rd, weekend, Family Day Mon 6th.
    assert CAL.add_working_days(at(2026, 4, 2), 1) == at(2026, 4, 7, 16).replace(minute=30)


def test_five_working_days_across_a_weekend() -> None:
    due = CAL.add_working_days(at(2026, 11, 20), 5)  # a Friday
    assert due == datetime(2026, 11, 27, 16, 30, tzinfo=SAST)


def test_zero_day_target_after_hours_rolls_to_the_next_working_day() -> None:
    assert CAL.add_working_days(at(2026, 11, 23, 9), 0).date() == date(2026, 11, 23)
    assert CAL.add_working_days(at(2026, 11, 23, 18), 0).date() == date(2026, 11, 24)
    assert CAL.add_working_days(at(2026, 11, 21), 0).date() == date(2026, 11, 23)  # Saturday


def test_times_in_utc_are_read_in_local_time() -> None:
    late_friday_utc = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)  # Saturday 01:00 in Johannesburg
    assert CAL.add_working_days(late_friday_utc, 1).date() == date(2026, 11, 23)


def test_office_hours_are_configurable() -> None:
    cal = WorkingCalendar(opens=time(7, 0), closes=time(15, 0))
    assert CAL.add_working_days(at(2026, 11, 23), 1).time() == time(16, 30)
    assert cal.add_working_days(at(2026, 11, 23), 1).time() == time(15, 0)
    with pytest.raises(ValueError, match="open before they close"):
        WorkingCalendar(opens=time(17, 0), closes=time(8, 0))


def test_naive_times_and_negative_targets_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        CAL.add_working_days(datetime(2026, 11, 23, 10), 1)
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(at(2026, 11, 23), -1)


@given(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
    st.integers(min_value=1, max_value=40),
)
def test_due_date_is_exactly_n_working_days_later(start: datetime, days: int) -> None:
    lodged = start.replace(tzinfo=SAST)
    due = CAL.add_working_days(lodged, days)
    assert CAL.is_working_day(due.date())
    assert CAL.working_days_between(lodged, due) == days


# South Africa's public holidays that close offices on a weekday, written out by hand from
# the Public Holidays Act (a Sunday holiday moves to the Monday; Saturday ones do not move).
WEEKDAY_HOLIDAYS = {
    2025: [
        "01-01", "03-21", "04-18", "04-21", "04-28", "05-01",
        "06-16", "09-24", "12-16", "12-25", "12-26",
    ],
    2026: [
        "01-01", "04-03", "04-06", "04-27", "05-01", "06-16",
        "08-10", "09-24", "11-04", "12-16", "12-25",
    ],  # 4 November 2026: local government elections, a declared public holiday
    2027: [
        "01-01", "03-22", "03-26", "03-29", "04-27", "06-16",
        "08-09", "09-24", "12-16", "12-27",
    ],
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(WEEKDAY_HOLIDAYS))
def test_weekday_public_holidays_2025_to_2027(year: int) -> None:
    day, closed = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5 and not CAL.is_working_day(day):
            closed.append(day.strftime("%m-%d"))
        day += timedelta(days=1)
    assert closed == WEEKDAY_HOLIDAYS[year]


@pytest.mark.parametrize(
    ("lodged", "days", "due"),
    [
        # Easter 2025: Good Friday 18 April, Family Day 21 April.
        (date(2025, 4, 17), 2, date(2025, 4, 23)),
        # Freedom Day 2025 on a Sunday, observed Monday 28 April.
        (date(2025, 4, 25), 1, date(2025, 4, 29)),
        # Easter 2027 next to Human Rights Day observed on Monday 22 March.
        (date(2027, 3, 19), 5, date(2027, 3, 31)),
        # 21 working days over Christmas 2026 (Day of Goodwill falls on a Saturday).
        (date(2026, 12, 1), 21, date(2027, 1, 4)),
        # Christmas 2027: the Day of Goodwill on a Sunday is observed on Monday 27 December.
        (date(2027, 12, 23), 2, date(2027, 12, 28)),
    ],
)
def test_due_dates_across_holidays(lodged: date, days: int, due: date) -> None:
    start = datetime.combine(lodged, time(10, 0), tzinfo=SAST)
    assert CAL.add_working_days(start, days) == datetime.combine(due, time(16, 30), tzinfo=SAST)


@given(
    st.lists(
        st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=0, max_value=30),
)
def test_vectorised_due_dates_equal_one_at_a_time(starts: list[datetime], days: int) -> None:
    aware = [s.replace(tzinfo=SAST) for s in starts]
    many = CAL.add_working_days_many(pd.Series(pd.to_datetime(aware)), days)
    assert list(many) == [CAL.add_working_days(s, days) for s in aware]
