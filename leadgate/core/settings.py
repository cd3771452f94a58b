"""Settings from `LEADGATE_*` environment variables and `.env`.

Nothing reads settings at import time: `get_settings()` builds them and the
app factory / CLI pass them down.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "change-me-in-production"  # noqa: S105 - the sentinel we refuse


class ConfigError(Exception):
    """Raised when the configuration cannot be used to start Leadgate."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LEADGATE_", env_file=".env", extra="ignore", validate_default=True
    )

    env: Literal["development", "test", "production"] = "production"
    database_url: str = "sqlite:///var/leadgate.db"
    secret_key: str = DEFAULT_SECRET_KEY
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    redis_url: str | None = None
    company_name: str = "Leadgate"
    # API tokens issued by password login live this long unless asked otherwise.
    token_days: int = Field(default=30, ge=1, le=3650)
    # Updates to shared records must carry If-Match (428 otherwise).
    require_if_match: bool = True
    # Uploaded import files stay here while their job runs (a resume reads them again).
    import_dir: str = "var/imports"
    max_upload_bytes: int = Field(default=512 * 1024**2, ge=1024)
    # Background jobs (Huey). "auto": immediate in tests (a job runs inside the request
    # that asks for it), Redis when redis_url is set, else a SQLite queue file.
    jobs_mode: Literal["auto", "immediate", "sqlite", "redis"] = "auto"
    jobs_sqlite_path: str = "var/jobs.db"
    jobs_workers: int = Field(default=2, ge=1, le=64)
    # Run a consumer inside `leadgate serve` (None: only when env is development), so
    # that jobs started from the pages run without a separate `leadgate worker`.
    jobs_in_process: bool | None = None
    # Retrain every scoring model on this schedule ("minute hour day month weekday",
    # e.g. "0 3 * * *"); unset: no scheduled retrain (cron can run `scoring train --all`).
    retrain_cron: str | None = None
    # A worker renews its run's heartbeat this often; a running run whose heartbeat is
    # older than jobs_stale_after_seconds is taken to have lost its worker and is queued
    # again (failed after jobs_max_attempts starts). Stale-after must leave room for
    # several missed beats (a busy SQLite writer can delay one).
    jobs_heartbeat_seconds: float = Field(default=30.0, gt=0, le=3600)
    jobs_stale_after_seconds: float = Field(default=300.0, gt=0, le=86400)
    jobs_max_attempts: int = Field(default=5, ge=1, le=100)

    @model_validator(mode="after")
    def _leases_outlive_heartbeats(self) -> Settings:
        if self.jobs_stale_after_seconds < 3 * self.jobs_heartbeat_seconds:
            raise ValueError(
                "jobs_stale_after_seconds must be at least three times jobs_heartbeat_seconds "
                "(a run would be taken from a live worker that missed one beat)"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def check_startable(self) -> None:
        """Refuse to serve with a guessable secret anywhere but on a developer's machine."""
        if self.env != "development" and (
            not self.secret_key or self.secret_key == DEFAULT_SECRET_KEY
        ):
            raise ConfigError(
                "LEADGATE_SECRET_KEY is unset or the default; set a long random value "
                "(or LEADGATE_ENV=development on a developer machine)"
            )
        if len(self.secret_key) < 16 and self.env != "development":
            raise ConfigError("LEADGATE_SECRET_KEY must be at least 16 characters")

    @property
    def effective_jobs_mode(self) -> Literal["immediate", "sqlite", "redis"]:
        if self.jobs_mode != "auto":
            return self.jobs_mode
        if self.env == "test":
            return "immediate"
        return "redis" if self.redis_url else "sqlite"

    @property
    def runs_jobs_in_process(self) -> bool:
        if self.effective_jobs_mode == "immediate":
            return False
        return self.env == "development" if self.jobs_in_process is None else self.jobs_in_process

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        raw = self.database_url.split("///", 1)[-1]
        return None if raw in ("", ":memory:") else Path(raw)


@lru_cache
def get_settings() -> Settings:
    return Settings()
