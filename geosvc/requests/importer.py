"""Bulk import of historical service requests from another system's CSV export.

``import_csv`` reads the export in chunks, checks each one (``import_checks``), writes the
refused rows and the warnings to a report file, and stores the rest in the caller's
transaction: each chunk is COPYed into a temporary staging table, then one INSERT … SELECT
moves the rows whose source id is new into ``service_request`` and logs an 'imported'
event for each. Nothing is committed here, so a failure anywhere leaves the database as
it was, and importing the same file again adds nothing.

The next chunk is read and checked in a worker thread while the database stores the
current one: on a two-core machine that hides most of the Python work.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

import pandas as pd
from sqlalchemy import Connection, text

from geosvc.db import psycopg_connection
from geosvc.errors import InvalidInputError, SourceFileError
from geosvc.requests.import_checks import (
    FIRST_DATA_ROW,
    REPORT_COLUMNS,
    STAGING_COLUMNS,
    CheckedChunk,
    Places,
    SeenIds,
    check_chunk,
)
from geosvc.requests.import_mapping import ImportMapping
from geosvc.wards.assign import WardIndex
from geosvc.wards.repo import jurisdiction_extent

STAGING_TABLE = "geosvc_import_staging"
T = TypeVar("T")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ImportOptions:
    """How to import: reference prefix, report path, chunk size, and whether to log events.

    ``log_events`` off skips the per-request 'imported' event; the command always logs,
    the switch is there to measure what the events cost.
    """

    reference_prefix: str = "GSV"
    report: Path | None = None
    chunk_rows: int = 100_000
    log_events: bool = True


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
        counts = chunk.issues.groupby(["outcome", "reason"]).size()
        outcomes = counts.index.get_level_values("outcome")
        reasons = counts.index.get_level_values("reason")
        for outcome, reason, count in zip(outcomes, reasons, counts.to_numpy(), strict=True):
            target = self.rejected if outcome == "rejected" else self.warnings
            target[str(reason)] += int(count)

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
    columns = _mapped_columns(path, mapping)
    places = _places(conn, mapping)
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": _lock(mapping)})
    _create_staging(conn)
    report = options.report or default_report_path(path)
    tally = _Tally()
    with (
        _report_file(report) as out,
        _read(path, mapping, columns, options.chunk_rows) as raw,
        # Closed first on the way out, so the worker has stopped reading before the file shuts.
        closing(_ahead(_checked(raw, mapping, places))) as chunks,
    ):
        for chunk, csv_text in chunks:
            chunk.issues.to_csv(out, header=False, index=False)
            tally.add(chunk, _store(conn, csv_text, mapping, options, path.name))
            if progress is not None:
                progress(chunk.read)
    conn.execute(text(f"DROP TABLE {STAGING_TABLE}"))
    return tally.result(path, mapping, report)


def _lock(mapping: ImportMapping) -> str:
    """Imports of one source wait for each other, so each sees what the other stored."""
    return f"geosvc.import:{mapping.source}"


def _mapped_columns(path: Path, mapping: ImportMapping) -> list[str]:
    """The export's columns the mapping reads; refuses a file that lacks any of them."""
    if not path.is_file():
        raise SourceFileError(f"{path} does not exist or is not a file.")
    try:
        header = pd.read_csv(path, nrows=0, sep=mapping.delimiter, encoding=mapping.encoding)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceFileError(f"{path.name} cannot be read as a CSV file.") from exc
    wanted = mapping.columns.used()
    missing = [c for c in wanted if c not in header.columns]
    if missing:
        raise SourceFileError(
            f"{path.name} has no column {', '.join(missing)}, which the mapping "
            f"{mapping.source} reads; its columns are {', '.join(map(str, header.columns))}."
        )
    return wanted


def _places(conn: Connection, mapping: ImportMapping) -> Places:
    """The wards to place rows in; checks the mapping's service codes are in the catalogue."""
    codes = sorted(mapping.service_types.codes())
    found = set(
        conn.execute(
            text("SELECT code FROM service_type WHERE code = ANY(:codes)"), {"codes": codes}
        ).scalars()
    )
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise InvalidInputError(
            f"The mapping {mapping.source} names service types the catalogue lacks: "
            f"{', '.join(unknown)}; load them ('geosvc services load') or fix service_types."
        )
    extent = jurisdiction_extent(conn)
    if extent is None:
        raise InvalidInputError("No wards are loaded; run 'geosvc wards load' first.")
    wards = WardIndex.from_db(conn)
    return Places(extent=extent, wards=wards, ward_codes=frozenset(map(str, wards.codes)))


@contextmanager
def _read(
    path: Path, mapping: ImportMapping, columns: list[str], chunk_rows: int
) -> Iterator[Iterator[pd.DataFrame]]:
    """The export's mapped columns as text, in chunks; a blank line is a row, as numbered.

    Every column is read, not only the mapped ones: only then does the parser refuse a row
    with more fields than the header (an unquoted delimiter in an address, say) instead
    of silently shifting its values.
    """
    with pd.read_csv(
        path,
        dtype=object,
        sep=mapping.delimiter,
        encoding=mapping.encoding,
        na_filter=False,
        skip_blank_lines=False,
        chunksize=chunk_rows,
    ) as reader:
        yield _mapped_chunks(reader, columns, path)


def _mapped_chunks(
    chunks: Iterator[pd.DataFrame], columns: list[str], path: Path
) -> Iterator[pd.DataFrame]:
    try:
        for chunk in chunks:
            yield chunk[columns]
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        detail = str(exc).strip().removeprefix("Error tokenizing data. C error: ")
        raise SourceFileError(f"{path.name} cannot be read: {detail}.") from exc


def _checked(
    raw: Iterator[pd.DataFrame], mapping: ImportMapping, places: Places
) -> Iterator[tuple[CheckedChunk, str]]:
    """Each chunk checked, with its rows to import as CSV text for COPY."""
    seen = SeenIds()
    first_row = FIRST_DATA_ROW
    for frame in raw:
        chunk = check_chunk(frame, first_row, mapping, places, seen)
        first_row += chunk.read
        yield chunk, chunk.rows.to_csv(index=False, header=False)


def _ahead(items: Iterator[T]) -> Generator[T, None, None]:
    """The same items, the next one produced in a worker thread while this one is used."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import") as pool:
        pending = pool.submit(next, items, None)
        while (item := pending.result()) is not None:
            pending = pool.submit(next, items, None)
            yield item


@contextmanager
def _report_file(path: Path) -> Iterator[IO[str]]:
    """The report, written under a temporary name and put in place only if all went well."""
    partial = path.with_name(path.name + ".part")
    try:
        handle = partial.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise SourceFileError(f"The report cannot be written to {path}; name another.") from exc
    try:
        with handle as out:
            pd.DataFrame(columns=REPORT_COLUMNS).to_csv(out, index=False)
            yield out
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _create_staging(conn: Connection) -> None:
    conn.execute(text(f"DROP TABLE IF EXISTS pg_temp.{STAGING_TABLE}"))
    conn.execute(
        text(
            f"""
            CREATE TEMP TABLE {STAGING_TABLE} (
                row_no integer, source_id text, service_code text, description text,
                status text, resolution text, channel text, anonymous boolean,
                lon double precision, lat double precision, address text, ward_code text,
                requested_us bigint, updated_us bigint, closed_us bigint
            ) ON COMMIT DROP
            """
        )
    )


def _store(
    conn: Connection, csv_text: str, mapping: ImportMapping, options: ImportOptions, file: str
) -> int:
    """Stage one chunk's rows and move the new ones into service_request; returns how many."""
    columns = ", ".join(STAGING_COLUMNS)
    with psycopg_connection(conn).cursor() as cur:
        cur.execute(f"TRUNCATE {STAGING_TABLE}")
        with cur.copy(f"COPY {STAGING_TABLE} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(csv_text)
    statement = _INSERT_AND_LOG if options.log_events else _INSERT
    result = conn.execute(
        statement,
        {
            "source": mapping.source,
            "kind": mapping.kind,
            "prefix": options.reference_prefix,
            "zone": mapping.timezone,
            "actor": f"import:{mapping.source}",
            "note": f"Imported from {mapping.source} ({file}).",
            "file": file,
        },
    )
    return int(result.rowcount)


# Ids are handed out in source-id order, so the primary key, reference and (source,
# source_id) indexes all grow at their right edge. The reference is reference_number()'s
# format: prefix, the year lodged (in the source's zone), the id padded to 7 digits.
_NEW_REQUESTS = f"""
    WITH fresh AS (
        SELECT s.*, nextval('service_request_id_seq') AS id
        FROM (
            SELECT * FROM {STAGING_TABLE} AS s
            WHERE NOT EXISTS (
                SELECT 1 FROM service_request AS r
                WHERE r.source = :source AND r.source_id = s.source_id
            )
            ORDER BY s.source_id
        ) AS s
    )
    INSERT INTO service_request (
        id, reference, kind, service_code, description, status, resolution, channel,
        anonymous, actionable, geom, ward_code, address, requested_at, updated_at,
        acknowledged_at, closed_at, source, source_id
    )
    SELECT f.id,
           :prefix || '-'
           || CAST(extract(year FROM to_timestamp(f.requested_us / 1e6::float8)
                                     AT TIME ZONE :zone) AS integer)
           || '-' || CASE WHEN f.id < 10000000 THEN lpad(CAST(f.id AS text), 7, '0')
                          ELSE CAST(f.id AS text) END,
           :kind, f.service_code, coalesce(f.description, ''), f.status, f.resolution,
           f.channel, f.anonymous, true, ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326),
           f.ward_code, f.address,
           to_timestamp(f.requested_us / 1e6::float8), to_timestamp(f.updated_us / 1e6::float8),
           -- The source does not say when it acknowledged: no later than it closed or
           -- last changed the request, which never flatters the service.
           CASE f.status WHEN 'received' THEN NULL
                         WHEN 'closed' THEN to_timestamp(f.closed_us / 1e6::float8)
                         ELSE to_timestamp(f.updated_us / 1e6::float8) END,
           to_timestamp(f.closed_us / 1e6::float8), :source, f.source_id
    FROM fresh AS f
    ON CONFLICT (source, source_id) DO NOTHING
"""
_INSERT = text(_NEW_REQUESTS)
_INSERT_AND_LOG = text(
    f"""
    WITH inserted AS ({_NEW_REQUESTS} RETURNING id, source_id, status)
    INSERT INTO request_event (request_id, kind, actor, status_to, note, public, data)
    SELECT i.id, 'imported', :actor, i.status, :note, false,
           jsonb_build_object('file', CAST(:file AS text), 'source_id', i.source_id)
    FROM inserted AS i
    """
)
