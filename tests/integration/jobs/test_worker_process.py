"""`leadgate worker` as its own process: a run queued on the SQLite queue file is executed
by the worker, which then stops cleanly on Ctrl+C (SIGINT); SIGTERM (what a service
manager sends) lets the running import finish too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from leadgate.core.settings import Settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.imports.service import ImportOptions, start_import
from leadgate.jobs.executor import Factories
from leadgate.jobs.models import JobRun
from leadgate.jobs.queue import queue_for
from leadgate.jobs.requests import request_import
from tests.factories import actor

DEADLINE_SECONDS = 120


def _wait_until_finished(factory: sessionmaker[Session], run_id: uuid.UUID) -> JobRun:
    """Poll the run's state until it is finished or the deadline passes."""
    pause = threading.Event()
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        with factory() as session:
            run = session.get_one(JobRun, run_id)
            if run.state in ("completed", "failed"):
                return run
        pause.wait(0.2)
    pytest.fail(f"job run {run_id} did not finish within {DEADLINE_SECONDS} s")


def test_the_worker_process_executes_a_queued_run_and_stops_on_sigint(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'leadgate.db'}"
    upgrade(url)
    env = {
        **os.environ,
        "LEADGATE_DATABASE_URL": url,
        "LEADGATE_ENV": "production",
        "LEADGATE_SECRET_KEY": "x" * 32,
        "LEADGATE_JOBS_MODE": "sqlite",
        "LEADGATE_JOBS_SQLITE_PATH": str(tmp_path / "queue.db"),
    }
    settings = Settings(
        database_url=url,
        jobs_mode="sqlite",
        jobs_sqlite_path=env["LEADGATE_JOBS_SQLITE_PATH"],
    )
    engine = make_engine(url)
    factory = make_session_factory(engine, writes=True)
    try:
        csv = tmp_path / "w.csv"
        csv.write_text("Topic,External Key\nOne,w1\nTwo,w2\nThree,w3\n", encoding="utf-8")
        with factory() as session, session.begin():
            who = actor(session)
            job = start_import(session, who, csv, csv.name, ImportOptions("lead"))
            run_id = request_import(session, who, job.id).id
        queue = queue_for(settings, lambda: Factories(read=factory, write=factory))
        queue.enqueue(run_id)  # only queued: nothing in this process consumes it
        with factory() as session:
            assert session.get_one(JobRun, run_id).state == "queued"
        leadgate = Path(sys.executable).with_name("leadgate")
        worker = subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
            [str(leadgate), "worker", "--workers", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            run = _wait_until_finished(factory, run_id)
        finally:
            worker.send_signal(signal.SIGINT)
            output, _ = worker.communicate(timeout=60)
        assert (run.state, run.done, run.total) == ("completed", 3, 3), run.error
        assert run.result is not None
        assert run.result["created"] == 3
        assert worker.returncode == 0, output
        assert "worker: 1 threads" in output
    finally:
        engine.dispose()


def _wait_until(factory: sessionmaker[Session], run_id: uuid.UUID, done: int) -> JobRun:
    """Poll until the run is running with at least `done` rows recorded."""
    pause = threading.Event()
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        with factory() as session:
            run = session.get_one(JobRun, run_id)
            if run.state != "queued" and run.done >= done:
                return run
        pause.wait(0.05)
    pytest.fail(f"job run {run_id} did not reach {done} rows within {DEADLINE_SECONDS} s")


def test_sigterm_lets_the_running_import_finish_before_the_worker_stops(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'leadgate.db'}"
    upgrade(url)
    queue_file = str(tmp_path / "queue.db")
    env = {
        **os.environ,
        "LEADGATE_DATABASE_URL": url,
        "LEADGATE_ENV": "production",
        "LEADGATE_SECRET_KEY": "x" * 32,
        "LEADGATE_JOBS_MODE": "sqlite",
        "LEADGATE_JOBS_SQLITE_PATH": queue_file,
    }
    settings = Settings(database_url=url, jobs_mode="sqlite", jobs_sqlite_path=queue_file)
    engine = make_engine(url)
    factory = make_session_factory(engine, writes=True)
    rows = 30_000  # many batches: the signal arrives with the import under way
    try:
        csv = tmp_path / "t.csv"
        body = "".join(f"Topic {i},t{i}\n" for i in range(rows))
        csv.write_text("Topic,External Key\n" + body, encoding="utf-8")
        with factory() as session, session.begin():
            who = actor(session)
            job = start_import(session, who, csv, csv.name, ImportOptions("lead"))
            run_id = request_import(session, who, job.id).id
        queue_for(settings, lambda: Factories(read=factory, write=factory)).enqueue(run_id)
        leadgate = Path(sys.executable).with_name("leadgate")
        worker = subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
            [str(leadgate), "worker", "--workers", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            # Signalled as soon as the worker has claimed the run (polled every 50 ms).
            under_way = _wait_until(factory, run_id, 0)
            worker.send_signal(signal.SIGTERM)
            output, _ = worker.communicate(timeout=DEADLINE_SECONDS)
        finally:
            if worker.poll() is None:
                worker.kill()
        assert under_way.done < rows, "the import finished before the signal: use more rows"
        with factory() as session:
            run = session.get_one(JobRun, run_id)
        assert (run.state, run.done) == ("completed", rows), (run.error, output)
        assert worker.returncode == 0, output
    finally:
        engine.dispose()
