"""The `leadgate` command line against a real SQLite file: migrate, demo data, users,
tokens a script can capture, leads, and errors as one line on stderr with a non-zero exit.

SQLite only (the CLI is the same code on both databases); the demo is loaded once."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner, Result

from leadgate.accounts.models import Account
from leadgate.activities.models import Activity, Note
from leadgate.asgi import create_app
from leadgate.audit.models import AuditEvent
from leadgate.cli.main import app
from leadgate.contacts.models import Contact
from leadgate.core.settings import Settings, get_settings
from leadgate.db.engine import make_engine
from leadgate.leads.models import Lead, LeadScore
from leadgate.opportunities.models import Opportunity
from leadgate.scoring.metrics import PUBLISH_MIN_AUC
from leadgate.scoring.models import ScoringModelVersion
from leadgate.security.models import User

PASSWORD = "a long cli password"


@dataclass
class Cli:
    url: str
    engine: Engine
    runner: CliRunner
    # What `demo load` printed, whitespace collapsed (Rich wraps long lines).
    demo_output: str = ""

    def run(self, *args: str, stdin: str | None = None) -> Result:
        return self.runner.invoke(app, list(args), input=stdin)

    def session(self) -> Session:
        return Session(self.engine)


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    path: Path = tmp_path_factory.mktemp("cli") / "leadgate.db"
    url = f"sqlite:///{path}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEADGATE_DATABASE_URL", url)
        patch.setenv("LEADGATE_ENV", "test")
        get_settings.cache_clear()
        # A fresh connection per check, so a read never sees an older snapshot of the file.
        engine = make_engine(url, poolclass=NullPool)
        ready = Cli(url, engine, CliRunner())
        upgraded = ready.run("db", "upgrade")
        assert upgraded.exit_code == 0, upgraded.output
        assert "database is up to date" in upgraded.stdout
        loaded = ready.run("demo", "load")
        assert loaded.exit_code == 0, loaded.output
        assert "demo data loaded" in loaded.stdout
        ready.demo_output = " ".join(loaded.stdout.split())
        yield ready
        engine.dispose()
    get_settings.cache_clear()


def _one_line_error(result: Result, *fragments: str) -> str:
    assert result.exit_code != 0, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def _count(session: Session, model: type, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def test_upgrade_is_idempotent(cli: Cli) -> None:
    again = cli.run("db", "upgrade")
    assert again.exit_code == 0, again.output


def test_the_demo_is_realistic_and_loads_once(cli: Cli) -> None:
    with cli.session() as session:
        rows = session.execute(select(Lead.state, func.count()).group_by(Lead.state))
        states: dict[str, int] = {state: n for state, n in rows}  # noqa: C416
        assert set(states) == {"open", "qualified", "disqualified"}
        assert states == {"qualified": 80, "disqualified": 80, "open": 100}
        assert _count(session, Account) >= 50
        assert _count(session, Contact) >= 80
        # 30 opportunities of their own, one per qualified lead.
        assert _count(session, Opportunity) == 110
        assert _count(session, Opportunity, Opportunity.state == "won") > 0
        assert _count(session, Opportunity, Opportunity.state == "lost") > 0
        assert _count(session, Opportunity, Opportunity.state == "open") > 0
        assert _count(session, Activity) > 0
        assert _count(session, Note) > 0
        assert _count(session, Lead, Lead.status == "contacted") > 0
        # Written through the services: audited, from the cli channel.
        channels = set(session.scalars(select(AuditEvent.channel).distinct()))
        assert channels == {"cli"}
        before = _count(session, Lead)
    again = cli.run("demo", "load")
    assert again.exit_code == 0
    assert "already present" in again.stdout
    with cli.session() as session:
        assert _count(session, Lead) == before
        assert _count(session, ScoringModelVersion) == 1


def test_the_demo_says_how_its_scoring_model_did(cli: Cli) -> None:
    found = re.search(
        r"lead scoring: model 'Demo lead score' version 1 \((\w+)\), AUC (\d\.\d\d) on the "
        r"newest 20 % of closed leads: published, (\d+) open leads scored",
        cli.demo_output,
    )
    assert found, cli.demo_output
    with cli.session() as session:
        version = session.scalars(select(ScoringModelVersion)).one()
        assert version.is_published
        assert found.group(1) == version.family
        assert float(found.group(2)) == round(version.metrics["auc"], 2) >= PUBLISH_MIN_AUC
        open_leads = _count(session, Lead, Lead.state == "open")
        assert int(found.group(3)) == open_leads == _count(session, LeadScore)


def test_user_create_reads_the_password_from_stdin(cli: Cli) -> None:
    created = cli.run(
        "user", "create", "pat@leadgate.example", "--role", "salesperson", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "created pat@leadgate.example (salesperson)" in created.stdout
    with cli.session() as session:
        user = session.scalar(select(User).where(User.email == "pat@leadgate.example"))
        assert user is not None
        assert user.role == "salesperson"
        assert user.password_hash
        assert PASSWORD not in user.password_hash
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.record_id == user.id, AuditEvent.action == "create")
        )
        assert event is not None
        assert event.channel == "cli"
    duplicate = cli.run(
        "user", "create", "PAT@leadgate.example", "--role", "read_only", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    _one_line_error(duplicate, "already exists")


def test_user_create_refuses_bad_input(cli: Cli) -> None:
    no_stdin = cli.run("user", "create", "x@leadgate.example", "--role", "salesperson")
    assert no_stdin.exit_code == 2
    assert "--password-stdin" in no_stdin.stderr
    short = cli.run(
        "user", "create", "y@leadgate.example", "--role", "salesperson", "--password-stdin",
        stdin="short\n",
    )  # fmt: skip
    _one_line_error(short, "password")
    bad_email = cli.run(
        "user", "create", "not-an-email", "--role", "salesperson", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    _one_line_error(bad_email, "email")
    bad_role = cli.run(
        "user", "create", "z@leadgate.example", "--role", "emperor", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert bad_role.exit_code == 2
    with cli.session() as session:
        emails = ["x@leadgate.example", "y@leadgate.example", "z@leadgate.example"]
        assert _count(session, User, User.email.in_(emails)) == 0


def test_token_create_prints_only_a_token_that_works_against_the_api(cli: Cli) -> None:
    issued = cli.run("token", "create", "sam@leadgate.example", "--days", "2")
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    assert issued.stdout == token + "\n"
    assert token.startswith("lg_")
    assert " " not in token
    settings = Settings(env="test", secret_key="x" * 32, database_url=cli.url)
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        me = client.get("/api/v1/users/me", headers=headers)
        assert me.status_code == 200, me.text
        assert me.json()["email"] == "sam@leadgate.example"
        leads = client.get("/api/v1/leads", headers=headers, params={"limit": 500}).json()
        with cli.session() as session:
            sam = session.scalar(select(User.id).where(User.email == "sam@leadgate.example"))
            assert leads["count"] == _count(session, Lead, Lead.owner_id == sam)
        assert {item["owner_id"] for item in leads["items"]} == {str(sam)}
        refused = client.get("/api/v1/users/me", headers={"Authorization": "Bearer lg_nope"})
        assert refused.status_code == 401


def test_token_create_for_an_unknown_user(cli: Cli) -> None:
    _one_line_error(
        cli.run("token", "create", "nobody@leadgate.example"), "nobody@leadgate.example"
    )


def test_leads_list(cli: Cli) -> None:
    listed = cli.run("leads", "list", "--state", "qualified", "--limit", "5")
    assert listed.exit_code == 0, listed.output
    assert "5 shown of 80" in listed.stdout
    assert "qualified" in listed.stdout
    mine = cli.run("leads", "list", "--as", "viewer@leadgate.example", "--limit", "1")
    assert mine.exit_code == 0, mine.output
    assert "1 shown of 260" in mine.stdout
    _one_line_error(cli.run("leads", "list", "--as", "ghost@leadgate.example"), "ghost")
    bad_sort = cli.run("leads", "list", "--sort", "password")
    _one_line_error(bad_sort, "sort")


def _open_lead_id(cli: Cli) -> uuid.UUID:
    with cli.session() as session:
        lead_id = session.scalar(
            select(Lead.id)
            .where(Lead.state == "open", Lead.first_name.is_not(None))
            .order_by(Lead.created_at)
            .limit(1)
        )
        assert lead_id is not None
        return lead_id


def test_leads_qualify_without_an_account(cli: Cli) -> None:
    lead_id = _open_lead_id(cli)
    done = cli.run("leads", "qualify", str(lead_id), "--no-account")
    assert done.exit_code == 0, done.output
    assert f"lead {lead_id} qualified" in done.stdout
    assert "contact:" in done.stdout
    assert "opportunity:" in done.stdout
    assert "account:" not in done.stdout
    with cli.session() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        assert lead.state == "qualified"
        opportunity = session.get(Opportunity, lead.qualifying_opportunity_id)
        assert opportunity is not None
        assert opportunity.account_id is None
        contact = session.get(Contact, opportunity.customer_contact_id)
        assert contact is not None
        assert contact.originating_lead_id == lead_id
        assert _count(session, Account, Account.originating_lead_id == lead_id) == 0
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.record_id == lead_id, AuditEvent.action == "transition:qualify"
            )
        )
        assert event is not None
        assert event.channel == "cli"

    closed = cli.run("leads", "qualify", str(lead_id), "--no-account")
    _one_line_error(closed, "cannot qualify a qualified lead")


def test_invalid_options_are_one_line_errors_too(cli: Cli) -> None:
    lead_id = str(_open_lead_id(cli))
    _one_line_error(cli.run("leads", "qualify", lead_id, "--currency", "XYZ"), "currency")
    _one_line_error(cli.run("leads", "disqualify", lead_id, "--reason", "r" * 501), "reason")
    _one_line_error(cli.run("leads", "disqualify", lead_id, "--status", "bored"), "status")
    with cli.session() as session:
        lead = session.get(Lead, uuid.UUID(lead_id))
        assert lead is not None
        assert lead.state == "open"


def test_leads_qualify_errors(cli: Cli) -> None:
    missing = uuid.UUID("01a20000-0000-7000-8000-000000000000")
    _one_line_error(cli.run("leads", "qualify", str(missing)), str(missing), "not found")
    # A malformed id is a usage error that Typer itself reports (exit 2, before any work).
    malformed = cli.run("leads", "qualify", "not-a-uuid")
    assert malformed.exit_code == 2
    assert "Invalid value for 'lead_id'" in malformed.stderr
    with cli.session() as session:
        no_company = session.scalar(
            select(Lead.id).where(Lead.state == "open", Lead.company_name.is_(None)).limit(1)
        )
    assert no_company is not None
    _one_line_error(cli.run("leads", "qualify", str(no_company)), "create_account")
