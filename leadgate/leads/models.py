"""The lead record."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from leadgate.accounts.models import Address
from leadgate.db.base import Base, Owned, SoftDeleted, Tracked
from leadgate.leads.scores import expand
from leadgate.leads.states import LeadState

_LIVE = text("deleted_at IS NULL")


class Lead(Tracked, Owned, SoftDeleted, Address, Base):
    __tablename__ = "leads"
    __table_args__ = (
        # "My open leads, newest first" at a million rows: filter and sort in one index.
        # Lists only ever show live rows, so the index leaves deleted ones out and the
        # capped count of a first page needs no table lookups.
        Index(
            "ix_leads_owner_state_created",
            "owner_id",
            "state",
            "created_at",
            "id",
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
        Index(
            "ix_leads_state_created",
            "state",
            "created_at",
            "id",
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
        Index("ix_leads_email_key", "email_key"),
        Index("ix_leads_phone_key", "phone_key"),
        Index("ix_leads_company_key", "company_key"),
        Index("ix_leads_vendor_key", "list_vendor", "external_key"),
    )
    RECORD_TYPE = "lead"

    topic: Mapped[str] = mapped_column(String(300))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    company_name: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    email2: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    mobile_phone: Mapped[str | None] = mapped_column(String(50))
    website: Mapped[str | None] = mapped_column(String(400))
    lead_source: Mapped[str | None] = mapped_column(String(30))
    rating: Mapped[str | None] = mapped_column(String(10))
    industry: Mapped[str | None] = mapped_column(String(100))
    annual_revenue: Mapped[Decimal | None] = mapped_column()
    employee_count: Mapped[int | None] = mapped_column()
    budget_amount: Mapped[Decimal | None] = mapped_column()
    budget_status: Mapped[str | None] = mapped_column(String(30))
    purchase_timeframe: Mapped[str | None] = mapped_column(String(20))
    purchase_process: Mapped[str | None] = mapped_column(String(20))
    decision_maker: Mapped[bool | None] = mapped_column()
    need: Mapped[str | None] = mapped_column(String(20))
    estimated_value: Mapped[Decimal | None] = mapped_column()
    estimated_close_date: Mapped[date | None] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    description: Mapped[str | None] = mapped_column(Text)
    existing_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id"), index=True
    )
    existing_contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id"), index=True
    )
    # Campaigns come with a later issue; until then a plain id.
    campaign_id: Mapped[uuid.UUID | None] = mapped_column()
    campaign_response_id: Mapped[uuid.UUID | None] = mapped_column()
    external_key: Mapped[str | None] = mapped_column(String(100))
    list_vendor: Mapped[str | None] = mapped_column(String(100))
    do_not_email: Mapped[bool] = mapped_column(default=False)
    do_not_phone: Mapped[bool] = mapped_column(default=False)
    do_not_bulk_email: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(16), default=LeadState.OPEN.value)
    status: Mapped[str] = mapped_column(String(32), default="new")
    status_reason: Mapped[str | None] = mapped_column(String(500))
    # Opportunities build on leads: a key with a deferred constraint, not an import.
    qualifying_opportunity_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("opportunities.id", use_alter=True), index=True
    )
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("leads.id"), index=True)
    email_key: Mapped[str | None] = mapped_column(String(254))
    phone_key: Mapped[str | None] = mapped_column(String(50))
    company_key: Mapped[str | None] = mapped_column(String(200))

    # The lead's predictive score (LeadScore), loaded with the lead in the same SELECT.
    # Written only by scoring, with its own statements: read-only for the ORM.
    score_row: Mapped[LeadScore | None] = relationship(lazy="joined", viewonly=True)

    # Derived fields: the lead API, lists, pages and process steps read them as before.
    DERIVED_FIELDS: ClassVar[tuple[str, ...]] = ("score", "grade", "score_trend", "score_reasons")

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def score(self) -> int | None:
        return None if self.score_row is None else self.score_row.score

    @property
    def grade(self) -> str | None:
        return None if self.score_row is None else self.score_row.grade

    @property
    def score_trend(self) -> str | None:
        return None if self.score_row is None else self.score_row.score_trend

    @property
    def score_reasons(self) -> dict[str, Any] | None:
        row = self.score_row
        return None if row is None else expand(row.score_reasons, row.fingerprint)


@event.listens_for(Lead, "init")
def _new_lead_is_unscored(target: Lead, _args: Any, _kwargs: Any) -> None:
    # A lead made in this process has no score row yet: say so, so that reading its
    # score after the INSERT costs no lazy SELECT (a save is scored at once).
    set_committed_value(target, "score_row", None)


class LeadScore(Base):
    """A lead's predictive score: derived data, one row per scored lead, none when unscored.

    Kept out of `leads` so that scoring writes a narrow row with two index entries
    (an INSERT for a first scoring) instead of rewriting the wide lead row and its
    twelve index entries (bench/RESULTS.md, "Predictive lead scoring"). Written only by
    `leadgate.scoring.writing`; never bumps the lead's version or writes an audit row.
    """

    __tablename__ = "lead_scores"
    __table_args__ = (
        # Lists sorted by score ("My open leads scored", sort=-score) join each candidate
        # lead to its score: this index answers that from the index alone (no read of the
        # wide row with its reasons). An index led by score cannot serve those lists: the
        # order is NULLS LAST over an outer join, ties broken by the lead's id.
        Index("ix_lead_scores_lead_id_score", "lead_id", "score"),
    )

    lead_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    # Declared nullable although scoring always writes one: lists outer-join this table,
    # where an unscored lead reads NULL, and the keyset paging must sort NULLs last.
    score: Mapped[int | None] = mapped_column(nullable=True)
    grade: Mapped[str | None] = mapped_column(String(1))
    score_trend: Mapped[str | None] = mapped_column(String(20))
    # Stored compact (leadgate.leads.scores); the lead's `score_reasons` reads them in full.
    score_reasons: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What the score was computed from (shown among the full reasons): a rescore
    # compares it without parsing the reasons.
    fingerprint: Mapped[str | None] = mapped_column(String(32))
