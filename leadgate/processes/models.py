"""Flow definitions (one row per version), running instances and their stage visits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.db.base import Base, HasId, Tracked
from leadgate.processes.states import FlowStatus, InstanceState


class ProcessFlow(Tracked, Base):
    """One version of a flow. Versions of one flow share `family_id`; only the newest
    is editable, older ones are retired but stay for the instances that run them."""

    __tablename__ = "process_flows"
    __table_args__ = (
        UniqueConstraint("family_id", "flow_version"),
        Index("ix_process_flows_type_status_order", "primary_record_type", "status", "sort_order"),
    )
    RECORD_TYPE = "process_flow"

    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    flow_version: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    primary_record_type: Mapped[str] = mapped_column(String(20))
    sort_order: Mapped[int] = mapped_column(default=0)
    # Role codes allowed to run the flow; None means every role.
    roles: Mapped[list[str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=FlowStatus.DRAFT.value)
    # The stages as stored by `definition.Stage.model_dump()`.
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ProcessInstance(Tracked, Base):
    """A record's run through one flow version. Access follows the record of the
    active stage (the lead, then the opportunity once the lead is qualified)."""

    __tablename__ = "process_instances"
    __table_args__ = (
        Index("ix_process_instances_lead", "lead_id", "is_current"),
        Index("ix_process_instances_opportunity", "opportunity_id", "is_current"),
    )
    RECORD_TYPE = "process_instance"

    flow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("process_flows.id"))
    flow_family_id: Mapped[uuid.UUID] = mapped_column()
    lead_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("leads.id"))
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("opportunities.id"))
    record_type: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(16), default=InstanceState.ACTIVE.value)
    active_stage: Mapped[str] = mapped_column(String(60))
    # Stage keys travelled, the active one last; previous_stage walks it back.
    path: Mapped[list[str]] = mapped_column(JSON)
    # The record's selected process; switching flows keeps the others as they were.
    is_current: Mapped[bool] = mapped_column(default=True)
    completed_at: Mapped[datetime | None] = mapped_column()


class StageVisit(HasId, Base):
    """One stay of an instance in a stage: entry and exit, when and by whom."""

    __tablename__ = "process_stage_visits"
    __table_args__ = (
        Index("ix_process_stage_visits_instance", "instance_id", "entered_at"),
        # The open visit of an instance, closed by every move (migration flows_0001).
        Index(
            "ix_process_stage_visits_open",
            "instance_id",
            "entered_at",
            sqlite_where=text("exited_at IS NULL"),
            postgresql_where=text("exited_at IS NULL"),
        ),
        # The stage reports read these indexes alone: ranks of durations per stage
        # (and owner), and each instance's exits per stage.
        Index(
            "ix_process_stage_visits_durations", "flow_family_id", "stage_key", "duration_seconds"
        ),
        Index(
            "ix_process_stage_visits_owner_durations",
            "flow_family_id",
            "stage_key",
            "owner_id",
            "duration_seconds",
        ),
        Index(
            "ix_process_stage_visits_exits",
            "flow_family_id",
            "stage_key",
            "instance_id",
            "exit_kind",
        ),
    )
    RECORD_TYPE = "process_stage_visit"

    instance_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("process_instances.id"))
    flow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("process_flows.id"))
    flow_family_id: Mapped[uuid.UUID] = mapped_column()
    stage_key: Mapped[str] = mapped_column(String(60))
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[uuid.UUID] = mapped_column()
    # The record's owner on entry: time-in-stage per owner.
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    entered_at: Mapped[datetime] = mapped_column()
    entered_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    exited_at: Mapped[datetime | None] = mapped_column()
    exited_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # next, previous, crossed, finished, aborted, switched
    exit_kind: Mapped[str | None] = mapped_column(String(16))
    duration_seconds: Mapped[float | None] = mapped_column()
