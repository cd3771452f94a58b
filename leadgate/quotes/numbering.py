"""Gap-free human numbers (QUO-000001, ORD-000001, INV-000001), one counter row per kind.

The counter row is incremented by one UPDATE … RETURNING inside the use case's
transaction: PostgreSQL holds the row lock until commit, so a concurrent
transaction waits and then sees the new value; SQLite takes its single writer
lock on the UPDATE. A rolled-back transaction rolls its increment back too, so
numbers have no gaps and never repeat — unlike max()+1, which races.
"""

from __future__ import annotations

from sqlalchemy import String, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from leadgate.core.errors import Conflict
from leadgate.db.base import Base

WIDTH = 6


class NumberCounter(Base):
    __tablename__ = "number_counters"
    RECORD_TYPE = "number_counter"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(10))
    last_value: Mapped[int] = mapped_column(default=0)


def next_number(session: Session, kind: str) -> str:
    stmt = (
        update(NumberCounter)
        .where(NumberCounter.kind == kind)
        .values(last_value=NumberCounter.last_value + 1)
        .returning(NumberCounter.prefix, NumberCounter.last_value)
        .execution_options(synchronize_session=False)
    )
    row = session.execute(stmt).first()
    if row is None:
        raise Conflict(f"no number counter for {kind}; run `leadgate db upgrade`")
    prefix, value = row
    return f"{prefix}-{value:0{WIDTH}d}"
