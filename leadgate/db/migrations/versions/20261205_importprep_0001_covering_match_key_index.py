"""The match-key index carries the record id, so a lookup by rule and keys reads only it

Without planner statistics SQLite answered `rule_id = ? AND key IN (…)` from the
primary key (rule_id, record_id, key), which covers the query but is searched by
rule_id alone: every key of the rule was scanned, once per duplicate check and per
import batch chunk (0.5 s a query at 300,000 leads, growing with the table). With
record_id in (rule_id, key) the index both covers the query and is searched by key.

Revision ID: importprep_0001
Revises: leadscores_0001
Create Date: 2026-12-05 07:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "importprep_0001"
down_revision: str | None = "leadscores_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("match_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_match_keys_rule_key")
        batch_op.create_index("ix_match_keys_rule_key", ["rule_id", "key", "record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("match_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_match_keys_rule_key")
        batch_op.create_index("ix_match_keys_rule_key", ["rule_id", "key"], unique=False)
