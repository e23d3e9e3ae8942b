"""The service standards of ``geosvc.requests.standards`` rendered to SQL.

Every query that asks whether a request breaches a standard, is overdue or may be
escalated takes its SQL from here, so the database and ``standards.breaches`` answer
alike. Each function returns a fragment over a service_request aliased ``r``; ``at`` is
the SQL expression of the moment judged (a bind parameter such as ``:now``, or a column).
The definitions are read when a fragment is rendered, not when this module is imported.
"""

from __future__ import annotations

from geosvc.requests import standards
from geosvc.requests.standards import Standard


def clock_running_sql() -> str:
    """SQL true while a request's standards run (see ``standards.clock_running``)."""
    stopped = ", ".join(f"'{status.value}'" for status in standards.CLOCK_STOPPED)
    return f"r.status NOT IN ({stopped}) AND r.actionable"


def standard_breached_sql(standard: Standard, at: str) -> str:
    """SQL true when ``standard`` is broken at ``at``, clocks aside (``Standard.breached``).

    Null when the request has no deadline for it, as a comparison with null is.
    """
    unmet = f"r.{standard.met_column} IS NULL AND " if standard.met_column else ""
    return f"{unmet}r.{standard.due_column} < {at}"


def breaches_sql(at: str) -> str:
    """SQL for the array of standards a request breaches at ``at``, in ``STANDARDS`` order.

    The same rules as ``standards.breaches`` without the urgent flag (an urgent request is
    escalated on receipt but breaches no standard by being urgent) and without leaving out
    what was escalated already. A stopped clock breaches nothing.
    """
    each = ",\n        ".join(
        f"CASE WHEN {standard_breached_sql(s, at)} THEN '{s.breach.value}' END"
        for s in standards.STANDARDS
    )
    return f"""
    CASE WHEN NOT ({clock_running_sql()}) THEN ARRAY[]::text[]
    ELSE array_remove(ARRAY[
        {each}], NULL)
    END"""


def breaching_sql(at: str) -> str:
    """SQL true for a request that breaches at least one standard at ``at``.

    The same rows as a non-empty ``breaches_sql``, written so that an index can help.
    """
    any_breached = "\n         OR ".join(
        f"({standard_breached_sql(s, at)})" for s in standards.STANDARDS
    )
    return f"{clock_running_sql()}\n    AND ({any_breached})"


def unescalated_breach_sql(at: str) -> str:
    """SQL true for a request that breaches a standard at ``at`` not escalated in its cycle."""
    each = "\n         OR ".join(
        f"({standard_breached_sql(s, at)} AND NOT '{s.breach.value}' = ANY(r.escalations))"
        for s in standards.STANDARDS
    )
    return f"({each})"


def overdue_sql(at: str) -> str:
    """SQL true for a request past its completion date at ``at`` with its clock running.

    A request on hold has its clock stopped, so it is not overdue.
    """
    return f"{clock_running_sql()} AND {standard_breached_sql(standards.COMPLETION, at)}"


def overdue_since_sql() -> str:
    """SQL for the earliest deadline of a standard a request has not met.

    For a request that breaches a standard, the moment it first did.
    """
    deadlines = ",\n          ".join(_unmet_deadline(s) for s in standards.STANDARDS)
    return f"least({deadlines})"


def _unmet_deadline(standard: Standard) -> str:
    if standard.met_column is None:
        return f"r.{standard.due_column}"
    return f"CASE WHEN r.{standard.met_column} IS NULL THEN r.{standard.due_column} END"
