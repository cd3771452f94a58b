"""What synchronous scoring adds to a lead update, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.bench_scoring_sync [--updates 200] [--db sqlite|postgresql|both]

Each update is its own transaction through the lead service (as an API request
is). Times, in the same run and on the same lead: updates with no model at all,
then alternating blocks with the model unpublished (the floor: an update
without a model to score with) and published (score, grade, trend and reasons
written in the same transaction); the flag is flipped in its own transaction,
as another process would. PostgreSQL uses schema scoring_sync of $BENCH_POSTGRES_URL,
recreated each run; SQLite a file under a temp dir.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bench.common import pg_url, reset_database
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.leads import service as leads
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate, LeadUpdate
from leadgate.scoring import service
from leadgate.scoring.models import ScoringModelVersion
from leadgate.scoring.schemas import ScoringModelCreate
from leadgate.security.access import Actor
from leadgate.security.roles import Role
from leadgate.wiring import wire
from tests.factories import actor
from tests.integration.scoring.closed_leads import FIELDS, seed_closed

SOURCES = ["web", "partner", "trade_show"]
ROUNDS = 8


def new_lead(factory: sessionmaker[Session], who: Actor) -> tuple[uuid.UUID, int]:
    with factory() as session, session.begin():
        lead = leads.create_lead(session, who, LeadCreate(topic="Bench", lead_source="web"))
        return lead.id, lead.version


def updates(
    factory: sessionmaker[Session], who: Actor, lead: tuple[uuid.UUID, int], count: int
) -> tuple[list[float], tuple[uuid.UUID, int]]:
    """`count` updates of one open lead, one transaction each: their times in ms."""
    lead_id, version = lead
    times = []
    for i in range(count):
        start = time.perf_counter()
        with factory() as session, session.begin():
            updated = leads.update_lead(
                session, who, lead_id, LeadUpdate(lead_source=SOURCES[i % 3]), version
            )
            version = updated.version
        times.append((time.perf_counter() - start) * 1000)
    return times, (lead_id, version)


def set_published(factory: sessionmaker[Session], version_id: uuid.UUID, on: bool) -> None:
    # Flipped directly (another process's publish, as far as the updates can tell): the
    # next transaction must see it, which is also what this checks.
    with factory() as session, session.begin():
        session.execute(
            update(ScoringModelVersion)
            .where(ScoringModelVersion.id == version_id)
            .values(is_published=on)
        )


def run(url: str, count: int, rounds: int = ROUNDS) -> dict[str, float | str]:
    reset_database(url)
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        who = actor(session, Role.SYSTEM_ADMINISTRATOR)
        seed_closed(session, who, 400)
    out: dict[str, float | str] = {"db": engine.dialect.name}
    lead = new_lead(factory, who)
    _, lead = updates(factory, who, lead, 20)  # warm-up: imports, caches, connections
    times, lead = updates(factory, who, lead, count)
    out["no_model"] = statistics.median(times)
    with factory() as session, session.begin():
        model = service.create_model(session, who, ScoringModelCreate(name="All", fields=FIELDS))
        version = service.train(session, who, model.id)
        version_id, out["family"] = version.id, version.family
        service.publish(session, who, version.id)
    floor: list[float] = []
    scored: list[float] = []
    # Blocks alternate, so load changes on the machine hit both sides alike.
    for _ in range(rounds):
        set_published(factory, version_id, False)
        times, lead = updates(factory, who, lead, count // rounds)
        floor += times
        set_published(factory, version_id, True)
        times, lead = updates(factory, who, lead, count // rounds)
        scored += times
    out["floor"], out["scored"] = statistics.median(floor), statistics.median(scored)
    with factory() as session:
        found = session.get(Lead, lead[0])
        out["scored_lead"] = "yes" if found is not None and found.score is not None else "no"
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args, _ = parser.parse_known_args()
    wire()
    with tempfile.TemporaryDirectory() as tmp:
        urls = []
        if args.db in ("sqlite", "both"):
            urls.append(f"sqlite:///{Path(tmp) / 'bench.db'}")
        if args.db in ("postgresql", "both"):
            urls.append(pg_url("scoring_sync"))
        for url in urls:
            out = run(url, args.updates)
            floor, scored = float(out["floor"]), float(out["scored"])
            print(
                f"{out['db']}: lead update, median of {args.updates} each, one transaction "
                f"each: no model at all {float(out['no_model']):.2f} ms; alternating blocks: "
                f"model not published {floor:.2f} ms, published ({out['family']}) "
                f"{scored:.2f} ms"
            )
            print(
                f"  scoring adds {scored - floor:.2f} ms per update (target < 5 ms), "
                f"ratio {scored / floor:.2f}x; lead scored at the end: {out['scored_lead']}"
            )


if __name__ == "__main__":
    main()
