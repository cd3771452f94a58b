"""A batch rescore writes batch after batch (on PostgreSQL while scoring the next one):
whatever fails, in the write or in the scoring, the rescore fails whole and leaves the
scores as they were, and the session goes on working."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leadgate.leads.models import Lead, LeadScore
from leadgate.scoring import scorer, service
from leadgate.security.access import Actor
from tests.integration.scoring.closed_leads import open_leads, published_model


@pytest.fixture
def stale(db: Session, admin_actor: Actor, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A published model and 14 open leads whose scores a rescore must all rewrite, in
    batches of 4 (four writes)."""
    model = published_model(db, admin_actor)
    open_leads(db, admin_actor, 14)
    db.execute(update(LeadScore).values(fingerprint="stale"))
    db.expire_all()
    monkeypatch.setattr(scorer, "BATCH", 4)
    return model


def _stale_rows(db: Session) -> int:
    return int(
        db.scalar(
            select(func.count()).select_from(LeadScore).where(LeadScore.fingerprint == "stale")
        )
        or 0
    )


@pytest.fixture
def refused_last_lead(db: Session, dialect: str) -> Iterator[None]:
    """The database itself refuses to store the score of the last open lead (a trigger):
    the last batch's write fails after the first ones were written."""
    last = db.scalar(select(Lead.id).where(Lead.state == "open").order_by(Lead.id.desc()).limit(1))
    assert last is not None
    if dialect == "postgresql":
        db.execute(
            text(
                "CREATE FUNCTION refuse_score() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN IF NEW.lead_id = '{last}' THEN RAISE EXCEPTION 'refused'; END IF; "
                "RETURN NEW; END $$"
            )
        )
        db.execute(
            text(
                "CREATE TRIGGER refuse_score BEFORE INSERT OR UPDATE ON lead_scores "
                "FOR EACH ROW EXECUTE FUNCTION refuse_score()"
            )
        )
    else:
        for event in ("INSERT", "UPDATE"):
            db.execute(
                text(
                    f"CREATE TEMP TRIGGER refuse_score_{event.lower()} BEFORE {event} ON "
                    f"lead_scores WHEN NEW.lead_id = '{last.hex}' "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
    yield
    if dialect == "sqlite":
        for event in ("insert", "update"):
            db.execute(text(f"DROP TRIGGER IF EXISTS temp.refuse_score_{event}"))


def test_a_write_the_database_refuses_fails_the_whole_rescore(
    db: Session, admin_actor: Actor, stale: Any, refused_last_lead: None
) -> None:
    assert _stale_rows(db) == 14
    with pytest.raises(DBAPIError, match="refused"), db.begin_nested():
        service.rescore(db, admin_actor, stale.id)
    # The batches written before the refused one are undone with it.
    assert _stale_rows(db) == 14
    assert db.scalar(select(func.count()).select_from(Lead)) is not None


def test_a_scoring_error_while_a_batch_is_being_written_undoes_the_written_ones(
    db: Session, admin_actor: Actor, stale: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = scorer._score_batch
    calls: list[int] = []

    def third_batch_fails(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the model broke on batch 3")
        return real(*args)

    monkeypatch.setattr(scorer, "_score_batch", third_batch_fails)
    with pytest.raises(RuntimeError, match="batch 3"), db.begin_nested():
        service.rescore(db, admin_actor, stale.id)
    assert len(calls) == 3
    # Batch 2 was being written while batch 3 was scored: the rescore waited for it before
    # giving up, so rolling back found the connection free, and undid batches 1 and 2.
    assert _stale_rows(db) == 14
    monkeypatch.setattr(scorer, "_score_batch", real)
    assert service.rescore(db, admin_actor, stale.id) == 14
    assert _stale_rows(db) == 0
