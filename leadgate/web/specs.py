"""What the pages show of each record: list columns, filter chips, saved views, form inputs.

Presentation only: reads go through each domain's `queries`, writes through
its `service`, validation through its input schemas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from leadgate.accounts import queries as account_queries
from leadgate.accounts import service as account_service
from leadgate.accounts.models import Account
from leadgate.accounts.schemas import AccountCreate, AccountUpdate
from leadgate.activities import queries as activity_queries
from leadgate.activities.models import Activity
from leadgate.activities.states import ActivityState
from leadgate.contacts import queries as contact_queries
from leadgate.contacts import service as contact_service
from leadgate.contacts.models import Contact
from leadgate.contacts.schemas import ContactCreate, ContactUpdate
from leadgate.core.picklists import (
    BudgetStatus,
    ForecastCategory,
    LeadSource,
    Need,
    PurchaseProcess,
    PurchaseTimeframe,
    Rating,
    RelationshipType,
)
from leadgate.db.base import Base
from leadgate.leads import queries as lead_queries
from leadgate.leads import service as lead_service
from leadgate.leads.models import Lead
from leadgate.leads.schemas import LeadCreate, LeadUpdate
from leadgate.leads.states import LeadState
from leadgate.opportunities import queries as opportunity_queries
from leadgate.opportunities import service as opportunity_service
from leadgate.opportunities.models import Opportunity
from leadgate.opportunities.schemas import OpportunityCreate, OpportunityUpdate
from leadgate.opportunities.states import OpportunityState
from leadgate.web.forms import Input, choices

STAGES = ("qualify", "develop", "propose", "close")
ME = "me"  # stands for the signed-in user's id in a saved view


@dataclass(frozen=True)
class Column:
    attr: str
    header: str
    kind: str = "text"  # title, text, code, money, date, datetime, owner, ref
    sort: str | None = None


@dataclass(frozen=True)
class Chip:
    param: str
    label: str
    options: Sequence[str]


@dataclass(frozen=True)
class View:
    key: str
    label: str
    filters: dict[str, str]
    sort: str | None = None  # the view's order when the user has not chosen one


@dataclass(frozen=True)
class Spec:
    key: str
    label: str
    plural: str
    path: str
    model: type[Base]
    lister: Callable[..., Any]
    columns: Sequence[Column]
    chips: Sequence[Chip] = ()
    views: Sequence[View] = ()
    inputs: Sequence[Input] = ()
    create_schema: type[BaseModel] | None = None
    update_schema: type[BaseModel] | None = None
    creator: Callable[..., Any] | None = None
    updater: Callable[..., Any] | None = None
    deleter: Callable[..., Any] | None = None
    bulk: Sequence[str] = ()
    default_sort: str = "-created_at"
    title: Callable[[Any], str] = field(default=lambda r: str(r.id))

    def url(self, record: Any) -> str:
        return f"{self.path}/{record.id}"

    def closed(self, record: Any) -> bool:
        state = getattr(record, "state", None)
        return state is not None and state not in ("open", "scheduled")


_ADDRESS = (
    Input("street", "Street", wide=True),
    Input("city", "City"),
    Input("state_or_province", "State or province"),
    Input("postal_code", "Postal code"),
    Input("country", "Country"),
)

LEAD_INPUTS = (
    Input("topic", "Topic", required=True, wide=True),
    Input("first_name", "First name"),
    Input("last_name", "Last name"),
    Input("company_name", "Company"),
    Input("job_title", "Job title"),
    Input("email", "Email", "email"),
    Input("phone", "Phone", "tel"),
    Input("mobile_phone", "Mobile phone", "tel"),
    Input("website", "Website", "url"),
    Input("lead_source", "Lead source", "select", choices(list(LeadSource))),
    Input("rating", "Rating", "select", choices(list(Rating))),
    Input("industry", "Industry"),
    Input("estimated_value", "Estimated value", "number"),
    Input("currency", "Currency", hint="ISO code, e.g. USD"),
    Input("estimated_close_date", "Estimated close date", "date"),
    Input("budget_amount", "Budget", "number"),
    Input("budget_status", "Budget status", "select", choices(list(BudgetStatus))),
    Input("purchase_timeframe", "Timeframe", "select", choices(list(PurchaseTimeframe))),
    Input("purchase_process", "Purchase process", "select", choices(list(PurchaseProcess))),
    Input("need", "Need", "select", choices(list(Need))),
    *_ADDRESS,
    Input("description", "Description", "textarea", wide=True),
    Input("do_not_email", "Do not email", "checkbox"),
    Input("do_not_phone", "Do not phone", "checkbox"),
)

ACCOUNT_INPUTS = (
    Input("name", "Account name", required=True, wide=True),
    Input("account_number", "Account number"),
    Input(
        "relationship_type", "Relationship", "select", choices(list(RelationshipType), blank=False)
    ),
    Input("industry", "Industry"),
    Input("email", "Email", "email"),
    Input("phone", "Phone", "tel"),
    Input("website", "Website", "url"),
    Input("annual_revenue", "Annual revenue", "number"),
    Input("employee_count", "Employees", "number"),
    Input("currency", "Currency", hint="ISO code, e.g. USD"),
    *_ADDRESS,
    Input("description", "Description", "textarea", wide=True),
)

CONTACT_INPUTS = (
    Input("first_name", "First name"),
    Input("last_name", "Last name", hint="a first or a last name is required"),
    Input("job_title", "Job title"),
    Input("account_id", "Account", "account"),
    Input("email", "Email", "email"),
    Input("phone", "Phone", "tel"),
    Input("mobile_phone", "Mobile phone", "tel"),
    *_ADDRESS,
    Input("description", "Description", "textarea", wide=True),
    Input("do_not_email", "Do not email", "checkbox"),
    Input("do_not_phone", "Do not phone", "checkbox"),
)

OPPORTUNITY_INPUTS = (
    Input("name", "Topic", required=True, wide=True),
    Input("account_id", "Customer account", "account", hint="an account or a contact"),
    Input("customer_contact_id", "Customer contact", "contact"),
    Input("contact_id", "Contact person", "contact"),
    Input("estimated_value", "Estimated value", "number"),
    Input("currency", "Currency", hint="ISO code, e.g. USD"),
    Input("estimated_close_date", "Estimated close date", "date"),
    Input("probability", "Probability (%)", "number"),
    Input("rating", "Rating", "select", choices(list(Rating))),
    Input("sales_stage", "Sales stage", "select", choices(STAGES, blank=False)),
    Input(
        "forecast_category",
        "Forecast category",
        "select",
        choices([c for c in ForecastCategory if c not in ("won", "lost")], blank=False),
    ),
    Input("customer_need", "Customer need", "textarea", wide=True),
    Input("proposed_solution", "Proposed solution", "textarea", wide=True),
    Input("description", "Description", "textarea", wide=True),
)


def _lead_title(lead: Lead) -> str:
    return lead.topic


SPECS: dict[str, Spec] = {
    "lead": Spec(
        key="lead",
        label="Lead",
        plural="Leads",
        path="/leads",
        model=Lead,
        lister=lead_queries.list_leads,
        columns=(
            Column("topic", "Topic", "title", "topic"),
            Column("full_name", "Name", "text", "last_name"),
            Column("company_name", "Company", "text", "company_name"),
            Column("rating", "Rating", "code"),
            Column("score", "Score", "score", "score"),
            Column("lead_source", "Source", "code"),
            Column("status", "Status", "code"),
            Column("estimated_value", "Est. value", "money", "estimated_value"),
            Column("owner_id", "Owner", "owner"),
            Column("created_at", "Created", "datetime", "created_at"),
        ),
        chips=(
            Chip("state", "State", list(LeadState)),
            Chip("rating", "Rating", list(Rating)),
            Chip("lead_source", "Source", list(LeadSource)),
        ),
        views=(
            View("my_open", "My open leads", {"owner_id": ME, "state": "open"}),
            View(
                "my_open_scored",
                "My open leads scored",
                {"owner_id": ME, "state": "open"},
                sort="-score",
            ),
            View("open", "All open leads", {"state": "open"}),
            View("all", "All leads", {}),
        ),
        inputs=LEAD_INPUTS,
        create_schema=LeadCreate,
        update_schema=LeadUpdate,
        creator=lead_service.create_lead,
        updater=lead_service.update_lead,
        deleter=lead_service.delete_lead,
        bulk=("assign", "disqualify", "delete"),
        title=_lead_title,
    ),
    "account": Spec(
        key="account",
        label="Account",
        plural="Accounts",
        path="/accounts",
        model=Account,
        lister=account_queries.list_accounts,
        columns=(
            Column("name", "Account name", "title", "name"),
            Column("relationship_type", "Relationship", "code"),
            Column("industry", "Industry"),
            Column("city", "City"),
            Column("phone", "Phone"),
            Column("owner_id", "Owner", "owner"),
            Column("created_at", "Created", "datetime", "created_at"),
        ),
        chips=(Chip("relationship_type", "Relationship", list(RelationshipType)),),
        views=(
            View("mine", "My accounts", {"owner_id": ME}),
            View("all", "All accounts", {}),
        ),
        inputs=ACCOUNT_INPUTS,
        create_schema=AccountCreate,
        update_schema=AccountUpdate,
        creator=account_service.create_account,
        updater=account_service.update_account,
        deleter=account_service.delete_account,
        bulk=("assign", "delete"),
        default_sort="name",
        title=lambda a: a.name,
    ),
    "contact": Spec(
        key="contact",
        label="Contact",
        plural="Contacts",
        path="/contacts",
        model=Contact,
        lister=contact_queries.list_contacts,
        columns=(
            Column("full_name", "Name", "title", "last_name"),
            Column("job_title", "Job title"),
            Column("account_id", "Account", "ref"),
            Column("email", "Email"),
            Column("phone", "Phone"),
            Column("owner_id", "Owner", "owner"),
            Column("created_at", "Created", "datetime", "created_at"),
        ),
        views=(
            View("mine", "My contacts", {"owner_id": ME}),
            View("all", "All contacts", {}),
        ),
        inputs=CONTACT_INPUTS,
        create_schema=ContactCreate,
        update_schema=ContactUpdate,
        creator=contact_service.create_contact,
        updater=contact_service.update_contact,
        deleter=contact_service.delete_contact,
        bulk=("assign", "delete"),
        title=lambda c: c.full_name or "(no name)",
    ),
    "opportunity": Spec(
        key="opportunity",
        label="Opportunity",
        plural="Opportunities",
        path="/opportunities",
        model=Opportunity,
        lister=opportunity_queries.list_opportunities,
        columns=(
            Column("name", "Topic", "title", "name"),
            Column("account_id", "Account", "ref"),
            Column("sales_stage", "Stage", "code"),
            Column("status", "Status", "code"),
            Column("estimated_value", "Est. value", "money", "estimated_value"),
            Column("probability", "Prob. %", "text", "probability"),
            Column("estimated_close_date", "Close date", "date", "estimated_close_date"),
            Column("owner_id", "Owner", "owner"),
        ),
        chips=(
            Chip("state", "State", list(OpportunityState)),
            Chip("sales_stage", "Stage", STAGES),
        ),
        views=(
            View("my_open", "My open opportunities", {"owner_id": ME, "state": "open"}),
            View("open", "All open opportunities", {"state": "open"}),
            View("all", "All opportunities", {}),
        ),
        inputs=OPPORTUNITY_INPUTS,
        create_schema=OpportunityCreate,
        update_schema=OpportunityUpdate,
        creator=opportunity_service.create_opportunity,
        updater=opportunity_service.update_opportunity,
        deleter=opportunity_service.delete_opportunity,
        bulk=("assign", "delete"),
        title=lambda o: o.name,
    ),
    "activity": Spec(
        key="activity",
        label="Activity",
        plural="Activities",
        path="/activities",
        model=Activity,
        lister=activity_queries.list_activities,
        columns=(
            Column("subject", "Subject", "title", "subject"),
            Column("type", "Type", "code"),
            Column("state", "State", "code"),
            Column("priority", "Priority", "code"),
            Column("due_at", "Due", "datetime", "due_at"),
            Column("regarding_type", "Regarding", "regarding"),
            Column("owner_id", "Owner", "owner"),
        ),
        chips=(
            Chip("state", "State", list(ActivityState)),
            Chip("type", "Type", ("phone_call", "task", "email", "appointment")),
        ),
        views=(
            View("my_open", "My open activities", {"owner_id": ME, "state": "open"}),
            View("all", "All activities", {}),
        ),
        default_sort="-created_at",
        title=lambda a: a.subject,
    ),
}

BY_PATH = {spec.path.strip("/"): spec for spec in SPECS.values()}
