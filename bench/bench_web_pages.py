"""Server time of the web pages at a million leads, against the API list endpoint.

    python -m bench.bench_web_pages            # 1,000,000 leads in var/bench/web.db (built once)
    BENCH_LEADS=100000 python -m bench.bench_web_pages
    BENCH_DATABASE_URL=postgresql+psycopg://... python -m bench.bench_web_pages

Prints p50/p95 of the "My open leads" list page, its second page, a lead's
record page and the API's equivalent list call (the floor), and the ratio of
each page to that floor, measured in the same run.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from leadgate.asgi import create_app
from leadgate.core.ids import new_id
from leadgate.core.settings import Settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.leads.models import Lead
from leadgate.security.models import User
from leadgate.security.roles import Role
from leadgate.security.schemas import UserCreate
from leadgate.security.service import create_user, issue_token

LEADS = int(os.environ.get("BENCH_LEADS", "1000000"))
OWNERS = 20
RUNS = int(os.environ.get("BENCH_RUNS", "100"))
PASSWORD = "bench-password-123"
CHUNK = 20_000


def _users(session: Session) -> list[User]:
    found = list(session.scalars(select(User).order_by(User.email)))
    if found:
        return found
    return [
        create_user(
            session,
            None,
            UserCreate(
                email=f"seller{n:02d}@bench.example",
                full_name=f"Seller {n:02d}",
                role=Role.SALESPERSON,
                password=PASSWORD,
            ),
        )
        for n in range(OWNERS)
    ]


def _fill(session: Session, owners: list[User]) -> None:
    have = session.scalar(select(func.count()).select_from(Lead)) or 0
    rng = random.Random(1)
    start = datetime.now(UTC) - timedelta(days=730)
    step = timedelta(days=730) / max(LEADS, 1)
    done = have
    began = time.perf_counter()
    while done < LEADS:
        rows = []
        for i in range(done, min(done + CHUNK, LEADS)):
            state = rng.choices(("open", "qualified", "disqualified"), (6, 2, 2))[0]
            status = {"open": "new", "qualified": "qualified", "disqualified": "lost"}[state]
            at = start + step * i
            rows.append(
                {
                    "id": new_id(),
                    "topic": f"Lead {i} about {rng.choice(('seats', 'support', 'renewal'))}",
                    "last_name": f"Buyer{i}",
                    "company_name": f"Company {i % 50_000}",
                    "rating": rng.choice(("hot", "warm", "cold", None)),
                    "lead_source": rng.choice(("web", "partner", "seminar")),
                    "owner_id": owners[i % len(owners)].id,
                    "state": state,
                    "status": status,
                    "currency": "USD",
                    "do_not_email": False,
                    "do_not_phone": False,
                    "do_not_bulk_email": False,
                    "created_at": at,
                    "updated_at": at,
                    "version": 1,
                }
            )
        session.execute(insert(Lead.__table__), rows)
        session.commit()
        done += len(rows)
        print(f"  {done:>9,} leads ({time.perf_counter() - began:.0f} s)", flush=True)
    session.commit()  # ends the read transaction when nothing was left to insert


def _timed(call: Callable[[], int]) -> list[float]:
    for _ in range(5):
        call()
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        status = call()
        samples.append((time.perf_counter() - began) * 1000)
        assert status == 200, status
    return samples


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url is None:
        Path("var/bench").mkdir(parents=True, exist_ok=True)
        url = "sqlite:///var/bench/web.db"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        with session.begin():
            owners = _users(session)
        _fill(session, owners)
        with session.begin():
            me = owners[0]
            _, token = issue_token(session, None, me, "bench", 1)
            lead_id = session.scalar(
                select(Lead.id).where(Lead.owner_id == me.id).order_by(Lead.created_at.desc())
            )
    settings = Settings(env="test", secret_key="k" * 32, database_url=url, log_level="warning")
    client = TestClient(create_app(settings, factory))
    page = client.get("/sign-in")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    signed = client.post(
        "/sign-in",
        data={"email": me.email, "password": PASSWORD, "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    first = client.get("/leads?view=my_open")
    cursor = re.search(r'href="([^"]+)" hx-get="[^"]+" rel="next"', first.text)
    assert cursor is not None
    second_url = cursor.group(1).replace("&amp;", "&")
    api = {"Authorization": f"Bearer {token}"}
    api_url = f"/api/v1/leads?owner_id={me.id}&state=open&limit=25"
    results = {
        "API list (floor)": _timed(lambda: client.get(api_url, headers=api).status_code),
        "My open leads page": _timed(lambda: client.get("/leads?view=my_open").status_code),
        "  its next page": _timed(lambda: client.get(second_url).status_code),
        "Lead record page": _timed(lambda: client.get(f"/leads/{lead_id}").status_code),
    }
    floor = _p95(results["API list (floor)"])
    print(f"\n{LEADS:,} leads on {engine.dialect.name}, {RUNS} requests each (ms)")
    print(f"{'':24} {'p50':>8} {'p95':>8} {'p95/API':>8}")
    for name, samples in results.items():
        p95 = _p95(samples)
        print(f"{name:24} {statistics.median(samples):8.1f} {p95:8.1f} {p95 / floor:8.2f}")
    client.close()
    engine.dispose()


if __name__ == "__main__":
    main()
