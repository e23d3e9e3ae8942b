"""Access scales: how well a household is served with each basic service, best level first.

The levels follow the categories of Stats SA's Census 2011 questionnaire (main source of
water, toilet facility, energy for lighting, refuse removal). A level is stored as its
position on the scale, a small integer: 0 is the best level and a larger number is worse
access (``survey_response.water_access`` and the other ``*_access`` columns are
``smallint >= 0``; NULL where the household was not asked or gave no answer that fits).

Examples
--------
>>> SCALES[Service.WATER].code("piped_in_yard")
1
>>> SCALES[Service.REFUSE].level(4)
'none'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Service(StrEnum):
    """The basic services a household survey measures access to."""

    WATER = "water"
    SANITATION = "sanitation"
    ELECTRICITY = "electricity"
    REFUSE = "refuse"


@dataclass(frozen=True)
class AccessScale:
    """The ordered access levels of one service, best first; a level's code is its index."""

    service: Service
    levels: tuple[str, ...]

    @property
    def column(self) -> str:
        """The ``survey_response`` column holding this service's level codes."""
        return f"{self.service}_access"

    def code(self, level: str) -> int:
        """The stored code of ``level``; ValueError when it is not on this scale."""
        try:
            return self.levels.index(level)
        except ValueError:
            raise ValueError(
                f"{level!r} is not a {self.service} level ({', '.join(self.levels)})"
            ) from None

    def level(self, code: int) -> str:
        """The level stored as ``code``; ValueError when no level has that code."""
        if not 0 <= code < len(self.levels):
            raise ValueError(
                f"{code} is not a {self.service} level code (0 to {len(self.levels) - 1})"
            )
        return self.levels[code]


SCALES: Mapping[Service, AccessScale] = {
    Service.WATER: AccessScale(
        Service.WATER,
        (
            "piped_in_dwelling",
            "piped_in_yard",
            "communal_tap_within_200m",  # the RDP basic standard: a tap within 200 m
            "communal_tap_further",
            "borehole_or_well",
            "tanker",
            "surface_water",  # river, stream, dam, unprotected well or spring
            "none",
        ),
    ),
    Service.SANITATION: AccessScale(
        Service.SANITATION,
        (
            "flush_sewerage",
            "flush_septic",
            "chemical",
            "pit_ventilated",  # a VIP latrine: the basic standard
            "pit_unventilated",
            "bucket",
            "none",
        ),
    ),
    Service.ELECTRICITY: AccessScale(
        Service.ELECTRICITY,
        (
            "grid_metered",  # the household's own connection, prepaid or conventional meter
            "grid_shared_or_informal",  # from a neighbour, a shared meter or a self-made line
            "off_grid",  # solar home system or generator
            "none",  # candles, paraffin or gas
        ),
    ),
    Service.REFUSE: AccessScale(
        Service.REFUSE,
        (
            "removed_weekly",
            "removed_less_often",
            "communal_dump",
            "own_dump",
            "none",
        ),
    ),
}
"""Every service's scale, by service."""
