"""Activities, their participants, and notes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leadgate.activities.states import ActivityState
from leadgate.core.ids import new_id
from leadgate.db.base import Base, Owned, Tracked


class Activity(Tracked, Owned, Base):
    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_regarding", "regarding_type", "regarding_id", "created_at"),
        Index("ix_activities_owner_state_due", "owner_id", "state", "due_at"),
    )
    RECORD_TYPE = "activity"

    type: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(400))
    description: Mapped[str | None] = mapped_column(Text)
    regarding_type: Mapped[str | None] = mapped_column(String(40))
    regarding_id: Mapped[uuid.UUID | None] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()
    starts_at: Mapped[datetime | None] = mapped_column()
    ends_at: Mapped[datetime | None] = mapped_column()
    direction: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    duration_minutes: Mapped[int | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default=ActivityState.OPEN.value)
    status: Mapped[str] = mapped_column(String(32), default="open")
    completed_at: Mapped[datetime | None] = mapped_column()

    participants: Mapped[list[ActivityParty]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", lazy="selectin"
    )


class ActivityParty(Base):
    """A participant of an activity: from / to / cc / attendee / organizer."""

    __tablename__ = "activity_parties"
    __table_args__ = (Index("ix_activity_parties_party", "party_type", "party_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    activity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    party_type: Mapped[str] = mapped_column(String(16))
    party_id: Mapped[uuid.UUID] = mapped_column()

    activity: Mapped[Activity] = relationship(back_populates="participants")


class Note(Tracked, Owned, Base):
    __tablename__ = "notes"
    __table_args__ = (
        Index("ix_notes_regarding", "regarding_type", "regarding_id", "created_at"),
        Index("ix_notes_owner", "owner_id"),
    )
    RECORD_TYPE = "note"

    title: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    regarding_type: Mapped[str] = mapped_column(String(40))
    regarding_id: Mapped[uuid.UUID] = mapped_column()
