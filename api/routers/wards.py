"""``/api/wards``: ward boundaries as GeoJSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from api.deps import ConnectionDep
from api.layers import AreaPaging, FeatureCollectionOut, Simplify, WardsDep, feature_collection
from geosvc.errors import NotFoundError
from geosvc.features.collection import feature_page
from geosvc.wards.repo import ward_geojson

router = APIRouter(prefix="/api/wards", tags=["wards"])


@router.get(
    "",
    response_model=FeatureCollectionOut,
    summary="Wards as a GeoJSON FeatureCollection",
)
def list_wards(
    request: Request, conn: ConnectionDep, query: WardsDep, page: AreaPaging
) -> FeatureCollectionOut:
    """Wards by code, filtered by code, municipality or box; all of a metro on one page."""
    return feature_collection(feature_page(conn, query, page), request)


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
