"""The map layers' query parameters: the common filters (those a layer takes) and paging.

``layer_filters`` builds, per layer, a dependency whose signature holds only the filters
that layer answers, so OpenAPI documents exactly those; a common filter the layer does not
answer is still recognised in the query string and refused with a 422 that names it.
"""

# No ``from __future__ import annotations`` here: the dependencies built in ``paging`` use a
# value of their closure in their annotations, which FastAPI could not resolve from text.

from collections.abc import Callable, Mapping
from inspect import Parameter, Signature
from typing import Annotated, Any

from fastapi import Query, Request

from api.deps import SettingsDep
from geosvc.config import Settings
from geosvc.errors import InvalidInputError
from geosvc.features.filters import (
    MAX_PAGE_SIZE,
    STATUS_WORDS,
    Applicable,
    FeatureFilters,
    Filter,
    Paging,
    build_filters,
)

DESCRIPTIONS: Mapping[Filter, str] = {
    Filter.SERVICE: "Service type codes or service groups (water, sanitation, electricity, "
    "roads, refuse, ...): repeat the parameter or separate them with commas.",
    Filter.WARD: "Official ward codes: repeat the parameter or separate them with commas.",
    Filter.MUNICIPALITY: "A municipality's code (JHB) or its full name.",
    Filter.PERIOD: "all, a year (2026), a quarter (2026-Q3) or a month (2026-09), in the "
    "municipality's time zone.",
    Filter.STATUS: "Request statuses, repeated or comma-separated: "
    f"{', '.join(STATUS_WORDS)} (open: any status but closed).",
    Filter.BBOX: "A box in WGS84 degrees: west,south,east,north.",
}
EXAMPLES: Mapping[Filter, Any] = {
    Filter.SERVICE: ["water_outage", "pothole"],
    Filter.WARD: ["79800060"],
    Filter.MUNICIPALITY: "JHB",
    Filter.PERIOD: "2026-Q3",
    Filter.STATUS: ["open"],
    Filter.BBOX: "27.9,-26.3,28.1,-26.1",
}
_LISTS = {Filter.SERVICE, Filter.WARD, Filter.STATUS}


def _parameter(name: Filter, description: str) -> Parameter:
    example = EXAMPLES[name]
    if name in _LISTS:
        query = Query(description=description, examples=[example])
        return Parameter(
            name.value, Parameter.KEYWORD_ONLY, default=[], annotation=Annotated[list[str], query]
        )
    query = Query(description=description, examples=[example])
    return Parameter(
        name.value, Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[str | None, query]
    )


def layer_filters(
    applicable: Applicable, descriptions: Mapping[Filter, str] | None = None
) -> Callable[..., FeatureFilters]:
    """A dependency reading the filters ``applicable`` lists (with their descriptions).

    ``descriptions`` overrides the common description of a filter for this layer.
    """
    texts = {**DESCRIPTIONS, **(descriptions or {})}

    def dependency(request: Request, settings: Settings, **values: Any) -> FeatureFilters:
        applicable.refuse(request.query_params.keys())
        return build_filters(timezone=settings.timezone, **values)

    parameters = [
        Parameter("request", Parameter.KEYWORD_ONLY, annotation=Request),
        Parameter("settings", Parameter.KEYWORD_ONLY, annotation=SettingsDep),
        *(_parameter(name, texts[name]) for name in Filter if name in applicable.filters),
    ]
    dependency.__signature__ = Signature(parameters)  # type: ignore[attr-defined]
    dependency.__name__ = f"{applicable.layer.replace('-', '_').replace(' ', '_')}_filters"
    return dependency


def paging(default_size: int) -> Callable[..., Paging]:
    """A dependency reading ``page`` and ``page_size`` (default ``default_size``)."""

    def dependency(
        page: Annotated[
            int, Query(ge=1, description="The page to return, from 1.", examples=[1])
        ] = 1,
        page_size: Annotated[
            int,
            Query(
                ge=1,
                le=MAX_PAGE_SIZE,
                description=f"Features per page (at most {MAX_PAGE_SIZE:,}).",
                examples=[default_size],
            ),
        ] = default_size,
    ) -> Paging:
        return Paging(page, page_size)

    return dependency


def no_paging(request: Request) -> None:
    """Refuse ``page`` and ``page_size`` where everything matching is returned (exports)."""
    for name in ("page", "page_size"):
        if name in request.query_params:
            raise InvalidInputError(
                f"an export holds every matching feature and is not paged: drop {name!r}"
            )
