"""The service catalogue's rows: ``service_type``, written from a catalogue file and read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, text


def upsert_service_types(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert the service types of ``rows``, or update those whose code is stored already.

    Each row binds a type's fields by name, ``group`` for group_name and ``attributes`` as
    JSON text.
    """
    conn.execute(
        text(
            """
            INSERT INTO service_type (code, name, group_name, description, keywords, attributes,
                                      urgent, acknowledge_days, notify_days, complete_days,
                                      duplicate_radius_m, duplicate_window_hours)
            VALUES (:code, :name, :group, :description, :keywords, CAST(:attributes AS jsonb),
                    :urgent, :acknowledge_days, :notify_days, :complete_days,
                    :duplicate_radius_m, :duplicate_window_hours)
            ON CONFLICT (code) DO UPDATE SET
                name = EXCLUDED.name, group_name = EXCLUDED.group_name,
                description = EXCLUDED.description, keywords = EXCLUDED.keywords,
                attributes = EXCLUDED.attributes, urgent = EXCLUDED.urgent,
                acknowledge_days = EXCLUDED.acknowledge_days,
                notify_days = EXCLUDED.notify_days, complete_days = EXCLUDED.complete_days,
                duplicate_radius_m = EXCLUDED.duplicate_radius_m,
                duplicate_window_hours = EXCLUDED.duplicate_window_hours
            """
        ),
        rows,
    )


_SERVICE_SQL = """
    SELECT code, name, group_name AS "group", description, keywords, urgent,
           acknowledge_days, notify_days, complete_days, attributes,
           duplicate_radius_m, duplicate_window_hours
    FROM service_type WHERE active
"""


def active_service_rows(conn: Connection) -> Sequence[RowMapping]:
    """The active service types, by group and name, with the fields of a catalogue entry."""
    return conn.execute(text(_SERVICE_SQL + " ORDER BY group_name, name, code")).mappings().all()


def active_service_row(conn: Connection, code: str) -> RowMapping | None:
    """The active service type ``code`` with the fields of a catalogue entry, or None."""
    return conn.execute(text(_SERVICE_SQL + " AND code = :code"), {"code": code}).mappings().first()


def known_service_codes(conn: Connection, codes: list[str]) -> set[str]:
    """Which of ``codes`` name a service type of the catalogue, active or withdrawn."""
    return set(
        conn.execute(
            text("SELECT code FROM service_type WHERE code = ANY(:codes)"), {"codes": codes}
        ).scalars()
    )


def service_target_days(conn: Connection, service_code: str) -> tuple[int, int, int]:
    """The working days a service type allows to acknowledge, notify and complete."""
    row = conn.execute(
        text(
            "SELECT acknowledge_days, notify_days, complete_days FROM service_type "
            "WHERE code = :code"
        ),
        {"code": service_code},
    ).one()
    return row[0], row[1], row[2]
