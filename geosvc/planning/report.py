"""The printable ward report: one self-contained HTML file with the ward's map and charts.

It holds the ward profile (``profile``): a folium map of the ward and its neighbours by
needs score, the needs by service with their components, incidents per month as an
inline SVG chart (matplotlib), hotspot classes, survey coverage, backlog and service
standards. With ``LeafletAssets`` the map's script is inlined too and the file opens
offline.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jinja2
from markupsafe import Markup
from sqlalchemy import Connection

from geosvc.errors import InvalidInputError
from geosvc.planning.charts import incidents_chart_svg
from geosvc.planning.classes import COMPONENT_STYLES, hotspot_legend
from geosvc.planning.frames import neighbourhood_frame
from geosvc.planning.maps import LeafletAssets, ward_map
from geosvc.planning.profile import ward_profile
from geosvc.planning.report_template import TEMPLATE
from geosvc.planning.runs import service_groups
from geosvc.planning.schemas import WardProfile

_ENVIRONMENT = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def ward_report(
    conn: Connection,
    code: str,
    *,
    service: str | None = None,
    period: str | None = None,
    timezone: str = "Africa/Johannesburg",
    now: datetime | None = None,
    assets: LeafletAssets | None = None,
) -> str:
    """The HTML report of ward ``code``.

    Parameters
    ----------
    conn : Connection
        An open connection; nothing is written.
    code : str
        The ward; NotFoundError when there is no such ward or nothing was analysed.
    service : str, optional
        The service group the map and the chart highlight (default: the ward's greatest
        need); InvalidInputError when the ward has no needs score for it.
    period, timezone, now
        As for ``profile.ward_profile``.
    assets : LeafletAssets, optional
        Leaflet to inline into the map (default: folium's CDN links).
    """
    moment = now or datetime.now(UTC)
    profile = ward_profile(conn, code, period=period, timezone=timezone, now=moment)
    chosen = _service(profile, service)
    frame = neighbourhood_frame(conn, code, chosen)
    names = {s.service: s.name for s in profile.needs.services}
    title = f"Needs index: {names.get(chosen, chosen)}" if chosen else "Wards"
    fmap = ward_map(frame, code, title=title, assets=assets)
    groups = service_groups(conn)
    context = {
        "p": profile,
        "service_name": names.get(chosen, "no service") if chosen else "no service",
        "map_html": fmap.get_root().render(),
        "chart_svg": Markup(incidents_chart_svg(profile.incidents, highlight=chosen)),
        "incident_total": sum(profile.incidents.total),
        "hotspots": [h for h in profile.hotspots.services if h.service in groups],
        "hotspot_method": hotspot_legend(profile.run.statistic, profile.run.permutations)["method"],
        "standards": _standards(profile),
        "components": COMPONENT_STYLES,
        "colours": {name: colour for name, _, colour in COMPONENT_STYLES},
        "written": moment.strftime("%d %B %Y %H:%M UTC"),
        "fmt": _fmt,
        "pct": _pct,
    }
    return _ENVIRONMENT.from_string(TEMPLATE).render(context)


def _service(profile: WardProfile, service: str | None) -> str | None:
    scored = [s.service for s in profile.needs.services]
    if service is None:
        return scored[0] if scored else None
    if service not in scored:
        raise InvalidInputError(
            f"Ward {profile.ward.code} has no needs score for {service!r}; "
            f"it has {', '.join(scored) or 'none'}."
        )
    return service


def _standards(profile: WardProfile) -> list[Any]:
    overall = [profile.standards.overall] if profile.standards.overall else []
    return [*overall, *profile.standards.services]


def _fmt(value: float | None, digits: int = 0) -> str:
    """A number with thousands separators, or an en dash for none."""
    if value is None:
        return "\N{EN DASH}"
    return f"{value:,.{digits}f}"


def _pct(share: float | None) -> str:
    """A 0..1 share as a whole percentage, or an en dash for none."""
    return "\N{EN DASH}" if share is None else f"{share * 100:.0f}%"
