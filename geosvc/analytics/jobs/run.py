"""Running every analysis over the whole database and storing the results as one run.

A run belongs in one transaction: the API and the pages see the previous run until this
one commits, never half of one. Its parameters, start, finish and a summary are in
``analysis_run``; the steps are in ``steps`` (clusters, hotspots and trends, needs and
delivery gaps, scoreboard), each a pure function between a read and a write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from geosvc.analytics.jobs import steps
from geosvc.analytics.needs.rates import incident_rates, quarter
from geosvc.analytics.periods import parse_period
from geosvc.analytics.repo.inputs import (
    read_incident_times,
    read_incidents,
    read_ward_households,
    read_wards,
    service_groups,
)
from geosvc.analytics.repo.runs import finish_run, prune_runs, start_run
from geosvc.config import Settings
from geosvc.db import frame_rows
from geosvc.errors import InvalidInputError
from geosvc.wards.repo import replace_indicators
from geosvc.wards.tables import INDICATOR_COLUMNS

SOURCE = "incidents"
KIND = "analyse"

Progress = Callable[[str, int, int], None]
"""Called with the step under way, the steps done and the steps in all."""


@dataclass(frozen=True)
class AnalysisOptions:
    """What to analyse: a period, some services (groups or types; all when empty), how."""

    period: str = "all"
    services: tuple[str, ...] = ()
    statistic: str = "gi_star"
    needs_weights: Mapping[str, float] | None = None
    now: datetime | None = None


@dataclass(frozen=True)
class AnalysisSummary:
    """What a run stored."""

    run_id: int
    incidents: int
    clusters: int
    hotspots: int
    hot_wards: int
    trends: int
    needs: int
    gaps: int
    scoreboard: int
    skipped: list[str] = field(default_factory=list)


def run_analysis(
    conn: Connection,
    settings: Settings,
    options: AnalysisOptions = AnalysisOptions(),
    progress: Progress | None = None,
) -> AnalysisSummary:
    """Run clusters, hotspots, trends, the needs index, delivery gaps and the scoreboard.

    Runs in the caller's transaction: commit it and the run appears whole.
    """
    report = progress or (lambda _step, _done, _total: None)
    now = options.now or datetime.now(UTC)
    period = parse_period(options.period, settings.timezone)
    run_id = start_run(conn, KIND, _params(options, settings, now))
    wards = read_wards(conn)
    groups = service_groups(conn)
    incidents = read_incidents(conn)
    services = steps.analysed_services(incidents, groups, options.services)
    context = steps.Context(
        conn, run_id, settings, options.statistic, now, period, wards, options.needs_weights
    )
    plan = steps.plan(context, incidents, services)
    counts: dict[str, Any] = {"run_id": run_id, "incidents": len(incidents)}
    for done, (label, step) in enumerate(plan):
        report(label, done, len(plan))
        counts.update(step())
    report("done", len(plan), len(plan))
    counts["skipped"] = context.skipped
    run_incident_rates(conn)
    prune_runs(conn, KIND, settings.analysis_keep_runs)
    summary = AnalysisSummary(**counts)
    finish_run(conn, run_id, asdict(summary))
    return summary


def _params(options: AnalysisOptions, settings: Settings, now: datetime) -> dict[str, Any]:
    if options.statistic not in ("gi_star", "local_moran"):
        raise InvalidInputError(
            f"statistic {options.statistic!r} is not one of gi_star, local_moran"
        )
    return {
        "period": options.period,
        "services": list(options.services),
        "statistic": options.statistic,
        "needs_weights": dict(options.needs_weights or {}),
        "now": now.isoformat(),
        "cluster_eps_m": settings.cluster_eps_m,
        "cluster_min_count": settings.cluster_min_count,
        "permutations": settings.hotspot_permutations,
        "seed": settings.hotspot_seed,
        "weights": settings.hotspot_weights,
        "threshold_m": settings.hotspot_threshold_m,
        "trend_months": settings.trend_months,
        "scoreboard_min_requests": settings.scoreboard_min_requests,
    }


@dataclass(frozen=True)
class AnalysisResult:
    """What an incident-rate run stored."""

    incidents: int
    indicators: int


def run_incident_rates(conn: Connection) -> AnalysisResult:
    """Recompute ward incident counts and rates for every quarter and for all time."""
    incidents = read_incident_times(conn)
    households = read_ward_households(conn)
    by_quarter = incidents.assign(
        period=quarter(pd.to_datetime(incidents["requested_at"], utc=True))
    )
    rates = pd.concat(
        [
            incident_rates(by_quarter, households),
            incident_rates(incidents.assign(period="all"), households),
        ]
    )
    rows = _indicator_rows(rates)
    replace_indicators(conn, SOURCE, rows)
    return AnalysisResult(incidents=len(incidents), indicators=len(rows))


def _indicator_rows(rates: pd.DataFrame) -> list[tuple[object, ...]]:
    keys = rates[["ward_code", "period", "service_group"]]
    counts = keys.assign(category="count", value=rates["incidents"], unit="incidents")
    per_1000 = keys.assign(
        category="rate", value=rates["per_1000_households"], unit="per 1,000 households"
    ).dropna(subset=["value"])
    rows = pd.concat([counts, per_1000]).assign(source=SOURCE, note=None)
    rows = rows.rename(columns={"service_group": "service"})[list(INDICATOR_COLUMNS)]
    return list(frame_rows(rows))
