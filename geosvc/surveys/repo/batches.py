"""SQL on ``survey_batch`` and ``survey_batch_issue``: claims, locks, progress, reports.

A batch row is written from a side connection in autocommit mode, so that anyone can
watch its progress; the loading transaction holds an advisory lock named after the batch
for as long as it runs (``lock_batch``, ``load_lock_held``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, text

from geosvc.db import copy_csv, psycopg_connection
from geosvc.surveys.batch_records import Batch, Counts, NewBatch
from geosvc.surveys.response_rows import ISSUE_COLUMNS

LOCK_NAMESPACE = 0x5356  # "SV": survey batch loads, keyed by batch id

_COLUMNS = """
    id, filename, source_format, schema_name, uploaded_by, uploaded_at, status, file_hash,
    file_size, all_or_nothing, rows_total, rows_processed, rows_loaded, rows_replaced,
    rows_unchanged, rows_rejected, rows_warned, wards, finished_at, error
"""


def lock_batch(conn: Connection, batch_id: int) -> None:
    """Mark ``conn``'s transaction as the one loading ``batch_id`` (until it ends)."""
    conn.execute(
        text("SELECT pg_advisory_xact_lock(:ns, :id)"), {"ns": LOCK_NAMESPACE, "id": batch_id}
    )


def load_lock_held(conn: Connection, batch_id: int) -> bool:
    """Whether some transaction still holds the loading lock of ``batch_id``."""
    held = conn.execute(
        text(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
            "AND classid = :ns AND objid = :id AND objsubid = 2 AND granted)"
        ),
        {"ns": LOCK_NAMESPACE, "id": batch_id},
    ).scalar_one()
    return bool(held)


def new_batch_id(conn: Connection) -> int:
    """An id for a batch about to be claimed (so its lock can be taken first)."""
    return int(conn.execute(text("SELECT nextval('survey_batch_id_seq')")).scalar_one())


def insert_batch(conn: Connection, batch_id: int, new: NewBatch) -> None:
    """Insert batch ``batch_id`` as processing.

    Raises IntegrityError when a batch of the same file (``file_hash``) exists.
    """
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


def batch_by_hash(conn: Connection, file_hash: str) -> Batch | None:
    """The batch, not failed, of the file with this SHA-256, as stored (None if none)."""
    row = conn.execute(
        text(f"SELECT {_COLUMNS} FROM survey_batch WHERE file_hash = :h AND status <> 'failed'"),
        {"h": file_hash},
    ).one_or_none()
    return None if row is None else Batch(**row._mapping)


def batch_by_id(conn: Connection, batch_id: int) -> Batch | None:
    """Batch ``batch_id`` as stored (None if there is none)."""
    row = conn.execute(
        text(f"SELECT {_COLUMNS} FROM survey_batch WHERE id = :id"), {"id": batch_id}
    ).one_or_none()
    return None if row is None else Batch(**row._mapping)


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


def store_issues(conn: Connection, csv: bytes) -> None:
    """COPY report lines, as ``response_rows.issue_csv`` writes them, into the batch's report."""
    copy_csv(conn, "survey_batch_issue", ISSUE_COLUMNS, csv)


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


def issue_csv_blocks(conn: Connection, batch_id: int) -> Iterator[bytes]:
    """The batch's report lines as headerless CSV, streamed by the database."""
    query = (
        "COPY (SELECT row_no, submission_id, outcome, field, value, reason "
        f"FROM survey_batch_issue WHERE batch_id = {int(batch_id)} "
        "ORDER BY row_no, outcome) TO STDOUT (FORMAT csv)"
    )
    with psycopg_connection(conn).cursor() as cur, cur.copy(query) as copy:
        for block in copy:
            yield bytes(block)
