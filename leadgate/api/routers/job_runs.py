"""/api/v1/job-runs: ask for background work, follow its progress, resume it.

A run is visible to the user who asked for it and to administrators (404 for
anyone else). Asking answers 202 with the run and a Location to poll.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from leadgate.api.deps import ActorDep, ListDep, SessionDep, SettingsDep
from leadgate.api.responses import PageOut, page_response
from leadgate.jobs import requests, runs
from leadgate.jobs.models import JobRun
from leadgate.jobs.queue import JobQueue
from leadgate.jobs.schemas import JobRunCreate, JobRunRead
from leadgate.security.access import Actor

router = APIRouter(prefix="/job-runs", tags=["job runs"])


def run_location(run_id: uuid.UUID) -> str:
    return f"/api/v1/job-runs/{run_id}"


def enqueued(request: Request, session: Session, actor: Actor, run: JobRun) -> JSONResponse:
    """Queue a committed run; 202 with its state now (already finished in immediate mode)."""
    queue: JobQueue = request.app.state.jobs
    queue.enqueue(run.id)
    session.expire_all()
    with session.begin():
        body = JobRunRead.model_validate(runs.get_run(session, actor, run.id))
    return JSONResponse(
        body.model_dump(mode="json"), status_code=202, headers={"Location": run_location(run.id)}
    )


@router.post("", status_code=202, response_model=JobRunRead, summary="Ask for background work")
def create_run(
    data: JobRunCreate, request: Request, session: SessionDep, actor: ActorDep
) -> JSONResponse:
    with session.begin():
        run = requests.request(session, actor, data.kind, data.params)
    return enqueued(request, session, actor, run)


@router.get("", response_model=PageOut[JobRunRead], summary="My job runs, newest first")
def list_runs(
    session: SessionDep,
    actor: ActorDep,
    params: ListDep,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:
    with session.begin():
        page = runs.list_runs(
            session, actor, cursor=params.cursor, limit=params.limit, kind=kind, state=state
        )
        return page_response(JobRunRead, page)


@router.get("/{run_id}", response_model=JobRunRead, summary="State, progress, result or error")
def read_run(run_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> JobRunRead:
    with session.begin():
        return JobRunRead.model_validate(runs.get_run(session, actor, run_id))


@router.post("/{run_id}/resume", status_code=202, response_model=JobRunRead)
def resume_run(
    run_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    force: Annotated[
        bool, Query(description="also a run left running by a worker that died")
    ] = False,
) -> JSONResponse:
    """Queue a failed run again; it continues where it stopped (an import from its last
    committed batch). 409 for a completed run, or a running one whose worker still renews
    its lease, unless `force` (the operator knows that worker died)."""
    with session.begin():
        stale_after = settings.jobs_stale_after_seconds
        run = runs.reopen(session, actor, run_id, force=force, stale_after=stale_after)
    return enqueued(request, session, actor, run)
