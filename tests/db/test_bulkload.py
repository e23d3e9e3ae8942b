"""Deferring indexes and foreign keys during a large load, against a real PostGIS."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from geosvc.bulkload import MIN_DEFERRED_ROWS, indexes_deferred, table_rows, worth_deferring

_OBJECTS = """
    SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'survey_response'::regclass
    UNION ALL
    SELECT pg_get_constraintdef(oid) FROM pg_constraint
    WHERE conrelid = 'survey_response'::regclass
    ORDER BY 1
"""
_SECONDARY = """
    SELECT count(*) FROM pg_index
    WHERE indrelid = 'survey_response'::regclass AND NOT indisunique AND NOT indisprimary
"""
_KEYS = """
    SELECT count(*) FROM pg_constraint
    WHERE conrelid = 'survey_response'::regclass AND contype = 'f'
"""


def test_inside_only_unique_indexes_remain_and_after_everything_is_back(conn: Connection) -> None:
    before = conn.execute(text(_OBJECTS)).scalars().all()
    with indexes_deferred(conn, ["survey_response"], defer=True):
        assert conn.execute(text(_SECONDARY)).scalar_one() == 0
        assert conn.execute(text(_KEYS)).scalar_one() == 2  # foreign keys stay
        unique = "SELECT count(*) FROM pg_index WHERE indrelid = 'survey_response'::regclass"
        assert conn.execute(text(unique)).scalar_one() == 3  # primary key, submission, root
    assert conn.execute(text(_OBJECTS)).scalars().all() == before


def test_unique_keys_too_when_asked_and_duplicates_are_caught_after(conn: Connection) -> None:
    before = conn.execute(text(_OBJECTS)).scalars().all()
    with indexes_deferred(conn, ["survey_response"], defer=True, unique=True):
        every = "SELECT count(*) FROM pg_index WHERE indrelid = 'survey_response'::regclass"
        assert conn.execute(text(every)).scalar_one() == 1  # the primary key alone
    assert conn.execute(text(_OBJECTS)).scalars().all() == before
    batch = _batch(conn)
    twice = (
        "INSERT INTO survey_response (submission_id, root_id, batch_id, geom) VALUES "
        "('s1', 'r1', :b, ST_SetSRID(ST_MakePoint(28, -26), 4326)), "
        "('s1', 'r2', :b, ST_SetSRID(ST_MakePoint(28, -26), 4326))"
    )
    with (
        pytest.raises(IntegrityError, match="survey_response_submission_id_key"),
        indexes_deferred(conn, ["survey_response"], defer=True, unique=True),
    ):
        conn.execute(text(twice), {"b": batch})


def test_not_deferring_changes_nothing(conn: Connection) -> None:
    with indexes_deferred(conn, ["survey_response"], defer=False):
        assert conn.execute(text(_SECONDARY)).scalar_one() == 3


def test_foreign_keys_still_check_rows_loaded_meanwhile(conn: Connection) -> None:
    with (
        pytest.raises(IntegrityError, match="survey_response_batch_id_fkey"),
        indexes_deferred(conn, ["survey_response"], defer=True),
    ):
        conn.execute(
            text(
                "INSERT INTO survey_response (submission_id, root_id, batch_id, geom) "
                "VALUES ('s1', 's1', 999, ST_SetSRID(ST_MakePoint(28, -26), 4326))"
            )
        )


def test_only_large_loads_against_the_table_are_deferred(conn: Connection) -> None:
    conn.execute(text("CREATE TEMP TABLE loaded AS SELECT generate_series(1, 1000) AS n"))
    assert table_rows(conn, "loaded") == 1000  # never analysed: counted
    conn.execute(text("INSERT INTO loaded SELECT generate_series(1, 500000)"))
    conn.execute(text("ANALYZE loaded"))
    assert table_rows(conn, "loaded") == pytest.approx(501_000, rel=0.05)  # the estimate
    assert worth_deferring(conn, "loaded", 600_000)
    assert not worth_deferring(conn, "loaded", 400_000)  # smaller than the table
    conn.execute(text("TRUNCATE loaded"))
    conn.execute(text("ANALYZE loaded"))
    assert worth_deferring(conn, "loaded", MIN_DEFERRED_ROWS)
    assert not worth_deferring(conn, "loaded", MIN_DEFERRED_ROWS - 1)  # too small to pay


def test_foreign_keys_to_named_tables_go_and_check_every_row_after(conn: Connection) -> None:
    before = conn.execute(text(_OBJECTS)).scalars().all()
    with indexes_deferred(conn, ["survey_response"], defer=True, keys_to=["ward"]):
        assert conn.execute(text(_KEYS)).scalar_one() == 1  # the one to survey_batch stays
    assert conn.execute(text(_OBJECTS)).scalars().all() == before
    batch = _batch(conn)
    with (
        pytest.raises(IntegrityError, match="survey_response_ward_code_fkey"),
        indexes_deferred(conn, ["survey_response"], defer=True, keys_to=["ward"]),
    ):
        conn.execute(
            text(
                "INSERT INTO survey_response (submission_id, root_id, batch_id, ward_code, geom) "
                "VALUES ('s1', 's1', :b, 'NO-SUCH-WARD', ST_SetSRID(ST_MakePoint(28, -26), 4326))"
            ),
            {"b": batch},
        )  # accepted here, refused when the key comes back


def _batch(conn: Connection) -> int:
    """A survey batch for responses to belong to."""
    return int(
        conn.execute(
            text(
                "INSERT INTO survey_batch (file_hash, filename, source_format, schema_name, "
                "uploaded_by) VALUES (repeat('a', 64), 'f', 'csv', 'default', 'cdw') RETURNING id"
            )
        ).scalar_one()
    )
