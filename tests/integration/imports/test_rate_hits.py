"""The web-to-lead rate limiter deletes counters of finished windows, a bounded number at
a time, and never the current window's."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadgate.core.clock import utcnow
from leadgate.imports import webforms
from leadgate.imports.models import RateHit


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(RateHit)) or 0


def test_expired_counters_are_deleted_as_new_windows_start(db: Session) -> None:
    old = utcnow() - timedelta(hours=2)
    stale = webforms.EXPIRED_PER_HIT + 50
    db.add_all(
        RateHit(bucket=f"form:10.0.0.{n}", window_start=old - timedelta(minutes=n % 7), count=3)
        for n in range(stale)
    )
    db.flush()
    assert webforms._count_hit(db, "form:192.0.2.1") == 1
    assert _count(db) == 1 + stale - webforms.EXPIRED_PER_HIT  # bounded per hit
    assert webforms._count_hit(db, "form:192.0.2.1") == 2  # same window: nothing to clear
    assert webforms._count_hit(db, "form:192.0.2.2") == 1
    current = db.scalars(select(RateHit.bucket).order_by(RateHit.bucket)).all()
    assert current == ["form:192.0.2.1", "form:192.0.2.2"]
