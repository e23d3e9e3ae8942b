"""A large CSV file's text in chunks of rows, read by Arrow's streaming CSV reader.

Arrow's reader parses in C++ straight into Arrow strings: about four times less work
than pandas' C parser, whose every value is a Python object (bench_request_import,
bench_survey_load). Its semantics are kept those of ``pd.read_csv(dtype=object,
na_filter=False, skip_blank_lines=False)``, which the loaders used before:

- every value is text, empty where the field is empty, "NA" and "null" included;
- a blank line is a row of empty values, and keeps its row number;
- a row with more fields than the header refuses the file, naming its row;
- a row with fewer is padded with empty values (``short_rows="pad"``: spreadsheets drop
  trailing empty cells) or refuses the file (``"refuse"``: a request export cut short);
- a quoted value that is never closed refuses the file, naming its row: Arrow alone
  would take the rest of the file for that value, silently.

Rows are numbered as a spreadsheet shows them: the header's rows first, then each record
one row, even one whose quoted value spans several lines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from geosvc.errors import SourceFileError

BLOCK_BYTES = 4 << 20
FIRST_CHUNK_ROWS = 10_000
"""The first chunk is no larger, so that whoever works on chunks while the next is read
(the database, storing them) starts within a fraction of a second, not after a full one."""
ShortRows = Literal["refuse", "pad"]
Opener = Callable[[], IO[bytes]]
_TEXT = pd.StringDtype("pyarrow")


@dataclass(frozen=True)
class CsvLayout:
    """How to read a CSV file: its column names, delimiter, encoding and header rows."""

    names: Sequence[str]
    """Every column's name, as the caller read the header (Arrow would not tell repeated
    names apart); the header rows themselves are skipped."""
    delimiter: str
    encoding: str
    """Python's codec name; both UTF-8 names read natively (the BOM is in the header)."""
    header_rows: int = 1
    short_rows: ShortRows = "refuse"


def read_text_tables(
    source: Path | Opener, layout: CsvLayout, *, label: str, chunk_rows: int
) -> Iterator[pa.Table]:
    """Every row after the header as Arrow text, ``chunk_rows`` rows a table (the first at
    most ``FIRST_CHUNK_ROWS``); the first row is number ``layout.header_rows + 1``.

    Raises SourceFileError, its message starting with ``label``, for the rows described
    in the module's text.
    """
    reading = _Reading(layout, label)
    with _TailKeeper(source) as handle:
        reader = reading.open(handle)
        try:
            yield from _rechunked(reading.records(reader), chunk_rows)
        finally:
            reader.close()
        reading.check_last(handle.tail)


def too_many_fields(label: str, row: int, found: int, expected: int, delimiter: str) -> str:
    """The message refusing a file whose row ``row`` has more fields than its header."""
    shown = "tab" if delimiter == "\t" else repr(delimiter)
    return (
        f"{label}: row {row} has {found} fields but the header has {expected}; "
        f"a value that holds a {shown} must be in double quotes."
    )


def text_frame(table: pa.Table, columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` of a table from ``read_text_tables`` as Arrow-backed pandas text."""
    frame: pd.DataFrame = table.select(list(columns)).to_pandas(types_mapper=_text_type)
    return frame


class _TailKeeper:
    """A binary file that remembers its last bytes read: how a file ends tells whether
    its last quoted value was closed."""

    def __init__(self, source: Path | Opener) -> None:
        self._handle = source.open("rb") if isinstance(source, Path) else source()
        self.tail = b""
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        """Read as the file does, keeping the last 8 bytes seen."""
        data = self._handle.read(size)
        if data:
            self.tail = (self.tail + data[-8:])[-8:]  # not a copy of every block read
        return data

    def readable(self) -> bool:
        """Always: this is an input."""
        return True

    def seekable(self) -> bool:
        """Never: Arrow reads it as a stream."""
        return False

    def close(self) -> None:
        """Close the file."""
        self.closed = True
        self._handle.close()

    def __enter__(self) -> _TailKeeper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class _Reading:
    """One pass over a file: Arrow's reader, the short rows it skipped, the rows seen."""

    layout: CsvLayout
    label: str
    padded: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    next_row: int = 0
    last_value: str = ""

    def open(self, handle: _TailKeeper) -> pcsv.CSVStreamingReader:
        layout = self.layout
        encoding = "utf8" if layout.encoding in ("utf-8", "utf-8-sig") else layout.encoding
        self.next_row = layout.header_rows + 1
        try:
            return pcsv.open_csv(
                handle,
                read_options=pcsv.ReadOptions(
                    # One thread: row numbers are only known to a serial parse, and the
                    # database is busy on the other core anyway.
                    use_threads=False,
                    block_size=BLOCK_BYTES,
                    skip_rows=layout.header_rows,
                    column_names=list(layout.names),
                    encoding=encoding,
                ),
                parse_options=pcsv.ParseOptions(
                    delimiter=layout.delimiter,
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                    invalid_row_handler=self._invalid_row,
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types={name: pa.string() for name in layout.names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise SourceFileError(self._problem(exc)) from exc

    def records(self, reader: pcsv.CSVStreamingReader) -> Iterator[pa.Table]:
        """Each batch of records, with the padded short rows back in their places."""
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
                raise SourceFileError(self._problem(exc)) from exc
            yield self._counted(self._with_padded(pa.Table.from_batches([batch])))
        if self.padded:  # short rows after the last row Arrow kept
            yield self._counted(self._with_padded(reader.schema.empty_table()))

    def _counted(self, table: pa.Table) -> pa.Table:
        self.next_row += table.num_rows
        if table.num_rows:
            self.last_value = table.column(table.num_columns - 1)[-1].as_py()
        return table

    def check_last(self, tail: bytes) -> None:
        """Refuse a file whose last value opens a quote that never closes.

        Only a quoted value can hold a line break, and one closed properly leaves the
        file ending in a quote; so a last value with a line break in a file that does
        not end in a quote was never closed.
        """
        breaks = "\n" in self.last_value or "\r" in self.last_value
        if breaks and not tail.rstrip(b"\r\n").endswith(b'"'):
            raise SourceFileError(self._open_quote(self.next_row - 1))

    def _invalid_row(self, row: pcsv.InvalidRow) -> str:
        layout, number = self.layout, row.number
        if number is None:
            self.problems.append(f"{self.label}: a row has {row.actual_columns} fields.")
            return "error"
        fields = _fields(row.text, layout.delimiter)
        if fields is None:
            self.problems.append(self._open_quote(number))
        elif row.actual_columns > row.expected_columns:
            self.problems.append(
                too_many_fields(
                    self.label, number, row.actual_columns, row.expected_columns, layout.delimiter
                )
            )
        elif layout.short_rows == "refuse":
            self.problems.append(
                f"{self.label}: row {number} has {row.actual_columns} fields but the header "
                f"has {row.expected_columns}; is it cut short, or does a value hold a line "
                "break outside double quotes?"
            )
        else:
            self.padded.append((number, fields + [""] * (row.expected_columns - len(fields))))
            return "skip"
        return "error"

    def _with_padded(self, table: pa.Table) -> pa.Table:
        """``table`` with the short rows skipped inside it put back, padded, in order."""
        end = self.next_row + table.num_rows
        inside: list[tuple[int, list[str]]] = []
        # A short row just after the table's last row may be the next batch's first: put
        # here or there, it keeps its place.
        while self.padded and self.padded[0][0] <= end + len(inside):
            inside.append(self.padded.pop(0))
        if not inside:
            return table
        names = table.column_names
        extra = pa.table(
            {name: [values[i] for _, values in inside] for i, name in enumerate(names)},
            schema=table.schema,
        )
        numbers = np.array([n for n, _ in inside]) - self.next_row
        merged = pa.concat_tables([table, extra])
        order = np.empty(merged.num_rows, dtype=np.int64)
        taken = np.zeros(merged.num_rows, dtype=bool)
        taken[numbers] = True
        order[~taken] = np.arange(table.num_rows)
        order[numbers] = np.arange(table.num_rows, merged.num_rows)
        return merged.take(pa.array(order))

    def _problem(self, exc: Exception) -> str:
        if self.problems:
            return self.problems[0]
        if isinstance(exc, UnicodeDecodeError):
            return f"{self.label}: it is not in the {self.layout.encoding} encoding ({exc.reason})."
        detail = str(exc).removeprefix("CSV parse error: ").strip()
        return f"{self.label} cannot be read as CSV: {detail}."

    def _open_quote(self, row: int) -> str:
        return f'{self.label}: row {row} opens a quoted value (") that is never closed.'


def _fields(text: str, delimiter: str) -> list[str] | None:
    """A row's fields as the csv module reads them; None if a quote is never closed."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return rows[0] if rows else [""]


def _rechunked(tables: Iterator[pa.Table], rows: int) -> Iterator[pa.Table]:
    """The tables as tables of ``rows`` rows, the first at most FIRST_CHUNK_ROWS and the
    last shorter."""
    pending: list[pa.Table] = []
    count = 0
    size = min(rows, FIRST_CHUNK_ROWS)
    for table in tables:
        pending.append(table)
        count += table.num_rows
        while count >= size:
            whole = pa.concat_tables(pending)
            yield whole.slice(0, size)
            rest = whole.slice(size)
            pending, count, size = [rest], rest.num_rows, rows
    if count:
        yield pa.concat_tables(pending)


def _text_type(arrow_type: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    return _TEXT if arrow_type == pa.string() else None
