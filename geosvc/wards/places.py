"""The wards a batch of points is checked and placed against, read once per batch."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from geosvc.errors import InvalidInputError
from geosvc.geo import Extent
from geosvc.wards.assign import WardIndex
from geosvc.wards.repo import jurisdiction_extent


@dataclass(frozen=True)
class Places:
    """What the location checks need from the database: the wards and their extent."""

    extent: Extent
    wards: WardIndex
    ward_codes: frozenset[str]


def load_places(conn: Connection) -> Places:
    """The loaded wards, indexed for batch lookups; refuses a database without wards."""
    extent = jurisdiction_extent(conn)
    if extent is None:
        raise InvalidInputError("No wards are loaded; run 'geosvc wards load' first.")
    wards = WardIndex.from_db(conn)
    return Places(extent=extent, wards=wards, ward_codes=frozenset(map(str, wards.codes)))
