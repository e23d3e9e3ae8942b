"""The schema keeps bad rows out, whoever writes them."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from geosvc import schema

SQUARE = "SRID=4326;MULTIPOLYGON(((28 -26,28.01 -26,28.01 -26.01,28 -26.01,28 -26)))"


def _insert_ward(conn: Connection, code: str, geom: str) -> None:
    conn.execute(
        text("INSERT INTO ward (code, name, source, geom) VALUES (:c, 'x', 'test', :g)"),
        {"c": code, "g": geom},
    )


def test_migrated_to_head(conn: Connection) -> None:
    assert schema.current_revision(conn.engine) == schema.head_revision() == "0006"


def test_geometry_columns_are_4326_with_gist_indexes(conn: Connection) -> None:
    columns = conn.execute(text("SELECT f_table_name, srid FROM geometry_columns ORDER BY 1")).all()
    assert [tuple(c) for c in columns] == [
        ("cluster", 4326),  # hull
        ("cluster", 4326),  # centroid
        ("live_cluster", 4326),
        ("live_cluster", 4326),
        ("service_request", 4326),
        ("survey_response", 4326),
        ("ward", 4326),
    ]
    gist = conn.execute(
        text("SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%USING gist%' ORDER BY 1")
    ).scalars()
    assert list(gist) == ["cluster", "live_cluster", "service_request", "survey_response", "ward"]


@pytest.mark.parametrize(
    ("code", "geom"),
    [
        ("", SQUARE),
        ("has space", SQUARE),
        ("79899990", "SRID=4326;MULTIPOLYGON EMPTY"),
        ("79899991", "SRID=4326;MULTIPOLYGON(((28 -26,28.01 -26.01,28.01 -26,28 -26.01,28 -26)))"),
        ("79899992", "SRID=3857;MULTIPOLYGON(((28 -26,28.01 -26,28.01 -26.01,28 -26)))"),
        ("79899993", "SRID=4326;POINT(28 -26)"),
    ],
    ids=["empty-code", "bad-code", "empty-geometry", "invalid-geometry", "wrong-srid", "point"],
)
def test_bad_wards_are_refused(conn: Connection, code: str, geom: str) -> None:
    with pytest.raises(DBAPIError), conn.begin_nested():
        _insert_ward(conn, code, geom)


def test_request_needs_a_known_service_and_ward(conn: Connection) -> None:
    sql = (
        "INSERT INTO service_request (reference, service_code, geom, ward_code) "
        "VALUES ('T-1', :service, 'SRID=4326;POINT(28.05 -26.2)', :ward)"
    )
    with pytest.raises(IntegrityError), conn.begin_nested():
        conn.execute(text(sql), {"service": "no_such_service", "ward": "79800060"})
    with pytest.raises(IntegrityError), conn.begin_nested():
        conn.execute(text(sql), {"service": "pothole", "ward": "00000000"})
    conn.execute(text(sql), {"service": "pothole", "ward": "79800060"})


def test_request_location_must_be_a_place(conn: Connection) -> None:
    with pytest.raises(IntegrityError), conn.begin_nested():
        conn.execute(
            text(
                "INSERT INTO service_request (reference, service_code, geom) "
                "VALUES ('T-2', 'pothole', 'SRID=4326;POINT(200 -26)')"
            )
        )


def test_request_events_are_append_only(conn: Connection) -> None:
    request_id = conn.execute(
        text(
            "INSERT INTO service_request (reference, service_code, address) "
            "VALUES ('T-3', 'pothole', '1 Main Road') RETURNING id"
        )
    ).scalar_one()
    conn.execute(
        text("INSERT INTO request_event (request_id, kind, actor) VALUES (:r, 'received', 'test')"),
        {"r": request_id},
    )
    for statement in ("UPDATE request_event SET note = 'rewritten'", "DELETE FROM request_event"):
        with pytest.raises(DBAPIError, match="append-only"), conn.begin_nested():
            conn.execute(text(statement))


def test_closed_requests_carry_their_closing_time(conn: Connection) -> None:
    with pytest.raises(IntegrityError), conn.begin_nested():
        conn.execute(
            text(
                "INSERT INTO service_request (reference, service_code, address, status) "
                "VALUES ('T-4', 'pothole', '1 Main Road', 'closed')"
            )
        )


def test_every_migration_goes_down_and_up_again(scratch_url: str) -> None:
    from alembic import command

    from geosvc.db import make_engine

    engine = make_engine(scratch_url)
    config = schema.alembic_config(scratch_url)
    command.downgrade(config, "base")
    assert schema.current_revision(engine) is None
    schema.upgrade(engine)
    assert schema.current_revision(engine) == schema.head_revision()
    engine.dispose()
