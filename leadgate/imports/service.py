"""Import jobs: start, run in committed batches (resumable), report, undo.

Lifecycle: pending → running → completed | failed; completed → undone.
Each batch of rows commits in one transaction together with its row outcomes
and the job's `rows_done`, so after a crash `run_job` resumes after the last
committed row and reaches the same end state as an uninterrupted run. A dry
run processes every row inside a savepoint that is rolled back: only the
outcomes are kept.
"""

from __future__ import annotations

import csv
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.audit.recording import add_record, change_record, write_event
from leadgate.core.clock import utcnow
from leadgate.core.errors import Conflict, DomainError, ValidationFailed
from leadgate.core.garbage import fewer_collections
from leadgate.core.ids import new_id
from leadgate.db.bulk import analyze, insert_columns
from leadgate.dedup.merge import typed_value
from leadgate.dedup.models import MatchKey
from leadgate.imports.columns import compile_columns
from leadgate.imports.mapping import build_mapping, get_mapping
from leadgate.imports.models import ImportJob, ImportRow
from leadgate.imports.reading import Rows, open_sheet
from leadgate.imports.rows import (
    BatchCache,
    Prepared,
    RowContext,
    RowResult,
    prepare_row,
    write_row,
)
from leadgate.imports.targets import check_may_import, target_for
from leadgate.security.access import Actor, load
from leadgate.security.roles import Op

# Rows per committed batch: large enough that the per-batch queries (match keys,
# vendor keys, the bulk INSERTs) are amortised, small enough that a crash redoes
# little and memory stays flat.
BATCH_SIZE = 2000
ON_DUPLICATE = ("skip", "update", "create")


@dataclass(frozen=True)
class ImportOptions:
    record_type: str
    on_duplicate: str = "skip"
    list_vendor: str | None = None
    dry_run: bool = False
    mapping_name: str | None = None
    overrides: dict[str, str] | None = None


def start_import(
    session: Session, actor: Actor, path: Path, file_name: str, options: ImportOptions
) -> ImportJob:
    """Check the actor may import such records, the file's header and mapping, then record
    a pending job."""
    target = target_for(options.record_type)
    check_may_import(actor, options.record_type)
    if options.on_duplicate not in ON_DUPLICATE:
        raise ValidationFailed.on("on_duplicate", f"one of {', '.join(ON_DUPLICATE)}")
    if options.list_vendor is not None and not target.upsert_by_vendor_key:
        raise ValidationFailed.on("vendor", f"{options.record_type} records have no list vendor")
    sheet = open_sheet(path, file_name)
    sheet.close()
    saved = (
        get_mapping(session, actor, options.mapping_name).columns if options.mapping_name else None
    )
    mapping = build_mapping(options.record_type, sheet.headers, saved, options.overrides)
    job = ImportJob(
        id=new_id(),
        owner_id=actor.user_id,
        record_type=options.record_type,
        file_name=file_name[:300],
        file_path=str(path),
        mapping=mapping,
        on_duplicate=options.on_duplicate,
        list_vendor=options.list_vendor,
        dry_run=options.dry_run,
        state="pending",
    )
    add_record(session, actor, job)
    return job


def _context(job: ImportJob, headers: list[str]) -> RowContext:
    """How the job reads a row; built once per run, so the compiled columns' memos
    (`imports.columns`) serve the whole file."""
    index = {h: i for i, h in enumerate(headers)}
    columns = [(index[h], f) for h, f in job.mapping.items() if h in index]
    target = target_for(job.record_type)
    vendor = job.list_vendor if target.upsert_by_vendor_key else None
    fixed = {"list_vendor": vendor} if vendor else {}
    compiled = compile_columns(target.create_schema, columns, fixed)
    return RowContext(target, columns, len(headers), job.on_duplicate, job.list_vendor, compiled)


def _batches(rows: Rows, skip: int) -> Iterator[list[Any]]:
    pending = ((n, cells) for n, cells in rows if n > skip)
    while batch := list(islice(pending, BATCH_SIZE)):
        yield batch


def _run_batch(
    session: Session, actor: Actor, job: ImportJob, ctx: RowContext, batch: list[Any]
) -> list[RowResult]:
    prepared = [prepare_row(ctx, number, cells) for number, cells in batch]
    trial = session.begin_nested() if job.dry_run else None
    cache = BatchCache(session, actor, ctx, [p for p in prepared if isinstance(p, Prepared)])
    results = [
        write_row(session, actor, ctx, p, cache) if isinstance(p, Prepared) else p for p in prepared
    ]
    cache.flush(session, actor, ctx)
    results = [cache.settle(r) for r in results]
    if trial is not None:
        trial.rollback()
    outcomes = {
        "row_number": [r.row_number for r in results],
        "outcome": [r.outcome for r in results],
        "record_id": [r.record_id for r in results],
        "errors": [r.errors or None for r in results],
        "before": [r.before for r in results],
    }
    insert_columns(session, ImportRow.__table__, outcomes, same={"job_id": job.id})  # type: ignore[arg-type]
    job.rows_done = batch[-1][0]
    counts = Counter(r.outcome for r in results)
    job.created_count += counts["created"]
    job.updated_count += counts["updated"]
    job.skipped_count += counts["skipped_duplicate"]
    job.failed_count += counts["failed"]
    return results


def ensure_runnable(job: ImportJob) -> ImportJob:
    """An import runs (or resumes) until it has finished; then never again."""
    if job.state not in ("pending", "running", "failed"):
        raise Conflict(f"import {job.id} is {job.state}; it cannot run again")
    return job


def run_job(
    factory: sessionmaker[Session],
    actor: Actor,
    job_id: uuid.UUID,
    progress: Callable[[ImportJob], None] | None = None,
) -> None:
    """Run (or resume) a job to the end, one committed transaction per batch."""
    actor = actor.via("import")
    with factory() as session, session.begin():
        job = ensure_runnable(load(session, actor, ImportJob, job_id, Op.WRITE))
        job.state = "running"
        path, file_name, skip = Path(job.file_path), job.file_name, job.rows_done
        record_type = job.record_type
    try:
        sheet = open_sheet(path, file_name)
    except (DomainError, OSError) as exc:
        _finish(factory, actor, job_id, "failed", str(getattr(exc, "detail", exc)))
        raise
    ctx: RowContext | None = None
    with fewer_collections():
        for done, batch in enumerate(_batches(sheet.rows, skip), start=1):
            with factory() as session, session.begin():
                job = session.get_one(ImportJob, job_id)
                ctx = ctx or _context(job, sheet.headers)
                _run_batch(session, actor, job, ctx, batch)
                if progress is not None:
                    progress(job)
            if done & (done - 1) == 0:  # after batches 1, 2, 4, 8, …: while the tables double
                with factory() as session, session.begin():
                    tables = [target_for(record_type).model.__tablename__, MatchKey.__tablename__]
                    analyze(session, tables)
    _finish(factory, actor, job_id, "completed", None)


def _finish(
    factory: sessionmaker[Session], actor: Actor, job_id: uuid.UUID, state: str, error: str | None
) -> None:
    with factory() as session, session.begin():
        job = session.get_one(ImportJob, job_id)
        job.state, job.error, job.finished_at = state, error, utcnow()
        write_event(
            session,
            actor,
            f"import_{state}",
            "import_job",
            job.id,
            {
                "created": [None, job.created_count],
                "updated": [None, job.updated_count],
                "skipped": [None, job.skipped_count],
                "failed": [None, job.failed_count],
            },
            summary=job.file_name,
        )


def get_job(session: Session, actor: Actor, job_id: uuid.UUID) -> ImportJob:
    return load(session, actor, ImportJob, job_id)


def undo_import(session: Session, actor: Actor, job_id: uuid.UUID) -> ImportJob:
    """Remove what the import created and put back what it updated (newest first)."""
    actor = actor.via("import")
    job = load(session, actor, ImportJob, job_id, Op.WRITE)
    if job.dry_run or job.state not in ("completed", "failed"):
        raise Conflict(f"import {job_id} is {job.state}{' (dry run)' if job.dry_run else ''}; "
                       "only a finished real import can be undone")  # fmt: skip
    target = target_for(job.record_type)
    rows = session.scalars(
        select(ImportRow)
        .where(ImportRow.job_id == job.id, ImportRow.outcome.in_(("created", "updated")))
        .order_by(ImportRow.row_number.desc())
    )
    for row in rows:
        if row.record_id is None:
            continue
        record = session.get(target.model, row.record_id)
        if record is None or record.deleted_at is not None:
            continue
        if row.outcome == "created":
            target.delete(session, actor, row.record_id, None)
        elif row.before:
            values = {k: typed_value(target.model, k, v) for k, v in row.before.items()}
            target.derive(record, values)
            change_record(session, actor, record, values, action="import_undo")
    job.state = "undone"
    write_event(session, actor, "import_undone", "import_job", job.id, summary=job.file_name)
    return job


REPORT_COLUMNS = ("row", "outcome", "record_id", "errors")


def report_rows(session: Session, actor: Actor, job_id: uuid.UUID) -> Iterator[list[Any]]:
    """The per-row outcome table (header first); the job's access is checked at once."""
    job = load(session, actor, ImportJob, job_id)
    stmt = (
        select(ImportRow.row_number, ImportRow.outcome, ImportRow.record_id, ImportRow.errors)
        .where(ImportRow.job_id == job.id)
        .order_by(ImportRow.row_number)
        .execution_options(yield_per=1000)
    )

    def rows() -> Iterator[list[Any]]:
        yield list(REPORT_COLUMNS)
        for number, outcome, record_id, errors in session.execute(stmt):
            yield [number, outcome, record_id or "", "; ".join(errors or [])]

    return rows()


def write_report(session: Session, actor: Actor, job_id: uuid.UUID, out: TextIO) -> None:
    csv.writer(out).writerows(report_rows(session, actor, job_id))


def mark_interrupted(factory: sessionmaker[Session], job_id: uuid.UUID, error: str) -> None:
    """Note why a background run stopped; the job stays resumable."""
    with factory() as session, session.begin():
        job = session.get_one(ImportJob, job_id)
        job.error = error[:2000]
