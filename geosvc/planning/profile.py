"""The ward profile: everything a planner reads about one ward, in one call.

Needs (score, rank and components per service), hotspot classes and trends, and service
standards come from the newest analysis run; incidents per month and the survey coverage
from the live tables. The needs index and the scoreboard exist for the run's period only;
the hotspot classes also per month of the trend series, so ``period`` picks those.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection

from geosvc.analytics.periods import parse_period
from geosvc.errors import NotFoundError
from geosvc.planning.evidence import incidents_by_month, months_ending, survey_coverage
from geosvc.planning.repo.catalogue import ward_row
from geosvc.planning.runs import checked_period, run_facts, service_groups, service_names
from geosvc.planning.schemas import WardFacts, WardProfile
from geosvc.planning.sections import hotspot_section, needs_section, standards_section

DEFAULT_MONTHS = 12


def ward_facts(conn: Connection, code: str) -> WardFacts:
    """The ward's code, name, municipality and size; NotFoundError for an unknown code."""
    row = ward_row(conn, code)
    if row is None:
        raise NotFoundError(f"There is no ward {code!r}.")
    return WardFacts.model_validate(dict(row))


def ward_profile(
    conn: Connection,
    code: str,
    *,
    period: str | None = None,
    timezone: str = "Africa/Johannesburg",
    months: int = DEFAULT_MONTHS,
    now: datetime | None = None,
) -> WardProfile:
    """The profile of ward ``code`` from the newest analysis run.

    Parameters
    ----------
    conn : Connection
        An open connection; nothing is written.
    code : str
        The ward code; NotFoundError when there is no such ward.
    period : str, optional
        A period the run stored results for (default: the run's own); hotspot classes and
        the end of the incident series follow it.
    timezone : str
        The municipality's time zone, in which months are counted.
    months : int
        How many months the incident series covers, ending with the period's last month
        (for ``all``: the month of ``now``).
    now : datetime, optional
        The present moment (default: the clock).
    """
    ward = ward_facts(conn, code)
    run = run_facts(conn)
    chosen = checked_period(conn, run, period)
    names = service_names(conn)
    series = months_ending(
        parse_period(chosen, timezone), now or datetime.now(UTC), timezone, months
    )
    return WardProfile(
        ward=ward,
        run=run,
        period=chosen,
        needs=needs_section(conn, run, code, names),
        hotspots=hotspot_section(conn, run, code, chosen, names, service_groups(conn)),
        incidents=incidents_by_month(conn, code, series, timezone, names),
        survey=survey_coverage(conn, code),
        standards=standards_section(conn, run, code, names),
    )
