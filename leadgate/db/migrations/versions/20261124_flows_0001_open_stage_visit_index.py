"""partial index on the open stage visit of each process instance

Every move, finish, abandon and switch closes the instance's open visit; the index
holds only visits not yet exited (one per active instance), so finding it does not
walk the instance's whole stage history.

Revision ID: flows_0001
Revises: core_0002
Create Date: 2026-11-24 11:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "flows_0001"
down_revision: str | None = "core_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "exited_at IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_process_stage_visits_open",
        "process_stage_visits",
        ["instance_id", "entered_at"],
        unique=False,
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_process_stage_visits_open", table_name="process_stage_visits")
