"""Settings: a guessable secret is refused outside development."""

from __future__ import annotations

import pytest

from leadgate.core.settings import DEFAULT_SECRET_KEY, ConfigError, Settings


@pytest.mark.parametrize("env", ["production", "test"])
@pytest.mark.parametrize("secret", [DEFAULT_SECRET_KEY, "", "short"])
def test_a_weak_secret_is_refused_outside_development(env: str, secret: str) -> None:
    with pytest.raises(ConfigError, match="LEADGATE_SECRET_KEY"):
        Settings(env=env, secret_key=secret).check_startable()  # type: ignore[arg-type]


def test_development_and_a_real_secret_start() -> None:
    Settings(env="development", secret_key=DEFAULT_SECRET_KEY).check_startable()
    Settings(env="production", secret_key="s" * 32).check_startable()


def test_settings_come_from_leadgate_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADGATE_DATABASE_URL", "postgresql+psycopg://db/leadgate")
    monkeypatch.setenv("LEADGATE_PORT", "9001")
    settings = Settings()
    assert (settings.database_url, settings.port, settings.is_sqlite) == (
        "postgresql+psycopg://db/leadgate",
        9001,
        False,
    )
    assert settings.sqlite_path() is None
    monkeypatch.setenv("LEADGATE_PORT", "70000")
    with pytest.raises(ValueError, match="port"):
        Settings()
