"""Checking the names a filter uses: a mistyped service or ward is an error, not an empty map."""

from __future__ import annotations

from sqlalchemy import Connection

from geosvc.errors import InvalidInputError
from geosvc.features.filters import FeatureFilters
from geosvc.features.repo.names import unknown_names


def check_names(conn: Connection, filters: FeatureFilters) -> None:
    """Raise InvalidInputError for a service, ward or municipality that does not exist.

    A service is a service type's code or a group's name (``water``); the analysis also
    stores results for ``all`` services.
    """
    if not (filters.services or filters.wards or filters.municipality):
        return
    row = unknown_names(conn, filters.services, filters.wards, filters.municipality)
    if row.services:
        raise InvalidInputError(
            f"service {row.services[0]!r} is neither a service type's code nor a group's name"
        )
    if row.wards:
        raise InvalidInputError(f"ward {row.wards[0]!r} is not a loaded ward's code")
    if not row.municipality_known:
        raise InvalidInputError(
            f"municipality {filters.municipality!r} is neither the code nor the name "
            "of a municipality with loaded wards"
        )
