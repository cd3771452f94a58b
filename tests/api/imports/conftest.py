"""Import API tests: uploads go to the test's own folder and are capped at 64 KiB, so
the size limit is reachable with small files."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadgate.core.settings import Settings
from tests.factories import upload_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return upload_settings(tmp_path)
