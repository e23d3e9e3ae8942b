"""What the newest analysis run holds: its facts, its services and the periods it covers."""

from __future__ import annotations

from sqlalchemy import Connection

from geosvc.analytics.periods import ALL, parse_period
from geosvc.analytics.repo import results
from geosvc.errors import NotFoundError
from geosvc.planning.repo.catalogue import group_codes, service_types
from geosvc.planning.repo.results import RESULT_TABLES, stored_periods
from geosvc.planning.schemas import RunFacts


def run_facts(conn: Connection) -> RunFacts:
    """The newest finished analysis run; NotFoundError when nothing was analysed yet."""
    run = results.newest_run(conn)
    params = run["params"] or {}
    return RunFacts(
        id=run["id"],
        finished_at=run["finished_at"],
        period=str(params.get("period", ALL)),
        statistic=str(params.get("statistic", "gi_star")),
        permutations=params.get("permutations"),
        now=params.get("now"),
    )


def service_names(conn: Connection) -> dict[str, str]:
    """Display names of service types (their catalogue name) and groups (capitalised).

    A group named like a type (``housing``) is the group: the analysis treats it so.
    """
    rows = service_types(conn)
    names = {str(code): str(name) for code, name, _ in rows}
    names.update({str(group): str(group).replace("_", " ").capitalize() for _, _, group in rows})
    names["all"] = "All services"
    return names


def service_groups(conn: Connection) -> dict[str, list[str]]:
    """Each service group with its service types' codes."""
    rows = group_codes(conn)
    groups: dict[str, list[str]] = {}
    for group, code in rows:
        groups.setdefault(str(group), []).append(str(code))
    return groups


def result_periods(conn: Connection, run: RunFacts) -> dict[str, list[str]]:
    """Per measure (``needs``, ``hotspots``) the periods the run stored, the run's first."""
    found: dict[str, list[str]] = {}
    for measure in RESULT_TABLES:
        periods = stored_periods(conn, measure, run.id)
        ordered = sorted(periods - {run.period}, reverse=True)
        found[measure] = ([run.period] if run.period in periods else []) + ordered
    return found


def checked_period(conn: Connection, run: RunFacts, period: str | None) -> str:
    """``period`` (default: the run's) if the run stored results for it.

    Raises InvalidInputError for a label that is not a period and NotFoundError for a
    period the run has no results for, naming those it has.
    """
    if period is None:
        return run.period
    label = parse_period(period).label
    available = result_periods(conn, run)
    known = list(dict.fromkeys([*available["needs"], *available["hotspots"]]))
    if label not in known:
        raise NotFoundError(
            f"The newest analysis run has no results for period {label!r}; "
            f"it has {', '.join(known) or 'none'}."
        )
    return label
