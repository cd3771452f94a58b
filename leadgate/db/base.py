"""Declarative Base and the mixins every record shares.

Every record has a time-ordered UUID, who/when created and updated, and a
`version` that SQLAlchemy checks on each UPDATE (optimistic concurrency: a
concurrent writer gets StaleDataError instead of silently overwriting).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import Date, ForeignKey, MetaData, Numeric, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from leadgate.core.clock import utcnow
from leadgate.core.ids import new_id
from leadgate.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = Numeric(19, 4, asdecimal=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        uuid.UUID: Uuid(),
        datetime: UTCDateTime(),
        date: Date(),
        Decimal: Money,
    }
    # The stored code of the record type ("lead", "account", …); "" for link tables.
    RECORD_TYPE: ClassVar[str] = ""


class HasId:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class Tracked(HasId):
    """Who and when created and last updated, and the optimistic-concurrency version."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(self) -> dict[str, Any]:
        return {"version_id_col": self.version}


class Owned:
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class SoftDeleted:
    """Records whose history matters are hidden, not erased, when deleted."""

    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
