"""The scheduled retrain on both databases: one training run per model, as an administrator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from huey import MemoryHuey
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from leadgate.core.settings import Settings
from leadgate.jobs.executor import Factories
from leadgate.jobs.models import JobRun
from leadgate.jobs.queue import JobQueue
from leadgate.scoring import service as scoring
from leadgate.scoring.schemas import ScoringModelCreate
from leadgate.security.models import User
from leadgate.security.roles import Role
from tests.factories import actor
from tests.integration.scoring.closed_leads import FIELDS, seed_closed


def _queue(session_factory: sessionmaker[Session]) -> JobQueue:
    factories = Factories(read=session_factory, write=session_factory)
    settings = Settings(env="test", secret_key="x" * 32, retrain_cron="0 3 * * *")
    return JobQueue(
        MemoryHuey("retrain", immediate=True, results=False), lambda: factories, settings
    )


def test_every_model_is_retrained_and_a_refusal_does_not_stop_the_others(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session, session.begin():
        admin = actor(session)
        seed_closed(session, admin, n=200)
        scoring.create_model(session, admin, ScoringModelCreate(name="All", fields=FIELDS))
        scoring.create_model(
            session,
            admin,
            ScoringModelCreate(name="Fax only", fields=FIELDS, filter={"lead_source": "fax"}),
        )
    ids = _queue(session_factory).retrain_all()
    with session_factory() as session:
        ran = {
            r.params["model_id"]: r
            for r in session.scalars(select(JobRun).where(JobRun.id.in_(ids)))
        }
        by_name = {m.name: str(m.id) for m in scoring.list_models(session, admin)}
        everyone, fax = ran[by_name["All"]], ran[by_name["Fax only"]]
        assert (everyone.state, everyone.result["number"]) == ("completed", 1)  # type: ignore[index]
        assert fax.state == "failed"
        assert "more qualified leads" in (fax.error or "")
        assert {r.requested_by_id for r in ran.values()} == {admin.user_id}


def test_without_an_administrator_the_schedule_does_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session, session.begin():
        for user in session.scalars(
            select(User).where(User.role == Role.SYSTEM_ADMINISTRATOR.value)
        ):
            user.is_active = False
    assert _queue(session_factory).retrain_all() == []


def test_two_workers_firing_the_same_schedule_slot_retrain_once(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session, session.begin():
        admin = actor(session)
        scoring.create_model(session, admin, ScoringModelCreate(name="All", fields=FIELDS))
    slot = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    first, second = _queue(session_factory), _queue(session_factory)
    started = first.retrain_all(slot)
    assert len(started) == 1
    assert second.retrain_all(slot) == []
    with session_factory() as session:
        kinds = session.scalars(select(JobRun.kind).where(JobRun.kind == "scoring_train")).all()
        assert len(kinds) == 1
    # The next day's slot runs again.
    assert len(second.retrain_all(slot + timedelta(days=1))) == 1
