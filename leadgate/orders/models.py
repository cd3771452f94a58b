"""The order and its lines."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leadgate.catalog.documents import LineColumns
from leadgate.db.base import Base, Tracked
from leadgate.orders.states import OrderState
from leadgate.quotes.models import SalesDocument


class Order(SalesDocument, Base):
    __tablename__ = "orders"
    RECORD_TYPE = "order"

    @classmethod
    def __extra_args__(cls) -> tuple[object, ...]:
        return (UniqueConstraint("number"),)

    quote_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("quotes.id"), index=True)
    # Locked orders keep their prices; unlocked ones follow the price list on recalculation.
    price_locked: Mapped[bool] = mapped_column(default=False)
    fulfilled_on: Mapped[date | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default=OrderState.ACTIVE.value)
    status: Mapped[str] = mapped_column(String(32), default="new")


class OrderLine(LineColumns, Tracked, Base):
    __tablename__ = "order_lines"
    RECORD_TYPE = "order_line"

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
