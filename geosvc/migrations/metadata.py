"""The complete metadata (every domain's tables) and what comparing it with a database skips.

Here, not in ``geosvc.db``, because a top-level core module must not import a domain package.
"""

from __future__ import annotations

from typing import Any

# Imported for what importing them does: each defines its tables on ``metadata``.
import geosvc.accounts.tables
import geosvc.analytics.tables
import geosvc.live.tables
import geosvc.requests.tables
import geosvc.surveys.tables
import geosvc.wards.tables  # noqa: F401
from geosvc.db import metadata

__all__ = ["include_object", "metadata"]

_NOT_OURS = frozenset({"alembic_version", "spatial_ref_sys"})


def include_object(
    _obj: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any
) -> bool:
    """Whether Alembic compares an object: neither PostGIS's table nor ``alembic_version``.

    Only the default schema is compared, so PostGIS's ``topology`` and ``tiger`` schemas,
    where installed, are never seen. ``geoalchemy2.alembic_helpers.include_object`` is not
    needed: it skips the same way only the spatial tables of SQLite and GeoPackage besides,
    and importing geoalchemy2 already reflects geometry columns as ``Geometry``, so their
    GiST indexes compare as plain indexes on them without spurious differences.
    """
    return not (type_ == "table" and name in _NOT_OURS)
