"""Bulk import of historical service requests from another system's CSV export.

``import_csv`` reads the export in chunks, checks each one (``import_checks``), writes the
refused rows and the warnings to a report file, and stores the rest in the caller's
transaction: the rows whose source id is new get ids from the table's sequence and are
COPYed straight into ``service_request``, with an 'imported' event each in
``request_event`` (``import_rows``). Nothing is committed here, so a failure anywhere
leaves the database as it was, and importing the same file again adds nothing. A file as
large as the table is loaded with its indexes and keys rebuilt after (``bulkload``).

The next chunk is read, checked and laid out in a worker thread while the database stores
the current one: on a two-core machine that hides most of the Python work.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection

from geosvc.bulkload import estimated_rows, indexes_deferred, worth_deferring
from geosvc.csvchunks import CsvLayout, read_text_tables, text_frame
from geosvc.errors import InvalidInputError, SourceFileError
from geosvc.pipeline import read_ahead
from geosvc.requests.import_checks import FIRST_DATA_ROW, ID_COLUMN, CheckedChunk, check_chunk
from geosvc.requests.import_mapping import ImportMapping
from geosvc.requests.import_rows import ImportContext, event_csv, prepared, request_csv
from geosvc.requests.repo.catalogue import known_service_codes
from geosvc.requests.repo.imports import (
    copy_events,
    copy_requests,
    has_requests_from,
    lock_imports,
    new_request_ids,
    stored_source_ids,
)
from geosvc.rowchecks.report import REJECTED, WARNING, reason_counts, report_csv, report_header
from geosvc.rowchecks.seen import SeenIds
from geosvc.wards.places import Places, load_places

REQUEST_TABLES = ("service_request", "request_event")
KEYS_CHECKED_AFTER = ("service_request", "ward", "service_type")
T = TypeVar("T")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ImportOptions:
    """How to import: reference prefix, report path, chunk size, events, index upkeep.

    ``log_events`` off skips the per-request 'imported' event; the command always logs,
    the switch is there to measure what the events cost. ``defer_indexes`` rebuilds the
    request tables' secondary indexes and foreign keys after the load instead of keeping
    them up row by row (``geosvc.bulkload``); ``None`` decides by the file's size.
    """

    reference_prefix: str = "GSV"
    report: Path | None = None
    chunk_rows: int = 100_000
    log_events: bool = True
    defer_indexes: bool | None = None


@dataclass(frozen=True)
class ImportResult:
    """What an import did; ``rejected`` and ``warnings`` count report lines by reason."""

    file: str
    source: str
    rows_read: int
    imported: int
    already_present: int
    rejected: dict[str, int]
    warnings: dict[str, int]
    report: Path

    @property
    def rejected_rows(self) -> int:
        """Rows refused (each has one reason)."""
        return sum(self.rejected.values())

    @property
    def warning_count(self) -> int:
        """Warnings on imported rows (a row can have more than one)."""
        return sum(self.warnings.values())


@dataclass
class _Tally:
    read: int = 0
    staged: int = 0
    imported: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)

    def add(self, chunk: CheckedChunk, imported: int) -> None:
        self.read += chunk.read
        self.staged += len(chunk.rows)
        self.imported += imported
        counts = reason_counts(chunk.issues)
        self.rejected.update(counts.get(REJECTED, Counter()))
        self.warnings.update(counts.get(WARNING, Counter()))

    def result(self, path: Path, mapping: ImportMapping, report: Path) -> ImportResult:
        return ImportResult(
            file=path.name,
            source=mapping.source,
            rows_read=self.read,
            imported=self.imported,
            already_present=self.staged - self.imported,
            rejected=dict(self.rejected.most_common()),
            warnings=dict(self.warnings.most_common()),
            report=report,
        )


def default_report_path(path: Path) -> Path:
    """Where the report of importing ``path`` goes unless told: ``<FILE>.report.csv``."""
    return path.with_name(path.name + ".report.csv")


def import_csv(
    conn: Connection,
    path: Path,
    mapping: ImportMapping,
    options: ImportOptions = ImportOptions(),
    *,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the requests of the CSV export ``path`` in the caller's transaction.

    Refuses, before reading any row, a file without the mapped columns (SourceFileError),
    a mapping naming service types the catalogue lacks, and a database without wards
    (InvalidInputError). ``progress`` is called with the number of rows done per chunk.
    """
    header = _header(path, mapping)
    places = _places(conn, mapping)
    lock_imports(conn, _lock(mapping))
    report = options.report or default_report_path(path)
    context = ImportContext(
        source=mapping.source,
        kind=mapping.kind,
        prefix=options.reference_prefix,
        zone=mapping.timezone,
        actor=f"import:{mapping.source}",
        note=f"Imported from {mapping.source} ({path.name}).",
    )
    store = _StoreOptions(options.log_events, probe=has_requests_from(conn, mapping.source))
    tally = _Tally()
    defer = options.defer_indexes
    if defer is None:
        defer = worth_deferring(conn, "service_request", estimated_rows(path))
    with (
        _report_file(report) as out,
        # With no request of this source stored, no chunk looks up source ids: the unique
        # indexes are rebuilt after too, which checks every row at once. The foreign keys
        # go as well: the rows' wards and services were checked above, and the keys check
        # them again in one join each after. The price: wards and the catalogue are
        # unreadable until commit (about 20 s per million rows), as requests already are.
        indexes_deferred(
            conn,
            REQUEST_TABLES,
            defer=defer,
            unique=not store.probe,
            keys_to=KEYS_CHECKED_AFTER,
        ),
        # Closed first on the way out, so the worker has stopped reading before the file shuts.
        closing(
            read_ahead(
                _checked(_read(path, mapping, header, options.chunk_rows), mapping, places),
                "import",
            )
        ) as chunks,
    ):
        for chunk, rows in chunks:
            out.write(report_csv(chunk.issues, ID_COLUMN))
            tally.add(chunk, _store(conn, rows, context, store))
            if progress is not None:
                progress(chunk.read)
    return tally.result(path, mapping, report)


def _lock(mapping: ImportMapping) -> str:
    """Imports of one source wait for each other, so each sees what the other stored."""
    return f"geosvc.import:{mapping.source}"


@dataclass(frozen=True)
class _Header:
    names: list[str]
    """Every column's name, as pandas tells repeated names apart."""
    mapped: list[str]
    """The columns the mapping reads."""


def _header(path: Path, mapping: ImportMapping) -> _Header:
    """The export's columns; refuses a file that lacks any the mapping reads."""
    if not path.is_file():
        raise SourceFileError(f"{path} does not exist or is not a file.")
    try:
        header = pd.read_csv(path, nrows=0, sep=mapping.delimiter, encoding=mapping.encoding)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceFileError(f"{path.name} cannot be read as a CSV file.") from exc
    names = [str(c) for c in header.columns]
    wanted = mapping.columns.used()
    missing = [c for c in wanted if c not in names]
    if missing:
        raise SourceFileError(
            f"{path.name} has no column {', '.join(missing)}, which the mapping "
            f"{mapping.source} reads; its columns are {', '.join(names)}."
        )
    return _Header(names=names, mapped=wanted)


def _places(conn: Connection, mapping: ImportMapping) -> Places:
    """The wards to place rows in; checks the mapping's service codes are in the catalogue."""
    codes = sorted(mapping.service_types.codes())
    found = known_service_codes(conn, codes)
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise InvalidInputError(
            f"The mapping {mapping.source} names service types the catalogue lacks: "
            f"{', '.join(unknown)}; load them ('geosvc services load') or fix service_types."
        )
    return load_places(conn)


def _read(
    path: Path, mapping: ImportMapping, header: _Header, chunk_rows: int
) -> Iterator[pd.DataFrame]:
    """The export's mapped columns as text, in chunks; a blank line is a row, as numbered.

    Every row is parsed whole, not only the mapped columns: only then is a row with more
    fields than the header (an unquoted delimiter in an address, say) refused instead of
    silently shifting its values. A row with fewer is refused too: it was cut short.
    """
    layout = CsvLayout(header.names, mapping.delimiter, mapping.encoding)
    for table in read_text_tables(path, layout, label=path.name, chunk_rows=chunk_rows):
        yield text_frame(table, header.mapped)


def _checked(
    raw: Iterator[pd.DataFrame], mapping: ImportMapping, places: Places
) -> Iterator[tuple[CheckedChunk, pa.Table]]:
    """Each chunk checked, with its rows to import as CSV text for COPY."""
    seen = SeenIds()
    first_row = FIRST_DATA_ROW
    for frame in raw:
        chunk = check_chunk(frame, first_row, mapping, places, seen)
        first_row += chunk.read
        yield chunk, prepared(chunk.rows, mapping.timezone)


@contextmanager
def _report_file(path: Path) -> Iterator[IO[bytes]]:
    """The report, written under a temporary name and put in place only if all went well."""
    partial = path.with_name(path.name + ".part")
    try:
        handle = partial.open("wb")
    except OSError as exc:
        raise SourceFileError(f"The report cannot be written to {path}; name another.") from exc
    try:
        with handle as out:
            out.write(report_header(ID_COLUMN))
            yield out
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _store(conn: Connection, rows: pa.Table, context: ImportContext, options: _StoreOptions) -> int:
    """COPY the chunk's requests whose source id is new, and their events; returns how many."""
    if options.probe:
        rows = rows.filter(pc.invert(_present(conn, context.source, rows["source_id"])))
    count = int(rows.num_rows)
    if count == 0:
        return 0
    ids = new_request_ids(conn, count)
    copy_requests(conn, request_csv(rows, ids, context))
    if options.log_events:
        copy_events(conn, event_csv(rows, ids, context))
    return count


@dataclass(frozen=True)
class _StoreOptions:
    log_events: bool
    probe: bool
    """Whether to look up each chunk's source ids: only needed once the source has some.
    (Rows of earlier chunks of the same file never match: repeated ids are refused.)"""


def _present(conn: Connection, source: str, source_ids: pa.ChunkedArray) -> pa.ChunkedArray:
    """Which of ``source_ids`` the database holds already (imports of a source are serial)."""
    found = stored_source_ids(conn, source, source_ids.to_pylist())
    return pc.is_in(source_ids, value_set=pa.array(found, type=pa.string()))
