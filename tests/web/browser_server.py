"""A real Leadgate server for the browser tests: uvicorn on a free 127.0.0.1 port, a
migrated temporary SQLite database, and seed records made through the services."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.orm import Session

from leadgate.accounts.schemas import AccountCreate
from leadgate.accounts.service import create_account
from leadgate.asgi import create_app
from leadgate.core.settings import Settings
from leadgate.db.engine import make_engine, make_session_factory
from leadgate.db.migrate import upgrade
from leadgate.leads.schemas import LeadCreate
from leadgate.leads.service import create_lead
from leadgate.opportunities.schemas import OpportunityCreate
from leadgate.opportunities.service import create_opportunity
from leadgate.security.roles import Role
from leadgate.security.schemas import UserCreate
from leadgate.security.service import actor_for_user, create_user
from leadgate.wiring import wire

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "leadgate" / "web" / "static" / "vendor"
OUTPUT = ROOT / "test-output"
PASSWORD = "browser-test-password"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Seed:
    email: str
    ids: dict[str, str] = field(default_factory=dict)


@dataclass
class LiveServer:
    url: str
    seed: Seed


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = "the system Chromium is missing: `make browser` installs the Debian package"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def check_assets() -> None:
    missing = [
        name
        for name in ("htmx.min.js", "Sortable.min.js", "chart.umd.min.js")
        if not (VENDOR / name).exists()
    ]
    if missing:
        pytest.fail(f"front-end libraries missing ({', '.join(missing)}): run `make assets`")


def _seed(session: Session) -> Seed:
    user = create_user(
        session,
        None,
        UserCreate(
            email="sam@leadgate.example",
            full_name="Sam Seller",
            role=Role.SALESPERSON,
            password=PASSWORD,
            time_zone="Europe/Paris",
        ),
    )
    actor = actor_for_user(user, "web")
    seed = Seed(email=user.email)
    globex = create_account(session, actor, AccountCreate(name="Globex Corporation"))
    seed.ids["globex"] = str(globex.id)
    for topic, rating in (("Hot prospect A", "hot"), ("Cold prospect B", "cold")):
        lead = create_lead(session, actor, LeadCreate(topic=topic, rating=rating))
        seed.ids[topic] = str(lead.id)
    to_qualify = create_lead(
        session,
        actor,
        LeadCreate(
            topic="Globex wants 50 seats",
            company_name="Globex Corp.",
            first_name="Homer",
            last_name="Simpson",
            estimated_value=Decimal("25000"),
        ),
    )
    seed.ids["to_qualify"] = str(to_qualify.id)
    to_disqualify = create_lead(session, actor, LeadCreate(topic="Tyre kicker"))
    seed.ids["to_disqualify"] = str(to_disqualify.id)
    deal = create_opportunity(
        session,
        actor,
        OpportunityCreate(
            name="Board deal",
            account_id=globex.id,
            estimated_value=Decimal("9000"),
            probability=40,
            estimated_close_date=date.today() + timedelta(days=30),
        ),
    )
    seed.ids["deal"] = str(deal.id)
    return seed


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


def serve(tmp: Path) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp / 'browser.db'}"
    upgrade(url)
    # Reactions (process flows, scoring, duplicate keys) are wired before seeding, so
    # seeded records are the same whichever live server a run starts first.
    wire()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        seed = _seed(session)
    settings = Settings(env="test", secret_key="b" * 32, database_url=url, log_level="warning")
    app = create_app(settings, factory)
    # The socket listens before the thread starts, so the first request simply queues.
    sock = _free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", seed)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        engine.dispose()
