"""Job run leases (heartbeat) and scheduled-job slots claimed once across workers

Revision ID: jobslease_0001
Revises: dedupexport_0001
Create Date: 2026-12-05 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'jobslease_0001'
down_revision: str | None = 'dedupexport_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_job_runs_state_heartbeat', ['state', 'heartbeat_at'], unique=False)
    op.create_table(
        'job_schedule_slots',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('slot', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', 'slot', name=op.f('pk_job_schedule_slots')),
    )


def downgrade() -> None:
    op.drop_table('job_schedule_slots')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_job_runs_state_heartbeat')
        batch_op.drop_column('heartbeat_at')
