"""A large CSV file's text in chunks of rows, read by Arrow's streaming CSV reader.

Arrow's reader parses in C++ straight into Arrow strings, which the checks then work on
without ever making a Python object per value: for the request import that is about four
times less work than pandas' C parser followed by converting its object columns (bench:
bench_request_import). Its semantics are kept those of ``pd.read_csv(dtype=object,
na_filter=False, skip_blank_lines=False)``, which the importer used before:

- every value is text, empty where the field is empty, "NA" and "null" included;
- a blank line is a row of empty values, and keeps its row number;
- a row with more *or fewer* fields than the header refuses the file, naming its row
  (pandas filled a short row with blanks, which hides a row cut short);
- a quoted value left open at the end of the file refuses it too: Arrow would take the
  rest of the file for that value, silently.

Rows are numbered as a spreadsheet shows them: the header is row 1, each record one row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from geosvc.errors import SourceFileError

BLOCK_BYTES = 4 << 20
FIRST_CHUNK_ROWS = 10_000
"""The first chunk is no larger, so that whoever works on chunks while the next is read
(the database, storing them) starts within a fraction of a second, not after a full one."""
_TEXT = pd.StringDtype("pyarrow")


def read_text_chunks(
    path: Path,
    names: Sequence[str],
    columns: Sequence[str],
    *,
    delimiter: str,
    encoding: str,
    chunk_rows: int,
) -> Iterator[pd.DataFrame]:
    """``columns`` of the CSV file ``path`` as Arrow-backed text, ``chunk_rows`` rows a chunk
    (the first at most ``FIRST_CHUNK_ROWS``).

    ``names`` are the header's column names, as the caller read them (pandas tells
    repeated names apart, Arrow would not); the header line itself is skipped. Raises
    SourceFileError for a row whose field count differs from the header's.
    """
    problems: list[str] = []
    reader = _open(path, names, delimiter, encoding, problems)
    last: pa.RecordBatch | None = None
    try:
        for table in _rechunked(_batches(reader, path, problems), chunk_rows):
            last = table.slice(table.num_rows - 1).to_batches()[0]
            yield table.select(list(columns)).to_pandas(types_mapper=_text_type)
    finally:
        reader.close()
    if last is not None:
        _check_closed(path, last)


def _open(
    path: Path, names: Sequence[str], delimiter: str, encoding: str, problems: list[str]
) -> pcsv.CSVStreamingReader:
    def refuse(row: pcsv.InvalidRow) -> str:
        where = f"row {row.number}" if row.number is not None else "a row"
        problems.append(
            f"{path.name} cannot be read: {where} has {row.actual_columns} fields but the "
            f"header has {row.expected_columns}; a value that holds a {delimiter!r} or a "
            "line break must be in double quotes."
        )
        return "error"

    try:
        return pcsv.open_csv(
            path,
            read_options=pcsv.ReadOptions(
                # One thread: row numbers are only known to a serial parse, and the database
                # is busy on the other core anyway.
                use_threads=False,
                block_size=BLOCK_BYTES,
                skip_rows=1,
                column_names=list(names),
                encoding=encoding,
            ),
            parse_options=pcsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=refuse,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise SourceFileError(_problem(path, exc, problems)) from exc


def _batches(
    reader: pcsv.CSVStreamingReader, path: Path, problems: list[str]
) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise SourceFileError(_problem(path, exc, problems)) from exc
        yield batch


def _rechunked(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """The batches as tables of ``rows`` rows, the first at most FIRST_CHUNK_ROWS and the
    last shorter."""
    pending: list[pa.RecordBatch] = []
    count = 0
    size = min(rows, FIRST_CHUNK_ROWS)
    for batch in batches:
        pending.append(batch)
        count += batch.num_rows
        while count >= size:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, size)
            rest = table.slice(size)
            pending, count, size = rest.to_batches(), rest.num_rows, rows
    if count:
        yield pa.Table.from_batches(pending)


def _problem(path: Path, exc: Exception, problems: list[str]) -> str:
    if problems:
        return problems[0]
    if isinstance(exc, UnicodeDecodeError):
        return f"{path.name} cannot be read: it is not in its mapping's encoding ({exc.reason})."
    detail = str(exc).removeprefix("CSV parse error: ").strip()
    return f"{path.name} cannot be read as CSV: {detail}."


def _check_closed(path: Path, last: pa.RecordBatch) -> None:
    """Refuse a file whose last value opens a quote that never closes.

    Arrow reads such a value to the end of the file. Only a quoted value can hold a line
    break, and one closed properly leaves the file ending in a quote; so a last value
    with a line break in a file that does not end in a quote was never closed.
    """
    value = last.column(last.num_columns - 1)[0].as_py()
    with path.open("rb") as source:
        source.seek(max(path.stat().st_size - 8, 0))
        tail = source.read().rstrip(b"\r\n")
    if ("\n" in value or "\r" in value) and not tail.endswith(b'"'):
        raise SourceFileError(
            f'{path.name} cannot be read: its last row opens a quoted value (") that is '
            "never closed; the file may be cut short."
        )


def _text_type(arrow_type: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    return _TEXT if arrow_type == pa.string() else None
