"""The steps of an analysis run: read, call the pure functions, write. See ``run``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, partial
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy import Connection

from geosvc.analytics.clustering.clusters import cluster_incidents
from geosvc.analytics.clustering.tracking import track_clusters
from geosvc.analytics.delivery.allocation import delivery_gaps
from geosvc.analytics.hotspots.statistics import ward_hotspots
from geosvc.analytics.hotspots.weights import WardWeights, ward_weights
from geosvc.analytics.jobs.live_clusters import cluster_params
from geosvc.analytics.needs.baseline import census_shares, survey_shares
from geosvc.analytics.needs.index import needs_index
from geosvc.analytics.needs.inputs import raw_components
from geosvc.analytics.periods import Period, month_series
from geosvc.analytics.repo.allocations import stored_allocations
from geosvc.analytics.repo.inputs import read_indicators, read_scoreboard_requests
from geosvc.analytics.repo.runs import (
    CLUSTER_COLUMNS,
    GAP_COLUMNS,
    HOTSPOT_COLUMNS,
    PLACEHOLDER_KEY,
    TREND_COLUMNS,
    cluster_rows,
    previous_run_clusters,
    with_real_keys,
    write_frame,
    write_needs,
    write_scoreboard,
)
from geosvc.analytics.scoreboard.measures import scoreboard
from geosvc.analytics.trends.emerging import hotspot_trends
from geosvc.config import Settings
from geosvc.errors import InvalidInputError
from geosvc.requests.working_days import WorkingCalendar, calendar_for

Step = Callable[[], dict[str, Any]]
HOT = ("hot_90", "hot_95", "hot_99")


@dataclass
class Context:
    """What every step of one run shares."""

    conn: Connection
    run_id: int
    settings: Settings
    statistic: str
    now: datetime
    period: Period
    wards: gpd.GeoDataFrame
    needs_weights: Mapping[str, float] | None = None
    skipped: list[str] = field(default_factory=list)
    hotspots: list[pd.DataFrame] = field(default_factory=list)

    @property
    def calendar(self) -> WorkingCalendar:
        """The jurisdiction's working calendar."""
        return calendar_for(self.settings)

    @cached_property
    def requests(self) -> pd.DataFrame:
        """The period's requests with their standards; read once for the needs and scores."""
        return read_scoreboard_requests(self.conn, self.calendar, self.period)


def analysed_services(
    incidents: pd.DataFrame, groups: dict[str, str], wanted: Sequence[str]
) -> dict[str, list[str]]:
    """Service names to analyse, each with its service codes: every group with incidents,
    and every service type whose code is not also a group's name (there it is the group)."""
    present = sorted(set(incidents["service_code"]))
    services: dict[str, list[str]] = {}
    for code in present:
        services.setdefault(groups[code], []).append(code)
    for code in present:
        services.setdefault(code, [code])
    if not wanted:
        return services
    unknown = sorted(set(wanted) - services.keys())
    if unknown:
        raise InvalidInputError(
            f"no incidents of service {', '.join(unknown)}; "
            f"known with incidents: {', '.join(sorted(services))}"
        )
    return {name: services[name] for name in wanted}


def plan(
    ctx: Context, incidents: pd.DataFrame, services: dict[str, list[str]]
) -> list[tuple[str, Step]]:
    """The run's steps in order, each with a label for the progress bar."""
    codes = sorted({code for group in services.values() for code in group})
    weights = ward_weights(
        ctx.wards,
        method=ctx.settings.hotspot_weights,
        threshold_m=ctx.settings.hotspot_threshold_m,
    )
    periods = _periods(ctx, incidents)
    steps: list[tuple[str, Step]] = [("clusters", partial(clusters_step, ctx, incidents, codes))]
    steps += [
        (f"hotspots {name}", partial(hotspot_step, ctx, incidents, name, members, weights, periods))
        for name, members in services.items()
    ]
    steps.append(("trends", partial(trends_step, ctx, [p.label for p in periods[1:]])))
    steps.append(("needs index", partial(needs_step, ctx)))
    steps.append(("scoreboard", partial(scoreboard_step, ctx)))
    return steps


def _periods(ctx: Context, incidents: pd.DataFrame) -> list[Period]:
    """The run's period, then the months of the trend series inside the data."""
    times = incidents["requested_at"][ctx.period.contains(incidents["requested_at"])]
    if times.empty:
        return [ctx.period]
    months = month_series(
        times.min().to_pydatetime(),
        times.max().to_pydatetime(),
        ctx.settings.timezone,
        ctx.settings.trend_months,
    )
    # The month in progress is left out: its few days would read as every hotspot fading.
    return [ctx.period, *(month for month in months if month.end and month.end <= ctx.now)]


def clusters_step(ctx: Context, incidents: pd.DataFrame, codes: list[str]) -> dict[str, Any]:
    """Cluster the period's incidents per service type, tracked against the last run's."""
    chosen = incidents[
        incidents["service_code"].isin(codes) & ctx.period.contains(incidents["requested_at"])
    ]
    result = cluster_incidents(chosen, cluster_params(ctx.conn, ctx.settings))
    previous = previous_run_clusters(ctx.conn, ctx.period.label)
    tracked = track_clusters(previous, result.clusters, next_key=PLACEHOLDER_KEY)
    rows = cluster_rows(with_real_keys(ctx.conn, tracked)).assign(
        window_start=ctx.period.start, window_end=ctx.period.end
    )
    columns = (*CLUSTER_COLUMNS, "window_start", "window_end")
    write_frame(ctx.conn, "cluster", ctx.run_id, rows, columns)
    return {"clusters": len(result.clusters)}


def hotspot_step(
    ctx: Context,
    incidents: pd.DataFrame,
    name: str,
    codes: list[str],
    weights: WardWeights,
    periods: list[Period],
) -> dict[str, Any]:
    """Hot and cold wards of one service in the run's period and each trend month."""
    of_service = incidents[incidents["service_code"].isin(codes)]
    households = ctx.wards.set_index("ward_code")["households"]
    for period in periods:
        in_period = of_service[period.contains(of_service["requested_at"])]
        counts = in_period.groupby("ward_code").size()
        if counts.sum() == 0:
            ctx.skipped.append(f"hotspots {name} {period.label}: no incidents")
            continue
        values = pd.DataFrame(
            {
                "ward_code": households.index,
                "households": households.to_numpy(),
                "incidents": counts.reindex(households.index, fill_value=0).to_numpy(),
            }
        )
        try:
            found = ward_hotspots(
                values,
                weights,
                statistic=ctx.statistic,
                permutations=ctx.settings.hotspot_permutations,
                seed=ctx.settings.hotspot_seed,
            )
        except InvalidInputError as exc:
            ctx.skipped.append(f"hotspots {name} {period.label}: {exc}")
            continue
        ctx.hotspots.append(found.assign(service=name, period=period.label))
    return {}


def trends_step(ctx: Context, months: list[str]) -> dict[str, Any]:
    """Store the hotspots, and each ward's pattern over the trend months."""
    if not ctx.hotspots:
        return {"hotspots": 0, "hot_wards": 0, "trends": 0}
    table = pd.concat(ctx.hotspots, ignore_index=True)
    write_frame(ctx.conn, "ward_hotspot", ctx.run_id, table, HOTSPOT_COLUMNS)
    in_period = table[table["period"] == ctx.period.label]
    trends = []
    monthly = table[table["period"].isin(months)]
    for name, rows in monthly.groupby("service"):
        z = rows.pivot(index="ward_code", columns="period", values="z")
        if z.shape[1] < 2:
            ctx.skipped.append(f"trends {name}: fewer than 2 months with incidents")
            continue
        classes = rows.pivot(index="ward_code", columns="period", values="class")
        order = [m for m in months if m in z.columns]
        trends.append(hotspot_trends(z[order], classes[order]).assign(service=name))
    stored = pd.concat(trends, ignore_index=True) if trends else pd.DataFrame()
    if len(stored):
        write_frame(ctx.conn, "ward_trend", ctx.run_id, stored, TREND_COLUMNS)
    return {
        "hotspots": len(table),
        "hot_wards": int(in_period["class"].isin(HOT).sum()),
        "trends": len(stored),
    }


def needs_step(ctx: Context) -> dict[str, Any]:
    """The needs index of every ward and service group, and delivery against it."""
    requests = ctx.requests
    households = ctx.wards.set_index("ward_code")["households"]
    raw = raw_components(
        requests,
        households,
        survey_shares(read_indicators(ctx.conn, "survey")),
        census_shares(read_indicators(ctx.conn, "census2011")),
        ctx.now,
    )
    if raw.empty:
        ctx.skipped.append("needs index: no evidence of need in any ward")
        return {"needs": 0, "gaps": 0}
    index = needs_index(raw, ctx.needs_weights)
    stored = write_needs(ctx.conn, ctx.run_id, index, ctx.period.label)
    return {"needs": stored, "gaps": _gaps_step(ctx, index)}


def _gaps_step(ctx: Context, index: pd.DataFrame) -> int:
    """Delivery against need, within each municipality: its budget serves its wards."""
    allocations = stored_allocations(ctx.conn)
    if allocations.empty:
        return 0
    municipality = ctx.wards.set_index("ward_code")["municipality_code"]
    stored = 0
    for _, wards in index.groupby(index["ward_code"].map(municipality)):
        planned = allocations[allocations["ward_code"].isin(wards["ward_code"])]
        if planned.empty:
            continue
        found = delivery_gaps(wards, planned).rename(columns={"score": "need_score"})
        found = found.assign(period=ctx.period.label)
        stored += write_frame(ctx.conn, "delivery_gap", ctx.run_id, found, GAP_COLUMNS)
    return stored


def scoreboard_step(ctx: Context) -> dict[str, Any]:
    """How the municipality answered: per municipality and ward, per service and overall."""
    requests = ctx.requests
    if requests.empty:
        return {"scoreboard": 0}
    minimum = ctx.settings.scoreboard_min_requests
    stored = 0
    for level, area in (("municipality", "municipality_code"), ("ward", "ward_code")):
        located = requests.dropna(subset=[area])
        per_service = scoreboard(located, by=(area, "service"), min_requests=minimum, now=ctx.now)
        overall = scoreboard(located, by=(area,), min_requests=minimum, now=ctx.now)
        for board in (per_service, overall.assign(service="all")):
            stored += write_scoreboard(ctx.conn, ctx.run_id, board, level, area, ctx.period.label)
    return {"scoreboard": stored}
