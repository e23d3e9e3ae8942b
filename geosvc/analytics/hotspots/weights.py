"""Spatial weights between wards: who counts as a ward's neighbour for hotspot statistics.

Two definitions, both built by libpysal: queen contiguity (wards sharing an edge or a
corner) and a distance band (wards whose centroids lie within ``threshold_m`` metres of
each other, measured in the UTM zone of the wards' extent). Wards without any neighbour
(islands) are reported, not hidden: a ward across a sliver gap in the boundary data is an
island under queen contiguity, and the remedy is the distance band, not a fuzzy queen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import geopandas as gpd
import libpysal
import numpy as np

from geosvc.errors import InvalidInputError

METHODS = ("queen", "distance")


@dataclass(frozen=True)
class WardWeights:
    """Binary neighbour weights between wards, with the wards that have no neighbour.

    Attributes
    ----------
    w : libpysal.weights.W
        Binary weights keyed by ward code; row-standardisation is left to esda, which
        applies its own.
    ids : list of str
        Ward codes in the order of the frame's rows (and of ``w.id_order``).
    islands : list of str
        Ward codes with no neighbour.
    method : str
        ``"queen"`` or ``"distance"``.
    threshold_m : float or None
        The distance band in metres; None for queen contiguity.
    """

    w: libpysal.weights.W
    ids: list[str]
    islands: list[str]
    method: str
    threshold_m: float | None


def ward_weights(
    wards: gpd.GeoDataFrame,
    *,
    method: str = "queen",
    threshold_m: float | None = None,
    id_column: str = "ward_code",
) -> WardWeights:
    """Neighbour weights between wards, by queen contiguity or a distance band.

    Parameters
    ----------
    wards : GeoDataFrame
        One row per ward: ``id_column`` and (multi)polygon geometry with a CRS.
    method : {"queen", "distance"}
        ``queen``: wards sharing any boundary point are neighbours. ``distance``: wards
        whose centroids, projected to the UTM zone of the extent, are within
        ``threshold_m`` metres.
    threshold_m : float, optional
        The distance band in metres; required (and > 0) for ``distance``, not allowed
        for ``queen``.
    id_column : str
        The column holding the ward codes.

    Returns
    -------
    WardWeights
        Binary weights keyed by ward code, in the order of the rows, and the islands.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> km_square = lambda x, y: box(600_000 + x * 1000, 7_100_000 + y * 1000,
    ...                              601_000 + x * 1000, 7_101_000 + y * 1000)
    >>> squares = gpd.GeoDataFrame(
    ...     {"ward_code": ["A", "B", "C", "D"]},
    ...     geometry=[km_square(0, 0), km_square(1, 0), km_square(2, 0), km_square(5, 5)],
    ...     crs="EPSG:32735",
    ... )
    >>> weights = ward_weights(squares)
    >>> sorted(weights.w.neighbors["B"]), weights.islands
    (['A', 'C'], ['D'])
    >>> ward_weights(squares, method="distance", threshold_m=1500).w.neighbors["A"]
    ['B']
    """
    ids = _ward_ids(wards, id_column)
    _check_geometry(wards)
    if method == "queen":
        if threshold_m is not None:
            raise InvalidInputError("threshold_m applies only to method='distance'.")
        w = libpysal.weights.Queen.from_dataframe(
            wards, ids=ids, use_index=False, silence_warnings=True
        )
    elif method == "distance":
        w = _distance_band(wards, ids, threshold_m)
    else:
        raise InvalidInputError(f"method must be one of {', '.join(METHODS)}, not {method!r}.")
    islands = [str(ward) for ward in w.islands]
    return WardWeights(w=w, ids=ids, islands=islands, method=method, threshold_m=threshold_m)


def _ward_ids(wards: gpd.GeoDataFrame, id_column: str) -> list[str]:
    """The ward codes as strings, in row order; refuses missing or repeated codes."""
    if id_column not in wards.columns:
        raise InvalidInputError(f"The wards have no {id_column!r} column.")
    if len(wards) < 2:
        raise InvalidInputError(f"Weights need at least 2 wards, not {len(wards)}.")
    codes = wards[id_column]
    if codes.isna().any():
        raise InvalidInputError(f"{int(codes.isna().sum())} wards have no {id_column}.")
    ids = [str(code) for code in codes]
    repeated = sorted(code for code, times in Counter(ids).items() if times > 1)
    if repeated:
        raise InvalidInputError(f"Ward codes appear more than once: {', '.join(repeated[:5])}.")
    return ids


def _check_geometry(wards: gpd.GeoDataFrame) -> None:
    """Refuse wards without a geometry: they would silently become islands."""
    missing = wards.geometry.isna() | wards.geometry.is_empty
    if missing.any():
        raise InvalidInputError(f"{int(missing.sum())} wards have no geometry.")


def _distance_band(
    wards: gpd.GeoDataFrame, ids: list[str], threshold_m: float | None
) -> libpysal.weights.W:
    """Binary distance-band weights on ward centroids projected to a UTM zone, in metres."""
    if threshold_m is None or not np.isfinite(threshold_m) or threshold_m <= 0:
        raise InvalidInputError(
            f"method='distance' needs threshold_m, a distance in metres > 0, not {threshold_m}."
        )
    if wards.crs is None:
        raise InvalidInputError("The wards have no CRS, so distances in metres are unknown.")
    try:
        utm = wards.estimate_utm_crs()
    except RuntimeError as error:
        raise InvalidInputError(
            f"No UTM zone fits the wards' extent in {wards.crs.name}: are the coordinates "
            "in that CRS?"
        ) from error
    projected = wards.to_crs(utm)
    centroids = projected.geometry.centroid
    coordinates = np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])
    return libpysal.weights.DistanceBand(
        coordinates, threshold=threshold_m, binary=True, ids=ids, silence_warnings=True
    )
