"""Loading a survey batch: never half-loaded, never twice, every refused row explained.

``load_batch`` hashes the file (the same file again returns its first batch), opens it
(``formats``), claims a batch row that anyone can watch (``batches``), and in one
transaction: checks each chunk (``checks``) in a worker thread while the previous one is
stored, sorts out edits and submissions already stored (``versions``), COPYs the
responses and the report lines, refreshes the touched wards' survey indicators
(``refresh``) and records the batch's counts. Any failure, or a killed process, rolls
all of it back; the batch row then says 'failed' and the file may be uploaded again.

In all-or-nothing mode the file is checked once through first; if any row is refused,
the batch is 'rejected' with its report and nothing is stored.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from geosvc.bulkload import estimated_rows, indexes_deferred, worth_deferring
from geosvc.errors import GeosvcError
from geosvc.pipeline import read_ahead
from geosvc.rowchecks.report import REJECTED, WARNING, report_lines
from geosvc.rowchecks.seen import SeenIds
from geosvc.surveys.batch_records import Batch, Counts, NewBatch
from geosvc.surveys.batches import claim_batch, find_by_hash, get_batch
from geosvc.surveys.checks import CheckedChunk, CheckOptions, check_chunk
from geosvc.surveys.formats import ReadLimits, SurveyFile, open_survey
from geosvc.surveys.frames import SUBMISSION_ID
from geosvc.surveys.refresh import refresh_ward_needs
from geosvc.surveys.repo.batches import (
    fail_batch,
    finish_batch,
    lock_batch,
    new_batch_id,
    record_progress,
    store_issues,
)
from geosvc.surveys.repo.responses import delete_responses, has_responses, store_responses
from geosvc.surveys.response_rows import issue_csv, response_csv
from geosvc.surveys.schema import SurveySchema
from geosvc.surveys.versions import REPLACED, UNCHANGED, file_roots, resolve_versions
from geosvc.wards.places import Places, load_places

Progress = Callable[[int], None]
REPEATED_ROOT = "another row of this file (row {row}) is a version of the same submission"


@dataclass(frozen=True)
class LoadOptions:
    """How to load: all-or-nothing or not, the checks' limits, the reader's limits."""

    all_or_nothing: bool = False
    checks: CheckOptions = field(default_factory=CheckOptions)
    limits: ReadLimits = field(default_factory=ReadLimits)
    chunk_rows: int = 50_000
    defer_indexes: bool | None = None
    """Rebuild survey_response's indexes after the load (``bulkload``); None: by size."""


@dataclass(frozen=True)
class Upload:
    """A file to load, who collected it, and the name it was uploaded under."""

    path: Path
    worker: str
    filename: str = ""

    @property
    def name(self) -> str:
        """The file's name as the worker knows it."""
        return self.filename or self.path.name


@dataclass(frozen=True)
class LoadResult:
    """The batch, and whether it is an earlier upload of the same file."""

    batch: Batch
    repeated: bool


def file_digest(path: Path) -> tuple[str, int]:
    """The file's SHA-256 (hex) and size in bytes."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while block := source.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def load_batch(
    engine: Engine,
    upload: Upload,
    schema: SurveySchema,
    options: LoadOptions | None = None,
    *,
    progress: Progress | None = None,
    started: Callable[[int], None] | None = None,
) -> LoadResult:
    """Load the survey file ``upload`` as one batch; see the module's description.

    ``progress`` is called with the number of rows done after each chunk, ``started`` with
    the batch id once it is claimed. Raises SourceFileError (and UploadTooLargeError)
    before claiming a batch for a file that cannot be read as a survey.
    """
    digest, size = file_digest(upload.path)
    options = options or LoadOptions()
    options = replace(options, checks=_fixed_now(options.checks))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as side:
        earlier = find_by_hash(side, digest)
        if earlier is not None:
            return LoadResult(earlier, repeated=True)
        location = schema.location.question if schema.location else None
        with (
            open_survey(
                upload.path, location=location, chunk_rows=options.chunk_rows, limits=options.limits
            ) as survey,
            engine.connect() as data,
        ):
            new = NewBatch(
                filename=upload.name,
                source_format=str(survey.format),
                schema_name=schema.name,
                uploaded_by=upload.worker,
                file_hash=digest,
                file_size=size,
                all_or_nothing=options.all_or_nothing,
            )
            batch_id = _run(data, side, new, survey, schema, options, progress, started)
            if isinstance(batch_id, Batch):
                return LoadResult(batch_id, repeated=True)
        return LoadResult(get_batch(side, batch_id), repeated=False)


def _fixed_now(checks: CheckOptions) -> CheckOptions:
    """The checks' clock read once, so that every chunk (and both passes) agree."""
    return checks if checks.now is not None else replace(checks, now=datetime.now(UTC))


def _run(
    data: Connection,
    side: Connection,
    new: NewBatch,
    survey: SurveyFile,
    schema: SurveySchema,
    options: LoadOptions,
    progress: Progress | None,
    started: Callable[[int], None] | None,
) -> int | Batch:
    """Claim the batch and load it in ``data``'s transaction; the batch id, or the
    batch that already holds this file."""
    transaction = data.begin()  # closing ``data`` rolls it back if claiming fails
    batch_id = new_batch_id(data)
    lock_batch(data, batch_id)
    claimed = claim_batch(side, batch_id, new)
    if claimed is not None:
        transaction.rollback()
        return claimed
    try:
        if started is not None:
            started(batch_id)
        _load(data, side, batch_id, survey, schema, options, progress)
        transaction.commit()
    except BaseException as exc:
        if transaction.is_active:
            transaction.rollback()
        fail_batch(side, batch_id, _failure(exc))
        raise
    return batch_id


def _failure(exc: BaseException) -> str:
    """What the batch says went wrong: the domain's sentence, or a generic one."""
    if isinstance(exc, GeosvcError):
        return str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return "The load was stopped before it finished; nothing of this batch was stored."
    return "The load failed on the server; nothing of this batch was stored."


@dataclass
class _Tally:
    total: int = 0
    loaded: int = 0
    replaced: int = 0
    unchanged: int = 0
    rejected: int = 0
    warned: int = 0
    wards: set[str] = field(default_factory=set)

    def counts(self) -> Counts:
        return Counts(
            self.total, self.loaded, self.replaced, self.unchanged, self.rejected, self.warned
        )


def _load(
    data: Connection,
    side: Connection,
    batch_id: int,
    survey: SurveyFile,
    schema: SurveySchema,
    options: LoadOptions,
    progress: Progress | None,
) -> None:
    places = load_places(data)
    if options.all_or_nothing and _refuses_any(data, batch_id, survey, schema, places, options):
        return
    probe = has_responses(data)
    defer = options.defer_indexes
    if defer is None:
        defer = worth_deferring(data, "survey_response", estimated_rows(survey.path))
    tally = _Tally()
    with (
        # Into an empty table nothing is looked up by submission or root id: their unique
        # indexes are rebuilt after too, which checks every row at once. So is the key to
        # the wards the rows were placed in (wards are unreadable until commit); the key
        # to the batch stays, as the progress is written to it from the side connection.
        indexes_deferred(
            data, ["survey_response"], defer=defer, unique=not probe, keys_to=["ward"]
        ),
        closing(read_ahead(_checked(survey, schema, places, options.checks), "survey")) as chunks,
    ):
        for chunk in chunks:
            _store(data, batch_id, chunk, probe, tally)
            record_progress(side, batch_id, tally.total)
            if progress is not None:
                progress(chunk.read)
    refresh_ward_needs(data, sorted(tally.wards))
    finish_batch(data, batch_id, tally.counts(), sorted(tally.wards), rejected=False)


@dataclass(frozen=True)
class _Chunk:
    checked: CheckedChunk
    read: int


def _checked(
    survey: SurveyFile, schema: SurveySchema, places: Places, options: CheckOptions
) -> Iterator[_Chunk]:
    """Each chunk checked, and rows repeating an earlier row's submission refused."""
    seen, roots = SeenIds(), SeenIds()
    for frame in survey.chunks():
        checked = check_chunk(frame, schema, places, seen, options)
        yield _Chunk(_without_repeated_roots(checked, roots), len(frame))


def _without_repeated_roots(checked: CheckedChunk, roots: SeenIds) -> CheckedChunk:
    """Refuse kept rows that are another version of a submission earlier in the file."""
    rows = checked.rows
    row_numbers = rows["row"].to_numpy(dtype=np.int64)
    root_ids = file_roots(rows).reset_index(drop=True)
    first = roots.first_rows(root_ids, row_numbers)
    repeated = first != row_numbers
    if not repeated.any():
        return checked
    lines = report_lines(
        SUBMISSION_ID,
        row_numbers[repeated],
        rows[SUBMISSION_ID].to_numpy(dtype=object)[repeated],
        REJECTED,
        SUBMISSION_ID,
        root_ids.to_numpy(dtype=object)[repeated],
        [REPEATED_ROOT.format(row=r) for r in first[repeated]],
    )
    issues = checked.issues
    dropped = issues["row"].isin(row_numbers[repeated]) & (issues["outcome"] == WARNING)
    issues = pd.concat([issues[~dropped], lines], ignore_index=True).sort_values(
        "row", kind="stable", ignore_index=True
    )
    return CheckedChunk(rows=rows[~repeated].reset_index(drop=True), issues=issues)


def _store(data: Connection, batch_id: int, chunk: _Chunk, probe: bool, tally: _Tally) -> None:
    """Store one checked chunk's new and edited responses and its report lines."""
    rows, issues = chunk.checked.rows, chunk.checked.issues
    versions = resolve_versions(data, rows, probe=probe)
    old = [r for r in versions.replaces if r is not None]
    if old:
        delete_responses(data, old)
    kept = rows.loc[versions.store].assign(root_id=versions.root_id[versions.store])
    if len(kept):
        store_responses(data, response_csv(kept, batch_id))
    lines = pd.concat([issues, versions.issues], ignore_index=True)
    if len(lines):
        store_issues(data, issue_csv(lines, batch_id))
    outcomes = Counter(lines.drop_duplicates(["row", "outcome"])["outcome"])
    tally.total += chunk.read
    tally.loaded += len(kept)
    tally.replaced += outcomes[REPLACED]
    tally.unchanged += outcomes[UNCHANGED]
    tally.rejected += outcomes[REJECTED]
    tally.warned += int(issues.loc[issues["outcome"] == WARNING, "row"].nunique())
    tally.wards.update(kept["ward_code"].dropna().astype(str).unique().tolist())
    tally.wards.update(versions.replaced_wards)


def _refuses_any(
    data: Connection,
    batch_id: int,
    survey: SurveyFile,
    schema: SurveySchema,
    places: Places,
    options: LoadOptions,
) -> bool:
    """All-or-nothing's first pass: if any row is refused, record the rejected batch."""
    tally = _Tally()
    reports = []
    for chunk in _checked(survey, schema, places, options.checks):
        tally.total += chunk.read
        issues = chunk.checked.issues
        tally.rejected += int((issues["outcome"] == REJECTED).sum())
        reports.append(issues[issues["outcome"] == REJECTED])
    if tally.rejected == 0:
        return False
    lines = pd.concat(reports, ignore_index=True)
    store_issues(data, issue_csv(lines, batch_id))
    finish_batch(data, batch_id, tally.counts(), [], rejected=True)
    return True
