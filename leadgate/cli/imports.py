"""`leadgate import`, `leadgate export`, `leadgate lists purge` and `leadgate imports cleanup`."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from leadgate.cli.context import cli_actor, fail, one_line_errors, out, session_scope
from leadgate.core.settings import get_settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.imports import export, purge, service
from leadgate.imports.mapping import parse_overrides
from leadgate.imports.models import ImportJob
from leadgate.imports.service import ImportOptions
from leadgate.imports.uploads import cleanup_uploads
from leadgate.jobs import executor, runs
from leadgate.jobs.executor import Factories, execute
from leadgate.jobs.handlers import count_rows
from leadgate.jobs.models import JobRun
from leadgate.jobs.requests import request_import, resume_import
from leadgate.wiring import wire

lists_app = typer.Typer(help="Rented and bought lists", no_args_is_help=True)
imports_app = typer.Typer(help="Import housekeeping", no_args_is_help=True)

AsUser = Annotated[
    str | None, typer.Option("--as", help="act as this user (default: first administrator)")
]


def _summary(job: ImportJob) -> str:
    verb = "would be " if job.dry_run else ""
    return (
        f"import {job.id} {job.state}: {job.created_count} {verb}created, "
        f"{job.updated_count} {verb}updated, {job.skipped_count} skipped as duplicates, "
        f"{job.failed_count} failed"
    )


def _execute(factories: Factories, run_id: uuid.UUID, done: int, total: int | None) -> str | None:
    """Execute the run here, in the foreground, with a progress bar. A crash is reported
    in one line from the run's error (the executor's log of it would print a traceback
    through logging's last-resort handler: this command configures no logging)."""
    log = logging.getLogger(executor.__name__)
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed} rows"), TimeElapsedColumn())  # fmt: skip
    with Progress(*columns) as bar:
        task = bar.add_task("importing", total=total, completed=done)
        return execute(
            factories,
            run_id,
            get_settings().jobs_heartbeat_seconds,  # holds the lease like any worker
            observer=lambda n: bar.update(task, completed=n),
        )


def _run(import_id: uuid.UUID, run_id: uuid.UUID, as_user: str | None, report: Path | None) -> None:
    """Execute the import's job run here (recorded like a worker's: `leadgate jobs list`
    shows it, and a crashed run resumes with `leadgate import resume` or `jobs resume`)."""
    wire()
    engine = make_engine(get_settings().database_url)
    factories = Factories(
        read=make_session_factory(engine), write=make_session_factory(engine, writes=True)
    )
    resume = f"resume it with `leadgate import resume {import_id}`"
    try:
        with factories.read() as session:
            job = session.get_one(ImportJob, import_id)
            done, total = job.rows_done, count_rows(Path(job.file_path))
        try:
            state = _execute(factories, run_id, done, total)
        except KeyboardInterrupt:
            # Committed batches stay; the run is failed (not left "running") so it resumes.
            with factories.write() as session, session.begin():
                runs.fail(session, cli_actor(session, as_user), run_id, "interrupted: Ctrl+C")
            service.mark_interrupted(factories.write, import_id, "interrupted: Ctrl+C")
            fail(f"import {import_id} interrupted; {resume}", 130)
        with factories.read() as session, session.begin():
            job = session.get_one(ImportJob, import_id)
            run = session.get_one(JobRun, run_id)
            if state is None:
                fail(f"job run {run_id} is {run.state}; it was not run again")
            if state == "superseded":
                fail(
                    f"job run {run_id} was taken over by a worker after its lease expired; "
                    f"follow it with `leadgate jobs show {run_id}`"
                )
            if state != "completed":
                error = run.error or "failed"
                if error.startswith("interrupted"):
                    where = f"committed up to row {job.rows_done}"
                    fail(f"import {import_id} {error} ({where}); {resume}")
                fail(error)
            out.print(f"{_summary(job)} (job run {run_id})")
            if report is not None:
                with report.open("w", newline="", encoding="utf-8") as handle:
                    service.write_report(session, cli_actor(session, as_user), import_id, handle)
                out.print(f"per-row outcomes written to {report}")
    finally:
        engine.dispose()


@one_line_errors
def import_command(
    file: Annotated[str, typer.Argument(help="CSV/XLSX file, or: undo ID | status ID | resume ID")],
    job_id: Annotated[
        uuid.UUID | None, typer.Argument(help="import id for undo/status/resume")
    ] = None,
    type_: Annotated[
        str, typer.Option("--type", help="lead, contact, account, product or opportunity")
    ] = "lead",
    mapping: Annotated[str | None, typer.Option(help="saved mapping name")] = None,
    map_: Annotated[list[str] | None, typer.Option("--map", help='"File header=field"')] = None,
    vendor: Annotated[str | None, typer.Option(help="list vendor (upsert by external key)")] = None,
    on_duplicate: Annotated[str, typer.Option(help="skip, update or create")] = "skip",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="validate, write nothing")] = False,
    report: Annotated[Path | None, typer.Option(help="write per-row outcomes CSV")] = None,
    as_user: AsUser = None,
) -> None:
    """Import a CSV/XLSX file of leads, contacts, accounts, products or opportunities (or
    undo/status/resume an import)."""
    if file in ("undo", "status", "resume"):
        if job_id is None:
            fail(f"usage: leadgate import {file} IMPORT_ID", 2)
        if file == "resume":
            with session_scope() as session:
                settings = get_settings()
                run_id = resume_import(
                    session, cli_actor(session, as_user), job_id,
                    upload_dir=Path(settings.import_dir),
                    stale_after=settings.jobs_stale_after_seconds,
                ).id  # fmt: skip
            _run(job_id, run_id, as_user, report)
            return
        with session_scope() as session:
            actor = cli_actor(session, as_user)
            if file == "undo":
                job = service.undo_import(session, actor, job_id)
            else:
                job = service.get_job(session, actor, job_id)
            out.print(_summary(job) + (f" ({job.error})" if job.error else ""))
        return
    path = Path(file)
    if not path.is_file():
        fail(f"no such file: {file}", 2)
    options = ImportOptions(
        type_, on_duplicate, vendor, dry_run, mapping, parse_overrides(map_ or [])
    )
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        job = service.start_import(session, actor, path.resolve(), path.name, options)
        # The file is the user's own, imported where it lies: never deleted afterwards.
        run_id = request_import(session, actor, job.id, keep_file=True).id
        new_id = job.id
        mapped = ", ".join(f"{h} → {f}" for h, f in job.mapping.items())
    out.print(f"import {new_id}: {mapped}")
    _run(new_id, run_id, as_user, report)


@one_line_errors
def export_command(
    out_file: Annotated[Path, typer.Option("--out", help="file to write")],
    type_: Annotated[str, typer.Option("--type", help="lead, contact or account")] = "lead",
    format_: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
    filter_: Annotated[list[str] | None, typer.Option("--filter", help="field=value")] = None,
    q: Annotated[str | None, typer.Option(help="text search")] = None,
    as_user: AsUser = None,
) -> None:
    """Export a list (filters and your permissions applied) to CSV or XLSX."""
    if format_ not in ("csv", "xlsx"):
        fail("--format must be csv or xlsx", 2)
    filters = {}
    for item in filter_ or []:
        name, sep, value = item.partition("=")
        if not sep:
            fail(f"--filter takes field=value, not {item!r}", 2)
        filters[name.strip()] = value.strip()
    with session_scope() as session:
        rows = export.export_rows(session, cli_actor(session, as_user), type_, filters, q)
        if format_ == "csv":
            with out_file.open("w", newline="", encoding="utf-8") as handle:
                count = export.write_csv(rows, handle)
        else:
            count = export.write_xlsx(rows, out_file)
    out.print(f"{count} {type_}s written to {out_file}")


@lists_app.command("purge")
@one_line_errors
def purge_command(
    vendor: Annotated[str, typer.Option(help="the list vendor")],
    yes: Annotated[bool, typer.Option("--yes", help="really delete (default: count only)")] = False,
    as_user: AsUser = None,
) -> None:
    """Remove the vendor's leads that never responded; without --yes only counts them."""
    with session_scope() as session:
        count = purge.purge_vendor(session, cli_actor(session, as_user), vendor, dry_run=not yes)
    if yes:
        out.print(f"{count} leads of {vendor} purged")
    else:
        out.print(f"{count} leads of {vendor} never responded; rerun with --yes to purge them")


@imports_app.command("cleanup")
@one_line_errors
def cleanup_command(
    older_than: Annotated[
        float, typer.Option("--older-than", help="delete uploads older than DAYS", min=0)
    ],
    as_user: AsUser = None,
) -> None:
    """Delete leftover uploaded files (dry runs never run, crashed or abandoned imports)
    older than DAYS from the import folder; never the file of a pending or running import."""
    folder = Path(get_settings().import_dir)
    with session_scope() as session:
        removed = cleanup_uploads(
            session, cli_actor(session, as_user), folder, timedelta(days=older_than)
        )
    out.print(f"{len(removed)} uploaded files deleted from {folder}")
