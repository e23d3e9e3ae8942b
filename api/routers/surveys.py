"""Survey batch uploads (CDWs) and their reports."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import Engine

from api.auth import role
from api.deps import ConnectionDep, SettingsDep, get_engine
from api.schemas.surveys import BatchOut, IssueOut, SchemaOut
from geosvc.accounts.roles import Principal, Role
from geosvc.errors import InvalidInputError, UploadTooLargeError
from geosvc.surveys.batch_records import Batch
from geosvc.surveys.batches import get_batch, report_csv
from geosvc.surveys.loader import LoadOptions, LoadResult, Upload, load_batch
from geosvc.surveys.options import MB, load_options
from geosvc.surveys.repo.batches import batch_issues, list_batches
from geosvc.surveys.schema import SurveySchema, bundled_schemas, load_schema

router = APIRouter(prefix="/api/surveys", tags=["surveys (CDWs)"])
CDW = Depends(role(Role.CDW))
CdwDep = Annotated[Principal, CDW]
EngineDep = Annotated[Engine, Depends(get_engine)]
ISSUES_SHOWN = 100
_loads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="survey-load")


def batch_out(
    conn: ConnectionDep, batch: Batch, *, repeated: bool = False, issues_shown: int = ISSUES_SHOWN
) -> BatchOut:
    """The batch resource, with the first ``issues_shown`` lines of its report."""
    lines = batch_issues(conn, batch.id, limit=issues_shown) if issues_shown else []
    issues = [IssueOut(**line) for line in lines]
    return BatchOut(
        **batch.__dict__,
        repeated=repeated,
        report_csv=f"/api/surveys/batches/{batch.id}/report.csv",
        issues=issues,
    )


@router.get("/schemas", response_model=list[SchemaOut], summary="Survey schemas")
def schemas() -> list[SchemaOut]:
    """The survey schemas a batch may be uploaded with."""
    found = [load_schema(name) for name in bundled_schemas()]
    return [SchemaOut(name=s.name, title=s.title, services=list(s.services)) for s in found]


@router.post(
    "/batches",
    response_model=BatchOut,
    status_code=201,
    summary="Upload a survey batch",
    responses={
        200: {"description": "The file was uploaded before: its first batch."},
        202: {"description": "Still loading: follow the batch's Location for progress."},
        413: {"description": "The file is larger than the server accepts."},
    },
)
def upload(
    conn: ConnectionDep,
    engine: EngineDep,
    settings: SettingsDep,
    principal: CdwDep,
    file: Annotated[UploadFile, File(description="Kobo, ODK, CSV, XLSX or GeoJSON export.")],
    schema_name: Annotated[
        str, Form(alias="schema", description="The survey schema's name.")
    ] = "default",
    all_or_nothing: Annotated[bool, Form(description="Store nothing if a row fails.")] = False,
) -> JSONResponse:
    """Load a batch in one transaction; rows that fail come back in the report with why.

    Answers 201 with the batch when it loads within the server's wait, 202 with the
    batch so far when it is still loading (GET its Location for progress), and 200 with
    the first batch when the same file was uploaded before.
    """
    survey_schema = _schema(schema_name)
    path = _saved(file, settings.survey_max_upload_mb)
    started = threading.Event()
    batch_ids: list[int] = []

    def on_start(batch_id: int) -> None:
        batch_ids.append(batch_id)
        started.set()

    upload = Upload(path, principal.name, file.filename or path.name)
    options = load_options(settings, all_or_nothing=all_or_nothing)
    future = _loads.submit(_load_then_remove, engine, upload, survey_schema, options, on_start)
    future.add_done_callback(lambda _: started.set())
    started.wait()
    result = _result_within(future, settings.survey_wait_s)
    if result is None:
        batch = batch_out(conn, get_batch(conn, batch_ids[0]))
        return _answer(batch, 202)
    batch = batch_out(conn, result.batch, repeated=result.repeated)
    return _answer(batch, 200 if result.repeated else 201)


def _schema(name: str) -> SurveySchema:
    """A bundled schema by name: a client may not name a file on the server."""
    if name not in bundled_schemas():
        known = ", ".join(bundled_schemas())
        raise InvalidInputError(f"There is no survey schema {name!r}; known: {known}.")
    return load_schema(name)


def _saved(file: UploadFile, max_mb: float) -> Path:
    """The upload in a temporary folder of its own, under its own name (the reports name
    the file as the worker knows it; the load may outlive this request)."""
    name = Path(file.filename or "").name or "upload"
    path = Path(tempfile.mkdtemp(prefix="geosvc-survey-")) / name
    with path.open("wb") as out:
        shutil.copyfileobj(file.file, out, 1 << 20)
    if path.stat().st_size > int(max_mb * MB):
        _remove(path)
        raise UploadTooLargeError(
            f"{name} is larger than the {max_mb:g} MB a survey upload may be."
        )
    return path


def _remove(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)


def _load_then_remove(
    engine: Engine,
    upload: Upload,
    schema: SurveySchema,
    options: LoadOptions,
    started: Callable[[int], None],
) -> LoadResult:
    """Load the batch, then delete the uploaded copy whatever happened."""
    try:
        return load_batch(engine, upload, schema, options, started=started)
    finally:
        _remove(upload.path)


def _result_within(future: Future[LoadResult], seconds: float) -> LoadResult | None:
    """The load's result if it ends within ``seconds`` (its error is raised); else None."""
    try:
        return future.result(timeout=seconds)
    except TimeoutError:
        return None


def _answer(batch: BatchOut, status: int) -> JSONResponse:
    headers = {"Location": f"/api/surveys/batches/{batch.id}"}
    return JSONResponse(batch.model_dump(mode="json"), status_code=status, headers=headers)


@router.get("/batches", response_model=list[BatchOut], summary="Recent batches")
def batches(
    conn: ConnectionDep,
    principal: CdwDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[BatchOut]:
    """The latest batches, newest first: a CDW sees their own, staff see everyone's."""
    mine = None if principal.has(Role.STAFF) else principal.name
    # A list shows counts; each batch's report lines are one GET away.
    return [batch_out(conn, b, issues_shown=0) for b in list_batches(conn, mine, limit)]


@router.get(
    "/batches/{batch_id}",
    response_model=BatchOut,
    summary="A batch and its progress",
    dependencies=[CDW],
)
def batch(batch_id: int, conn: ConnectionDep) -> BatchOut:
    """A batch: while it loads, how many rows are done; after, its counts and report."""
    return batch_out(conn, get_batch(conn, batch_id))


@router.get(
    "/batches/{batch_id}/report",
    response_model=list[IssueOut],
    summary="A batch's report",
    dependencies=[CDW],
)
def report(
    batch_id: int,
    conn: ConnectionDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[IssueOut]:
    """One page of the batch's report lines, in row order."""
    get_batch(conn, batch_id)
    return [IssueOut(**x) for x in batch_issues(conn, batch_id, limit=limit, offset=offset)]


@router.get("/batches/{batch_id}/report.csv", summary="A batch's report as CSV", dependencies=[CDW])
def report_download(batch_id: int, engine: EngineDep) -> StreamingResponse:
    """Every report line as CSV, for a spreadsheet: row, submission id, outcome, field,
    value, reason."""
    with engine.connect() as conn:
        get_batch(conn, batch_id)

    def lines() -> Iterator[bytes]:
        with engine.connect() as conn:
            yield from report_csv(conn, batch_id)

    name = f"survey-batch-{batch_id}-report.csv"
    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
