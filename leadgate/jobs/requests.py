"""Asking for background work: check what can be checked now, record a queued run.

The checks a user can fail at once (the model exists and they may train it, the
record type is one a scan knows) answer the request itself with 404/403/422, so
only work that may really run reaches the queue. The caller commits, then
enqueues the run's id (`JobQueue.enqueue`): a worker never sees an uncommitted run.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.core.errors import NotFound, ValidationFailed
from leadgate.dedup.registry import MODELS
from leadgate.imports.models import ImportJob
from leadgate.imports.service import ensure_runnable
from leadgate.imports.uploads import is_upload
from leadgate.jobs import runs
from leadgate.jobs.executor import HANDLERS
from leadgate.jobs.models import JobRun
from leadgate.scoring.models import ScoringModel
from leadgate.security.access import Actor, ensure, load
from leadgate.security.roles import Op

# Kinds a client may ask for by name (an import run starts with its upload instead).
REQUESTABLE = ("scoring_train", "scoring_rescore", "duplicate_scan")


def request_import(
    session: Session, actor: Actor, import_id: uuid.UUID, *, keep_file: bool = False
) -> JobRun:
    job = load(session, actor, ImportJob, import_id, Op.WRITE)
    return runs.create_run(
        session, actor, "import", {"import_id": str(job.id), "keep_file": keep_file}
    )


def resume_import(
    session: Session,
    actor: Actor,
    import_id: uuid.UUID,
    *,
    upload_dir: Path,
    stale_after: float | None,
) -> JobRun:
    """The unfinished import's own unfinished run queued again, so one import never has
    two runs at work (a run whose worker still answers is refused by `runs.reopen`); a
    new run when it has none the actor may resume. A finished import is refused (409)."""
    job = ensure_runnable(load(session, actor, ImportJob, import_id, Op.WRITE))
    # A file the CLI imported where it lies is the user's own: never deleted after.
    keep_file = not is_upload(job.file_path, upload_dir)
    unfinished = session.scalars(
        select(JobRun)
        .where(JobRun.kind == "import", JobRun.state.in_(("queued", "running", "failed")))
        .order_by(JobRun.created_at.desc(), JobRun.id.desc())
    )
    for run in unfinished:
        if run.params.get("import_id") != str(job.id):
            continue
        if run.state == "queued":
            return run
        try:
            return runs.reopen(session, actor, run.id, stale_after=stale_after)
        except NotFound:
            break  # someone else's run the actor may not see: a run of his own instead
    return request_import(session, actor, job.id, keep_file=keep_file)


def request_training(
    session: Session, actor: Actor, model_id: uuid.UUID, *, publish: bool = False
) -> JobRun:
    model = load(session, actor, ScoringModel, model_id, Op.WRITE)
    params = {"model_id": str(model.id), "publish": publish}
    return runs.create_run(session, actor, "scoring_train", params, total=1)


def request_rescore(session: Session, actor: Actor, model_id: uuid.UUID | None) -> JobRun:
    if model_id is not None:
        load(session, actor, ScoringModel, model_id, Op.WRITE)
    else:
        ensure(actor, ScoringModel.RECORD_TYPE, Op.WRITE)
    params = {"model_id": str(model_id) if model_id else None}
    return runs.create_run(session, actor, "scoring_rescore", params)


def request_duplicate_scan(session: Session, actor: Actor, record_type: str) -> JobRun:
    if record_type not in MODELS:
        raise ValidationFailed.on("params.record_type", f"one of {', '.join(MODELS)}")
    ensure(actor, record_type, Op.READ)
    return runs.create_run(session, actor, "duplicate_scan", {"record_type": record_type})


def request(session: Session, actor: Actor, kind: str, params: dict[str, Any]) -> JobRun:
    """A run of `kind` from a client's JSON parameters."""
    if kind not in REQUESTABLE or kind not in HANDLERS:
        raise ValidationFailed.on("kind", f"one of {', '.join(REQUESTABLE)}")
    if kind == "duplicate_scan":
        return request_duplicate_scan(session, actor, str(params.get("record_type", "")))
    model_id = _uuid(params.get("model_id"), required=kind == "scoring_train")
    if kind == "scoring_train":
        assert model_id is not None
        return request_training(session, actor, model_id, publish=bool(params.get("publish")))
    return request_rescore(session, actor, model_id)


def _uuid(raw: Any, *, required: bool) -> uuid.UUID | None:
    if raw in (None, "") and not required:
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise ValidationFailed.on("params.model_id", "a scoring model id") from None
