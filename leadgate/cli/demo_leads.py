"""What makes a demo lead promising or weak: a signal the demo's scoring model can learn.

Each demo lead is drawn from one of two profiles. A promising lead was referred
(by an employee, a customer or a partner) or came through the web site, has a
budget, buys soon, is the decision maker, writes from a company address and
gets worked (more activities). A weak one answered an advertisement, has no
committed budget and no timeframe, and often writes from a free mailbox.
Closed leads take their outcome from their profile (promising → qualified,
weak → disqualified); open leads are a mix, so their scores spread from A to D.

The profiles overlap, as real leads do (a referral can go nowhere, an
advertisement can buy), so a model ranks them well without being perfect. A
profile does not depend on when the lead was created, so what a model learns
from the older closed leads holds for the newest ones it is tested on.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

from leadgate.core.picklists import BudgetStatus, LeadSource, Need, PurchaseTimeframe

T = TypeVar("T")

# How many leads end in each state. Closed leads are what the demo's scoring model
# learns from: comfortably above the 40 of each outcome training needs.
LEAD_FATES = {"qualified": 80, "disqualified": 80, "contacted": 40, "new": 60}
CLOSED = frozenset({"qualified", "disqualified"})
# Share of closed leads whose outcome is the one their profile suggests: the rest are
# the promising lead that chose a competitor and the weak one that bought anyway.
# Measured on 12 seeds: at 0.93 the held-out AUC is 0.81 to 0.94 (0.87 for the demo's
# seed); with no exceptions an unrealistic 0.99; at 0.85 one seed in three falls below
# the 0.7 publishing bar (32 test leads make the figure move a lot).
OUTCOME_FOLLOWS_PROFILE = 0.93
# Share of open leads drawn from the promising profile.
OPEN_PROMISING = 0.45
# Oldest and newest creation, in days before today: leads are closed some time after
# they came in, so closed leads are older than open ones on the whole.
AGE_DAYS = {"qualified": (365, 14), "disqualified": (365, 7), "contacted": (120, 2), "new": (30, 0)}

# Real free-mail domains, because that is what the "Email domain" signal recognises;
# Leadgate sends no e-mail, so these made-up addresses are never written to.
FREE_MAIL = ["gmail.com", "outlook.com", "yahoo.com", "gmx.de", "web.de", "hotmail.co.uk"]


@dataclass(frozen=True)
class Profile:
    """Weights of each answer (relative, need not sum to 1) and chances of yes/no facts."""

    sources: Mapping[LeadSource, float]
    budgets: Mapping[BudgetStatus | None, float]
    timeframes: Mapping[PurchaseTimeframe, float]
    needs: Mapping[Need, float]
    decision_maker: float
    free_mail: float
    job_title_known: float
    # How many activities (calls, e-mails, meetings) the lead gets, drawn uniformly.
    activities: tuple[int, ...]
    # Employees of the lead's company: log-uniform between these bounds.
    employees: tuple[int, int]


PROMISING = Profile(
    sources={
        LeadSource.EMPLOYEE_REFERRAL: 3,
        LeadSource.EXTERNAL_REFERRAL: 3,
        LeadSource.PARTNER: 3,
        LeadSource.WEB: 2.5,
        LeadSource.WORD_OF_MOUTH: 1.5,
        LeadSource.SEMINAR: 1,
        LeadSource.TRADE_SHOW: 1,
        LeadSource.PUBLIC_RELATIONS: 0.5,
        LeadSource.ADVERTISEMENT: 0.5,
        LeadSource.OTHER: 0.5,
    },
    budgets={
        BudgetStatus.WILL_BUY: 3,
        BudgetStatus.CAN_BUY: 3,
        BudgetStatus.MAY_BUY: 1.5,
        BudgetStatus.NO_COMMITTED_BUDGET: 0.7,
        None: 1,
    },
    timeframes={
        PurchaseTimeframe.IMMEDIATE: 2.5,
        PurchaseTimeframe.THIS_QUARTER: 3,
        PurchaseTimeframe.NEXT_QUARTER: 2,
        PurchaseTimeframe.THIS_YEAR: 1,
        PurchaseTimeframe.UNKNOWN: 0.7,
    },
    needs={Need.MUST_HAVE: 3, Need.SHOULD_HAVE: 2.5, Need.GOOD_TO_HAVE: 1.2, Need.NO_NEED: 0.3},
    decision_maker=0.6,
    free_mail=0.15,
    job_title_known=0.85,
    activities=(0, 1, 1, 2, 2, 3),
    employees=(20, 5000),
)
WEAK = Profile(
    sources={
        LeadSource.ADVERTISEMENT: 3,
        LeadSource.TRADE_SHOW: 2,
        LeadSource.OTHER: 2,
        LeadSource.PUBLIC_RELATIONS: 1.5,
        LeadSource.WEB: 1.5,
        LeadSource.SEMINAR: 1.2,
        LeadSource.WORD_OF_MOUTH: 1,
        LeadSource.PARTNER: 0.6,
        LeadSource.EXTERNAL_REFERRAL: 0.5,
        LeadSource.EMPLOYEE_REFERRAL: 0.4,
    },
    budgets={
        BudgetStatus.NO_COMMITTED_BUDGET: 3,
        BudgetStatus.MAY_BUY: 2,
        BudgetStatus.CAN_BUY: 1,
        BudgetStatus.WILL_BUY: 0.4,
        None: 2,
    },
    timeframes={
        PurchaseTimeframe.UNKNOWN: 3,
        PurchaseTimeframe.THIS_YEAR: 2.5,
        PurchaseTimeframe.NEXT_QUARTER: 1.5,
        PurchaseTimeframe.THIS_QUARTER: 1,
        PurchaseTimeframe.IMMEDIATE: 0.5,
    },
    needs={Need.GOOD_TO_HAVE: 2.5, Need.NO_NEED: 1.5, Need.SHOULD_HAVE: 1.5, Need.MUST_HAVE: 1},
    decision_maker=0.25,
    free_mail=0.5,
    job_title_known=0.55,
    activities=(0, 0, 0, 1, 1, 2),
    employees=(1, 800),
)


@dataclass(frozen=True)
class LeadPlan:
    """One demo lead's fate and everything about it that carries the signal."""

    fate: str
    has_company: bool
    fields: dict[str, Any]
    email_domain: str
    age: timedelta
    activities: int


def plan_leads(seed: int) -> list[LeadPlan]:
    """The demo's leads in creation order, from their own random stream: other demo data
    may change without changing what the scoring model learns and how well it ranks."""
    # Not the demo's main stream: the same seed would replay the same numbers.
    rng = random.Random(f"leads-{seed}")
    fates = [fate for fate, n in LEAD_FATES.items() for _ in range(n)]
    # Shuffled, so closed and open leads interleave in creation order.
    rng.shuffle(fates)
    plans = []
    for i, fate in enumerate(fates):
        if fate in CLOSED:
            promising = (fate == "qualified") == (rng.random() < OUTCOME_FOLLOWS_PROFILE)
        else:
            promising = rng.random() < OPEN_PROMISING
        profile = PROMISING if promising else WEAK
        has_company = bool(i % 7)
        oldest, newest = AGE_DAYS[fate]
        plans.append(
            LeadPlan(
                fate=fate,
                has_company=has_company,
                fields=_profile_fields(rng, profile, has_company),
                email_domain=_email_domain(rng, profile, i),
                age=timedelta(days=rng.randint(newest, oldest), minutes=rng.randint(0, 1440)),
                activities=rng.choice(profile.activities),
            )
        )
    return plans


def _pick(rng: random.Random, weights: Mapping[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _profile_fields(rng: random.Random, profile: Profile, has_company: bool) -> dict[str, Any]:
    """The LeadCreate fields a profile decides (the rest of a demo lead is plain noise)."""
    fields: dict[str, Any] = {
        "lead_source": _pick(rng, profile.sources),
        "budget_status": _pick(rng, profile.budgets),
        "purchase_timeframe": _pick(rng, profile.timeframes),
        "need": _pick(rng, profile.needs),
        "decision_maker": rng.random() < profile.decision_maker,
        "job_title": (
            rng.choice(["Owner", "Manager", "Director", "Head of IT", "Buyer"])
            if rng.random() < profile.job_title_known
            else None
        ),
    }
    if has_company:
        low, high = profile.employees
        employees = round(low * (high / low) ** rng.random())
        fields["employee_count"] = employees
        # Revenue per employee varies by trade: 60,000 to 250,000 a head.
        fields["annual_revenue"] = Decimal(employees * rng.randint(60, 250) * 1000)
    return fields


def _email_domain(rng: random.Random, profile: Profile, i: int) -> str:
    if rng.random() < profile.free_mail:
        return rng.choice(FREE_MAIL)
    return f"mail{i % 13}.example.com"
