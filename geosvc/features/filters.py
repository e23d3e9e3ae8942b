"""The filters every map layer understands, parsed and checked once.

A caller names services (type codes or groups), wards, a municipality (code or name), a
period, request statuses and a box; a layer that cannot answer one of them refuses it
with an error that names it (``Applicable.refuse``) instead of ignoring it, because a
map that silently shows more than was asked for misleads.

Examples
--------
>>> box = "27.9,-26.3,28.1,-26.1"
>>> f = build_filters(service=["water_outage,pothole"], status=["open"], bbox=box)
>>> f.services, f.statuses, f.bbox
(('water_outage', 'pothole'), ('open',), (27.9, -26.3, 28.1, -26.1))
>>> sorted(str(name) for name in f.given())
['bbox', 'service', 'status']
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from geosvc.analytics.periods import Period, parse_period
from geosvc.errors import InvalidInputError
from geosvc.requests.transitions import Status

BBox = tuple[float, float, float, float]
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 5000
#: What ``status`` accepts: every request status, and Open311's ``open`` (any but closed).
STATUS_WORDS: tuple[str, ...] = (*(s.value for s in Status), "open")


class Filter(StrEnum):
    """A common filter, by its query-parameter name."""

    SERVICE = "service"
    WARD = "ward"
    MUNICIPALITY = "municipality"
    PERIOD = "period"
    STATUS = "status"
    BBOX = "bbox"


@dataclass(frozen=True)
class FeatureFilters:
    """What a layer is narrowed to; an empty tuple or None does not narrow it."""

    services: tuple[str, ...] = ()
    wards: tuple[str, ...] = ()
    municipality: str | None = None
    period: Period | None = None
    statuses: tuple[str, ...] = ()
    bbox: BBox | None = None

    def given(self) -> set[Filter]:
        """The filters that narrow something."""
        values = {
            Filter.SERVICE: self.services,
            Filter.WARD: self.wards,
            Filter.MUNICIPALITY: self.municipality,
            Filter.PERIOD: self.period,
            Filter.STATUS: self.statuses,
            Filter.BBOX: self.bbox,
        }
        return {name for name, value in values.items() if value}


@dataclass(frozen=True)
class Paging:
    """One page of a layer: ``page`` counts from 1; at most ``MAX_PAGE_SIZE`` features."""

    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        if self.page < 1:
            raise InvalidInputError(f"page must be 1 or more, not {self.page}")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidInputError(
                f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {self.page_size}"
            )

    @property
    def offset(self) -> int:
        """How many features the pages before this one hold."""
        return (self.page - 1) * self.page_size


@dataclass(frozen=True)
class Applicable:
    """The filters one layer answers; ``refuse`` raises for any other that was given."""

    layer: str
    filters: frozenset[Filter] = field(default_factory=frozenset)

    def refuse(self, given: Iterable[str]) -> None:
        """Raise InvalidInputError naming the first of ``given`` this layer does not answer."""
        known = {f.value for f in Filter}
        for name in map(str, given):
            if name in known and name not in self.filters:
                takes = ", ".join(sorted(self.filters)) or "none of the filters"
                raise InvalidInputError(
                    f"the filter {name!r} does not apply to {self.layer} (it takes {takes})"
                )


def split_values(values: Iterable[str | None]) -> tuple[str, ...]:
    """Repeated and comma-separated values as one tuple, blanks dropped, order kept.

    >>> split_values(["water_outage, pothole", "pothole", None, ""])
    ('water_outage', 'pothole')
    """
    seen: dict[str, None] = {}
    for value in values:
        for item in (value or "").split(","):
            if item.strip():
                seen.setdefault(item.strip(), None)
    return tuple(seen)


def parse_statuses(values: Iterable[str | None]) -> tuple[str, ...]:
    """Request statuses, ``open`` or ``closed``; an unknown one is refused by name.

    >>> parse_statuses(["Open,closed"])
    ('open', 'closed')
    """
    statuses = tuple(s.lower() for s in split_values(values))
    for status in statuses:
        if status not in STATUS_WORDS:
            raise InvalidInputError(f"status {status!r} is not one of {', '.join(STATUS_WORDS)}")
    return statuses


def parse_bbox(value: str | None) -> BBox | None:
    """``west,south,east,north`` in WGS84 degrees, checked; None when absent.

    >>> parse_bbox("28,-26.3,28.1,-26.1")
    (28.0, -26.3, 28.1, -26.1)
    """
    if value is None or not value.strip():
        return None
    try:
        west, south, east, north = (float(v) for v in value.split(","))
    except ValueError:
        raise InvalidInputError(
            f"bbox {value!r} is not four numbers: west,south,east,north in degrees"
        ) from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise InvalidInputError(f"bbox {value!r} has a value that is not a finite number")
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise InvalidInputError(f"bbox {value!r}: longitudes must lie between -180 and 180")
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise InvalidInputError(f"bbox {value!r}: latitudes must lie between -90 and 90")
    if west >= east or south >= north:
        raise InvalidInputError(
            f"bbox {value!r} must have west < east and south < north (west,south,east,north)"
        )
    return west, south, east, north


def build_filters(
    *,
    service: Iterable[str | None] = (),
    ward: Iterable[str | None] = (),
    municipality: str | None = None,
    period: str | None = None,
    status: Iterable[str | None] = (),
    bbox: str | None = None,
    timezone: str = "UTC",
) -> FeatureFilters:
    """Filters from query-parameter text; raises InvalidInputError naming a bad value.

    ``period`` is read in ``timezone`` (the municipality's), as the analysis reads it.
    """
    return FeatureFilters(
        services=split_values(service),
        wards=split_values(ward),
        municipality=(municipality or "").strip() or None,
        period=parse_period(period, timezone) if period and period.strip() else None,
        statuses=parse_statuses(status),
        bbox=parse_bbox(bbox),
    )
