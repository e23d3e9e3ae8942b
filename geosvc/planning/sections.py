"""A ward's stored analysis results: needs, hotspot classes and service standards."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import Connection

from geosvc.analytics.needs.components import COMPONENTS
from geosvc.planning.classes import hotspot_style
from geosvc.planning.repo.results import ward_hotspots, ward_needs, ward_standards
from geosvc.planning.schemas import (
    HotspotSection,
    NeedComponent,
    NeedsSection,
    RunFacts,
    ServiceHotspot,
    ServiceNeed,
    ServiceStandards,
    StandardsSection,
)


def needs_section(
    conn: Connection, run: RunFacts, code: str, names: Mapping[str, str]
) -> NeedsSection:
    """The ward's needs score per service group, greatest first, with its components.

    The needs index is computed for the run's period only.
    """
    rows = ward_needs(conn, run.id, run.period, code)
    services = [
        ServiceNeed(
            service=row.service,
            name=names.get(row.service, row.service),
            score=row.score,
            rank=row.rank,
            ranked=row.ranked,
            coverage=row.coverage,
            components=_components(row.components),
        )
        for row in rows
    ]
    return NeedsSection(period=run.period, services=services)


def _components(parts: Mapping[str, Any]) -> list[NeedComponent]:
    return [
        NeedComponent(
            component=name,
            raw=parts.get(f"{name}_raw"),
            normalised=parts.get(f"{name}_norm"),
            contribution=parts.get(f"{name}_contribution"),
        )
        for name in COMPONENTS
    ]


def hotspot_section(
    conn: Connection,
    run: RunFacts,
    code: str,
    period: str,
    names: Mapping[str, str],
    groups: Collection[str],
) -> HotspotSection:
    """The ward's hotspot class per service (groups first, then types) in ``period``."""
    rows = ward_hotspots(conn, run.id, code, period, run.statistic)
    services = [
        ServiceHotspot(
            service=row.service,
            name=names.get(row.service, row.service),
            class_=row.hotspot_class,
            label=hotspot_style(row.hotspot_class)[1],
            incidents=row.incidents,
            rate=row.value,
            z=row.z,
            p_sim=row.p_sim,
            q=row.q,
            confidence=row.confidence,
            trend=row.pattern,
        )
        for row in rows
    ]
    services.sort(key=lambda s: (s.service not in groups, s.service))
    return HotspotSection(period=period, statistic=run.statistic, services=services)


def standards_section(
    conn: Connection, run: RunFacts, code: str, names: Mapping[str, str]
) -> StandardsSection:
    """Backlog and service standards in the ward: overall and per service group."""
    rows = ward_standards(conn, run.id, run.period, code)
    found = [_standards(row, names) for row in rows]
    overall = next((s for s in found if s.service == "all"), None)
    services = [s for s in found if s.service != "all"]
    return StandardsSection(period=run.period, overall=overall, services=services)


def _standards(row: Any, names: Mapping[str, str]) -> ServiceStandards:
    metrics: Mapping[str, Any] = row.metrics or {}
    return ServiceStandards(
        service=row.service,
        name=names.get(row.service, row.service),
        requests=row.requests,
        rank=row.rank,
        ranked=row.ranked,
        suppressed=row.suppressed,
        backlog=metrics.get("backlog"),
        overdue=metrics.get("overdue"),
        acknowledged_within_standard=metrics.get("acknowledged_within_standard"),
        closed_within_standard=metrics.get("closed_within_standard"),
        median_working_days_to_close=metrics.get("median_working_days_to_close"),
        escalations=metrics.get("escalations"),
        satisfaction=metrics.get("satisfaction"),
        nps=metrics.get("nps"),
    )
