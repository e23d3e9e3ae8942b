"""Filters as SQL: WHERE clauses with bound parameters, one small factory per kind of column.

A layer maps each filter it answers to a ``Clause`` (``LayerFilters``); the filters it has
no clause for are the ones it refuses. Values are always bound, never formatted into the
SQL; only the column expressions, which the layers write, are.

Examples
--------
>>> from geosvc.features.filters import build_filters
>>> layer = LayerFilters("demo", {Filter.SERVICE: any_of("r.service_code", Filter.SERVICE)})
>>> where = layer.where(build_filters(service=["pothole"]))
>>> where.sql, where.params
('r.service_code = ANY(:service)', {'service': ['pothole']})
>>> layer.where(build_filters(ward=["79800001"]))
Traceback (most recent call last):
...
geosvc.errors.InvalidInputError: the filter 'ward' does not apply to demo (it takes service)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from geosvc.features.filters import Applicable, FeatureFilters, Filter
from geosvc.requests.transitions import OPEN


@dataclass
class Where:
    """WHERE clauses joined by AND, and the values they bind."""

    clauses: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def add(self, clause: str, **params: Any) -> None:
        """Add a clause and its bound values."""
        self.clauses.append(clause)
        self.params.update(params)

    @property
    def sql(self) -> str:
        """The condition; TRUE when nothing narrows."""
        return " AND ".join(self.clauses) or "TRUE"


Clause = Callable[[FeatureFilters, Where], None]


@dataclass(frozen=True)
class LayerFilters:
    """Which filters a layer answers, and how."""

    layer: str
    clauses: Mapping[Filter, Clause]

    @property
    def applicable(self) -> Applicable:
        """The filters this layer answers."""
        return Applicable(self.layer, frozenset(self.clauses))

    def where(self, filters: FeatureFilters) -> Where:
        """The WHERE of ``filters``; InvalidInputError for a filter this layer does not answer."""
        self.applicable.refuse(sorted(filters.given()))
        where = Where()
        for name in sorted(self.clauses):
            self.clauses[name](filters, where)
        return where


def any_of(column: str, name: Filter) -> Clause:
    """``column`` equals one of the values of ``name`` (``service`` or ``ward``)."""
    if name not in (Filter.SERVICE, Filter.WARD):
        raise ValueError(f"any_of compares service or ward values, not {name}")

    def clause(filters: FeatureFilters, where: Where) -> None:
        values = filters.services if name is Filter.SERVICE else filters.wards
        if values:
            where.add(f"{column} = ANY(:{name.value})", **{name.value: list(values)})

    return clause


SERVICE_CODES = (
    "SELECT code FROM service_type WHERE code = ANY(:service) OR group_name = ANY(:service)"
)


def service_or_group(code_column: str) -> Clause:
    """The row's service type is one of the ``service`` values, by code or by group."""

    def clause(filters: FeatureFilters, where: Where) -> None:
        if filters.services:
            where.add(f"{code_column} IN ({SERVICE_CODES})", service=list(filters.services))

    return clause


MUNICIPALITY_WARDS = (
    "SELECT code FROM ward "
    "WHERE municipality_code = :municipality OR municipality_name = :municipality"
)


def in_municipality(ward_column: str) -> Clause:
    """The row's ward lies in the municipality named by code or name."""

    def clause(filters: FeatureFilters, where: Where) -> None:
        if filters.municipality:
            where.add(f"{ward_column} IN ({MUNICIPALITY_WARDS})", municipality=filters.municipality)

    return clause


def within_period(time_column: str) -> Clause:
    """``time_column`` falls in the period's half-open range (``all``: no bound)."""

    def clause(filters: FeatureFilters, where: Where) -> None:
        period = filters.period
        if period is not None and period.start is not None:
            where.add(
                f"{time_column} >= :period_start AND {time_column} < :period_end",
                period_start=period.start,
                period_end=period.end,
            )

    return clause


def status_in(column: str) -> Clause:
    """The request's status is one of those named; ``open`` is every status but closed."""

    def clause(filters: FeatureFilters, where: Where) -> None:
        if filters.statuses:
            wanted = set(filters.statuses)
            if "open" in wanted:
                wanted = (wanted - {"open"}) | {s.value for s in OPEN}
            where.add(f"{column} = ANY(:status)", status=sorted(wanted))

    return clause


def period_label(column: str) -> Clause:
    """The stored result's period label is the filter's (set by the layer when absent)."""

    def clause(filters: FeatureFilters, where: Where) -> None:
        if filters.period is not None:
            where.add(f"{column} = :period_label", period_label=filters.period.label)

    return clause


ENVELOPE = "ST_MakeEnvelope(:west, :south, :east, :north, 4326)"


def in_bbox(geom_column: str, *, points: bool) -> Clause:
    """The geometry meets the box; ``&&`` first, so the GiST index on the column applies.

    For points the box test is exact; other geometries must also truly intersect it.
    """
    exact = "" if points else f" AND ST_Intersects({geom_column}, {ENVELOPE})"

    def clause(filters: FeatureFilters, where: Where) -> None:
        if filters.bbox is not None:
            west, south, east, north = filters.bbox
            where.add(
                f"{geom_column} && {ENVELOPE}{exact}",
                west=west,
                south=south,
                east=east,
                north=north,
            )

    return clause
