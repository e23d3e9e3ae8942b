"""Survey batches in the database: claiming one, its progress, its end, its report.

A batch row is written and committed as soon as its load starts, so that anyone can
watch its progress, while its responses go in one separate transaction that commits with
the batch's final counts. The loading transaction holds an advisory lock named after the
batch for as long as it runs: a batch still 'processing' whose lock nobody holds was
interrupted (its process died, and PostgreSQL rolled its rows back), and is marked
'failed' the next time anyone looks, which frees its file to be uploaded again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from geosvc.db import psycopg_connection
from geosvc.errors import NotFoundError
from geosvc.rowchecks.report import report_header
from geosvc.surveys.frames import SUBMISSION_ID

LOCK_NAMESPACE = 0x5356  # "SV": survey batch loads, keyed by batch id
INTERRUPTED = (
    "The load stopped before it finished (the server or the process was stopped); "
    "nothing of this batch was stored. Upload the file again."
)

_COLUMNS = """
    id, filename, source_format, schema_name, uploaded_by, uploaded_at, status, file_hash,
    file_size, all_or_nothing, rows_total, rows_processed, rows_loaded, rows_replaced,
    rows_unchanged, rows_rejected, rows_warned, wards, finished_at, error
"""


@dataclass(frozen=True)
class Batch:
    """One uploaded file and what became of it."""

    id: int
    filename: str
    source_format: str
    schema_name: str
    uploaded_by: str
    uploaded_at: datetime
    status: str
    file_hash: str
    file_size: int
    all_or_nothing: bool
    rows_total: int
    rows_processed: int
    rows_loaded: int
    rows_replaced: int
    rows_unchanged: int
    rows_rejected: int
    rows_warned: int
    wards: list[str]
    finished_at: datetime | None
    error: str | None

    @property
    def finished(self) -> bool:
        """Whether the load is over, one way or another."""
        return self.status != "processing"


@dataclass(frozen=True)
class NewBatch:
    """What is known of an upload before its rows are read."""

    filename: str
    source_format: str
    schema_name: str
    uploaded_by: str
    file_hash: str
    file_size: int
    all_or_nothing: bool


@dataclass(frozen=True)
class Counts:
    """A finished load's row counts; ``total`` is every data row of the file."""

    total: int
    loaded: int
    replaced: int
    unchanged: int
    rejected: int
    warned: int


def lock_batch(conn: Connection, batch_id: int) -> None:
    """Mark ``conn``'s transaction as the one loading ``batch_id`` (until it ends)."""
    conn.execute(
        text("SELECT pg_advisory_xact_lock(:ns, :id)"), {"ns": LOCK_NAMESPACE, "id": batch_id}
    )


def new_batch_id(conn: Connection) -> int:
    """An id for a batch about to be claimed (so its lock can be taken first)."""
    return int(conn.execute(text("SELECT nextval('survey_batch_id_seq')")).scalar_one())


def claim_batch(conn: Connection, batch_id: int, new: NewBatch) -> Batch | None:
    """Record batch ``batch_id`` as processing; or the batch that already has this file.

    ``conn`` should be in autocommit mode, so that the claim is visible at once. An
    interrupted earlier load of the same file is marked failed first.
    """
    previous = find_by_hash(conn, new.file_hash)
    if previous is not None:
        return previous
    try:
        conn.execute(
            text(
                """
                INSERT INTO survey_batch (id, file_hash, filename, source_format,
                    schema_name, uploaded_by, file_size, all_or_nothing, status)
                VALUES (:id, :file_hash, :filename, :source_format, :schema_name,
                    :uploaded_by, :file_size, :all_or_nothing, 'processing')
                """
            ),
            {"id": batch_id, **new.__dict__},
        )
    except IntegrityError:
        # Another upload of the same file claimed it a moment ago.
        return find_by_hash(conn, new.file_hash)
    return None


def find_by_hash(conn: Connection, file_hash: str) -> Batch | None:
    """The batch (loaded, rejected or still running) of the file with this SHA-256."""
    row = conn.execute(
        text(f"SELECT {_COLUMNS} FROM survey_batch WHERE file_hash = :h AND status <> 'failed'"),
        {"h": file_hash},
    ).one_or_none()
    if row is None:
        return None
    batch = Batch(**row._mapping)
    if _interrupted(conn, batch):
        fail_batch(conn, batch.id, INTERRUPTED)
        return None
    return batch


def get_batch(conn: Connection, batch_id: int) -> Batch:
    """Batch ``batch_id``; one whose load was interrupted is marked failed first."""
    row = conn.execute(
        text(f"SELECT {_COLUMNS} FROM survey_batch WHERE id = :id"), {"id": batch_id}
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"There is no survey batch {batch_id}.")
    batch = Batch(**row._mapping)
    if _interrupted(conn, batch):
        fail_batch(conn, batch.id, INTERRUPTED)
        return get_batch(conn, batch_id)
    return batch


def list_batches(conn: Connection, uploaded_by: str | None = None, limit: int = 50) -> list[Batch]:
    """The latest batches, newest first, optionally of one uploader."""
    rows = conn.execute(
        text(
            f"SELECT {_COLUMNS} FROM survey_batch "
            "WHERE CAST(:by AS text) IS NULL OR uploaded_by = :by ORDER BY id DESC LIMIT :n"
        ),
        {"by": uploaded_by, "n": limit},
    )
    return [Batch(**row._mapping) for row in rows]


def _interrupted(conn: Connection, batch: Batch) -> bool:
    """A batch still processing whose loading transaction is gone."""
    if batch.finished:
        return False
    held = conn.execute(
        text(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
            "AND classid = :ns AND objid = :id AND objsubid = 2 AND granted)"
        ),
        {"ns": LOCK_NAMESPACE, "id": batch.id},
    ).scalar_one()
    return not held


def record_progress(conn: Connection, batch_id: int, rows_processed: int) -> None:
    """How many rows of the file the running load has been through (autocommit ``conn``)."""
    conn.execute(
        text("UPDATE survey_batch SET rows_processed = :n WHERE id = :id"),
        {"n": rows_processed, "id": batch_id},
    )


def finish_batch(
    conn: Connection, batch_id: int, counts: Counts, wards: list[str], *, rejected: bool
) -> None:
    """Record the end of a load, in the loading transaction (with its rows)."""
    conn.execute(
        text(
            """
            UPDATE survey_batch SET status = :status, rows_total = :total,
                rows_processed = :total, rows_loaded = :loaded, rows_replaced = :replaced,
                rows_unchanged = :unchanged, rows_rejected = :rejected_rows,
                rows_warned = :warned, wards = :wards, finished_at = clock_timestamp()
            WHERE id = :id
            """
        ),
        {
            "status": "rejected" if rejected else "loaded",
            "rejected_rows": counts.rejected,
            "wards": wards,
            "id": batch_id,
            **{k: v for k, v in counts.__dict__.items() if k != "rejected"},
        },
    )


def fail_batch(conn: Connection, batch_id: int, error: str) -> None:
    """Mark a load that stopped as failed, with why (autocommit ``conn``)."""
    conn.execute(
        text(
            "UPDATE survey_batch SET status = 'failed', error = :error, "
            "finished_at = clock_timestamp() WHERE id = :id AND status = 'processing'"
        ),
        {"error": error, "id": batch_id},
    )


def batch_issues(
    conn: Connection, batch_id: int, *, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """The report lines of a batch in row order (one page of them with ``limit``)."""
    rows = conn.execute(
        text(
            "SELECT row_no AS row, submission_id, outcome, field, value, reason "
            "FROM survey_batch_issue WHERE batch_id = :id "
            "ORDER BY row_no, outcome LIMIT :limit OFFSET :offset"
        ),
        {"id": batch_id, "limit": limit, "offset": offset},
    )
    return [dict(row._mapping) for row in rows]


def report_csv(conn: Connection, batch_id: int) -> Iterator[bytes]:
    """The batch's report as CSV (header first), streamed by the database."""
    get_batch(conn, batch_id)
    yield report_header(SUBMISSION_ID)
    query = (
        "COPY (SELECT row_no, submission_id, outcome, field, value, reason "
        f"FROM survey_batch_issue WHERE batch_id = {int(batch_id)} "
        "ORDER BY row_no, outcome) TO STDOUT (FORMAT csv)"
    )
    with psycopg_connection(conn).cursor() as cur, cur.copy(query) as copy:
        for block in copy:
            yield bytes(block)
