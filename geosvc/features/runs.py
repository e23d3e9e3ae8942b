"""The analysis run whose results the result layers show: the newest finished one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from geosvc.analytics.repo.runs import latest_run
from geosvc.errors import NotFoundError


@dataclass(frozen=True)
class Run:
    """An analysis run's id and the period it was asked for (``all`` unless narrowed)."""

    id: int
    period: str


def newest_run(conn: Connection) -> Run:
    """The newest finished analysis run; NotFoundError when nothing was analysed."""
    run_id = latest_run(conn)
    if run_id is None:
        raise NotFoundError("Nothing has been analysed yet: run 'geosvc analyse'.")
    period = conn.execute(
        text("SELECT coalesce(params->>'period', 'all') FROM analysis_run WHERE id = :id"),
        {"id": run_id},
    ).scalar_one()
    return Run(run_id, str(period))
