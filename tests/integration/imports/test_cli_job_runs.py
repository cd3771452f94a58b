"""`leadgate import FILE` records a job run like the API and web imports (executed here,
in the foreground): `jobs list` shows it, and a run that crashed mid-import resumes with
`leadgate import resume` or `leadgate jobs resume --here` to the same end state as an
uninterrupted run. The user's file is never deleted."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from leadgate.cli.main import app
from leadgate.core.clock import utcnow
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.imports import service
from leadgate.imports.models import ImportJob, ImportRow
from leadgate.jobs.models import JobRun
from leadgate.leads.models import Lead

runner = CliRunner()
ROWS = 10


def _file(tmp_path: Path) -> Path:
    rows = "".join(f"Topic {i},k{i:02d},p{i}@clicrash.example\n" for i in range(ROWS))
    path = tmp_path / "vendor.csv"
    path.write_text("Topic,External Key,Email\n" + rows, encoding="utf-8")
    return path


def _stored(database: str) -> tuple[list[tuple[Any, ...]], list[tuple[str, str, Any]], int]:
    """(the vendor's leads, the job runs (kind, state, result), import row outcomes)."""
    engine = make_engine(database)
    with make_session_factory(engine)() as session:
        leads = session.execute(
            select(Lead.external_key, Lead.topic, Lead.email)
            .where(Lead.list_vendor == "crash", Lead.deleted_at.is_(None))
            .order_by(Lead.external_key)
        ).all()
        job_runs = session.execute(
            select(JobRun.kind, JobRun.state, JobRun.result).order_by(JobRun.created_at)
        ).all()
        outcomes = session.scalar(select(func.count()).select_from(ImportRow))
    engine.dispose()
    return [tuple(r) for r in leads], [tuple(r) for r in job_runs], outcomes or 0


def _crash_on_second_batch(
    monkeypatch: pytest.MonkeyPatch, crash: BaseException = RuntimeError("power cut")
) -> None:
    monkeypatch.setattr(service, "BATCH_SIZE", 3)
    real = service._run_batch
    calls = 0

    def crashing(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise crash
        return real(*args)

    monkeypatch.setattr(service, "_run_batch", crashing)


def test_a_cli_import_is_a_job_run(database: str, tmp_path: Path) -> None:
    path = _file(tmp_path)
    result = runner.invoke(app, ["import", str(path), "--vendor", "crash"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    import_id = output.split()[1].rstrip(":")
    assert f"import {import_id} completed: {ROWS} created" in output
    found = re.search(r"\(job run ([0-9a-f-]{36})\)", output)
    assert found, output
    listed = runner.invoke(app, ["jobs", "list", "--kind", "import"])
    assert listed.exit_code == 0, listed.output
    (row,) = [line for line in listed.output.splitlines() if "import" in line]
    assert "completed" in row
    assert f"{ROWS}/{ROWS}" in row
    shown = " ".join(runner.invoke(app, ["jobs", "show", found.group(1)]).output.split())
    assert f'"import_id": "{import_id}"' in shown
    assert f'"created": {ROWS}' in shown
    assert path.exists()  # the user's own file stays where it was


def _jobs_resume(database: str, import_id: str) -> Any:
    engine = make_engine(database)
    with make_session_factory(engine)() as session:
        (run_id,) = session.scalars(select(JobRun.id).where(JobRun.state == "failed")).all()
    engine.dispose()
    return runner.invoke(app, ["jobs", "resume", str(run_id), "--here"])


def _import_resume(database: str, import_id: str) -> Any:
    return runner.invoke(app, ["import", "resume", import_id])


@pytest.mark.parametrize("resume", [_import_resume, _jobs_resume], ids=["import", "jobs"])
def test_a_crashed_cli_import_resumes_to_the_same_end_state(
    database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    resume: Callable[[str, str], Any],
) -> None:
    path = _file(tmp_path)
    with monkeypatch.context() as patch:
        _crash_on_second_batch(patch)
        crashed = runner.invoke(app, ["import", str(path), "--vendor", "crash"])
    assert crashed.exit_code == 1, crashed.output
    import_id = crashed.stdout.split()[1].rstrip(":")
    (line,) = crashed.stderr.strip().splitlines()
    assert line == (
        f"error: import {import_id} interrupted: power cut (committed up to row 3); "
        f"resume it with `leadgate import resume {import_id}`"
    )
    leads, job_runs, outcomes = _stored(database)
    assert len(leads) == 3
    assert outcomes == 3
    assert [(kind, state) for kind, state, _ in job_runs] == [("import", "failed")]

    resumed = resume(database, import_id)
    assert resumed.exit_code == 0, resumed.output
    leads, job_runs, outcomes = _stored(database)
    assert leads == [(f"k{i:02d}", f"Topic {i}", f"p{i}@clicrash.example") for i in range(ROWS)]
    assert outcomes == ROWS
    assert job_runs[-1][1] == "completed"
    assert job_runs[-1][2]["created"] == ROWS
    engine = make_engine(database)
    with make_session_factory(engine)() as session:
        job = session.scalars(select(ImportJob)).one()
        assert (job.state, job.created_count, job.error) == ("completed", ROWS, None)
    engine.dispose()
    assert path.exists()
    again = runner.invoke(app, ["import", "resume", import_id])
    assert again.exit_code == 1
    assert "is completed; it cannot run again" in again.stderr


def test_ctrl_c_leaves_a_failed_run_that_resumes_without_force(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path)
    with monkeypatch.context() as patch:
        _crash_on_second_batch(patch, KeyboardInterrupt())
        stopped = runner.invoke(app, ["import", str(path), "--vendor", "crash"])
    assert stopped.exit_code == 130, stopped.output
    import_id = stopped.stdout.split()[1].rstrip(":")
    assert stopped.stderr.strip().splitlines() == [
        f"error: import {import_id} interrupted; resume it with `leadgate import resume "
        f"{import_id}`"
    ]
    _, job_runs, _ = _stored(database)
    assert [(kind, state) for kind, state, _ in job_runs] == [("import", "failed")]
    resumed = _jobs_resume(database, import_id)  # no --force needed: the run is not "running"
    assert resumed.exit_code == 0, resumed.output
    leads, job_runs, outcomes = _stored(database)
    assert (len(leads), outcomes, job_runs[-1][1]) == (ROWS, ROWS, "completed")


def test_resume_reuses_the_imports_run_and_never_runs_it_twice(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CLI killed mid-import leaves its run "running": `import resume` refuses while
    the run's lease is fresh (its process may still be at work) and takes the same run
    over once the lease is stale; an import never gets a second run at work."""
    path = _file(tmp_path)
    with monkeypatch.context() as patch:
        _crash_on_second_batch(patch)
        crashed = runner.invoke(app, ["import", str(path), "--vendor", "crash"])
    import_id = crashed.stdout.split()[1].rstrip(":")
    engine = make_engine(database)
    factory = make_session_factory(engine)

    def lease(age: timedelta) -> None:
        with factory() as session, session.begin():
            run = session.scalars(select(JobRun)).one()
            run.state, run.heartbeat_at = "running", utcnow() - age

    lease(timedelta(0))
    refused = runner.invoke(app, ["import", "resume", import_id])
    assert refused.exit_code == 1
    assert "is running and its worker is answering" in refused.stderr
    lease(timedelta(days=1))
    resumed = runner.invoke(app, ["import", "resume", import_id])
    assert resumed.exit_code == 0, resumed.output
    leads, job_runs, outcomes = _stored(database)
    assert (len(leads), outcomes) == (ROWS, ROWS)
    assert [(kind, state) for kind, state, _ in job_runs] == [("import", "completed")]
    engine.dispose()
