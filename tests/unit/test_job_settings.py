"""Which queue the settings choose, when serve runs a consumer, the retrain schedule."""

from __future__ import annotations

from datetime import datetime

import pytest
from huey import MemoryHuey, RedisHuey, SqliteHuey

from leadgate.core.settings import ConfigError, Settings
from leadgate.jobs.executor import Factories
from leadgate.jobs.queue import JobQueue, make_huey, parse_cron


def _settings(**values: object) -> Settings:
    return Settings(secret_key="x" * 32, **values)  # type: ignore[arg-type]


def test_the_mode_follows_the_environment_and_redis_url(tmp_path) -> None:  # type: ignore[no-untyped-def]
    queue_file = str(tmp_path / "q" / "jobs.db")
    assert _settings(env="test").effective_jobs_mode == "immediate"
    assert _settings(env="production", redis_url=None).effective_jobs_mode == "sqlite"
    assert _settings(redis_url="redis://h:6379/0").effective_jobs_mode == "redis"
    assert _settings(env="test", jobs_mode="sqlite").effective_jobs_mode == "sqlite"
    assert isinstance(make_huey(_settings(env="test")), MemoryHuey)
    assert make_huey(_settings(env="test")).immediate
    sqlite = make_huey(_settings(jobs_sqlite_path=queue_file))
    assert isinstance(sqlite, SqliteHuey)
    assert not sqlite.immediate
    assert (tmp_path / "q" / "jobs.db").exists()
    assert isinstance(make_huey(_settings(redis_url="redis://127.0.0.1:1/0")), RedisHuey)
    with pytest.raises(ConfigError, match="LEADGATE_REDIS_URL"):
        make_huey(_settings(jobs_mode="redis"))


def test_serve_runs_a_consumer_in_development_unless_told_otherwise() -> None:
    assert _settings(env="development").runs_jobs_in_process
    assert not _settings(env="production").runs_jobs_in_process
    assert _settings(env="production", jobs_in_process=True).runs_jobs_in_process
    assert not _settings(env="development", jobs_in_process=False).runs_jobs_in_process
    assert not _settings(env="test", jobs_in_process=True).runs_jobs_in_process  # immediate


@pytest.mark.parametrize("bad", ["0 3 * *", "61 3 * * *", "x 3 * * *", ""])
def test_a_malformed_retrain_schedule_is_a_clear_config_error(bad: str) -> None:
    with pytest.raises(ConfigError, match="LEADGATE_RETRAIN_CRON"):
        parse_cron(bad)


def _no_db() -> Factories:
    raise AssertionError("no run executes in this test")


def test_the_nightly_retrain_is_due_only_at_its_time() -> None:
    settings = _settings(env="test", retrain_cron="0 3 * * *")
    queue = JobQueue(MemoryHuey("t", results=False), _no_db, settings)

    def due(queue: JobQueue, at: datetime) -> list[str]:
        return sorted(task.name for task in queue.huey.read_periodic(at))

    # The stale-run sweep is due every minute on every worker, the planner statistics
    # once an hour at minute 17.
    assert due(queue, datetime(2026, 11, 25, 3, 0)) == ["requeue_stale", "retrain"]
    assert due(queue, datetime(2026, 11, 25, 3, 1)) == ["requeue_stale"]
    assert due(queue, datetime(2026, 11, 25, 4, 17)) == ["requeue_stale", "statistics"]
    unscheduled = JobQueue(MemoryHuey("u", results=False), _no_db, _settings(env="test"))
    assert due(unscheduled, datetime(2026, 11, 25, 3, 0)) == ["requeue_stale"]
