"""The analysis run whose results the result layers show: the newest finished one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from geosvc.analytics.repo.runs import latest_run
from geosvc.errors import NotFoundError
from geosvc.features.repo.runs import run_period


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
    return Run(run_id, run_period(conn, run_id))
