"""Charts for printable reports, drawn with matplotlib as inline SVG (no pyplot state)."""

from __future__ import annotations

import io
import re

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from geosvc.planning.schemas import IncidentsSection

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TOTAL_COLOUR = "#1d2a33"
HIGHLIGHT_COLOUR = "#d95f02"


def month_label(month: str) -> str:
    """``2026-09`` as ``Sep 26``.

    Examples
    --------
    >>> month_label("2026-09")
    'Sep 26'
    """
    year, number = month.split("-")
    return f"{_MONTHS[int(number) - 1]} {year[2:]}"


def incidents_chart_svg(incidents: IncidentsSection, highlight: str | None = None) -> str:
    """Incidents per month, all services and the ``highlight`` group, as an ``<svg>`` element.

    Text stays text (``svg.fonttype`` none) so the chart is small and searchable.

    Examples
    --------
    >>> from geosvc.planning.schemas import IncidentSeries
    >>> section = IncidentsSection(months=["2026-09", "2026-10"], timezone="UTC",
    ...     total=[3, 5], services=[IncidentSeries(service="water", name="Water", counts=[1, 4])])
    >>> svg = incidents_chart_svg(section, highlight="water")
    >>> svg.startswith('<svg class="incidents-chart"'), "Oct 26" in svg, "Water" in svg
    (True, True, True)
    """
    figure = Figure(figsize=(7.0, 2.6), dpi=96)
    axes = figure.add_subplot()
    positions = list(range(len(incidents.months)))
    axes.plot(positions, incidents.total, marker="o", color=TOTAL_COLOUR, label="All services")
    for series in incidents.services:
        if series.service == highlight:
            axes.plot(
                positions, series.counts, marker="o", color=HIGHLIGHT_COLOUR, label=series.name
            )
    axes.set_xticks(positions, [month_label(m) for m in incidents.months], fontsize=8)
    axes.set_ylabel("incidents")
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", color="#e3e8eb")
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(frameon=False, fontsize=8, loc="upper left")
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "geosvc"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    head, rest = svg.split(">", 1)
    # No fixed width and height: the page's CSS makes the chart as wide as its column.
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    return head.replace("<svg ", '<svg class="incidents-chart" role="img" ', 1) + ">" + rest
