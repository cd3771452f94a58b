"""The kinds of background work: an import, training or rescoring, a duplicate scan.

Each handler runs as the user who asked for it and marks its run completed in
the same transaction as its last piece of work (`ctx.complete`), so a rerun after
a crash either resumes (imports: from the last committed batch) or redoes work
that was never committed (training, rescoring, scans are one transaction each).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.orm import object_session

from leadgate.core.errors import DomainError
from leadgate.dedup.groups import store_groups
from leadgate.dedup.scan import scan
from leadgate.imports import service as imports
from leadgate.imports.models import ImportJob
from leadgate.jobs import runs
from leadgate.jobs.executor import JobContext, handler
from leadgate.scoring import service as scoring

XLSX = (".xlsx", ".xlsm")


def count_rows(path: Path) -> int | None:
    """Data rows of a CSV (the progress bar's total); None for XLSX or a missing file."""
    if path.suffix.lower() in XLSX or not path.is_file():
        return None
    with path.open("rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return max(0, lines - 1)


@handler("import")
def run_import(ctx: JobContext) -> None:
    import_id = uuid.UUID(ctx.params["import_id"])
    write = ctx.factories.write
    with ctx.factories.read() as session:
        job = session.get_one(ImportJob, import_id)
        state, path = job.state, Path(job.file_path)
    if ctx.done == 0:
        ctx.progress(0, count_rows(path))

    def mirror(progress: ImportJob) -> None:
        # Inside the batch's transaction when there is one: the run's progress and the
        # batch commit together, so the bar never runs ahead of what is stored.
        session = object_session(progress)
        if session is not None:
            ctx.record_progress(session, progress.rows_done)
        else:
            ctx.progress(progress.rows_done)

    # A crash after the import finished but before the run was marked: nothing to redo.
    if state != "completed":
        try:
            imports.run_job(write, ctx.actor, import_id, mirror)
        except Exception as exc:
            if not isinstance(exc, DomainError | runs.Superseded):
                # The import stays resumable from its last committed batch (a superseded
                # attempt leaves the import to the attempt that took it over).
                imports.mark_interrupted(write, import_id, f"interrupted: {exc}")
            raise
    with write() as session, session.begin():
        job = session.get_one(ImportJob, import_id)
        ctx.complete(session, _import_result(job))
    if not ctx.params.get("keep_file"):
        # The upload is kept only while a resume may need it (a dry run keeps it to run later).
        path.unlink(missing_ok=True)


def _import_result(job: ImportJob) -> dict[str, Any]:
    return {
        "import_id": str(job.id),
        "state": job.state,
        "rows_done": job.rows_done,
        "created": job.created_count,
        "updated": job.updated_count,
        "skipped": job.skipped_count,
        "failed": job.failed_count,
        "dry_run": job.dry_run,
    }


@handler("scoring_train")
def train_model(ctx: JobContext) -> None:
    model_id = uuid.UUID(ctx.params["model_id"])
    ctx.progress(0, 1)
    with ctx.factories.write() as session, session.begin():
        version = scoring.train(session, ctx.actor, model_id)
        published = bool(ctx.params.get("publish")) and version.ready_to_publish
        if published:
            scoring.publish(session, ctx.actor, version.id)
        metrics = version.metrics
        ctx.complete(
            session,
            {
                "model_id": str(model_id),
                "version_id": str(version.id),
                "number": version.number,
                "family": version.family,
                "auc": metrics.get("auc"),
                "log_loss": metrics.get("log_loss"),
                "ece": metrics.get("ece"),
                "ready_to_publish": version.ready_to_publish,
                "published": published,
            },
        )


@handler("scoring_rescore")
def rescore(ctx: JobContext) -> None:
    raw = ctx.params.get("model_id")
    model_id = uuid.UUID(raw) if raw else None
    with ctx.factories.write() as session, session.begin():
        scored = scoring.rescore(session, ctx.actor, model_id)
        ctx.complete(session, {"model_id": raw, "scored": scored})


@handler("duplicate_scan")
def scan_duplicates(ctx: JobContext) -> None:
    """Scan in a read transaction (progress visible as key groups are scored), then store
    the groups for review in one write transaction with the completed run: a rerun after a
    crash replaces the open groups again, so it reaches the same end state."""
    record_type = str(ctx.params["record_type"])
    with ctx.factories.read() as session, session.begin():
        found = scan(session, ctx.actor, record_type, progress=lambda n: ctx.progress(n))
    with ctx.factories.write() as session, session.begin():
        stored = store_groups(session, ctx.actor, record_type, found)
        result = {"record_type": record_type, "pairs": len(found.pairs), "groups": stored,
                  "oversized_groups": found.oversized_groups}  # fmt: skip
        ctx.complete(session, result)
