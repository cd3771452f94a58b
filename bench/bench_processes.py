"""Process flow benchmarks: `next_stage` with gating, and the time-in-stage report over
100,000 opportunities with 5 stage changes each; each beside a plain opportunity read
measured in the same run.

    python -m bench.bench_processes                # SQLite file under a temp dir
    BENCH_DATABASE_URL=postgresql+psycopg://… python -m bench.bench_processes
      (the PostgreSQL database's public schema is dropped and recreated)

Targets (issue 6): next_stage p95 < 20 ms; report < 500 ms.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from leadgate.accounts.schemas import AccountCreate
from leadgate.accounts.service import create_account
from leadgate.core import events
from leadgate.core.ids import new_id
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.leads.events import LeadCreated
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.schemas import OpportunityCreate
from leadgate.opportunities.service import create_opportunity
from leadgate.processes import instances, reports
from leadgate.processes.handlers import on_lead_created
from leadgate.processes.instances import current_instance
from leadgate.processes.models import ProcessInstance, StageVisit
from leadgate.security.access import Actor, load
from leadgate.security.service import actor_for_user
from leadgate.wiring import wire

OPPORTUNITIES = int(os.environ.get("BENCH_OPPORTUNITIES", "100000"))
STAGE_CHANGES = 5
MOVES = 200
OPPORTUNITY_FLOW_FAMILY = uuid.UUID("0190a000-0000-7000-8000-00000000f002")
OPPORTUNITY_FLOW = uuid.UUID("0190a000-0000-7000-8000-00000000f102")


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def _timed(factory: sessionmaker[Session], work: Callable[[Session], object]) -> float:
    with factory() as session:
        start = time.perf_counter()
        with session.begin():
            work(session)
        return (time.perf_counter() - start) * 1000


def _admin(factory: sessionmaker[Session]) -> Actor:
    from leadgate.security.models import User
    from leadgate.security.roles import Role

    with factory() as session, session.begin():
        user = User(
            id=new_id(),
            email=f"bench-{uuid.uuid4().hex[:8]}@leadgate.example",
            full_name="Bench",
            role=Role.SYSTEM_ADMINISTRATOR.value,
            password_hash="x",
            is_active=True,
        )
        session.add(user)
        session.flush()
        return actor_for_user(user, "api")


def bench_next_stage(factory: sessionmaker[Session], admin: Actor) -> None:
    with factory() as session, session.begin():
        account = create_account(session, admin, AccountCreate(name="Bench Ltd"))
        opportunity = create_opportunity(
            session,
            admin,
            OpportunityCreate(
                name="Bench deal",
                account_id=account.id,
                customer_need="seats",
                proposed_solution="plan",
                proposal_presented=True,
            ),
        )
        instance = current_instance(session, "opportunity", opportunity.id)
        assert instance is not None
        instance_id, opportunity_id = instance.id, opportunity.id
    reads = [
        _timed(factory, lambda s: load(s, admin, Opportunity, opportunity_id)) for _ in range(MOVES)
    ]
    # A second floor: the smallest committed write (one UPDATE), which pays the commit's
    # WAL flush like a move does.
    touch = (
        update(Opportunity)
        .where(Opportunity.id == opportunity_id)
        .values(probability=Opportunity.probability)
    )
    writes = [_timed(factory, lambda s: s.execute(touch)) for _ in range(MOVES)]
    moves: list[float] = []
    cpu = time.process_time()
    for _ in range(MOVES // 2):
        moves.append(_timed(factory, lambda s: instances.next_stage(s, admin, instance_id)))
        _timed(factory, lambda s: instances.previous_stage(s, admin, instance_id))
    cpu_ms = (time.process_time() - cpu) * 1000 / MOVES  # next and previous alike
    engine = factory.kw["bind"]
    with _counting(engine) as read_statements:
        _timed(factory, lambda s: load(s, admin, Opportunity, opportunity_id))
    with _counting(engine) as move_statements:
        _timed(factory, lambda s: instances.next_stage(s, admin, instance_id))
    _timed(factory, lambda s: instances.previous_stage(s, admin, instance_id))
    read_p95, move_p95 = _p95(reads), _p95(moves)
    print(
        f"next_stage (gated, 2 required steps): p95 {move_p95:.2f} ms, "
        f"p50 {statistics.median(moves):.2f} ms, CPU {cpu_ms:.2f} ms a move, "
        f"{len(move_statements)} statements (target < 20 ms); plain opportunity read "
        f"p95 {read_p95:.2f} ms, {len(read_statements)} statements; "
        f"ratio {move_p95 / read_p95:.1f}x; one-UPDATE committed write p95 "
        f"{_p95(writes):.2f} ms (ratio {move_p95 / _p95(writes):.1f}x)"
    )
    if os.environ.get("BENCH_SHOW_STATEMENTS"):
        print("\n".join(" ".join(sql.split())[:160] for sql in move_statements))


@contextmanager
def _counting(engine: Engine) -> Iterator[list[str]]:
    """The statements sent through the engine's cursors meanwhile (BEGIN included)."""
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def bench_create_lead(factory: sessionmaker[Session], admin: Actor) -> None:
    """Create-lead in-process, one committed transaction each (the flow start is part of
    it), and a bulk create of 500 leads (imports) in one transaction."""
    from leadgate.leads.schemas import LeadCreate
    from leadgate.leads.service import create_lead, create_leads

    def body(n: int) -> LeadCreate:
        tag = uuid.uuid4().hex[:10]
        return LeadCreate(
            topic=f"Bench {n}",
            last_name=f"Bench{tag}",
            company_name=f"Bench {tag} Ltd",
            email=f"b{tag}@bench.example.com",
        )

    def creates(count: int) -> tuple[list[float], list[float]]:
        walls, cpus = [], []
        for n in range(count):
            cpu = time.process_time()
            walls.append(_timed(factory, lambda s, n=n: create_lead(s, admin, body(n))))
            cpus.append((time.process_time() - cpu) * 1000)
        return walls, cpus

    creates(20)  # warm-up
    # The floor: the same creates with the flow-start handler unsubscribed, interleaved
    # in rounds so both see the same machine load.
    walls, cpus, bare_walls, bare_cpus = [], [], [], []
    handlers = events._handlers[LeadCreated]
    for _ in range(6):
        wall, cpu = creates(50)
        walls += wall
        cpus += cpu
        handlers.remove(on_lead_created)
        try:
            wall, cpu = creates(50)
        finally:
            handlers.append(on_lead_created)
        bare_walls += wall
        bare_cpus += cpu
    share = 1 - statistics.mean(bare_cpus) / statistics.mean(cpus)
    print(
        f"create lead without flow start (floor): p50 {statistics.median(bare_walls):.2f} ms, "
        f"CPU {statistics.mean(bare_cpus):.2f} ms; flow start is {share:.0%} of create's CPU"
    )
    engine = factory.kw["bind"]
    with _counting(engine) as statements:
        _timed(factory, lambda s: create_lead(s, admin, body(0)))
    print(
        f"create lead (in-process, committed, with flow start): "
        f"p50 {statistics.median(walls):.2f} ms, p95 {_p95(walls):.2f} ms, "
        f"CPU {statistics.mean(cpus):.2f} ms, {len(statements)} statements"
    )
    if os.environ.get("BENCH_SHOW_STATEMENTS"):
        print("\n".join(" ".join(sql.split())[:160] for sql in statements))
    items = [(new_id(), body(n)) for n in range(500)]
    with _counting(engine) as statements:
        cpu = time.process_time()
        ms = _timed(factory, lambda s: create_leads(s, admin, items))
        cpu_ms = (time.process_time() - cpu) * 1000
    print(
        f"bulk create of 500 leads: {ms:.0f} ms ({ms / 500:.2f} ms a lead, "
        f"CPU {cpu_ms / 500:.2f} ms), {len(statements)} statements"
    )


def _fill_history(factory: sessionmaker[Session], admin: Actor) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    stages = ["develop", "propose", "close", "propose", "close", "close"]
    batch = 5000
    with factory() as session, session.begin():
        for first in range(0, OPPORTUNITIES, batch):
            instance_rows, visit_rows = [], []
            for n in range(first, min(first + batch, OPPORTUNITIES)):
                instance_id = new_id()
                entered = start + timedelta(minutes=n)
                instance_rows.append(
                    {
                        "id": instance_id,
                        "flow_id": OPPORTUNITY_FLOW,
                        "flow_family_id": OPPORTUNITY_FLOW_FAMILY,
                        "record_type": "opportunity",
                        "state": "active",
                        "active_stage": "close",
                        "path": stages,
                        "is_current": True,
                        "created_at": entered,
                        "updated_at": entered,
                        "version": 1,
                    }
                )
                record_id = new_id()
                for change in range(STAGE_CHANGES + 1):
                    hours = (n * 7 + change * 13) % 300 + 1
                    left = entered + timedelta(hours=hours)
                    closed = change < STAGE_CHANGES
                    visit_rows.append(
                        {
                            "id": new_id(),
                            "instance_id": instance_id,
                            "flow_id": OPPORTUNITY_FLOW,
                            "flow_family_id": OPPORTUNITY_FLOW_FAMILY,
                            "stage_key": stages[change],
                            "record_type": "opportunity",
                            "record_id": record_id,
                            "owner_id": admin.user_id,
                            "entered_at": entered,
                            "entered_by_id": admin.user_id,
                            "exited_at": left if closed else None,
                            "exited_by_id": admin.user_id if closed else None,
                            "exit_kind": "next" if closed else None,
                            "duration_seconds": hours * 3600.0 if closed else None,
                        }
                    )
                    entered = left
            session.execute(insert(ProcessInstance), instance_rows)
            session.execute(insert(StageVisit), visit_rows)


def bench_time_in_stage(factory: sessionmaker[Session], admin: Actor) -> None:
    started = time.perf_counter()
    _fill_history(factory, admin)
    print(
        f"filled {OPPORTUNITIES:,} instances, {OPPORTUNITIES * (STAGE_CHANGES + 1):,} visits "
        f"in {time.perf_counter() - started:.1f} s"
    )
    engine = factory.kw["bind"]
    # What autovacuum would have done by the time anyone reads a report.
    statement = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(statement))
    any_opportunity = None
    with factory() as session, session.begin():
        any_opportunity = session.scalar(text("SELECT id FROM opportunities LIMIT 1"))
    reads = [
        _timed(factory, lambda s: load(s, admin, Opportunity, uuid.UUID(str(any_opportunity))))
        for _ in range(20)
    ]
    runs = [_timed(factory, lambda s: reports.time_in_stage(s, admin)) for _ in range(5)]
    by_owner = [
        _timed(factory, lambda s: reports.time_in_stage(s, admin, by_owner=True)) for _ in range(3)
    ]
    conv = [_timed(factory, lambda s: reports.conversion(s, admin)) for _ in range(3)]
    read = statistics.median(reads)
    for label, samples in (
        ("time-in-stage report", runs),
        ("time-in-stage by owner", by_owner),
        ("conversion report", conv),
    ):
        ms = statistics.median(samples)
        print(
            f"{label}: median {ms:.0f} ms (target < 500 ms); "
            f"plain opportunity read {read:.2f} ms; ratio {ms / read:.0f}x"
        )


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    tmp = None
    if url is None:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    wire()
    upgrade(url)
    factory = make_session_factory(engine)
    admin = _admin(factory)
    print(f"database: {engine.dialect.name}")
    bench_create_lead(factory, admin)
    bench_next_stage(factory, admin)
    if OPPORTUNITIES:
        bench_time_in_stage(factory, admin)
    engine.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
