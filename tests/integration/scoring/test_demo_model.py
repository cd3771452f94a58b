"""The demo's scoring step never stops the demo from loading: too few closed leads leave
the model defined and untrained, and the summary line says why (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.cli.demo_scoring import DEMO_MODEL, score_demo_leads
from leadgate.scoring.models import ScoringModel
from tests.factories import actor


def test_too_few_closed_leads_are_reported_in_one_line(db: Session) -> None:
    admin = actor(db)
    line = score_demo_leads(db, admin)
    assert line == (
        f"lead scoring: model {DEMO_MODEL!r} not trained: needs 40 more qualified leads and "
        "40 more disqualified leads to train: found 0 qualified and 0 disqualified leads "
        "created in the last 24 months in this model's scope (at least 40 of each)"
    )
    assert "\n" not in line
    model = db.scalars(select(ScoringModel)).one()
    assert (model.name, model.versions) == (DEMO_MODEL, [])
