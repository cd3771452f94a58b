"""The opportunity, its close records, and the lead → record field mapping used by qualify."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.core.clock import utcnow
from leadgate.core.ids import new_id
from leadgate.core.picklists import ForecastCategory
from leadgate.db.base import Base, HasId, Owned, SoftDeleted, Tracked
from leadgate.opportunities.states import OpportunityState


class Opportunity(Tracked, Owned, SoftDeleted, Base):
    __tablename__ = "opportunities"
    __table_args__ = (
        Index("ix_opportunities_owner_state_created", "owner_id", "state", "created_at", "id"),
        Index("ix_opportunities_state_close", "state", "estimated_close_date"),
        Index("ix_opportunities_account", "account_id"),
        Index("ix_opportunities_customer_contact", "customer_contact_id"),
        Index("ix_opportunities_originating_lead", "originating_lead_id"),
        # The customer is exactly one of an account or a contact.
        CheckConstraint(
            "(account_id IS NULL) <> (customer_contact_id IS NULL)", name="one_customer"
        ),
        CheckConstraint("probability >= 0 AND probability <= 100", name="probability_range"),
    )
    RECORD_TYPE = "opportunity"

    name: Mapped[str] = mapped_column(String(300))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    customer_contact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contacts.id"))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    estimated_value: Mapped[Decimal | None] = mapped_column()
    estimated_close_date: Mapped[date | None] = mapped_column()
    probability: Mapped[int | None] = mapped_column()
    rating: Mapped[str | None] = mapped_column(String(10))
    forecast_category: Mapped[str] = mapped_column(
        String(20), default=ForecastCategory.PIPELINE.value
    )
    sales_stage: Mapped[str] = mapped_column(String(20), default="qualify")
    budget_amount: Mapped[Decimal | None] = mapped_column()
    purchase_timeframe: Mapped[str | None] = mapped_column(String(20))
    purchase_process: Mapped[str | None] = mapped_column(String(20))
    decision_maker: Mapped[bool | None] = mapped_column()
    need: Mapped[str | None] = mapped_column(String(20))
    current_situation: Mapped[str | None] = mapped_column(Text)
    customer_need: Mapped[str | None] = mapped_column(Text)
    proposed_solution: Mapped[str | None] = mapped_column(Text)
    # Steps of the Propose and Close stages of the sales process flows.
    proposal_presented: Mapped[bool | None] = mapped_column()
    final_proposal_presented: Mapped[bool | None] = mapped_column()
    final_decision_date: Mapped[date | None] = mapped_column()
    description: Mapped[str | None] = mapped_column(Text)
    price_list_id: Mapped[uuid.UUID | None] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    campaign_id: Mapped[uuid.UUID | None] = mapped_column()
    originating_lead_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("leads.id"))
    # Sum of the product lines once lines exist (quotes issue); None until then.
    total_amount: Mapped[Decimal | None] = mapped_column()
    actual_value: Mapped[Decimal | None] = mapped_column()
    actual_close_date: Mapped[date | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default=OpportunityState.OPEN.value)
    status: Mapped[str] = mapped_column(String(32), default="in_progress")


class OpportunityClose(HasId, Base):
    """What happened when an opportunity was won or lost (one row per close)."""

    __tablename__ = "opportunity_closes"
    RECORD_TYPE = "opportunity_close"

    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id"), index=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(8))  # won | lost
    status: Mapped[str] = mapped_column(String(32))
    actual_value: Mapped[Decimal | None] = mapped_column()
    actual_close_date: Mapped[date] = mapped_column()
    competitor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    closed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)


class QualifyMapping(Base):
    """One lead field copied into one field of a record that qualify creates.

    Data, not code: an administrator changes which lead field feeds which field.
    """

    __tablename__ = "qualify_mappings"
    __table_args__ = (UniqueConstraint("target_type", "target_field"),)
    RECORD_TYPE = "qualify_mapping"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    target_type: Mapped[str] = mapped_column(String(20))  # account | contact | opportunity
    source_field: Mapped[str] = mapped_column(String(60))
    target_field: Mapped[str] = mapped_column(String(60))
