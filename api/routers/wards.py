"""``/api/wards``: ward boundaries as GeoJSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import ConnectionDep
from geosvc.errors import NotFoundError
from geosvc.wards.repo import ward_geojson

router = APIRouter(prefix="/api/wards", tags=["wards"])

Simplify = Annotated[
    float | None,
    Query(
        ge=0,
        le=5000,
        description="Simplify outlines to this tolerance in metres (topology preserved).",
        examples=[50],
    ),
]


@router.get("", summary="Wards as a GeoJSON FeatureCollection")
def list_wards(
    conn: ConnectionDep,
    municipality: Annotated[
        str | None,
        Query(description="Municipality code or name.", examples=["JHB"]),
    ] = None,
    simplify: Simplify = None,
) -> dict[str, Any]:
    """Every ward, or the wards of one municipality."""
    features = ward_geojson(conn, municipality=municipality, simplify_m=simplify)
    return {"type": "FeatureCollection", "numberReturned": len(features), "features": features}


@router.get("/{code}", summary="One ward as a GeoJSON Feature")
def get_ward(
    conn: ConnectionDep,
    code: Annotated[str, Path(description="Official ward code.", examples=["79800001"])],
    simplify: Simplify = None,
) -> dict[str, Any]:
    """The ward with this code."""
    features = ward_geojson(conn, code=code, simplify_m=simplify)
    if not features:
        raise NotFoundError(f"There is no ward {code!r}.")
    return features[0]
