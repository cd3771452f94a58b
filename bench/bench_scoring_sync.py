"""What synchronous scoring adds to a lead update (SQLite file under a temp dir).

    .venv/bin/python -m bench.bench_scoring_sync [--updates 200]

Times the same lead updates through the lead service without a published
model (the floor) and with one, in the same run, and prints both and the
difference per update.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.leads import service as leads
from leadgate.leads.schemas import LeadCreate, LeadUpdate
from leadgate.scoring import service
from leadgate.scoring.schemas import ScoringModelCreate
from leadgate.security.access import Actor
from leadgate.security.roles import Role
from leadgate.wiring import wire
from tests.factories import actor
from tests.integration.scoring.closed_leads import FIELDS, seed_closed


def updates(session: Session, who: Actor, count: int) -> float:
    lead = leads.create_lead(session, who, LeadCreate(topic="Bench", lead_source="web"))
    sources = ["web", "partner", "trade_show"]
    start = time.perf_counter()
    for i in range(count):
        leads.update_lead(
            session, who, lead.id, LeadUpdate(lead_source=sources[i % 3]), lead.version
        )
    return (time.perf_counter() - start) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=200)
    args = parser.parse_args()
    wire()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        with make_session_factory(engine)() as session, session.begin():
            who = actor(session, Role.SYSTEM_ADMINISTRATOR)
            seed_closed(session, who, 400)
            floor = updates(session, who, args.updates)
            model = service.create_model(
                session, who, ScoringModelCreate(name="All", fields=FIELDS)
            )
            version = service.train(session, who, model.id)
            service.publish(session, who, version.id)
            scored = updates(session, who, args.updates)
        engine.dispose()
    print(f"lead update without a model: {floor:.2f} ms")
    print(f"lead update with scoring ({version.family}): {scored:.2f} ms")
    print(f"  scoring adds {scored - floor:.2f} ms per update, ratio {scored / floor:.2f}x")


if __name__ == "__main__":
    main()
