"""Lead scores move from the lead row to a narrow side table, lead_scores

A first scoring rewrote every open lead's wide row (no HOT update, twelve index
entries each) and capped PostgreSQL at ≈ 14,000 leads/s; inserting narrow rows keyed
by lead id does not. Existing scores move across with their fingerprint (read out of
the stored reasons), so the next rescore still skips unchanged leads; the downgrade
moves them back.

Revision ID: leadscores_0001
Revises: jobslease_0001
Create Date: 2026-12-05 06:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "leadscores_0001"
down_revision: str | None = "jobslease_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("score", "grade", "score_trend", "score_reasons")


def _fingerprint_of_reasons() -> str:
    if op.get_bind().dialect.name == "postgresql":
        return "score_reasons ->> 'fingerprint'"
    return "json_extract(score_reasons, '$.fingerprint')"


def upgrade() -> None:
    op.create_table(
        "lead_scores",
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("score_trend", sa.String(length=20), nullable=True),
        sa.Column("score_reasons", sa.JSON(), nullable=True),
        sa.Column("fingerprint", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["leads.id"],
            name=op.f("fk_lead_scores_lead_id_leads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lead_id", name=op.f("pk_lead_scores")),
    )
    op.execute(
        "INSERT INTO lead_scores (lead_id, score, grade, score_trend, score_reasons, "
        "fingerprint) SELECT id, score, grade, score_trend, score_reasons, "
        f"{_fingerprint_of_reasons()} FROM leads WHERE score IS NOT NULL"
    )
    # After the copy: one index build instead of one entry per inserted row.
    # Lists sorted by score look up each candidate lead's score from this index alone.
    op.create_index("ix_lead_scores_lead_id_score", "lead_scores", ["lead_id", "score"])
    # Plain ALTER TABLE … DROP COLUMN on both databases (SQLite ≥ 3.35 drops an unindexed
    # column in place): no batch copy of the leads table, whose rows other tables reference.
    for column in _COLUMNS:
        op.execute(f"ALTER TABLE leads DROP COLUMN {column}")


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch_op:
        batch_op.add_column(sa.Column("score", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("grade", sa.String(length=1), nullable=True))
        batch_op.add_column(sa.Column("score_trend", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("score_reasons", sa.JSON(), nullable=True))
    columns = ", ".join(_COLUMNS)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"UPDATE leads SET ({columns}) = (s.score, s.grade, s.score_trend, s.score_reasons) "
            "FROM lead_scores AS s WHERE s.lead_id = leads.id"
        )
    else:
        op.execute(
            f"UPDATE leads SET ({columns}) = (SELECT {columns} FROM lead_scores AS s "
            "WHERE s.lead_id = leads.id) WHERE id IN (SELECT lead_id FROM lead_scores)"
        )
    op.drop_index("ix_lead_scores_lead_id_score", table_name="lead_scores")
    op.drop_table("lead_scores")
