"""An import's job run executed in the foreground (as `leadgate import` does), on both
databases: the observer hears the committed progress, a crash fails the run with the
reason and leaves the import resumable, and reopening the run finishes it to the same
end state as an uninterrupted run; a file kept by the run is never deleted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.imports import service
from leadgate.imports.models import ImportJob
from leadgate.imports.service import ImportOptions, start_import
from leadgate.jobs import runs
from leadgate.jobs.executor import Factories, execute
from leadgate.jobs.models import JobRun
from leadgate.jobs.requests import request_import
from leadgate.leads.models import Lead
from tests.factories import actor


def test_a_foreground_run_crashes_resumably_and_finishes_on_resume(
    tmp_path: Path, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fg.csv"
    rows = "".join(f"Topic {i},f{i:02d}\n" for i in range(8))
    path.write_text("Topic,External Key\n" + rows, encoding="utf-8")
    with session_factory() as session, session.begin():
        who = actor(session)
        options = ImportOptions("lead", list_vendor="foreground")
        job_id = start_import(session, who, path, path.name, options).id
        run_id = request_import(session, who, job_id, keep_file=True).id
    factories = Factories(read=session_factory, write=session_factory)
    monkeypatch.setattr(service, "BATCH_SIZE", 3)
    real, calls = service._run_batch, []

    def crash_on_second(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(*args)

    seen: list[int] = []
    with monkeypatch.context() as patch:
        patch.setattr(service, "_run_batch", crash_on_second)
        assert execute(factories, run_id, None, observer=seen.append) == "failed"
    assert seen == [0, 3]
    with session_factory() as session, session.begin():
        run = session.get_one(JobRun, run_id)
        assert (run.state, run.error, run.done) == ("failed", "interrupted: power cut", 3)
        job = session.get_one(ImportJob, job_id)
        assert (job.state, job.rows_done) == ("running", 3)
        runs.reopen(session, who, run_id)

    seen.clear()
    assert execute(factories, run_id, None, observer=seen.append) == "completed"
    assert seen == [6, 8]
    with session_factory() as session:
        keys = session.scalars(
            select(Lead.external_key)
            .where(Lead.list_vendor == "foreground")
            .order_by(Lead.external_key)
        ).all()
        assert keys == [f"f{i:02d}" for i in range(8)]
        run = session.get_one(JobRun, run_id)
        assert (run.state, run.attempts, run.result["created"]) == ("completed", 2, 8)
    assert path.exists()
