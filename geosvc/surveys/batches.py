"""Survey batches: claiming one, telling an interrupted one, its report.

A batch row is written and committed as soon as its load starts, so that anyone can
watch its progress, while its responses go in one separate transaction that commits with
the batch's final counts. The loading transaction holds an advisory lock named after the
batch for as long as it runs: a batch still 'processing' whose lock nobody holds was
interrupted (its process died, and PostgreSQL rolled its rows back), and is marked
'failed' the next time anyone looks, which frees its file to be uploaded again.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from geosvc.errors import NotFoundError
from geosvc.rowchecks.report import report_header
from geosvc.surveys.batch_records import Batch, NewBatch
from geosvc.surveys.frames import SUBMISSION_ID
from geosvc.surveys.repo.batches import (
    batch_by_hash,
    batch_by_id,
    fail_batch,
    insert_batch,
    issue_csv_blocks,
    load_lock_held,
)

INTERRUPTED = (
    "The load stopped before it finished (the server or the process was stopped); "
    "nothing of this batch was stored. Upload the file again."
)


def claim_batch(conn: Connection, batch_id: int, new: NewBatch) -> Batch | None:
    """Record batch ``batch_id`` as processing; or the batch that already has this file.

    ``conn`` should be in autocommit mode, so that the claim is visible at once. An
    interrupted earlier load of the same file is marked failed first.
    """
    previous = find_by_hash(conn, new.file_hash)
    if previous is not None:
        return previous
    try:
        insert_batch(conn, batch_id, new)
    except IntegrityError:
        # Another upload of the same file claimed it a moment ago.
        return find_by_hash(conn, new.file_hash)
    return None


def find_by_hash(conn: Connection, file_hash: str) -> Batch | None:
    """The batch (loaded, rejected or still running) of the file with this SHA-256."""
    batch = batch_by_hash(conn, file_hash)
    if batch is None:
        return None
    if _interrupted(conn, batch):
        fail_batch(conn, batch.id, INTERRUPTED)
        return None
    return batch


def get_batch(conn: Connection, batch_id: int) -> Batch:
    """Batch ``batch_id``; one whose load was interrupted is marked failed first."""
    batch = batch_by_id(conn, batch_id)
    if batch is None:
        raise NotFoundError(f"There is no survey batch {batch_id}.")
    if _interrupted(conn, batch):
        fail_batch(conn, batch.id, INTERRUPTED)
        return get_batch(conn, batch_id)
    return batch


def _interrupted(conn: Connection, batch: Batch) -> bool:
    """A batch still processing whose loading transaction is gone."""
    if batch.finished:
        return False
    return not load_lock_held(conn, batch.id)


def report_csv(conn: Connection, batch_id: int) -> Iterator[bytes]:
    """The batch's report as CSV (header first), streamed by the database."""
    get_batch(conn, batch_id)
    yield report_header(SUBMISSION_ID)
    yield from issue_csv_blocks(conn, batch_id)
