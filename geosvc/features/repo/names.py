"""Which of the names a filter uses are unknown: services, wards, a municipality."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, text

_UNKNOWN = """
SELECT
    ARRAY(SELECT s FROM unnest(CAST(:services AS text[])) AS s
          WHERE NOT EXISTS (SELECT 1 FROM service_type WHERE code = s OR group_name = s)
            AND s <> 'all') AS services,
    ARRAY(SELECT c FROM unnest(CAST(:wards AS text[])) AS c
          WHERE NOT EXISTS (SELECT 1 FROM ward WHERE code = c)) AS wards,
    CAST(:municipality AS text) IS NULL OR EXISTS (
        SELECT 1 FROM ward
        WHERE municipality_code = :municipality OR municipality_name = :municipality
    ) AS municipality_known
"""


def unknown_names(
    conn: Connection, services: Sequence[str], wards: Sequence[str], municipality: str | None
) -> Row[*tuple[Any, ...]]:
    """One row: ``services`` and ``wards`` that do not exist, and ``municipality_known``.

    A service is known as a service type's code, a group's name or ``all``; a municipality
    by the code or the name of a loaded ward's municipality (None is known).
    """
    return conn.execute(
        text(_UNKNOWN),
        {"services": list(services), "wards": list(wards), "municipality": municipality},
    ).one()
