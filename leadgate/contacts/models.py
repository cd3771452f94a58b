"""The contact record."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.accounts.models import Address
from leadgate.db.base import Base, Owned, SoftDeleted, Tracked


class Contact(Tracked, Owned, SoftDeleted, Address, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_owner_created", "owner_id", "created_at", "id"),
        Index("ix_contacts_account", "account_id"),
        Index("ix_contacts_email_key", "email_key"),
        Index("ix_contacts_phone_key", "phone_key"),
    )
    RECORD_TYPE = "contact"

    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    job_title: Mapped[str | None] = mapped_column(String(100))
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    mobile_phone: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    do_not_email: Mapped[bool] = mapped_column(default=False)
    do_not_phone: Mapped[bool] = mapped_column(default=False)
    do_not_bulk_email: Mapped[bool] = mapped_column(default=False)
    originating_lead_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("leads.id", use_alter=True), index=True
    )
    # Set when a merge folded this contact into another (dedup).
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    email_key: Mapped[str | None] = mapped_column(String(254))
    phone_key: Mapped[str | None] = mapped_column(String(50))
    mobile_key: Mapped[str | None] = mapped_column(String(50))

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)
