"""Import API tests: uploads go to the test's own folder and are capped at 64 KiB, so
the size limit is reachable with small files."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadgate.core.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        env="test",
        secret_key="x" * 32,
        database_url="sqlite://",
        import_dir=str(tmp_path / "uploads"),
        max_upload_bytes=64 * 1024,
    )
