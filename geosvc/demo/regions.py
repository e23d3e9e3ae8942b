"""Planted regions: neighbouring wards where one service fails more often all period long.

A planted hotspot (``geosvc.demo.planting``) is a burst of incidents within a few hundred
metres over days: what DBSCAN finds. Need is also regional: a supply zone fed by one ageing
reservoir, or the suburbs on one overloaded substation, report more outages than the rest of
the metro month after month, spread over several wards rather than concentrated at a point.
That is what ward hotspot statistics (Gi*, which tests a ward together with its neighbours)
are for, so the demo plants it too: in a region of ``REGION_WARDS`` neighbouring wards one
service's incidents arrive at ``REGION_FACTOR`` times the rate per household found
elsewhere. The functions here choose the wards, the services and the extra incidents;
``geosvc.demo.incidents`` draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from geosvc.analytics.projection import metres_per_degree
from geosvc.demo.planting import PlantedHotspot
from geosvc.demo.sampling import WardTable

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

REGION_WARDS = 10
"""Wards in one planted region: a ward and its nine nearest, about one ward and its ring."""
REGION_FACTOR = 4.0
"""How many times the rate per household elsewhere a region's service reaches."""
MAX_REGION_SHARE = 3
"""Regions take at most one ward in this many, so most of the metro stays ordinary."""

__all__ = [
    "MAX_REGION_SHARE",
    "REGION_FACTOR",
    "REGION_WARDS",
    "PlantedRegion",
    "extra_incidents",
    "plant_regions",
    "region_count",
    "region_wards",
]


@dataclass(frozen=True)
class PlantedRegion:
    """The ground truth of one planted region: which wards, which service, how much more.

    ``count`` is the number of incidents added on top of the region's ordinary share, so
    that its rate of ``service_code`` incidents per household is ``factor`` times the rate
    elsewhere (in expectation).
    """

    id: str
    service_code: str
    ward_codes: tuple[str, ...]
    factor: float
    count: int


def region_count(wanted: int, wards: int) -> int:
    """Regions that fit: at most ``wanted``, each of ``REGION_WARDS`` wards, within the share.

    >>> region_count(2, 354), region_count(2, 30), region_count(2, 12)
    (2, 1, 0)
    """
    if wanted < 0:
        raise ValueError(f"regions must be at least 0, got {wanted}")
    return min(wanted, wards // (REGION_WARDS * MAX_REGION_SHARE))


def region_wards(
    rng: np.random.Generator, centres_m: FloatArray, weights: FloatArray, count: int
) -> list[IntArray]:
    """``count`` disjoint groups of ``REGION_WARDS`` wards, each a seed ward and its nearest.

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws the seed wards.
    centres_m : ndarray, shape (n, 2)
        Ward centres in metres on a local plane (only distances between them matter).
    weights : ndarray, shape (n,)
        Household shares of the wards: seeds are drawn in proportion, so regions sit where
        people live; wards with no weight are never seeds but may be neighbours.
    count : int
        Regions to choose; at most ``region_count(count, n)`` fit.

    Returns
    -------
    list of ndarray of int
        Ward positions per region, nearest the seed first.
    """
    if count > region_count(count, len(weights)):
        raise ValueError(f"{len(weights)} wards cannot hold {count} regions of {REGION_WARDS}")
    taken = np.zeros(len(weights), dtype=bool)
    groups: list[IntArray] = []
    for _ in range(count):
        free = np.where(taken, 0.0, weights)
        seed = int(rng.choice(len(weights), p=free / free.sum()))
        distance = np.hypot(*(centres_m - centres_m[seed]).T)
        distance[taken] = np.inf
        group = np.argsort(distance, kind="stable")[:REGION_WARDS].astype(np.int64)
        taken[group] = True
        groups.append(group)
    return groups


def extra_incidents(
    ordinary: int, shares: Sequence[float], factor: float = REGION_FACTOR
) -> IntArray:
    """Extra incidents per region so that each region's rate is ``factor`` times the rest's.

    Parameters
    ----------
    ordinary : int
        Incidents to share between the ordinary background and the regions' extras.
    shares : sequence of float
        Per region, the expected share of the background that is its service in its
        wards: the service's share of incidents times the region's share of households.
    factor : float
        The rate in a region over the rate elsewhere, at least 1.

    Returns
    -------
    ndarray of int
        Extra incidents per region. With ``B = ordinary - extras.sum()`` background
        incidents, region ``r`` gets ``(factor - 1) * shares[r] * B``, rounded.

    Examples
    --------
    >>> extra_incidents(10_900, [0.01, 0.02]).tolist()
    [300, 600]
    """
    if factor < 1:
        raise ValueError(f"factor must be at least 1, got {factor}")
    boost = (factor - 1.0) * np.asarray(shares, dtype=np.float64)
    background = ordinary / (1.0 + boost.sum())
    extras: IntArray = np.round(boost * background).astype(np.int64)
    return extras


def plant_regions(
    rng: np.random.Generator,
    wards: WardTable,
    wanted: int,
    ordinary: int,
    service_weights: Mapping[str, float],
    hotspots: Sequence[PlantedHotspot],
) -> list[PlantedRegion]:
    """Regions of distinct service types, sized against the ``ordinary`` incidents.

    A region's service is drawn from those without a planted hotspot while there are
    enough: a burst of a hundred incidents in one ward is an outlier that dominates the
    permutation tests of its service's ward hotspots over the whole period, and the demo
    should show each kind of pattern where it can be seen.
    """
    count = min(region_count(wanted, len(wards.codes)), len(service_weights))
    if count == 0:
        return []
    groups = region_wards(rng, _ward_centres_m(wards), wards.weights, count)
    options = list(service_weights)
    p = np.array(list(service_weights.values())) / sum(service_weights.values())
    bursts = {hotspot.service_code for hotspot in hotspots}
    quiet = np.array([code not in bursts for code in options])
    preferred = p * quiet if quiet.sum() >= count else p
    services = rng.choice(len(options), size=count, replace=False, p=preferred / preferred.sum())
    shares = [
        p[code] * wards.weights[group].sum() for code, group in zip(services, groups, strict=True)
    ]
    extras = extra_incidents(ordinary, shares)
    return [
        PlantedRegion(
            id=f"R{number + 1:02d}",
            service_code=options[services[number]],
            ward_codes=tuple(str(code) for code in wards.codes[groups[number]]),
            factor=REGION_FACTOR,
            count=int(extras[number]),
        )
        for number in range(count)
    ]


def _ward_centres_m(wards: WardTable) -> FloatArray:
    """Ward bounding-box centres in metres on a plane around the wards' mean latitude."""
    lon = (wards.bounds[:, 0] + wards.bounds[:, 2]) / 2.0
    lat = (wards.bounds[:, 1] + wards.bounds[:, 3]) / 2.0
    east_per_deg, north_per_deg = metres_per_degree(float(lat.mean()))
    return np.column_stack([lon * east_per_deg, lat * north_per_deg])
