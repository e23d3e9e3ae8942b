"""Excel workbooks, Kobo's XLSX export or a plain one: the first sheet, streamed row by row.

openpyxl's read-only mode parses the sheet as it goes, so only a chunk of rows is held; the
zip's directory is checked against the limits before openpyxl opens anything. Rows are the
sheet's own row numbers. Each cell becomes text: numbers as Python writes them, dates and
times in ISO 8601, booleans ``true``/``false``, an empty cell None.

Only the first sheet is read. Kobo's XLSX export puts each repeat group in a sheet of its
own (linked by ``_parent_index``); those sheets are not attached to their submissions.
"""

from __future__ import annotations

import itertools
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, time
from pathlib import Path

import numpy as np
import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from geosvc.errors import SourceFileError
from geosvc.surveys.formats.layout import Dialect, resolve_layout, table_dialect
from geosvc.surveys.formats.limits import ReadLimits, check_members
from geosvc.surveys.formats.table import (
    OpenedTable,
    RawChunk,
    header_names,
    is_hxl_row,
    value_chunk,
)

Cells = Sequence[object]
_BROKEN = (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError)


def open_xlsx(
    path: Path, label: str, limits: ReadLimits, *, location: str | None, chunk_rows: int
) -> tuple[Dialect, OpenedTable]:
    """The first sheet of the workbook ``path``, its dialect recognised from its header."""
    with zipfile.ZipFile(path) as archive:
        check_members(archive, archive.infolist(), limits, label)
    workbook = _load(path, label)
    try:
        rows = SheetRows(workbook, label, chunk_rows)
        dialect = table_dialect(rows.names)
        layout = resolve_layout(rows.names, dialect, location=location, label=label)
    except BaseException:
        workbook.close()
        raise
    return dialect, OpenedTable(layout, rows.raw_chunks, workbook.close)


class SheetRows:
    """The first sheet's rows, as text, in chunks."""

    def __init__(self, workbook: Workbook, label: str, chunk_rows: int) -> None:
        sheet = workbook.worksheets[0]
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise SourceFileError(f"{label}: its first sheet is a chart, not a table.")
        # Some writers record a wrong sheet size (A1:A1), which read-only mode would trust.
        sheet.reset_dimensions()
        self._sheet = sheet
        self._label = label
        self._chunk_rows = chunk_rows
        top = itertools.islice(sheet.iter_rows(values_only=True), 2)
        head = [_texts(row) for row in _guarded(top, label)]
        if not head or not any(head[0]):
            raise SourceFileError(f"{label}: its first sheet has no header in row 1.")
        self.names = header_names(_trimmed(head[0]), label)
        self.header_rows = 2 if len(head) > 1 and is_hxl_row(head[1]) else 1

    def raw_chunks(self) -> Iterator[RawChunk]:
        """Every data row from the first, blank rows left out."""
        first_row = self.header_rows + 1
        rows = self._sheet.iter_rows(min_row=first_row, values_only=True)
        while batch := list(_guarded(itertools.islice(rows, self._chunk_rows), self._label)):
            chunk = self._chunk(batch, first_row)
            first_row += len(batch)
            if len(chunk):
                yield chunk

    def _chunk(self, batch: list[Cells], first_row: int) -> RawChunk:
        width = len(self.names)
        texts = []
        for number, row in enumerate(batch, start=first_row):
            if len(row) > width:
                self._check_beyond(row, number)
            cells = _texts(row[:width])
            texts.append(cells + [None] * (width - len(cells)))
        columns = {
            name: np.array(values, dtype=object)
            for name, values in zip(self.names, zip(*texts, strict=True), strict=True)
        }
        rows = np.arange(first_row, first_row + len(batch), dtype=np.int64)
        return value_chunk(columns, rows)

    def _check_beyond(self, row: Cells, number: int) -> None:
        width = len(self.names)
        for position, value in enumerate(row[width:], start=width + 1):
            if _text(value) is not None:
                raise SourceFileError(
                    f"{self._label}: row {number} has a value in column "
                    f"{get_column_letter(position)}, beyond the header's last column "
                    f"{get_column_letter(width)}; give that column a name in row 1."
                )


def _load(path: Path, label: str) -> Workbook:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it skips; the values are unaffected.
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _BROKEN as exc:
        raise SourceFileError(f"{label} is a damaged Excel workbook and cannot be read.") from exc


def _guarded(rows: Iterator[Cells], label: str) -> Iterator[Cells]:
    try:
        yield from rows
    except _BROKEN as exc:
        raise SourceFileError(f"{label} is a damaged Excel workbook and cannot be read.") from exc


def _texts(row: Cells) -> list[str | None]:
    return [_text(value) for value in row]


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _trimmed(cells: list[str | None]) -> list[str | None]:
    """A header row without the empty cells a spreadsheet leaves after its last column."""
    end = len(cells)
    while end and not (cells[end - 1] or "").strip():
        end -= 1
    return cells[:end]
