"""CSV exports in chunks: Kobo (semicolon by default, maybe an HXL row), ODK Central, plain.

Arrow's streaming CSV reader parses the text (``geosvc.csvchunks``); nothing here loops
over rows. Every column is read as text, so that "NA" stays "NA", and a row with more
fields than the header refuses the file instead of shifting its values. A row with fewer
fields than the header has the missing ones blank (spreadsheets drop trailing empty cells).

Rows are numbered as a spreadsheet shows the file: the header is row 1, an HXL row row 2,
and each record one row, even one whose quoted value spans several lines; so are the row
numbers in the errors. Only a text editor's line numbers differ, after such a value.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from geosvc.csvchunks import CsvLayout, read_text_tables, too_many_fields
from geosvc.errors import SourceFileError
from geosvc.surveys.formats.detect import Encoding
from geosvc.surveys.formats.layout import Dialect, resolve_layout, table_dialect
from geosvc.surveys.formats.table import (
    OpenedTable,
    RawChunk,
    header_names,
    is_hxl_row,
    text_chunk,
)

Opener = Callable[[], IO[bytes]]

_HEAD_BYTES = 1024 * 1024
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class CsvHead:
    """What the first lines say: the delimiter, the column names, the header's rows."""

    delimiter: str
    names: list[str]
    header_rows: int


class CsvRows:
    """A CSV file's rows, as text, in chunks."""

    def __init__(self, opener: Opener, encoding: Encoding, label: str, chunk_rows: int) -> None:
        self.head = read_head(opener, encoding, label)
        self._opener = opener
        self._encoding = encoding
        self._label = label
        self._chunk_rows = chunk_rows

    def raw_chunks(self) -> Iterator[RawChunk]:
        """Every data row from the first, blank rows left out."""
        head = self.head
        layout = CsvLayout(
            head.names,
            head.delimiter,
            self._encoding.value,
            header_rows=head.header_rows,
            short_rows="pad",
        )
        first_row = head.header_rows + 1
        tables = read_text_tables(
            self._opener, layout, label=self._label, chunk_rows=self._chunk_rows
        )
        for table in tables:
            chunk = text_chunk(table, first_row)
            first_row += table.num_rows
            if len(chunk):
                yield chunk


def read_head(opener: Opener, encoding: Encoding, label: str) -> CsvHead:
    """The delimiter (the one that splits the header most), names and header rows of a CSV.

    Refuses a file without a header, or whose first data row has more fields than it
    (pandas would silently take the extra field for an index there).
    """
    records = _first_records(opener, encoding, label)
    delimiter = max(_DELIMITERS, key=lambda d: len(_records(records, d)[0]))
    parsed = _records(records, delimiter)
    names = header_names(parsed[0], label)
    header_rows = 2 if len(parsed) > 1 and is_hxl_row(parsed[1]) else 1
    if len(parsed) > header_rows and len(parsed[header_rows]) > len(names):
        raise SourceFileError(
            too_many_fields(label, header_rows + 1, len(parsed[header_rows]), len(names), delimiter)
        )
    return CsvHead(delimiter=delimiter, names=names, header_rows=header_rows)


def _first_records(opener: Opener, encoding: Encoding, label: str) -> str:
    """The file's first complete lines (up to 1 MiB), decoded."""
    with opener() as handle:
        raw = handle.read(_HEAD_BYTES + 1)
    whole = len(raw) <= _HEAD_BYTES
    text = codecs.getincrementaldecoder(encoding.value)().decode(raw[:_HEAD_BYTES], final=whole)
    text = text.removeprefix("\ufeff")
    if not whole:
        text = text[: text.rfind("\n") + 1]
    if not text.strip():
        raise SourceFileError(
            f"{label}: its first line is longer than 1 MiB or blank; is it a CSV file?"
        )
    return text


def _records(text: str, delimiter: str) -> list[list[str]]:
    try:
        return list(
            itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 3)
        )
    except csv.Error:
        return [[]]


def open_csv(
    opener: Opener, encoding: Encoding, label: str, *, location: str | None, chunk_rows: int
) -> tuple[Dialect, OpenedTable]:
    """A CSV export, its dialect recognised from its header, ready to read in chunks."""
    rows = CsvRows(opener, encoding, label, chunk_rows)
    names = rows.head.names
    dialect = table_dialect(names)
    layout = resolve_layout(names, dialect, location=location, label=label)
    return dialect, OpenedTable(layout, rows.raw_chunks)
