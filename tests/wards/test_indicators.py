"""One writer of ``ward_indicator``: a source's rows replaced, for every ward or for some."""

from __future__ import annotations

from sqlalchemy import Connection, text

from geosvc.wards.repo import replace_indicators


def _row(ward: str, value: float) -> tuple[object, ...]:
    return (ward, "test", "all", "water", "households", value, "households", None)


def _values(conn: Connection, source: str) -> list[tuple[object, ...]]:
    rows = conn.execute(
        text(
            "SELECT ward_code, service, category, value FROM ward_indicator "
            "WHERE source = :s ORDER BY 1, 2, 3"
        ),
        {"s": source},
    )
    return [tuple(row) for row in rows]


def test_a_source_is_replaced_whole_and_other_sources_are_kept(conn: Connection) -> None:
    census = _values(conn, "census2011")
    replace_indicators(conn, "test", [_row("79800001", 1), _row("79800002", 2)])
    written = replace_indicators(conn, "test", [_row("79800003", 3)])
    assert written == 1
    assert _values(conn, "test") == [("79800003", "water", "households", 3)]
    assert census
    assert _values(conn, "census2011") == census


def test_with_wards_only_those_wards_rows_are_replaced(conn: Connection) -> None:
    replace_indicators(conn, "test", [_row("79800001", 1), _row("79800002", 2)])
    written = replace_indicators(conn, "test", [_row("79800002", 5)], wards=["79800002"])
    assert written == 1
    assert [(ward, value) for ward, *_, value in _values(conn, "test")] == [
        ("79800001", 1),
        ("79800002", 5),
    ]
    replace_indicators(conn, "test", [], wards=["79800001"])
    assert [(ward, value) for ward, *_, value in _values(conn, "test")] == [("79800002", 5)]
