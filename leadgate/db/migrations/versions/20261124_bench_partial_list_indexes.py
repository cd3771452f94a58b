"""list indexes of leads cover only live rows (deleted_at IS NULL)

Every lead list is scoped to live rows, so the owner/state indexes can leave the
soft-deleted ones out; the capped first-page count is then answered from the index
alone instead of visiting up to 1,001 table rows (bench/RESULTS.md).

Revision ID: bench_0001
Revises: quotes_0001
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bench_0001"
down_revision: str | None = "quotes_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = {
    "ix_leads_owner_state_created": ["owner_id", "state", "created_at", "id"],
    "ix_leads_state_created": ["state", "created_at", "id"],
}
_LIVE = "deleted_at IS NULL"


def upgrade() -> None:
    for name, columns in _INDEXES.items():
        op.drop_index(name, table_name="leads")
        op.create_index(
            name,
            "leads",
            columns,
            unique=False,
            sqlite_where=sa.text(_LIVE),
            postgresql_where=sa.text(_LIVE),
        )


def downgrade() -> None:
    for name, columns in _INDEXES.items():
        op.drop_index(name, table_name="leads")
        op.create_index(name, "leads", columns, unique=False)
