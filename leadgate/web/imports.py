"""Import leads from CSV/XLSX: upload (dry run or not), follow the job, run the checked file.

The job is the imports package's own (mapping by header synonyms, per-row
duplicate check, a report per row); it runs as a background job (the Huey
queue, see leadgate.jobs) and its page shows the job's state and counts until it ends. A dry
run keeps the uploaded file so that "Run the import" can reuse it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from leadgate.core.errors import Conflict, DomainError, Forbidden
from leadgate.core.settings import Settings
from leadgate.imports import export, service
from leadgate.imports.service import ON_DUPLICATE, ImportOptions
from leadgate.imports.targets import check_may_import, may_import
from leadgate.imports.uploads import store_upload
from leadgate.jobs.queue import JobQueue
from leadgate.jobs.requests import request_import
from leadgate.security.access import Actor
from leadgate.security.web_sessions import SignedIn
from leadgate.web.auth import DbSession, FormData, User
from leadgate.web.common import redirect
from leadgate.web.forms import FormState
from leadgate.web.render import render

router = APIRouter(include_in_schema=False)
RUNNING = ("pending", "running")


def _start(
    factory: sessionmaker[Session],
    settings: Settings,
    actor: Actor,
    upload: UploadFile,
    options: ImportOptions,
) -> tuple[uuid.UUID, uuid.UUID]:
    """The import job and the run that will execute it (committed, not yet queued)."""
    path = store_upload(
        upload.file, upload.filename, Path(settings.import_dir), settings.max_upload_bytes
    )
    try:
        with factory() as session, session.begin():
            job = service.start_import(session, actor, path, upload.filename or path.name, options)
            # A dry run keeps its file so that "Run the import" can reuse it.
            run = request_import(session, actor, job.id, keep_file=options.dry_run)
            return job.id, run.id
    except Exception:
        path.unlink(missing_ok=True)
        raise


def _enqueue(request: Request, run_id: uuid.UUID) -> None:
    queue: JobQueue = request.app.state.jobs
    queue.enqueue(run_id)


def _form_page(request: Request, state: FormState, status: int = 200) -> Response:
    return render(
        request,
        "imports/new.html",
        {"title": "Import leads", "section": "leads", "form": state, "choices": ON_DUPLICATE},
        status=status,
    )


@router.get("/imports/new")
def new_import(request: Request, user: User) -> Response:
    if not may_import(user.actor, "lead"):
        raise Forbidden("your role may not import leads")
    return _form_page(request, FormState(values={"on_duplicate": "skip", "dry_run": True}))


@router.post("/imports/new")
async def upload(request: Request, user: User, form: FormData) -> Response:
    # The file is not in FormData (strings only); the parsed form is cached on the request.
    upload_file = (await request.form()).get("file")
    try:
        return await _upload(request, user, form, upload_file)
    finally:
        if isinstance(upload_file, UploadFile):
            await upload_file.close()


async def _upload(
    request: Request,
    user: SignedIn,
    form: dict[str, Any],
    upload_file: UploadFile | str | None,
) -> Response:
    check_may_import(user.actor, "lead")  # refused before the upload is stored
    on_duplicate = str(form.get("on_duplicate") or "skip")
    dry_run = form.get("dry_run") in ("on", "1", "true")
    state = FormState(values={"on_duplicate": on_duplicate, "dry_run": dry_run})
    if not isinstance(upload_file, UploadFile) or not upload_file.filename:
        state.errors["file"] = "choose a CSV or XLSX file"
        state.message = "Please correct the fields marked below."
        return _form_page(request, state, 422)
    settings: Settings = request.app.state.settings
    factory: sessionmaker[Session] = request.app.state.session_factory
    options = ImportOptions("lead", on_duplicate, dry_run=dry_run)
    # Writing the file and reading its header block: off the event loop.
    try:
        job_id, run_id = await run_in_threadpool(
            _start, factory, settings, user.actor, upload_file, options
        )
    except DomainError as exc:
        if exc.status != 422:
            raise
        for problem in exc.errors:
            state.errors.setdefault(problem.field.split(".")[0], problem.message)
        state.message = exc.detail
        return _form_page(request, state, 422)
    # Off the event loop: in immediate mode (tests) the import runs inside this call.
    await run_in_threadpool(_enqueue, request, run_id)
    verb = "Checking" if dry_run else "Importing"
    return redirect(request, f"/imports/{job_id}", f"{verb} {upload_file.filename}.")


@router.get("/imports/{job_id}")
def import_page(request: Request, job_id: uuid.UUID, user: User, session: DbSession) -> Response:
    with session.begin():
        job = service.get_job(session, user.actor, job_id)
        context: dict[str, Any] = {
            "title": f"Import of {job.file_name}",
            "section": "leads",
            "job": job,
            "running": job.state in RUNNING,
            "can_run": job.dry_run and job.state == "completed" and Path(job.file_path).exists(),
        }
        return render(request, "imports/job.html", context)


@router.post("/imports/{job_id}/run")
def run_checked(
    request: Request,
    job_id: uuid.UUID,
    user: User,
    session: DbSession,
) -> Response:
    """Import for real the file a completed dry run checked."""
    with session.begin():
        dry = service.get_job(session, user.actor, job_id)
        path = Path(dry.file_path)
        if not dry.dry_run or dry.state != "completed" or not path.exists():
            raise Conflict("only a completed dry run whose file is still kept can be run")
        options = ImportOptions(dry.record_type, dry.on_duplicate, dry.list_vendor)
        job = service.start_import(session, user.actor, path, dry.file_name, options)
        new_job = job.id
        run = request_import(session, user.actor, new_job)
    _enqueue(request, run.id)
    return redirect(request, f"/imports/{new_job}", "Importing the checked file.")


def _report(factory: sessionmaker[Session], actor: Actor, job_id: uuid.UUID) -> Iterator[str]:
    with factory() as session, session.begin():
        yield from export.csv_chunks(service.report_rows(session, actor, job_id))


@router.get("/imports/{job_id}/report.csv")
def report(request: Request, job_id: uuid.UUID, user: User, session: DbSession) -> Response:
    with session.begin():
        service.get_job(session, user.actor, job_id)  # 404 before the stream starts
    return StreamingResponse(
        _report(request.app.state.session_factory, user.actor, job_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job_id}.csv"'},
    )
