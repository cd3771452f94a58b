"""The hourly planner statistics: SQLite gathers none by itself, so the worker does."""

from __future__ import annotations

from huey import MemoryHuey
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from leadgate.core.settings import Settings
from leadgate.jobs.executor import Factories
from leadgate.jobs.queue import JobQueue
from leadgate.leads import service as leads
from leadgate.leads.schemas import LeadCreate
from tests.factories import actor


def test_sqlite_gets_statistics_for_every_table_postgresql_is_left_to_autovacuum(
    session_factory: sessionmaker[Session], dialect: str
) -> None:
    with session_factory() as session, session.begin():
        who = actor(session)
        for i in range(3):
            leads.create_lead(session, who, LeadCreate(topic=f"Lead {i}", last_name=f"L{i}"))
    factories = Factories(read=session_factory, write=session_factory)
    queue = JobQueue(
        MemoryHuey("statistics", immediate=True, results=False),
        lambda: factories,
        Settings(env="test", secret_key="x" * 32),
    )
    ran = queue.refresh_statistics()
    assert ran is (dialect == "sqlite")
    if dialect == "sqlite":
        with session_factory() as session:
            analysed = set(session.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")))
        # Every table with rows, not only what a batch rescore analyses (lead_scores).
        assert {"leads", "users"} <= analysed
