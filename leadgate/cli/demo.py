"""Deterministic, realistic demo data, written through the domain services (so it is
validated and audited like anything a user enters).

260 leads in every state (160 of them closed, with an outcome a model can
learn: `demo_leads`), about 90 accounts, 150 contacts, 110 opportunities (open,
won, lost), activities and notes, owned by a small sales team; and a published
lead scoring model that has scored the open leads (`demo_scoring`).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadgate.accounts.models import Account
from leadgate.accounts.schemas import AccountCreate
from leadgate.accounts.service import create_account
from leadgate.activities.models import Activity, Note
from leadgate.activities.schemas import ActivityAction, ActivityCreate, NoteCreate
from leadgate.activities.service import create_activity, create_note, transition_activity
from leadgate.cli.demo_leads import plan_leads
from leadgate.cli.demo_scoring import score_demo_leads
from leadgate.contacts.models import Contact
from leadgate.contacts.schemas import ContactCreate
from leadgate.contacts.service import create_contact
from leadgate.core.picklists import PurchaseProcess, Rating
from leadgate.leads.models import Lead
from leadgate.leads.schemas import DisqualifyRequest, LeadCreate
from leadgate.leads.service import create_lead, disqualify, mark_contacted
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.qualification import qualify
from leadgate.opportunities.schemas import (
    LoseRequest,
    OpportunityCreate,
    QualifyRequest,
    WinRequest,
)
from leadgate.opportunities.service import create_opportunity, lose, win
from leadgate.security.access import Actor
from leadgate.security.models import User
from leadgate.security.roles import Role
from leadgate.security.schemas import UserCreate
from leadgate.security.service import actor_for_user, create_user

DEMO_PASSWORD = "leadgate-demo"  # noqa: S105 - printed to the developer by `make run`

FIRST = [
    "Anna",
    "Ben",
    "Chloé",
    "David",
    "Elif",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoë",
]
LAST = [
    "Andersen",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hansen",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Müller",
    "Nakamura",
    "O'Brien",
    "Patel",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Urban",
    "Vogel",
    "Weber",
    "Xu",
    "Yamamoto",
    "Zhang",
]
COMPANY_A = [
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Litware",
    "Adatum",
    "Proseware",
    "Wingtip",
    "Woodgrove",
    "Alpine",
    "Blue Yonder",
    "Coho",
    "Humongous",
    "Lucerne",
    "Margie's",
    "Trey",
    "Wide World",
    "Fourth Coffee",
    "Graphic Design",
    "School of Fine",
]
COMPANY_B = [
    "Traders",
    "Systems",
    "Logistics",
    "Analytics",
    "Foods",
    "Airlines",
    "Bank",
    "Insurance",
    "Energy",
    "Media",
    "Robotics",
    "Health",
    "Retail",
    "Labs",
]
SUFFIX = ["Inc.", "Ltd", "GmbH", "LLC", "S.A.", "AG", ""]
INDUSTRIES = [
    "software",
    "manufacturing",
    "retail",
    "financial_services",
    "healthcare",
    "logistics",
    "education",
    "energy",
    "media",
    "consulting",
]
COUNTRIES = [
    ("US", "Seattle"),
    ("GB", "London"),
    ("DE", "Berlin"),
    ("FR", "Lyon"),
    ("NL", "Utrecht"),
    ("US", "Austin"),
    ("DE", "Munich"),
    ("ES", "Madrid"),
]
TOPICS = [
    "CRM rollout for {}",
    "Renewal of support contract",
    "{} wants 50 seats",
    "Pilot project at {}",
    "Data migration services",
    "Upgrade to enterprise plan",
    "Trade show follow-up: {}",
    "Integration with ERP",
    "Training for the {} sales team",
]


def _phone(rng: random.Random, country: str) -> str:
    prefix = {
        "US": "+1 206",
        "GB": "+44 20",
        "DE": "+49 30",
        "FR": "+33 4",
        "NL": "+31 30",
        "ES": "+34 91",
    }[country]
    return f"{prefix} {rng.randint(200, 999)} {rng.randint(1000, 9999)}"


def _users(session: Session) -> dict[str, User]:
    team = [
        ("admin@leadgate.example", "Ada Admin", Role.SYSTEM_ADMINISTRATOR),
        ("manager@leadgate.example", "Max Manager", Role.SALES_MANAGER),
        ("sam@leadgate.example", "Sam Seller", Role.SALESPERSON),
        ("sara@leadgate.example", "Sara Seller", Role.SALESPERSON),
        ("viewer@leadgate.example", "Vic Viewer", Role.READ_ONLY),
    ]
    users: dict[str, User] = {}
    for email, name, role in team:
        users[email] = create_user(
            session,
            None,
            UserCreate(email=email, full_name=name, role=role, password=DEMO_PASSWORD),
        )
    return users


@dataclass(frozen=True)
class DemoLoaded:
    """What `load_demo` wrote: record counts, and what came of the demo's scoring model."""

    counts: str
    scoring: str


def load_demo(session: Session, seed: int = 2026) -> DemoLoaded | None:
    """Load the demo set unless users exist (None then)."""
    if session.scalar(select(User.id).limit(1)) is not None:
        return None
    rng = random.Random(seed)
    users = _users(session)
    admin = actor_for_user(users["admin@leadgate.example"], "cli")
    sellers: list[Actor] = [
        actor_for_user(users[e], "cli")
        for e in ("sam@leadgate.example", "sara@leadgate.example", "manager@leadgate.example")
    ]
    now = datetime.now(UTC)
    today = date.today()

    accounts = []
    for i in range(45):
        country, city = rng.choice(COUNTRIES)
        name = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(SUFFIX)}".strip()
        owner = rng.choice(sellers)
        accounts.append(
            create_account(
                session,
                owner,
                AccountCreate(
                    name=f"{name}" if i < 20 else f"{name} {i}",
                    relationship_type=rng.choice(["prospect", "prospect", "customer", "partner"]),
                    industry=rng.choice(INDUSTRIES),
                    annual_revenue=Decimal(rng.randint(1, 500) * 100_000),
                    employee_count=rng.randint(5, 5000),
                    phone=_phone(rng, country),
                    city=city,
                    country=country,
                    website=f"https://www.example{i}.com",
                    email=f"info@example{i}.com",
                ),
                created_at=now - timedelta(days=rng.randint(30, 400)),
            )
        )

    contacts = []
    for i in range(72):
        account = accounts[i % len(accounts)]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        owner = rng.choice(sellers)
        contacts.append(
            create_contact(
                session,
                owner,
                ContactCreate(
                    first_name=first,
                    last_name=last,
                    account_id=account.id,
                    job_title=rng.choice(
                        ["CEO", "CTO", "Head of Sales", "Buyer", "IT Manager", "CFO"]
                    ),
                    email=f"{first.lower()}.{i}@example{i % 45}.com".replace("é", "e").replace(
                        "ë", "e"
                    ),
                    phone=_phone(rng, account.country or "US"),
                    country=account.country,
                    city=account.city,
                ),
            )
        )

    opportunities = []
    for _ in range(30):
        account = rng.choice(accounts)
        owner = rng.choice(sellers)
        opportunities.append(
            create_opportunity(
                session,
                owner,
                OpportunityCreate(
                    name=rng.choice(TOPICS).format(account.name),
                    account_id=account.id,
                    estimated_value=Decimal(rng.randint(5, 400) * 500),
                    probability=rng.choice([10, 25, 50, 75, 90]),
                    estimated_close_date=today + timedelta(days=rng.randint(-30, 180)),
                    rating=rng.choice(list(Rating)),
                    sales_stage=rng.choice(["qualify", "develop", "propose", "close"]),
                ),
                created_at=now - timedelta(days=rng.randint(1, 200)),
            )
        )

    plans = plan_leads(seed)
    leads: list[Lead] = []
    activities_of: dict[uuid.UUID, int] = {}
    for i, plan in enumerate(plans):
        country, city = rng.choice(COUNTRIES)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(SUFFIX)}".strip()
        owner = rng.choice(sellers)
        lead = create_lead(
            session,
            owner,
            LeadCreate(
                topic=rng.choice(TOPICS).format(company),
                first_name=first,
                last_name=last,
                company_name=company if plan.has_company else None,
                email=f"{first.lower()}.{last.lower()}{i}@{plan.email_domain}".replace("é", "e")
                .replace("ë", "e")
                .replace("ü", "u")
                .replace("í", "i")
                .replace("'", ""),
                phone=_phone(rng, country),
                city=city,
                country=country,
                rating=rng.choice(list(Rating)),
                industry=rng.choice(INDUSTRIES),
                estimated_value=Decimal(rng.randint(1, 200) * 250),
                estimated_close_date=today + timedelta(days=rng.randint(10, 200)),
                purchase_process=rng.choice(list(PurchaseProcess)),
                budget_amount=Decimal(rng.randint(1, 100) * 1000),
                **plan.fields,
            ),
            created_at=now - plan.age,
        )
        leads.append(lead)
        activities_of[lead.id] = plan.activities

    # Lifecycle: qualified (new or existing customers), disqualified, contacted.
    for i, (lead, plan) in enumerate(zip(leads, plans, strict=True)):
        owner = next(s for s in sellers if s.user_id == lead.owner_id)
        if plan.fate == "qualified":
            if lead.company_name is None or i % 3 == 0:
                request = QualifyRequest(
                    create_account=False, existing_account_id=rng.choice(accounts).id
                )
            else:
                request = QualifyRequest()
            done = qualify(session, owner, lead.id, request)
            if done.opportunity is not None:
                opportunities.append(done.opportunity)
        elif plan.fate == "disqualified":
            disqualify(
                session,
                owner,
                lead.id,
                DisqualifyRequest(
                    status=rng.choice(
                        ["lost", "cannot_contact", "no_longer_interested", "canceled"]
                    ),
                    reason=rng.choice(
                        ["no budget", "chose a competitor", "wrong contact data", None]
                    ),
                ),
            )
        elif plan.fate == "contacted":
            mark_contacted(session, owner, lead.id)

    for opportunity in opportunities[:12]:
        owner = next(s for s in sellers if s.user_id == opportunity.owner_id)
        win(session, owner, opportunity.id, WinRequest(description="signed"))
    for opportunity in opportunities[12:22]:
        owner = next(s for s in sellers if s.user_id == opportunity.owner_id)
        lose(
            session,
            owner,
            opportunity.id,
            LoseRequest(
                status=rng.choice(["canceled", "out_sold"]),
                reason=rng.choice(["price", "timing", "features"]),
            ),
        )

    kinds = ["phone_call", "email", "task", "appointment"]
    activity_count = note_count = 0
    targets = [("lead", lead) for lead in leads] + [("opportunity", o) for o in opportunities]
    for record_type, record in targets:
        owner = next(s for s in sellers if s.user_id == record.owner_id)
        # Promising leads get worked more: their activity count is part of the signal.
        planned = activities_of.get(record.id)
        for _ in range(rng.randint(0, 2) if planned is None else planned):
            kind = rng.choice(kinds)
            starts = now + timedelta(days=rng.randint(-20, 20), hours=rng.randint(0, 8))
            activity = create_activity(
                session,
                owner,
                ActivityCreate(
                    type=kind,
                    subject=rng.choice(
                        [
                            "Intro call",
                            "Send proposal",
                            "Demo",
                            "Follow up",
                            "Pricing questions",
                            "Check budget",
                        ]
                    ),
                    regarding_type=record_type,
                    regarding_id=record.id,
                    due_at=starts,
                    starts_at=starts if kind == "appointment" else None,
                    ends_at=starts + timedelta(hours=1) if kind == "appointment" else None,
                    direction=rng.choice(["incoming", "outgoing"])
                    if kind in ("phone_call", "email")
                    else None,
                    priority=rng.choice(["low", "normal", "high"]),
                ),
            )
            activity_count += 1
            if starts < now and rng.random() < 0.6:
                transition_activity(
                    session,
                    owner,
                    activity.id,
                    "complete",
                    ActivityAction(duration_minutes=rng.randint(5, 60)),
                )
        if rng.random() < 0.5:
            create_note(
                session,
                owner,
                NoteCreate(
                    regarding_type=record_type,
                    regarding_id=record.id,
                    text=rng.choice(
                        [
                            "Budget confirmed for Q3.",
                            "Wants a reference customer.",
                            "Decision by the board next month.",
                            "Asked for a discount.",
                            "Prefers email over calls.",
                        ]
                    ),
                ),
            )
            note_count += 1

    scoring = score_demo_leads(session, admin)
    counted = {
        label: session.scalar(select(func.count()).select_from(model)) or 0
        for label, model in (
            ("users", User),
            ("accounts", Account),
            ("contacts", Contact),
            ("leads", Lead),
            ("opportunities", Opportunity),
            ("activities", Activity),
            ("notes", Note),
        )
    }
    return DemoLoaded(", ".join(f"{n} {label}" for label, n in counted.items()), scoring)
