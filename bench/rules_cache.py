"""How often one create-lead use case reads the published duplicate rules.

    python -m bench.rules_cache [--leads 300]

An in-process loop of the API's create-lead path (duplicate check, create, match-key
indexing through the LeadSaved event): one session, one transaction per lead, as a
worker or CLI loop runs it, then one session per lead, as API requests do. Prints
the statements reading `duplicate_rules` per lead and the leads per second, on a
fresh SQLite file.
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import event

from bench.common import VAR, reset_database
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.dedup.detection import check_duplicates
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead
from leadgate.security.roles import Role
from leadgate.security.schemas import UserCreate
from leadgate.security.service import actor_for_user, create_user
from leadgate.wiring import wire


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=300)
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{VAR / 'rules-cache.db'}"
    reset_database(url)
    upgrade(url)
    wire()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    reads = 0

    def count(conn, cursor, statement, *rest):  # type: ignore[no-untyped-def]
        nonlocal reads
        if "FROM duplicate_rules" in statement:
            reads += 1

    event.listen(engine, "before_cursor_execute", count)
    with factory() as session, session.begin():
        user = create_user(
            session,
            None,
            UserCreate(email="a@x.example", full_name="A", role=Role.SYSTEM_ADMINISTRATOR,
                       password="bench-password-not-secret"),
        )  # fmt: skip
        actor = actor_for_user(user, "api")

    def lead(n: int, loop: str) -> LeadCreate:
        return LeadCreate(topic=f"{loop} {n}", first_name="Ada", last_name=f"L{loop}{n}",
                          email=f"{loop}{n}@x.example", phone=f"+1 415 {len(loop)} {n:04d}",
                          company_name=f"Co {loop} {n}", country="US")  # fmt: skip

    def one(session, n: int, loop: str) -> None:  # type: ignore[no-untyped-def]
        data = lead(n, loop)
        created = create_lead(session, actor, data)
        check_duplicates(session, actor, created)

    for loop in ("one-session", "session-per-lead"):
        reads = 0
        started = time.perf_counter()
        if loop == "one-session":
            with factory() as session:
                for n in range(args.leads):
                    with session.begin():
                        one(session, n, loop)
        else:
            for n in range(args.leads):
                with factory() as session, session.begin():
                    one(session, n, loop)
        seconds = time.perf_counter() - started
        print(
            f"{loop}: {reads / args.leads:.2f} rule reads per lead "
            f"({reads} for {args.leads}), {args.leads / seconds:.0f} leads/s"
        )


if __name__ == "__main__":
    main()
