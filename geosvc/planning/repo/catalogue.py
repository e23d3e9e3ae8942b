"""Service types, wards and municipalities as the planner names them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Row, RowMapping, text


def service_types(conn: Connection) -> Sequence[Row[str, str, str]]:
    """Every service type as (code, name, group_name)."""
    return conn.execute(text("SELECT code, name, group_name FROM service_type")).all()


def group_codes(conn: Connection) -> Sequence[Row[str, str]]:
    """Every service type as (group_name, code), by code."""
    return conn.execute(text("SELECT group_name, code FROM service_type ORDER BY code")).all()


def ward_row(conn: Connection, code: str) -> RowMapping | None:
    """Ward ``code``'s name, number, municipality, province and size; None if unknown."""
    return (
        conn.execute(
            text(
                "SELECT code, name, ward_no, municipality_code, municipality_name, province, "
                "households, population, area_ha FROM ward WHERE code = :code"
            ),
            {"code": code},
        )
        .mappings()
        .first()
    )


def municipalities(conn: Connection) -> Sequence[Row[str, str]]:
    """The municipalities of the loaded wards as (code, name), by code."""
    return conn.execute(
        text(
            "SELECT DISTINCT municipality_code, municipality_name FROM ward "
            "WHERE municipality_code IS NOT NULL ORDER BY 1"
        )
    ).all()
