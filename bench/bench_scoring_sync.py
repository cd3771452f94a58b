"""What synchronous scoring adds to a lead update, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.bench_scoring_sync [--updates 200] [--db sqlite|postgresql|both]

Each update is its own transaction through the lead service (as an API request
is). Times, in the same run and on the same lead: updates with no model at all
(the floor), with a model that exists but is not published, and with a
published model (score, grade, trend and reasons written in the same
transaction). PostgreSQL uses schema scoring_sync of $BENCH_POSTGRES_URL,
recreated each run; SQLite a file under a temp dir.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bench.common import pg_url, reset_database
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.leads import service as leads
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate, LeadUpdate
from leadgate.scoring import service
from leadgate.scoring.schemas import ScoringModelCreate
from leadgate.security.access import Actor
from leadgate.security.roles import Role
from leadgate.wiring import wire
from tests.factories import actor
from tests.integration.scoring.closed_leads import FIELDS, seed_closed

SOURCES = ["web", "partner", "trade_show"]


def updates(factory: sessionmaker[Session], who: Actor, count: int) -> float:
    """Median ms of `count` updates of one open lead, one transaction each."""
    with factory() as session, session.begin():
        lead = leads.create_lead(session, who, LeadCreate(topic="Bench", lead_source="web"))
        lead_id, version = lead.id, lead.version
    times = []
    for i in range(count):
        start = time.perf_counter()
        with factory() as session, session.begin():
            updated = leads.update_lead(
                session, who, lead_id, LeadUpdate(lead_source=SOURCES[i % 3]), version
            )
            version = updated.version
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(url: str, count: int) -> dict[str, float | str]:
    reset_database(url)
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        who = actor(session, Role.SYSTEM_ADMINISTRATOR)
        seed_closed(session, who, 400)
    out: dict[str, float | str] = {"db": engine.dialect.name}
    updates(factory, who, 20)  # warm-up: imports, caches, connections
    out["floor"] = updates(factory, who, count)
    with factory() as session, session.begin():
        model = service.create_model(session, who, ScoringModelCreate(name="All", fields=FIELDS))
        version = service.train(session, who, model.id)
        version_id, out["family"] = version.id, version.family
    out["unpublished"] = updates(factory, who, count)
    with factory() as session, session.begin():
        service.publish(session, who, version_id)
    out["scored"] = updates(factory, who, count)
    with factory() as session:
        scored = session.query(Lead).filter(Lead.topic == "Bench", Lead.score.is_not(None)).count()
    out["scored_leads"] = scored
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
                f"{out['db']}: lead update (median of {args.updates}, one transaction each): "
                f"no model {floor:.2f} ms, model not published {float(out['unpublished']):.2f} ms, "
                f"published ({out['family']}) {scored:.2f} ms"
            )
            print(
                f"  scoring adds {scored - floor:.2f} ms per update (target < 5 ms), "
                f"ratio {scored / floor:.2f}x; {out['scored_leads']} benchmark leads scored"
            )


if __name__ == "__main__":
    main()
