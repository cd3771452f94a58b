"""/api/v1/imports (upload, progress, report, undo, resume), /api/v1/import-mappings,
/api/v1/exports and /api/v1/lists/{vendor}/purge."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from leadgate.api.deps import ActorDep, SessionDep, SettingsDep
from leadgate.api.routers.job_runs import run_location
from leadgate.core.errors import ValidationFailed
from leadgate.core.fields import Input
from leadgate.imports import export, purge, service
from leadgate.imports.mapping import get_mapping, parse_overrides, save_mapping
from leadgate.imports.service import ImportOptions
from leadgate.imports.targets import check_may_import
from leadgate.imports.uploads import store_upload
from leadgate.jobs import requests as job_requests
from leadgate.jobs.queue import JobQueue
from leadgate.jobs.requests import request_import

router = APIRouter(tags=["imports"])
RecordType = Literal["lead", "contact", "account"]  # exports
ImportType = Literal["lead", "contact", "account", "product", "opportunity"]


class ImportJobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    record_type: str
    file_name: str
    mapping: dict[str, str]
    on_duplicate: str
    list_vendor: str | None
    dry_run: bool
    state: str
    rows_done: int
    created_count: int
    updated_count: int
    skipped_count: int
    failed_count: int
    error: str | None
    # The background run executing the import (GET /api/v1/job-runs/{id}); set on start/resume.
    job_run_id: uuid.UUID | None = None


class MappingIn(Input):
    record_type: ImportType
    columns: dict[str, str] = Field(max_length=500)


class MappingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    record_type: str
    columns: dict[str, str]


def _enqueue(request: Request, run_id: uuid.UUID, body: ImportJobRead) -> JSONResponse:
    queue: JobQueue = request.app.state.jobs
    queue.enqueue(run_id)
    body.job_run_id = run_id
    return JSONResponse(
        body.model_dump(mode="json"), status_code=202, headers={"Location": run_location(run_id)}
    )


@router.post("/imports", status_code=202, response_model=ImportJobRead)
def start_import(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="CSV (any of , ; tab) or XLSX")],
    type: Annotated[ImportType, Form()],
    on_duplicate: Annotated[Literal["skip", "update", "create"], Form()] = "skip",
    vendor: Annotated[str | None, Form(max_length=100)] = None,
    dry_run: Annotated[bool, Form()] = False,
    mapping: Annotated[str | None, Form(max_length=100)] = None,
    map: Annotated[list[str] | None, Form(description='"File header=field"')] = None,
) -> JSONResponse:
    """Upload a file; the job runs in the background (poll GET /imports/{id} or its job run)."""
    check_may_import(actor, type)  # before the upload is even stored
    declared = int(request.headers.get("content-length") or 0)
    if declared > settings.max_upload_bytes:
        raise ValidationFailed.on(
            "file", f"larger than the {settings.max_upload_bytes} bytes accepted"
        )
    path = store_upload(
        file.file, file.filename, Path(settings.import_dir), settings.max_upload_bytes
    )
    options = ImportOptions(
        type, on_duplicate, vendor, dry_run, mapping, parse_overrides(map or [])
    )
    try:
        with session.begin():
            job = service.start_import(session, actor, path, file.filename or path.name, options)
            body = ImportJobRead.model_validate(job)
            run = request_import(session, actor, job.id)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return _enqueue(request, run.id, body)


@router.get("/imports/{job_id}", response_model=ImportJobRead, summary="Progress of an import")
def import_status(job_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> ImportJobRead:
    with session.begin():
        return ImportJobRead.model_validate(service.get_job(session, actor, job_id))


def _streamed(
    factory: sessionmaker[Session], build: Callable[[Session], Iterator[Sequence[Any]]]
) -> Iterator[str]:
    """CSV pieces read in a session of their own (the request's may close first)."""
    with factory() as session, session.begin():
        yield from export.csv_chunks(build(session))


@router.get("/imports/{job_id}/report", summary="Per-row outcomes as CSV")
def import_report(
    job_id: uuid.UUID, request: Request, session: SessionDep, actor: ActorDep
) -> StreamingResponse:
    with session.begin():
        service.get_job(session, actor, job_id)  # 404 before the stream starts
    chunks = _streamed(
        request.app.state.session_factory, lambda s: service.report_rows(s, actor, job_id)
    )
    return StreamingResponse(
        chunks,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="import-{job_id}.csv"'},
    )


@router.post("/imports/{job_id}/undo", response_model=ImportJobRead)
def undo_import(job_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> ImportJobRead:
    """Remove what the import created and restore what it updated."""
    with session.begin():
        return ImportJobRead.model_validate(service.undo_import(session, actor, job_id))


@router.post("/imports/{job_id}/resume", status_code=202, response_model=ImportJobRead)
def resume_import(
    job_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Continue an interrupted import from its last committed batch: its own unfinished
    run is queued again (409 while that run's worker still answers, or once the import
    has finished), so one import never has two runs at work."""
    with session.begin():
        run = job_requests.resume_import(
            session,
            actor,
            job_id,
            upload_dir=Path(settings.import_dir),
            stale_after=settings.jobs_stale_after_seconds,
        )
        body = ImportJobRead.model_validate(service.get_job(session, actor, job_id))
    return _enqueue(request, run.id, body)


@router.put("/import-mappings/{name}", response_model=MappingRead)
def put_mapping(
    name: Annotated[str, Field(max_length=100)],
    data: MappingIn,
    session: SessionDep,
    actor: ActorDep,
) -> MappingRead:
    with session.begin():
        return MappingRead.model_validate(
            save_mapping(session, actor, name, data.record_type, data.columns)
        )


@router.get("/import-mappings/{name}", response_model=MappingRead)
def read_mapping(name: str, session: SessionDep, actor: ActorDep) -> MappingRead:
    with session.begin():
        return MappingRead.model_validate(get_mapping(session, actor, name))


@router.get("/exports/{record_type}", summary="Export a list view to CSV or XLSX")
def export_list(
    record_type: RecordType,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    format: Literal["csv", "xlsx"] = "csv",
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Any:
    """Filters are query parameters on the record's fields (e.g. list_vendor=acme)."""
    reserved = {"format", "q"}
    filters = {k: v for k, v in request.query_params.items() if k not in reserved}
    if format == "csv":
        with session.begin():  # bad filters answer 422 before the stream starts
            next(export.export_rows(session, actor, record_type, filters, q))
        chunks = _streamed(
            request.app.state.session_factory,
            lambda s: export.export_rows(s, actor, record_type, filters, q),
        )
        return StreamingResponse(
            chunks,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{record_type}s.csv"'},
        )
    folder = Path(tempfile.mkdtemp(prefix="leadgate-export-"))
    path = folder / f"{record_type}s.xlsx"
    with session.begin():
        export.write_xlsx(export.export_rows(session, actor, record_type, filters, q), path)
    background = BackgroundTasks()
    background.add_task(shutil.rmtree, folder, True)
    return FileResponse(path, filename=path.name, background=background)


class PurgeResult(BaseModel):
    vendor: str
    dry_run: bool
    count: int


@router.post("/lists/{vendor}/purge", response_model=PurgeResult)
def purge_list(
    vendor: Annotated[str, PathParam(max_length=100)],
    session: SessionDep,
    actor: ActorDep,
    dry_run: bool = True,
) -> PurgeResult:
    """Remove the vendor's leads that never responded (dry run by default: just the count)."""
    with session.begin():
        count = purge.purge_vendor(session, actor, vendor, dry_run=dry_run)
    return PurgeResult(vendor=vendor, dry_run=dry_run, count=count)
