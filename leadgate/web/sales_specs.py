"""What the list pages show of quotes, orders and invoices.

Registered into the shared `SPECS` / `BY_PATH` tables on import (the sales pages module
imports this), so the generic list page serves them without touching its spec table.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from leadgate.invoices.models import Invoice
from leadgate.invoices.states import InvoiceState
from leadgate.orders.models import Order
from leadgate.orders.states import OrderState
from leadgate.quotes.models import Quote
from leadgate.quotes.queries import list_documents
from leadgate.quotes.states import QuoteState
from leadgate.web.specs import BY_PATH, ME, SPECS, Chip, Column, Spec, View


def _title(document: Any) -> str:
    revision = getattr(document, "revision", 0)
    suffix = f" rev. {revision}" if revision else ""
    return f"{document.number}{suffix} · {document.name}"


def _columns() -> tuple[Column, ...]:
    return (
        Column("number", "Number", "title", "number"),
        Column("name", "Name", "text", "name"),
        Column("account_id", "Customer", "ref"),
        Column("state", "State", "code"),
        Column("status", "Status", "code"),
        Column("total_amount", "Total", "money", "total_amount"),
        Column("created_at", "Created", "datetime", "created_at"),
    )


def _spec(key: str, label: str, plural: str, model: type[Any], states: list[str]) -> Spec:
    low = plural.lower()
    return Spec(
        key=key,
        label=label,
        plural=plural,
        path=f"/{low}",
        model=model,
        lister=partial(list_documents, model=model),
        columns=_columns(),
        chips=(Chip("state", "State", states),),
        views=(View("mine", f"My {low}", {"owner_id": ME}), View("all", f"All {low}", {})),
        title=_title,
    )


SALES_SPECS: dict[str, Spec] = {
    "quote": _spec("quote", "Quote", "Quotes", Quote, list(QuoteState)),
    "order": _spec("order", "Order", "Orders", Order, list(OrderState)),
    "invoice": _spec("invoice", "Invoice", "Invoices", Invoice, list(InvoiceState)),
}

SPECS.update(SALES_SPECS)
BY_PATH.update({spec.path.strip("/"): spec for spec in SALES_SPECS.values()})
