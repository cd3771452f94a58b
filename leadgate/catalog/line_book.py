"""The line book: add, change and remove the lines of one kind of document, keeping its
header in step (one recalculation after every change) and writing the audit event on
the document, so its timeline shows every line change and its ETag moves on."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.audit.recording import check_version, write_event
from leadgate.catalog.documents import LINE_VALUE_FIELDS, LineRequest, price_line
from leadgate.core.clock import utcnow
from leadgate.core.errors import NotFound
from leadgate.core.ids import new_id
from leadgate.db.base import Base
from leadgate.security.access import Actor, load
from leadgate.security.roles import Op


@dataclass(frozen=True)
class LineChange:
    """A partial change of a line; fields not sent keep their value. Sending
    `price_per_unit` null returns an overridden line to the price list's price."""

    values: dict[str, Any]


D = TypeVar("D", bound=Base)
L = TypeVar("L", bound=Base)


@dataclass(frozen=True)
class LineBook(Generic[D, L]):
    """The lines of one document type. `guard` refuses changes to a document that is not
    editable; `recalculate` sets the header from the lines after every change."""

    document_model: type[D]
    line_model: type[L]
    parent_column: str
    guard: Callable[[D], None]
    recalculate: Callable[[Session, D, list[L]], None]

    def lines(self, session: Session, document_id: uuid.UUID) -> list[L]:
        column = getattr(self.line_model, self.parent_column)
        stmt = select(self.line_model).where(column == document_id)
        return list(session.scalars(stmt.order_by(self.line_model.sequence)))  # type: ignore[attr-defined]

    def _document(
        self, session: Session, actor: Actor, document_id: uuid.UUID, version: int | None
    ) -> D:
        document = load(session, actor, self.document_model, document_id, Op.WRITE)
        self.guard(document)
        check_version(document, version)
        return document

    def _line(self, session: Session, document_id: uuid.UUID, line_id: uuid.UUID) -> L:
        line = session.get(self.line_model, line_id)
        if line is None or getattr(line, self.parent_column) != document_id:
            raise NotFound(f"line {line_id} not found on this {self.document_model.RECORD_TYPE}")
        return line

    def _after_change(
        self, session: Session, actor: Actor, document: D, action: str, changes: dict[str, Any]
    ) -> None:
        self.recalculate(session, document, self.lines(session, document.id))  # type: ignore[attr-defined]
        # Every line change is a change of the document: its version (ETag) moves on.
        document.updated_at = utcnow()  # type: ignore[attr-defined]
        document.updated_by_id = actor.user_id  # type: ignore[attr-defined]
        session.flush()
        write_event(
            session, actor, action, document.RECORD_TYPE, document.id, changes,  # type: ignore[attr-defined]
            summary=str(changes.get("description", [None, ""])[1] or ""),
        )  # fmt: skip

    def add(
        self,
        session: Session,
        actor: Actor,
        document_id: uuid.UUID,
        request: LineRequest,
        version: int | None = None,
    ) -> L:
        document = self._document(session, actor, document_id, version)
        values = price_line(
            session,
            document.currency,  # type: ignore[attr-defined]
            document.price_list_id,  # type: ignore[attr-defined]
            request,
        )
        existing = self.lines(session, document_id)
        sequence = max((line.sequence for line in existing), default=0) + 1  # type: ignore[attr-defined]
        line = self.line_model(
            id=new_id(), sequence=sequence, **{self.parent_column: document_id}, **values
        )
        session.add(line)
        session.flush()
        self._after_change(
            session, actor, document, "line_added",
            {k: [None, v] for k, v in values.items() if v is not None},
        )  # fmt: skip
        return line

    def change(
        self,
        session: Session,
        actor: Actor,
        document_id: uuid.UUID,
        line_id: uuid.UUID,
        change: LineChange,
        version: int | None = None,
    ) -> L:
        document = self._document(session, actor, document_id, version)
        line = self._line(session, document_id, line_id)
        current: dict[str, Any] = {k: getattr(line, k) for k in LINE_VALUE_FIELDS}
        merged = current | change.values
        override = change.values.get(
            "price_per_unit", current["price_per_unit"] if current["price_overridden"] else None
        )
        values = price_line(
            session,
            document.currency,  # type: ignore[attr-defined]
            document.price_list_id,  # type: ignore[attr-defined]
            LineRequest(
                product_id=current["product_id"],
                unit_id=merged["unit_id"],
                description=merged["description"],
                quantity=merged["quantity"],
                price_per_unit=override,
                manual_discount=merged["manual_discount"],
                tax=merged["tax"],
            ),
        )
        changes = {k: [current[k], v] for k, v in values.items() if current[k] != v}
        for key, value in values.items():
            setattr(line, key, value)
        session.flush()
        self._after_change(session, actor, document, "line_changed", changes)
        return line

    def remove(
        self,
        session: Session,
        actor: Actor,
        document_id: uuid.UUID,
        line_id: uuid.UUID,
        version: int | None = None,
    ) -> None:
        document = self._document(session, actor, document_id, version)
        line = self._line(session, document_id, line_id)
        snapshot = {
            k: [getattr(line, k), None] for k in ("description", "quantity", "extended_amount")
        }
        session.delete(line)
        session.flush()
        self._after_change(session, actor, document, "line_removed", snapshot)

    def copy(self, session: Session, source: Sequence[Any], document_id: uuid.UUID) -> list[L]:
        """Copy lines (of any document type) onto a new document, prices as they stand."""
        copies = [
            self.line_model(
                id=new_id(),
                sequence=line.sequence,
                **{self.parent_column: document_id},
                **{k: getattr(line, k) for k in LINE_VALUE_FIELDS},
            )
            for line in source
        ]
        session.add_all(copies)
        session.flush()
        return copies


def reprice(session: Session, currency: str, price_list_id: uuid.UUID | None, line: Any) -> None:
    """Bring a catalog line back to the price list's current price (unlocked orders)."""
    if line.product_id is None or line.price_overridden:
        return
    values = price_line(
        session,
        currency,
        price_list_id,
        LineRequest(
            product_id=line.product_id,
            unit_id=line.unit_id,
            description=line.description,
            quantity=line.quantity,
            price_per_unit=None,
            manual_discount=line.manual_discount,
            tax=line.tax,
        ),
    )
    for key, value in values.items():
        setattr(line, key, value)
