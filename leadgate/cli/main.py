"""`leadgate` — serve, migrate, load demo data, manage users and tokens, work leads."""

from __future__ import annotations

import sys
import uuid
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table
from sqlalchemy import select

from leadgate.cli import duplicates as duplicates_cli
from leadgate.cli import imports as imports_cli
from leadgate.cli import jobs as jobs_cli
from leadgate.cli import processes as processes_cli
from leadgate.cli.context import cli_actor, fail, one_line_errors, out, session_scope
from leadgate.cli.sales import catalog_app, invoices_app, orders_app, quotes_app
from leadgate.cli.scoring import scoring_app
from leadgate.core.errors import ValidationFailed
from leadgate.core.settings import get_settings
from leadgate.leads import queries as lead_queries
from leadgate.leads import service as lead_service
from leadgate.leads.schemas import DisqualifyRequest
from leadgate.opportunities.qualification import qualify
from leadgate.opportunities.schemas import QualifyRequest
from leadgate.security import service as security
from leadgate.security.models import User
from leadgate.security.roles import Role
from leadgate.security.schemas import UserCreate

app = typer.Typer(help="Leadgate CRM", no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data", no_args_is_help=True)
user_app = typer.Typer(help="Users", no_args_is_help=True)
token_app = typer.Typer(help="API tokens", no_args_is_help=True)
leads_app = typer.Typer(help="Leads", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(leads_app, name="leads")
app.add_typer(catalog_app, name="catalog")
app.add_typer(quotes_app, name="quotes")
app.add_typer(orders_app, name="orders")
app.add_typer(invoices_app, name="invoices")
app.add_typer(scoring_app, name="scoring")
app.add_typer(processes_cli.app, name="processes")
app.add_typer(duplicates_cli.app, name="duplicates")
app.add_typer(imports_cli.lists_app, name="lists")
app.add_typer(imports_cli.imports_app, name="imports")
app.command("import")(imports_cli.import_command)
app.command("export")(imports_cli.export_command)
app.add_typer(jobs_cli.jobs_app, name="jobs")
app.command("worker")(jobs_cli.worker_command)

AsUser = Annotated[
    str | None, typer.Option("--as", help="act as this user (default: first administrator)")
]


@app.command()
@one_line_errors
def serve(
    host: Annotated[str | None, typer.Option(help="default LEADGATE_HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="default LEADGATE_PORT or 8000")] = None,
) -> None:
    """Serve the web app and the API."""
    import uvicorn

    settings = get_settings()
    settings.check_startable()
    # By name, so the CLI does not import the app layer it sits beside.
    uvicorn.run(
        "leadgate.asgi:app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
    )


@db_app.command("upgrade")
@one_line_errors
def db_upgrade() -> None:
    """Apply every pending migration."""
    from leadgate.db.migrate import upgrade

    upgrade(get_settings().database_url)
    out.print("database is up to date")


@demo_app.command("load")
@one_line_errors
def demo_load() -> None:
    """Load realistic demo data (once; does nothing if users already exist)."""
    from leadgate.cli.demo import DEMO_PASSWORD, load_demo

    with session_scope() as session:
        loaded = load_demo(session)
    if loaded:
        out.print(f"demo data loaded: {loaded.counts}")
        out.print(loaded.scoring)
    else:
        out.print("demo data already present; nothing loaded")
    out.print(f"sign in as admin@leadgate.example / {DEMO_PASSWORD}")


@user_app.command("create")
@one_line_errors
def user_create(
    email: str,
    role: Annotated[Role, typer.Option(help="role of the new user")],
    name: Annotated[str | None, typer.Option(help="full name (default: from the email)")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
) -> None:
    """Create a user (the first administrator needs no --as)."""
    if not password_stdin:
        fail(
            "pass --password-stdin and pipe the password in (it never goes on the command line)", 2
        )
    password = sys.stdin.readline().rstrip("\n")
    try:
        data = UserCreate(
            email=email, full_name=name or email.split("@")[0], role=role, password=password
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValidationFailed.on(str(first["loc"][0]), str(first["msg"])) from exc
    with session_scope() as session:
        has_admin = session.scalar(select(User.id).limit(1)) is not None
        actor = cli_actor(session, None) if has_admin else None
        user = security.create_user(session, actor, data)
        out.print(f"created {user.email} ({user.role}) id {user.id}")


@token_app.command("create")
@one_line_errors
def token_create(
    email: str,
    days: Annotated[int, typer.Option(min=1, max=3650, help="expires after N days")] = 30,
    name: Annotated[str, typer.Option(help="label for the token")] = "cli",
) -> None:
    """Issue an API token; prints only the token on stdout."""
    with session_scope() as session:
        user = security.find_user(session, email)
        _, plaintext = security.issue_token(session, None, user, name, days)
    print(plaintext)


@leads_app.command("list")
@one_line_errors
def leads_list(
    as_user: AsUser = None,
    state: Annotated[str | None, typer.Option(help="open, qualified, disqualified")] = None,
    mine: Annotated[bool, typer.Option(help="only leads I own")] = False,
    q: Annotated[str | None, typer.Option(help="text search")] = None,
    sort: Annotated[str, typer.Option(help="e.g. -created_at")] = "-created_at",
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """List leads you may see."""
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        filters = {"state": state, "owner_id": actor.user_id if mine else None}
        page = lead_queries.list_leads(
            session, actor, filters=filters, q=q, sort=sort, cursor=None, limit=limit
        )
        table = Table("id", "topic", "name", "company", "state", "status", "created (UTC)")
        for lead in page.items:
            table.add_row(
                str(lead.id),
                lead.topic,
                lead.full_name,
                lead.company_name or "",
                lead.state,
                lead.status,
                lead.created_at.strftime("%Y-%m-%d %H:%M"),
            )
        out.print(table)
        total = (
            f"{page.count}{'' if page.count_is_exact else '+'}" if page.count is not None else "?"
        )
        out.print(f"{len(page.items)} shown of {total}")


@leads_app.command("qualify")
@one_line_errors
def leads_qualify(
    lead_id: uuid.UUID,
    as_user: AsUser = None,
    no_account: Annotated[
        bool, typer.Option("--no-account", help="do not create an account")
    ] = False,
    no_contact: Annotated[
        bool, typer.Option("--no-contact", help="do not create a contact")
    ] = False,
    no_opportunity: Annotated[
        bool, typer.Option("--no-opportunity", help="do not create an opportunity")
    ] = False,
    account: Annotated[uuid.UUID | None, typer.Option(help="use this existing account")] = None,
    contact: Annotated[uuid.UUID | None, typer.Option(help="use this existing contact")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO currency of the opportunity")] = None,
) -> None:
    """Qualify a lead into account + contact + opportunity (one transaction)."""
    request = QualifyRequest(
        create_account=not no_account and account is None,
        create_contact=not no_contact and contact is None,
        create_opportunity=not no_opportunity,
        existing_account_id=account,
        existing_contact_id=contact,
        currency=currency,
    )
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        done = qualify(session, actor, lead_id, request)
        out.print(f"lead {done.lead.id} qualified")
        for label, record in (
            ("account", done.account),
            ("contact", done.contact),
            ("opportunity", done.opportunity),
        ):
            if record is not None:
                out.print(f"  {label}: {record.id}")


@leads_app.command("disqualify")
@one_line_errors
def leads_disqualify(
    lead_id: uuid.UUID,
    as_user: AsUser = None,
    status: Annotated[
        str, typer.Option(help="lost, cannot_contact, no_longer_interested, canceled")
    ] = "lost",
    reason: Annotated[str | None, typer.Option(help="why")] = None,
) -> None:
    """Disqualify an open lead."""
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        lead = lead_service.disqualify(
            session, actor, lead_id, DisqualifyRequest(status=status, reason=reason)
        )
        out.print(f"lead {lead.id} disqualified ({lead.status})")


def main() -> None:
    app()
