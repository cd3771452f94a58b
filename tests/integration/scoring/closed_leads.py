"""Closed leads with a known signal, built through the lead services, a model trained on
them and published, and open leads for it to score.

Partners and employee referrals mostly qualify, web leads mostly do not;
nothing else carries signal.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy.orm import Session

from leadgate.core.clock import utcnow
from leadgate.leads import service
from leadgate.leads.models import Lead
from leadgate.leads.schemas import DisqualifyRequest, LeadCreate
from leadgate.scoring import service as scoring
from leadgate.scoring.models import ScoringModel
from leadgate.scoring.schemas import ScoringModelCreate
from leadgate.security.access import Actor

WIN_RATE = {"partner": 0.85, "employee_referral": 0.7, "web": 0.12, "trade_show": 0.4}


def seed_closed(
    session: Session,
    actor: Actor,
    n: int = 200,
    *,
    qualified: int | None = None,
    disqualified: int | None = None,
    seed: int = 5,
) -> list[Lead]:
    """`n` closed leads drawn from WIN_RATE, or exact class counts when given."""
    rng = random.Random(seed)
    plan: list[tuple[str, bool]] = []
    if qualified is not None and disqualified is not None:
        plan = [("partner", True)] * qualified + [("web", False)] * disqualified
    else:
        for _ in range(n):
            source = rng.choice(list(WIN_RATE))
            plan.append((source, rng.random() < WIN_RATE[source]))
    now = utcnow()
    leads = []
    for i, (source, won) in enumerate(plan):
        lead = service.create_lead(
            session,
            actor,
            LeadCreate(
                topic=f"Closed lead {i}",
                last_name=f"Closed{i}",
                lead_source=source,
                email=f"p{i}@{rng.choice(['gmail.com', 'contoso.com'])}",
                industry=rng.choice(["Retail", "Banking", None]),
            ),
        )
        # Spread over the last year, in plan order, so "newest 20 %" is well defined.
        lead.created_at = now - timedelta(days=365 - i * 300 / max(len(plan), 1))
        if won:
            service.close_as_qualified(session, actor, lead, None)
        else:
            service.disqualify(session, actor, lead.id, DisqualifyRequest())
        leads.append(lead)
    session.flush()
    return leads


FIELDS = ["lead_source", "industry", "email_domain_kind", "completeness", "activity_count"]


SOURCES = ["partner", "web", "trade_show", "employee_referral"]


def published_model(db: Session, actor: Actor, name: str = "All") -> ScoringModel:
    seed_closed(db, actor, 200)
    model = scoring.create_model(db, actor, ScoringModelCreate(name=name, fields=FIELDS))
    scoring.publish(db, actor, scoring.train(db, actor, model.id).id)
    return model


def open_leads(db: Session, actor: Actor, n: int) -> list[Lead]:
    return [
        service.create_lead(
            db,
            actor,
            LeadCreate(
                topic=f"Open {i}",
                last_name=f"Open{i}",
                lead_source=SOURCES[i % 4],
                email=f"o{i}@{'gmail.com' if i % 3 else 'contoso.com'}",
                industry=["Retail", "Banking", None][i % 3],
                phone="+1 415 555 0100" if i % 2 else None,
            ),
        )
        for i in range(n)
    ]
