"""The account record. `relationship_type` replaces leads for teams that skip them."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.core.picklists import RelationshipType
from leadgate.db.base import Base, Owned, SoftDeleted, Tracked


class Address:
    street: Mapped[str | None] = mapped_column(String(250))
    city: Mapped[str | None] = mapped_column(String(100))
    state_or_province: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(100))


class Account(Tracked, Owned, SoftDeleted, Address, Base):
    __tablename__ = "accounts"
    __table_args__ = (
        Index("ix_accounts_owner_created", "owner_id", "created_at", "id"),
        Index("ix_accounts_name_key", "name_key"),
        Index("ix_accounts_email_key", "email_key"),
        Index("ix_accounts_phone_key", "phone_key"),
    )
    RECORD_TYPE = "account"

    name: Mapped[str] = mapped_column(String(200))
    account_number: Mapped[str | None] = mapped_column(String(40))
    relationship_type: Mapped[str] = mapped_column(
        String(20), default=RelationshipType.PROSPECT.value, index=True
    )
    parent_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id"), index=True
    )
    # Points up to contacts, which build on accounts: a key, not an import.
    primary_contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", use_alter=True), index=True
    )
    industry: Mapped[str | None] = mapped_column(String(100))
    annual_revenue: Mapped[Decimal | None] = mapped_column()
    employee_count: Mapped[int | None] = mapped_column()
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    website: Mapped[str | None] = mapped_column(String(400))
    description: Mapped[str | None] = mapped_column(Text)
    originating_lead_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("leads.id", use_alter=True), index=True
    )
    price_list_id: Mapped[uuid.UUID | None] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # Set when a merge folded this account into another (dedup).
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    # Normalised copies for matching (see core.normalize).
    name_key: Mapped[str | None] = mapped_column(String(200))
    email_key: Mapped[str | None] = mapped_column(String(254))
    phone_key: Mapped[str | None] = mapped_column(String(50))
