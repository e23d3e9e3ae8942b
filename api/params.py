"""Query parameters several routers parse the same way."""

from __future__ import annotations

from geosvc.errors import InvalidInputError

BBox = tuple[float, float, float, float]


def parse_bbox(value: str | None) -> BBox | None:
    """``west,south,east,north`` in degrees as four floats; None when absent."""
    if not value:
        return None
    try:
        west, south, east, north = (float(v) for v in value.split(","))
    except ValueError:
        raise InvalidInputError("bbox must be four numbers: west,south,east,north.") from None
    return west, south, east, north
