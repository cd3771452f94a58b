"""Scoring tests act as a system administrator (who may define, train and publish models)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from leadgate.security.access import Actor
from leadgate.security.roles import Role
from tests.factories import actor


@pytest.fixture
def admin_actor(db: Session) -> Actor:
    return actor(db, Role.SYSTEM_ADMINISTRATOR)
