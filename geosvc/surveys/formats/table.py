"""What every reader hands over: a chunk of the file's own columns, as text, with row numbers.

A reader knows its format; ``shape`` (in ``shape.py``) turns its chunks into the canonical
frames. In between, every value is a ``str`` or None: a blank cell (the empty string) is
None, and any other text, "NA" and "n/a" included, is kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geosvc.errors import SourceFileError
from geosvc.surveys.formats.layout import Layout

Values = npt.NDArray[np.object_]
Rows = npt.NDArray[np.int64]

_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)$")


def _nothing_to_close() -> None:
    return None


@dataclass(frozen=True)
class RawChunk:
    """Some rows of a table: source column → values (str or None), and each row's number."""

    columns: dict[str, Values]
    rows: Rows

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class OpenedTable:
    """An opened survey table: its layout, its rows in chunks, and how to release it.

    ``chunks`` starts from the first row each time it is called and yields no empty chunk.
    """

    layout: Layout
    chunks: Callable[[], Iterator[RawChunk]]
    close: Callable[[], None] = _nothing_to_close


def text_chunk(table: pa.Table, first_row: int) -> RawChunk:
    """A chunk of a CSV read as Arrow text (``geosvc.csvchunks``): blanks to None, blank
    rows out.

    Its rows are numbered from ``first_row``. A row whose every cell is blank (an empty
    line, a line of delimiters) is no submission and is dropped; the others keep their
    numbers.
    """
    count = table.num_rows
    blank_row = np.ones(count, dtype=bool)
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        values = column.to_numpy()
        blank = pc.equal(column, "").to_numpy()
        if blank.any():
            values[blank] = None
        blank_row &= blank
        columns[name] = values
    rows = np.arange(first_row, first_row + count, dtype=np.int64)
    return without_rows(RawChunk(columns, rows), blank_row)


def value_chunk(columns: dict[str, Values], rows: Rows) -> RawChunk:
    """A chunk of values already None for blank (a workbook's, a JSON file's); blank rows out."""
    blank_row = np.ones(len(rows), dtype=bool)
    for values in columns.values():
        blank_row &= pd.isna(values)
    return without_rows(RawChunk(columns, rows), blank_row)


def without_rows(chunk: RawChunk, drop: npt.NDArray[np.bool_]) -> RawChunk:
    """``chunk`` without the rows where ``drop`` is true."""
    if not drop.any():
        return chunk
    keep = ~drop
    return RawChunk({n: v[keep] for n, v in chunk.columns.items()}, chunk.rows[keep])


def header_names(cells: Sequence[str | None], label: str) -> list[str]:
    """A header row's cells as column names: trimmed, ``column_<n>`` for a blank one,
    ``~2``… after a repeated one. Refuses a row that is blank or holds only numbers."""
    texts = [(c or "").strip() for c in cells]
    filled = [t for t in texts if t]
    if not filled:
        raise SourceFileError(f"{label} has no header: its first row is blank.")
    if all(_NUMBER.match(t) for t in filled):
        shown = ", ".join(filled[:4])
        raise SourceFileError(
            f"{label} has no header: its first row holds values ({shown}, …) where the "
            "column names should be."
        )
    names: list[str] = []
    for position, text in enumerate(texts, start=1):
        name = text or f"column_{position}"
        unique, count = name, 1
        while unique in names:
            count += 1
            unique = f"{name}~{count}"
        names.append(unique)
    return names


def is_hxl_row(cells: Sequence[str | None]) -> bool:
    """Whether a row under the header holds HXL hashtags (``#affected+f``) rather than data."""
    filled = [c.strip() for c in cells if c is not None and c.strip()]
    return bool(filled) and all(c.startswith("#") for c in filled)
