"""A ward's evidence as it stands: incidents per month and its household-survey coverage.

Read from the live tables rather than the analysis run: a request lodged this morning is
in this month's count.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import Connection

from geosvc.analytics.needs.baseline import SURVEY_BASIC_LEVEL
from geosvc.analytics.periods import Period, month_series
from geosvc.errors import InvalidInputError
from geosvc.planning.repo.evidence import monthly_incidents, survey_indicators, survey_totals
from geosvc.planning.schemas import (
    IncidentSeries,
    IncidentsSection,
    NamedNeed,
    SurveySection,
    SurveyService,
)
from geosvc.surveys.needs import NEEDS_SERVICE
from geosvc.surveys.needs import SOURCE as SURVEY_SOURCE

MAX_MONTHS = 36


def months_ending(period: Period, now: datetime, timezone: str, count: int) -> list[Period]:
    """The ``count`` calendar months ending with the period's last month (``all``: now's).

    Examples
    --------
    >>> from datetime import UTC
    >>> from geosvc.analytics.periods import parse_period
    >>> q3 = parse_period("2026-Q3", "Africa/Johannesburg")
    >>> [m.label for m in months_ending(q3, datetime(2026, 11, 24, tzinfo=UTC),
    ...                                 "Africa/Johannesburg", 4)]
    ['2026-06', '2026-07', '2026-08', '2026-09']
    """
    if not 1 <= count <= MAX_MONTHS:
        raise InvalidInputError(f"months must be between 1 and {MAX_MONTHS}, not {count}.")
    last = now if period.end is None else period.end - timedelta(microseconds=1)
    first = last - timedelta(days=31 * count)
    return month_series(first, last, timezone, count)


def incidents_by_month(
    conn: Connection,
    code: str,
    months: list[Period],
    timezone: str,
    names: Mapping[str, str],
) -> IncidentsSection:
    """Incidents lodged in ward ``code`` per month of ``months``, in all and per service group.

    Groups without an incident in the months are left out; a month without any is 0.
    """
    labels = [m.label for m in months]
    counts: dict[str, list[int]] = {}
    for row in monthly_incidents(conn, code, timezone, months[0].start, months[-1].end):
        series = counts.setdefault(row.service, [0] * len(labels))
        series[labels.index(row.month)] += int(row.incidents)
    total = [sum(column) for column in zip(*counts.values(), strict=True)] or [0] * len(labels)
    services = [
        IncidentSeries(service=service, name=names.get(service, service), counts=series)
        for service, series in sorted(counts.items(), key=lambda item: -sum(item[1]))
    ]
    return IncidentsSection(months=labels, timezone=timezone, total=total, services=services)


def survey_coverage(conn: Connection, code: str) -> SurveySection:
    """Households surveyed in ward ``code``, the share below basic per service, top needs."""
    surveyed = survey_totals(conn, code)
    rows = survey_indicators(conn, code, SURVEY_SOURCE)
    values = {(row.service, row.category): float(row.value) for row in rows}
    services = [
        SurveyService(
            service=service,
            households=int(values.get((service, "households"), 0)),
            basic_level=level,
            share_below_basic=values.get((service, f"below:{level}")),
        )
        for service, level in SURVEY_BASIC_LEVEL.items()
    ]
    needs = sorted(
        (
            NamedNeed(need=category.removeprefix("need:"), share=value)
            for (service, category), value in values.items()
            if service == NEEDS_SERVICE and category.startswith("need:")
        ),
        key=lambda need: (-need.share, need.need),
    )
    return SurveySection(
        households_surveyed=int(surveyed[0]),
        last_collected_at=surveyed[1],
        services=services,
        top_needs=needs,
    )
