"""The map classifications a planner reads: needs-index classes and hotspot classes.

One definition for the planner page (served through ``/api/planner/options``), the folium
maps and the printable reports, so a ward has the same colour and label everywhere.

The needs index is on an absolute 0-100 scale, comparable between services and runs, so
its classes are fixed equal intervals of 20 rather than quantiles: a ward in the top class
needs a lot, whatever the other wards show. Hotspot classes are those of
``geosvc.analytics.hotspots.classes`` in a diverging palette (ColorBrewer RdBu for hot and
cold, PRGn for Local Moran's outliers), darker at higher confidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from geosvc.analytics.hotspots.classes import CLASSES

NEED_BREAKS: tuple[float, ...] = (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)
"""Class boundaries of the needs index; class i holds scores in [b[i], b[i+1]) (the last closed)."""
NEED_COLOURS: tuple[str, ...] = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
"""ColorBrewer YlOrRd, one colour per needs class, lowest need first."""
NO_DATA_COLOUR = "#d9d9d9"
"""Wards without a value: no evidence for the service, or no result for the period."""

_CONFIDENCE_COLOURS: Mapping[str, tuple[str, str, str]] = {
    # 99%, 95%, 90%
    "hot": ("#b2182b", "#ef8a62", "#fddbc7"),
    "cold": ("#2166ac", "#67a9cf", "#d1e5f0"),
    "outlier_high": ("#762a83", "#af8dc3", "#e7d4e8"),
    "outlier_low": ("#1b7837", "#7fbf7b", "#d9f0d3"),
}
_KIND_LABELS: Mapping[str, str] = {
    "hot": "Hot spot",
    "cold": "Cold spot",
    "outlier_high": "High among low (outlier)",
    "outlier_low": "Low among high (outlier)",
}
_OTHER: Mapping[str, tuple[str, str]] = {
    "not_significant": ("#f7f7f7", "Not significant"),
    "island": ("#ffffff", "Island (no neighbours)"),
    "excluded": (NO_DATA_COLOUR, "Excluded (no households)"),
}


def need_class(score: float | None) -> int | None:
    """The index of the needs class holding ``score``; None without a score.

    Examples
    --------
    >>> need_class(0.0), need_class(19.99), need_class(20.0), need_class(100.0), need_class(None)
    (0, 0, 1, 4, None)
    """
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    for index, upper in enumerate(NEED_BREAKS[1:-1]):
        if score < upper:
            return index
    return len(NEED_COLOURS) - 1


def need_colour(score: float | None) -> str:
    """The fill colour of a ward with needs ``score``.

    Examples
    --------
    >>> need_colour(85.0), need_colour(None)
    ('#bd0026', '#d9d9d9')
    """
    index = need_class(score)
    return NO_DATA_COLOUR if index is None else NEED_COLOURS[index]


def need_legend() -> dict[str, Any]:
    """The needs classification: what is measured, its breaks, colours and labels."""
    labels = [f"{low:g}-{high:g}" for low, high in pairwise(NEED_BREAKS)]
    return {
        "title": "Needs index (0-100)",
        "method": "equal intervals of 20 on the absolute 0-100 scale",
        "breaks": list(NEED_BREAKS),
        "classes": [
            {"label": label, "colour": colour}
            for label, colour in zip(labels, NEED_COLOURS, strict=True)
        ],
        "no_data": {"label": "No evidence", "colour": NO_DATA_COLOUR},
    }


def hotspot_style(name: str) -> tuple[str, str]:
    """The colour and label of hotspot class ``name`` (``hot_95``, ``not_significant``...).

    Examples
    --------
    >>> hotspot_style("hot_99")
    ('#b2182b', 'Hot spot, 99% confidence')
    >>> hotspot_style("cold_90")[1]
    'Cold spot, 90% confidence'
    """
    if name in _OTHER:
        return _OTHER[name]
    kind, _, level = name.rpartition("_")
    if kind not in _CONFIDENCE_COLOURS or level not in ("99", "95", "90"):
        return NO_DATA_COLOUR, name
    colour = _CONFIDENCE_COLOURS[kind][("99", "95", "90").index(level)]
    return colour, f"{_KIND_LABELS[kind]}, {level}% confidence"


def hotspot_legend(statistic: str, permutations: int | None) -> dict[str, Any]:
    """The hotspot classification of a run: statistic, inference and every class."""
    name = "Getis-Ord Gi*" if statistic == "gi_star" else "Local Moran's I"
    shown = [c for c in CLASSES if statistic != "gi_star" or not c.startswith("outlier")]
    inference = (
        f"{permutations} conditional permutations" if permutations else "conditional permutations"
    )
    return {
        "title": f"{name} hotspots",
        "statistic": statistic,
        "method": (
            f"{name} on incidents per 1,000 households; {inference}; "
            "Benjamini-Hochberg false discovery rate across wards (q); "
            "classes at 90, 95 and 99% confidence"
        ),
        "classes": [
            {"class": c, "label": hotspot_style(c)[1], "colour": hotspot_style(c)[0]} for c in shown
        ],
    }


COMPONENT_STYLES: tuple[tuple[str, str, str], ...] = (
    ("survey", "Survey", "#1b9e77"),
    ("census", "Census 2011", "#7570b3"),
    ("incidents", "Incidents", "#d95f02"),
    ("backlog", "Backlog", "#e7298a"),
    ("breaches", "Breaches", "#66a61e"),
)
"""The needs index's components as (name, label, colour), in ``needs_components`` order."""


def component_legend() -> list[dict[str, str]]:
    """The needs components' names, labels and colours, for bars of a score's points."""
    return [
        {"component": name, "label": label, "colour": colour}
        for name, label, colour in COMPONENT_STYLES
    ]
