"""`leadgate jobs …`, `leadgate worker` and `scoring train --background` against a SQLite file.

LEADGATE_ENV=test puts the queue in immediate mode: a queued run executes inside
the command that queues it (the real consumer is tested in tests/integration/jobs).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner, Result

from leadgate.cli.main import app
from leadgate.core.settings import get_settings

runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=stdin)


@pytest.fixture(scope="module", autouse=True)
def _database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    url = f"sqlite:///{tmp_path_factory.mktemp('jobscli') / 'leadgate.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEADGATE_DATABASE_URL", url)
        patch.setenv("LEADGATE_ENV", "test")
        get_settings.cache_clear()
        assert run("db", "upgrade").exit_code == 0
        made = run(
            "user", "create", "boss@jobs.example", "--role", "system_administrator",
            "--password-stdin", stdin="a long enough password\n",
        )  # fmt: skip
        assert made.exit_code == 0, made.output
        yield
    get_settings.cache_clear()


def _one_line_error(result: Result, fragment: str) -> None:
    assert result.exit_code != 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0], lines[0]


def test_training_in_the_background_records_a_run_that_jobs_show_explains() -> None:
    assert run("scoring", "create", "Everyone").exit_code == 0
    queued = run("scoring", "train", "Everyone", "--background")
    assert queued.exit_code == 0, queued.output
    found = re.search(r"job run ([0-9a-f-]{36})", queued.stdout)
    assert found, queued.stdout
    run_id = found.group(1)
    shown = run("jobs", "show", run_id)
    assert shown.exit_code == 0, shown.output
    assert "scoring_train failed" in shown.stdout
    assert "error: needs 40 more qualified leads" in shown.stdout
    listed = run("jobs", "list", "--state", "failed")
    assert listed.exit_code == 0
    assert "scoring_train" in listed.stdout
    assert "scoring_train" not in run("jobs", "list", "--state", "completed").stdout
    # Still refused when run again here: the reason, on one line, and a non-zero exit.
    _one_line_error(run("jobs", "resume", run_id, "--here"), "needs 40 more qualified leads")


def test_unknown_runs_and_a_needless_worker_are_one_line_errors() -> None:
    _one_line_error(run("jobs", "show", str(uuid.uuid4())), "no job run")
    _one_line_error(run("worker"), "no worker needed")
