"""Qualify in one process: account + contact + opportunity + audit, one committed
transaction per lead, against floors measured in the same run on the same database.

Floors: the create-lead service (one lead + its audit event per committed transaction,
the cheapest real use case) and a bare committed transaction (one Core INSERT of one
row per transaction: what a commit costs on this disk and database).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from bench.common import StatementLog, make_users, reset_database
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead
from leadgate.opportunities.qualification import qualify
from leadgate.opportunities.schemas import QualifyRequest
from leadgate.security.access import Actor
from leadgate.security.roles import Role


def _lead(n: int) -> LeadCreate:
    return LeadCreate.model_validate(
        {
            "topic": f"Fleet renewal {n}",
            "first_name": "Grace",
            "last_name": f"Hopper {n}",
            "company_name": f"Qualify Logistics {n} GmbH",
            "job_title": "Head of operations",
            "email": f"grace.{n}@qualify.example",
            "phone": "+1 415 555 0199",
            "city": "Boston",
            "country": "US",
            "industry": "logistics",
            "estimated_value": "48000.00",
            "currency": "USD",
            "lead_source": "trade_show",
        }
    )


def run(url: str, count: int) -> dict[str, Any]:
    reset_database(url)
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        (user,) = make_users(session, 1, "qualifier", Role.SALESPERSON)
    actor = Actor(user.id, Role.SALESPERSON, "api", user.email)

    scratch = Table(
        "bench_commit_floor",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("label", String(40)),
    )
    scratch.create(engine)
    cpu = time.process_time()
    started = time.perf_counter()
    with engine.connect() as conn:
        for n in range(count):
            with conn.begin():
                conn.execute(insert(scratch).values(id=n, label=f"row {n}"))
    commit_s = time.perf_counter() - started
    commit_cpu = time.process_time() - cpu
    scratch.drop(engine)

    lead_ids = []
    cpu = time.process_time()
    started = time.perf_counter()
    for n in range(count):
        with factory() as session, session.begin():
            lead_ids.append(create_lead(session, actor, _lead(n)).id)
    create_s = time.perf_counter() - started
    create_cpu = time.process_time() - cpu

    request = QualifyRequest()
    log = StatementLog(engine)
    cpu = time.process_time()
    started = time.perf_counter()
    for lead_id in lead_ids:
        with factory() as session, session.begin():
            done = qualify(session, actor, lead_id, request)
            if done.opportunity is None or done.account is None:
                raise RuntimeError("qualify did not create the account and opportunity")
    qualify_s = time.perf_counter() - started
    qualify_cpu = time.process_time() - cpu
    statements = len(log.statements) / count
    log.close()
    engine.dispose()
    qualify_rate = count / qualify_s
    create_rate = count / create_s
    commit_rate = count / commit_s
    return {
        "count": count,
        "qualify_per_s": qualify_rate,
        "create_lead_per_s": create_rate,
        "bare_commit_per_s": commit_rate,
        "ratio_to_create": qualify_rate / create_rate,
        "ratio_to_commit": qualify_rate / commit_rate,
        "statements_per_qualify": statements,
        # This process's CPU per operation (the PostgreSQL server's own CPU is not in it).
        "qualify_cpu_ms": qualify_cpu * 1000 / count,
        "create_lead_cpu_ms": create_cpu * 1000 / count,
        "bare_commit_cpu_ms": commit_cpu * 1000 / count,
    }
