"""`leadgate worker` runs the job consumers; `leadgate jobs list|show|resume` follows runs."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table

from leadgate.cli.context import cli_actor, fail, one_line_errors, out, session_scope
from leadgate.core.settings import get_settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.jobs import runs
from leadgate.jobs.executor import Factories, execute
from leadgate.jobs.models import JobRun
from leadgate.jobs.queue import JobQueue, WorkerConsumer, queue_for
from leadgate.wiring import wire

jobs_app = typer.Typer(help="Background job runs", no_args_is_help=True)

AsUser = Annotated[
    str | None, typer.Option("--as", help="act as this user (default: first administrator)")
]


@contextmanager
def job_queue() -> Iterator[tuple[JobQueue, Factories]]:
    """The configured queue, with sessions on the configured database."""
    wire()
    settings = get_settings()
    engine = make_engine(settings.database_url)
    factories = Factories(
        read=make_session_factory(engine), write=make_session_factory(engine, writes=True)
    )
    try:
        yield queue_for(settings, lambda: factories), factories
    finally:
        engine.dispose()


@one_line_errors
def worker_command(
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="worker threads (default LEADGATE_JOBS_WORKERS)"),
    ] = None,
    periodic: Annotated[
        bool,
        typer.Option(
            "--periodic/--no-periodic",
            help="also run scheduled jobs (LEADGATE_RETRAIN_CRON, the stale-run sweep); "
            "safe on every worker: each slot starts once",
        ),
    ] = True,
) -> None:
    """Run the job consumer (imports, training, rescoring, duplicate scans) until stopped."""
    settings = get_settings()
    if settings.effective_jobs_mode == "immediate":
        fail("jobs run immediately in this configuration (LEADGATE_JOBS_MODE); no worker needed")
    with job_queue() as (queue, _):
        count = workers or settings.jobs_workers
        where = "Redis" if settings.effective_jobs_mode == "redis" else settings.jobs_sqlite_path
        out.print(
            f"worker: {count} threads on the {where} queue; "
            "Ctrl+C or SIGTERM stops after running jobs"
        )
        WorkerConsumer(
            queue.huey, workers=count, worker_type="thread", periodic=periodic, max_delay=2.0
        ).run()


def _row(run: JobRun) -> list[str]:
    progress = f"{run.done}/{run.total}" if run.total is not None else str(run.done)
    return [str(run.id), run.kind, run.state, progress, f"{run.created_at:%Y-%m-%d %H:%M:%S}"]


@jobs_app.command("list")
@one_line_errors
def list_command(
    state: Annotated[str | None, typer.Option(help="queued, running, completed, failed")] = None,
    kind: Annotated[str | None, typer.Option(help="import, scoring_train, …")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    as_user: AsUser = None,
) -> None:
    """Your job runs, newest first."""
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        page = runs.list_runs(session, actor, cursor=None, limit=limit, kind=kind, state=state)
        table = Table("id", "kind", "state", "progress", "created (UTC)")
        for run in page.items:
            table.add_row(*_row(run))
        out.print(table)


@jobs_app.command("show")
@one_line_errors
def show_command(run_id: uuid.UUID, as_user: AsUser = None) -> None:
    """One run: state, progress, parameters, result or error."""
    with session_scope() as session:
        run = runs.get_run(session, cli_actor(session, as_user), run_id)
        out.print(" ".join(_row(run)))
        out.print(f"params: {json.dumps(run.params)}", highlight=False)
        if run.result is not None:
            out.print(f"result: {json.dumps(run.result)}", highlight=False)
        if run.error:
            out.print(f"error: {run.error}", highlight=False)


@jobs_app.command("resume")
@one_line_errors
def resume_command(
    run_id: uuid.UUID,
    here: Annotated[
        bool, typer.Option("--here", help="run it in this process instead of queueing it")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="also a run left running by a worker that died")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """Queue a failed run again (or run it here); it continues where it stopped."""
    with session_scope() as session:
        stale_after = get_settings().jobs_stale_after_seconds
        runs.reopen(
            session, cli_actor(session, as_user), run_id, force=force, stale_after=stale_after
        )
    with job_queue() as (queue, factories):
        if here:
            state = execute(factories, run_id, get_settings().jobs_heartbeat_seconds)
            with factories.read() as session:
                run = session.get_one(JobRun, run_id)
                if state != "completed":
                    fail(f"job run {run_id} {run.state}: {run.error}")
                out.print(f"job run {run_id} completed: {json.dumps(run.result)}", highlight=False)
            return
        queue.enqueue(run_id)
    out.print(f"job run {run_id} queued")
