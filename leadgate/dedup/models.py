"""Duplicate rules, the blocking keys that make matching indexed, and merge records.

A rule compares a record of its `base_type` with records of its `match_type`;
every criterion must hold. `match_keys` holds, per rule, the blocking keys of
every record of the rule's match type, so candidates come from an index lookup
and the (fuzzy) comparison runs on a handful of rows, never on the table.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.core.clock import utcnow
from leadgate.db.base import Base, HasId, Tracked


class DuplicateRule(Tracked, Base):
    __tablename__ = "duplicate_rules"
    RECORD_TYPE = "duplicate_rule"

    name: Mapped[str] = mapped_column(String(200))
    base_type: Mapped[str] = mapped_column(String(20), index=True)
    match_type: Mapped[str] = mapped_column(String(20))
    # [{"field", "match_field", "operator", "n", "threshold"}, …]: all must hold.
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    ignore_blanks: Mapped[bool] = mapped_column(default=True)
    case_sensitive: Mapped[bool] = mapped_column(default=False)
    exclude_inactive: Mapped[bool] = mapped_column(default=True)
    published: Mapped[bool] = mapped_column(default=False)


class MatchKey(Base):
    """One blocking key of one record under one rule (a record may have several)."""

    __tablename__ = "match_keys"
    __table_args__ = (
        # record_id too: lookups by rule and keys read the index alone, and SQLite
        # (without statistics) searches it by key instead of scanning the rule's keys
        # through the primary key, which covers the query as well.
        Index("ix_match_keys_rule_key", "rule_id", "key", "record_id"),
        Index("ix_match_keys_record", "record_id"),
    )

    rule_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("duplicate_rules.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(20))


class RecordMerge(HasId, Base):
    """What a merge changed, so that it can be undone exactly."""

    __tablename__ = "record_merges"
    __table_args__ = (Index("ix_record_merges_other", "other_id"),)
    RECORD_TYPE = "record_merge"

    record_type: Mapped[str] = mapped_column(String(20))
    master_id: Mapped[uuid.UUID] = mapped_column(index=True)
    other_id: Mapped[uuid.UUID] = mapped_column()
    # Field → value of the master before the merge (only the fields it changed).
    master_before: Mapped[dict[str, Any]] = mapped_column(JSON)
    # [[table, column, row id], …]: the child links moved from the other record to the master.
    moved: Mapped[list[list[str]]] = mapped_column(JSON)
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    merged_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[datetime | None] = mapped_column(default=None)


class DuplicateGroup(HasId, Base):
    """A set of records a duplicate scan linked together, waiting for someone's review.

    status: open (to review) → merged (its records were merged down to one) or
    dismissed (a person said they are not duplicates). A new scan replaces the
    open groups of its record type; dismissed member sets are not proposed again.
    """

    __tablename__ = "duplicate_groups"
    __table_args__ = (
        Index("ix_duplicate_groups_type_status_score", "record_type", "status", "score"),
    )
    RECORD_TYPE = "duplicate_group"

    record_type: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="open")
    member_count: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class DuplicateGroupMember(Base):
    __tablename__ = "duplicate_group_members"
    __table_args__ = (Index("ix_duplicate_group_members_record", "record_id"),)

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("duplicate_groups.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
