"""What the result layers read of an analysis run."""

from __future__ import annotations

from sqlalchemy import Connection, text


def run_period(conn: Connection, run_id: int) -> str:
    """The period the run was asked for (``all`` unless narrowed)."""
    period = conn.execute(
        text("SELECT coalesce(params->>'period', 'all') FROM analysis_run WHERE id = :id"),
        {"id": run_id},
    ).scalar_one()
    return str(period)
