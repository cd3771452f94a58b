"""Scoring models (what to learn, for which leads) and their trained versions.

A model names the lead fields, related account/contact fields and derived
signals to learn from, an optional filter (one model per line of business),
its training window and its grade bands. Each training run adds a version
holding its evaluation and the fitted pipeline; at most one version of a
model is published, and only published versions score leads.

The fitted pipeline is stored as pickle bytes in the version row (not a file
under var/): every server and worker process reads the same model from the
system of record, a database backup includes it, and a version and its
model are written in one transaction. Pickles are only ever read back from
rows our own training wrote; the scikit-learn version is kept beside them
and a mismatch refuses to load (retrain instead).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leadgate.db.base import Base, Tracked

DEFAULT_BANDS = {"A": 70, "B": 45, "C": 20}


class ScoringModel(Tracked, Base):
    __tablename__ = "scoring_models"
    __table_args__ = (UniqueConstraint("name"),)
    RECORD_TYPE = "scoring_model"

    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    # Lead columns ("industry"), related fields ("account.industry") and signal codes.
    fields: Mapped[list[str]] = mapped_column(JSON)
    # Equality on lead columns: {"industry": "Retail"}; {} scores every open lead.
    filter: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    training_months: Mapped[int] = mapped_column(default=24)
    # Lowest score of grades A, B and C; below C is D.
    grade_bands: Mapped[dict[str, int]] = mapped_column(JSON, default=lambda: dict(DEFAULT_BANDS))

    versions: Mapped[list[ScoringModelVersion]] = relationship(
        back_populates="model",
        cascade="all, delete-orphan",
        order_by="ScoringModelVersion.number",
        lazy="selectin",
    )

    @property
    def published(self) -> ScoringModelVersion | None:
        return next((v for v in self.versions if v.is_published), None)


class ScoringModelVersion(Tracked, Base):
    __tablename__ = "scoring_model_versions"
    __table_args__ = (
        UniqueConstraint("model_id", "number"),
        Index("ix_scoring_model_versions_published", "model_id", "is_published"),
    )
    RECORD_TYPE = "scoring_model_version"

    model_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("scoring_models.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    family: Mapped[str] = mapped_column(String(40))
    fields: Mapped[list[str]] = mapped_column(JSON)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    ready_to_publish: Mapped[bool] = mapped_column(default=False)
    is_published: Mapped[bool] = mapped_column(default=False)
    # When it was last published: "revert" goes back to the one published before.
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    pipeline: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sklearn_version: Mapped[str] = mapped_column(String(20))

    model: Mapped[ScoringModel] = relationship(back_populates="versions")
