"""Longitude/latitude to metres and back, in one UTM zone chosen for the data.

Distances for clustering are measured on projected coordinates, never on degrees: a degree
of longitude is 111 km at the equator and 100 km in Johannesburg. Within its zone, UTM
distorts distances by well under 0.1%, which is far below the GPS error of a service request.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from geosvc.errors import InvalidInputError

FloatArray = npt.NDArray[np.float64]

WGS84 = CRS.from_epsg(4326)
_METRE_UNITS = frozenset({"metre", "meter", "m"})
_CENTRE_DECIMALS = 2
_WGS84_A_M = 6_378_137.0
_WGS84_E2 = 6.694_379_990_14e-3

__all__ = [
    "WGS84",
    "checked_metric_crs",
    "crs_name",
    "from_metres",
    "metres_per_degree",
    "metric_crs",
    "to_metres",
]


def metric_crs(lon: npt.ArrayLike, lat: npt.ArrayLike) -> CRS:
    """The WGS 84 UTM zone CRS for the data's extent, in which to measure metres.

    Chosen as geopandas' ``estimate_utm_crs`` does: the zone holding the centre of the
    points' bounding box, by pyproj's ``query_utm_crs_info`` (on a zone boundary, the
    western zone). One zone serves a whole municipality; data spanning several zones are
    measured in the central one, with distances off by up to about 1% at its edges.

    Parameters
    ----------
    lon, lat : array_like
        WGS 84 longitudes and latitudes in degrees, at least one point, none missing.

    Returns
    -------
    pyproj.CRS
        A projected CRS with axes in metres (EPSG 326xx north, 327xx south).

    Examples
    --------
    >>> metric_crs([28.0, 28.3], [-26.2, -25.7]).to_epsg()
    32735
    """
    x, y = _checked_degrees(lon, lat)
    if x.size == 0:
        raise InvalidInputError("A metric CRS needs at least one point to choose a zone for.")
    centre_lon = round(float((x.min() + x.max()) / 2), _CENTRE_DECIMALS)
    centre_lat = round(float((y.min() + y.max()) / 2), _CENTRE_DECIMALS)
    return CRS.from_epsg(_utm_zone_code(centre_lon, centre_lat))


@lru_cache(maxsize=256)
def _utm_zone_code(centre_lon: float, centre_lat: float) -> str:
    """The EPSG code of the UTM zone holding a point (the western one on a boundary).

    Cached because the query reads PROJ's database (tens of milliseconds), while live
    updates ask again and again for the same place; the centre is rounded to 0.01 degrees
    (about 1 km) so that it repeats.
    """
    centre = AreaOfInterest(centre_lon, centre_lat, centre_lon, centre_lat)
    zones = query_utm_crs_info(datum_name="WGS 84", area_of_interest=centre)
    return str(zones[0].code)


def to_metres(lon: npt.ArrayLike, lat: npt.ArrayLike, crs: CRS) -> tuple[FloatArray, FloatArray]:
    """Project WGS 84 longitudes and latitudes to ``crs``'s easting and northing in metres.

    Parameters
    ----------
    lon, lat : array_like
        WGS 84 degrees, none missing or out of range.
    crs : pyproj.CRS
        A projected CRS whose axes are in metres (see ``metric_crs``).

    Returns
    -------
    tuple of ndarray
        Easting and northing in metres, in the order of the points.

    Examples
    --------
    >>> x, y = to_metres([28.0, 28.0], [-26.2, -26.1], CRS.from_epsg(32735))
    >>> round(float(y[1] - y[0]))
    11076
    """
    x, y = _checked_degrees(lon, lat)
    forward = Transformer.from_crs(WGS84, checked_metric_crs(crs), always_xy=True)
    east, north = forward.transform(x, y)
    return _finite_pair(east, north, "projected to metres")


def from_metres(x_m: npt.ArrayLike, y_m: npt.ArrayLike, crs: CRS) -> tuple[FloatArray, FloatArray]:
    """Unproject easting and northing in ``crs`` back to WGS 84 longitude and latitude.

    Examples
    --------
    >>> utm35s = CRS.from_epsg(32735)
    >>> lon, lat = from_metres(*to_metres([28.0], [-26.2], utm35s), utm35s)
    >>> [round(float(lon[0]), 9), round(float(lat[0]), 9)]
    [28.0, -26.2]
    """
    x = np.asarray(x_m, dtype=np.float64)
    y = np.asarray(y_m, dtype=np.float64)
    backward = Transformer.from_crs(checked_metric_crs(crs), WGS84, always_xy=True)
    lon, lat = backward.transform(x, y)
    return _finite_pair(lon, lat, "unprojected to degrees")


def metres_per_degree(lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Metres per degree of longitude and of latitude at ``lat`` on the WGS 84 ellipsoid.

    The scale of a plane tangent to the ellipsoid at ``lat``: exact enough to turn offsets
    of a few kilometres into degrees and back without choosing a UTM zone. Farther away it
    drifts (the east-west scale by 0.4% per 50 km north or south at 26 degrees south);
    measure such distances with ``to_metres``.

    Examples
    --------
    >>> east, north = metres_per_degree(-26.2)
    >>> round(float(east)), round(float(north))
    (99948, 110791)
    """
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    w = np.sqrt(1.0 - _WGS84_E2 * np.sin(phi) ** 2)
    meridional = _WGS84_A_M * (1.0 - _WGS84_E2) / w**3
    prime_vertical = _WGS84_A_M / w
    return np.radians(prime_vertical * np.cos(phi)), np.radians(meridional)


def checked_metric_crs(crs: CRS | str | int) -> CRS:
    """``crs`` as a pyproj CRS, if it is projected with axes in metres; else InvalidInputError."""
    try:
        parsed = CRS.from_user_input(crs)
    except Exception as error:  # pyproj raises CRSError, and TypeError on odd input
        raise InvalidInputError(f"{crs!r} is not a coordinate reference system.") from error
    units = {axis.unit_name.lower() for axis in parsed.axis_info}
    if not parsed.is_projected or not units <= _METRE_UNITS:
        raise InvalidInputError(
            f"{crs_name(parsed)} is not a projected CRS in metres; distances cannot be "
            "measured in it (use a UTM zone, see metric_crs)."
        )
    return parsed


def crs_name(crs: CRS) -> str:
    """``EPSG:<code>`` when the CRS has one, else its PROJ string.

    Examples
    --------
    >>> crs_name(CRS.from_epsg(32735))
    'EPSG:32735'
    """
    code = crs.to_epsg()
    return f"EPSG:{code}" if code is not None else str(crs.to_string())


def _checked_degrees(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise InvalidInputError(
            f"lon and lat must be 1-d arrays of the same length, not shapes {x.shape} "
            f"and {y.shape}."
        )
    missing = ~(np.isfinite(x) & np.isfinite(y))
    if missing.any():
        raise InvalidInputError(
            f"{int(missing.sum())} point(s) have a missing lon or lat, the first at "
            f"position {int(np.argmax(missing))}."
        )
    outside = (np.abs(x) > 180) | (np.abs(y) > 90)
    if outside.any():
        first = int(np.argmax(outside))
        raise InvalidInputError(
            f"{int(outside.sum())} point(s) are not WGS 84 degrees (lon within -180..180, "
            f"lat within -90..90); the first is ({x[first]}, {y[first]})."
        )
    return x, y


def _finite_pair(a: FloatArray, b: FloatArray, what: str) -> tuple[FloatArray, FloatArray]:
    first = np.asarray(a, dtype=np.float64)
    second = np.asarray(b, dtype=np.float64)
    bad = ~(np.isfinite(first) & np.isfinite(second))
    if bad.any():
        raise InvalidInputError(
            f"{int(bad.sum())} point(s) cannot be {what} in this CRS: they lie outside "
            "the area it covers."
        )
    return first, second
