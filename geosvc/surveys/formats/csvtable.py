"""CSV exports in chunks: Kobo (semicolon by default, maybe an HXL row), ODK Central, plain.

pandas' C parser reads the text; nothing here loops over rows. Every column is read, as
text with ``na_filter`` off, so that "NA" stays "NA" and the parser refuses a row with more
fields than the header instead of shifting its values (``usecols`` would silently drop
them). A row with fewer fields than the header has the missing ones blank.

Rows are numbered as a spreadsheet shows the file: the header is row 1, an HXL row row 2,
and each record one row, even one whose quoted value spans several lines; so are the row
numbers in the parser's errors. Only a text editor's line numbers differ, after such a
value.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

import pandas as pd

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
_TOO_MANY = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


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
        with self._opener() as handle:
            try:
                yield from self._chunks(handle)
            except pd.errors.ParserError as exc:
                raise SourceFileError(_parser_problem(exc, head, self._label)) from exc

    def _chunks(self, handle: IO[bytes]) -> Iterator[RawChunk]:
        head = self.head
        first_row = head.header_rows + 1
        with pd.read_csv(
            handle,
            sep=head.delimiter,
            encoding=self._encoding.value,
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            index_col=False,
            header=0,
            skiprows=[1] if head.header_rows == 2 else None,
            chunksize=self._chunk_rows,
            engine="c",
            low_memory=False,  # each chunk parsed in one piece, not in pieces then joined
        ) as reader:
            for frame in reader:
                if frame.shape[1] != len(head.names):
                    raise SourceFileError(f"{self._label}: its header cannot be read.")
                chunk = text_chunk(frame, head.names, first_row)
                first_row += len(frame)
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
            _too_many(label, header_rows + 1, len(parsed[header_rows]), len(names), delimiter)
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


def _parser_problem(exc: pd.errors.ParserError, head: CsvHead, label: str) -> str:
    detail = str(exc).strip().removeprefix("Error tokenizing data. C error: ")
    if match := _TOO_MANY.search(detail):
        expected, row, found = (int(g) for g in match.groups())
        return _too_many(label, row, found, expected, head.delimiter)
    if match := _OPEN_QUOTE.search(detail):
        row = int(match.group(1)) + 1
        return f'{label}: row {row} opens a quoted value (") that is never closed.'
    return f"{label} cannot be read as CSV: {detail}."


def _too_many(label: str, row: int, found: int, expected: int, delimiter: str) -> str:
    shown = "tab" if delimiter == "\t" else repr(delimiter)
    return (
        f"{label}: row {row} has {found} fields but the header has {expected}; "
        f"a value that holds a {shown} must be in double quotes."
    )


def open_csv(
    opener: Opener, encoding: Encoding, label: str, *, location: str | None, chunk_rows: int
) -> tuple[Dialect, OpenedTable]:
    """A CSV export, its dialect recognised from its header, ready to read in chunks."""
    rows = CsvRows(opener, encoding, label, chunk_rows)
    names = rows.head.names
    dialect = table_dialect(names)
    layout = resolve_layout(names, dialect, location=location, label=label)
    return dialect, OpenedTable(layout, rows.raw_chunks)
