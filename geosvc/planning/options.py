"""What the planner page can map from the newest run: services, periods, legends."""

from __future__ import annotations

from sqlalchemy import Connection

from geosvc.planning.classes import component_legend, hotspot_legend, need_legend
from geosvc.planning.repo.catalogue import municipalities as ward_municipalities
from geosvc.planning.repo.results import RESULT_TABLES, stored_services
from geosvc.planning.runs import result_periods, run_facts, service_groups, service_names
from geosvc.planning.schemas import PlannerOptions, ServiceOption


def planner_options(conn: Connection) -> PlannerOptions:
    """The services with needs or hotspot results, their periods, municipalities and legends.

    Services are the groups (with needs scores and hotspots) then the single service types
    (hotspots only), each with the type codes it covers, so the page can filter clusters,
    which are per service type.
    """
    run = run_facts(conn)
    measured = {measure: stored_services(conn, measure, run.id) for measure in RESULT_TABLES}
    names = service_names(conn)
    groups = service_groups(conn)
    group_of = {code: group for group, codes in groups.items() for code in codes}
    services = [
        ServiceOption(
            code=name,
            name=names.get(name, name),
            kind="group" if name in groups else "type",
            group=name if name in groups else group_of.get(name, name),
            codes=groups.get(name, [name]),
            needs=name in measured["needs"],
            hotspots=name in measured["hotspots"],
        )
        for name in sorted(measured["needs"] | measured["hotspots"])
    ]
    services.sort(key=lambda s: (s.kind != "group", s.name))
    municipalities = [
        {"code": str(code), "name": str(name)} for code, name in ward_municipalities(conn)
    ]
    return PlannerOptions(
        run=run,
        services=services,
        periods=result_periods(conn, run),
        municipalities=municipalities,
        legends={
            "needs": need_legend(),
            "hotspots": hotspot_legend(run.statistic, run.permutations),
            "components": component_legend(),
        },
    )
