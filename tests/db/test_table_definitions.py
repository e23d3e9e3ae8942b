"""The tables defined in the domains' ``tables`` modules are the migrated database's tables.

Two comparisons, because Alembic's autogenerate compares only part of a table:

- ``compare_metadata`` (what ``alembic check`` runs): tables, columns, types, nullability,
  server defaults, unique constraints, foreign keys with ON DELETE, and indexes by columns.
- the catalogue: the definitions are created with ``create_all`` in an empty PostGIS
  database and PostgreSQL's own rendering of both databases' tables is compared, which
  covers what Alembic does not: column order, CHECK constraints, primary keys, index
  methods (GiST) and partial indexes' predicates. There are no expression indexes, the
  one kind whose reflection SQLAlchemy warns about and Alembic skips; one would still be
  compared here, by its definition.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Connection, Engine, MetaData, Text, create_engine, text
from sqlalchemy.engine import make_url

from geosvc import schema
from geosvc.migrations.metadata import include_object, metadata

_COLUMNS = text(
    """
    SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
           pg_get_expr(d.adbin, d.adrelid)
    FROM pg_attribute a
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = CAST(:table AS regclass) AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum
    """
)
_CONSTRAINTS = text(
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE conrelid = CAST(:table AS regclass) ORDER BY conname"
)
_INDEXES = text(
    "SELECT indexname, indexdef FROM pg_indexes "
    "WHERE schemaname = 'public' AND tablename = :table ORDER BY indexname"
)


def differences(conn: Connection, definitions: MetaData) -> list[Any]:
    """Alembic's autogenerate differences between ``definitions`` and the database."""
    context = MigrationContext.configure(
        conn,
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "include_object": include_object,
        },
    )
    return list(compare_metadata(context, definitions))


def catalogue(conn: Connection, tables: list[str]) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """PostgreSQL's rendering of each of ``tables``: columns in order, constraints, indexes."""
    return {
        table: {
            kind: [tuple(row) for row in conn.execute(query, {"table": table})]
            for kind, query in (
                ("columns", _COLUMNS),
                ("constraints", _CONSTRAINTS),
                ("indexes", _INDEXES),
            )
        }
        for table in tables
    }


def copied(definitions: MetaData) -> MetaData:
    """A copy of ``definitions`` to change on purpose without touching the real one."""
    copy = MetaData(naming_convention=definitions.naming_convention)
    for table in definitions.sorted_tables:
        table.to_metadata(copy)
    return copy


@pytest.fixture(scope="module")
def defined_url(base_url: str) -> Iterator[str]:
    """An empty PostGIS database holding the tables as defined, made by ``create_all``."""
    url = make_url(base_url).set(database=f"geosvc_defined_{os.getpid()}")
    rendered = url.render_as_string(hide_password=False)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    with admin.connect() as conn:
        conn.execute(drop)
    schema.create_database(rendered)
    engine = create_engine(rendered)
    with engine.begin() as conn:
        metadata.create_all(conn)
    engine.dispose()
    yield rendered
    with admin.connect() as conn:
        conn.execute(drop)
    admin.dispose()


@pytest.fixture(scope="module")
def defined(defined_url: str) -> Iterator[Engine]:
    """An engine on ``defined_url``."""
    engine = create_engine(defined_url)
    yield engine
    engine.dispose()


def test_definitions_cover_every_migrated_table(engine: Engine) -> None:
    with engine.connect() as conn:
        migrated = conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT IN ('alembic_version', 'spatial_ref_sys') ORDER BY 1"
            )
        ).scalars()
        assert list(migrated) == sorted(metadata.tables)


def test_alembic_finds_no_difference(engine: Engine) -> None:
    with engine.connect() as conn:
        found = differences(conn, metadata)
    assert found == [], "\n".join(map(str, found))


def test_catalogue_is_the_migrated_one(engine: Engine, defined: Engine) -> None:
    tables = sorted(metadata.tables)
    with engine.connect() as migrated, defined.connect() as created:
        expected, actual = catalogue(migrated, tables), catalogue(created, tables)
    mismatched = [
        f"{table} {kind}:\n  migrated {expected[table][kind]}\n  defined  {actual[table][kind]}"
        for table in tables
        for kind in expected[table]
        if expected[table][kind] != actual[table][kind]
    ]
    assert not mismatched, "\n".join(mismatched)


def _extra_column(definitions: MetaData) -> None:
    definitions.tables["ward"].append_column(Column("extra", Text))


def _nullable_name(definitions: MetaData) -> None:
    definitions.tables["ward"].c.name.nullable = True


def _missing_index(definitions: MetaData) -> None:
    table = definitions.tables["service_request"]
    table.indexes.remove(next(i for i in table.indexes if i.name == "service_request_ward_idx"))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_extra_column, "add_column"),
        (_nullable_name, "modify_nullable"),
        (_missing_index, "remove_index"),
    ],
    ids=["extra-column", "changed-nullability", "missing-index"],
)
def test_a_changed_definition_is_a_difference(
    engine: Engine, change: Callable[[MetaData], None], expected: str
) -> None:
    definitions = copied(metadata)
    with engine.connect() as conn:
        assert differences(conn, definitions) == []
        change(definitions)
        found = differences(conn, definitions)
    kinds = [d[0][0] if isinstance(d, list) else d[0] for d in found]
    assert kinds == [expected]


@pytest.mark.parametrize(
    "change",
    [
        "ALTER TABLE ward DROP CONSTRAINT ward_ward_no_check",
        "DROP INDEX service_request_due_idx; "
        "CREATE INDEX service_request_due_idx ON service_request (due_at)",
        "DROP INDEX ward_geom_idx; CREATE INDEX ward_geom_idx ON ward (geom)",
    ],
    ids=["missing-check", "index-not-partial", "index-not-gist"],
)
def test_a_changed_catalogue_is_a_difference(engine: Engine, defined: Engine, change: str) -> None:
    with engine.connect() as migrated, defined.connect() as created:
        expected = catalogue(migrated, ["ward", "service_request"])
        with created.begin() as transaction:
            assert catalogue(created, ["ward", "service_request"]) == expected
            created.execute(text(change))
            assert catalogue(created, ["ward", "service_request"]) != expected
            transaction.rollback()
