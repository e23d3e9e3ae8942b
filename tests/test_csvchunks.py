"""Reading CSV text in chunks with Arrow: the same rows as the csv module, or a clear error."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geosvc import csvchunks
from geosvc.csvchunks import CsvLayout, read_text_tables, text_frame
from geosvc.errors import SourceFileError

NAMES = ["a", "b", "c"]
_VALUE = st.text(alphabet='ab,;"\n é', max_size=6)


def _rows(path: Path, layout: CsvLayout, chunk_rows: int = 3) -> list[list[str]]:
    tables = list(read_text_tables(path, layout, label="f.csv", chunk_rows=chunk_rows))
    return [list(row.values()) for table in tables for row in table.to_pylist()]


def _write(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        writer.writerow(NAMES)
        writer.writerows(rows)
    return path


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(_VALUE, min_size=1, max_size=3), max_size=25),
    block=st.sampled_from([64, 256, 1 << 20]),
    chunk_rows=st.integers(1, 7),
)
def test_short_rows_are_padded_in_place_whatever_the_blocks(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rows: list[list[str]],
    block: int,
    chunk_rows: int,
) -> None:
    monkeypatch.setattr(csvchunks, "BLOCK_BYTES", block)
    path = _write(tmp_path / "f.csv", rows)
    with path.open(newline="", encoding="utf-8") as source:
        expected = [r + [""] * (3 - len(r)) for r in list(csv.reader(source))[1:]]
    layout = CsvLayout(NAMES, ",", "utf-8", short_rows="pad")
    assert _rows(path, layout, chunk_rows) == expected


def test_chunks_are_sized_and_the_first_is_small(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csvchunks, "FIRST_CHUNK_ROWS", 2)
    path = _write(tmp_path / "f.csv", [[str(i), "x", "y"] for i in range(12)])
    layout = CsvLayout(NAMES, ",", "utf-8")
    sizes = [t.num_rows for t in read_text_tables(path, layout, label="f", chunk_rows=5)]
    assert sizes == [2, 5, 5]


def test_text_stays_text_and_a_blank_line_is_a_row(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b'\xef\xbb\xbfa;b;c\nNA;null;\n\n1;"x;y";2\n')
    layout = CsvLayout(NAMES, ";", "utf-8-sig")
    assert _rows(path, layout) == [["NA", "null", ""], ["", "", ""], ["1", "x;y", "2"]]
    table = next(read_text_tables(path, layout, label="f", chunk_rows=10))
    frame = text_frame(table, ["c", "a"])
    assert list(frame.columns) == ["c", "a"]
    assert str(frame["a"].dtype) == "string"


def test_windows_1252_text(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes("a,b,c\nSoweto,café,€5\n".encode("cp1252"))
    assert _rows(path, CsvLayout(NAMES, ",", "cp1252")) == [["Soweto", "café", "€5"]]


@pytest.mark.parametrize(
    ("text", "short_rows", "problem"),
    [
        ("1,2,3\n4,5,6,7\n", "pad", "f.csv: row 3 has 4 fields but the header has 3; a value"),
        ("1,2,3\n4,5\n", "refuse", "f.csv: row 3 has 2 fields but the header has 3; is it cut"),
        ('1,2,3\n"4,5\n6,7,8\n', "pad", r'f.csv: row 3 opens a quoted value \("\) that is never'),
        ('1,2,3\n4,5,"6\n7,8,9\n', "pad", r'f.csv: row 3 opens a quoted value \("\) that is never'),
    ],
    ids=["long row", "short row refused", "open quote, short", "open quote, last field"],
)
def test_malformed_rows_refuse_the_file_naming_the_row(
    tmp_path: Path, text: str, short_rows: csvchunks.ShortRows, problem: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_text("a,b,c\n" + text, encoding="utf-8")
    layout = CsvLayout(NAMES, ",", "utf-8", short_rows=short_rows)
    with pytest.raises(SourceFileError, match=problem):
        _rows(path, layout)


def test_a_closed_value_with_a_line_break_at_the_end_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text('a,b,c\n1,2,"three\nlines\n"\n', encoding="utf-8")
    assert _rows(path, CsvLayout(NAMES, ",", "utf-8")) == [["1", "2", "three\nlines\n"]]


def test_an_opener_is_read_like_a_path(tmp_path: Path) -> None:
    data = b"a,b,c\n1,2,3\n"
    rows = read_text_tables(
        lambda: io.BytesIO(data), CsvLayout(NAMES, ",", "utf-8"), label="f", chunk_rows=5
    )
    assert [t.to_pylist() for t in rows] == [[{"a": "1", "b": "2", "c": "3"}]]
    assert isinstance(pa.table({"x": [1]}), pa.Table)
