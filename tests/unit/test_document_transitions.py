"""Every from → to pair of the quote, order, invoice and product transition tables."""

from __future__ import annotations

from enum import StrEnum
from types import ModuleType

import pytest

from leadgate.catalog import states as product
from leadgate.core.errors import InvalidTransition, ValidationFailed
from leadgate.invoices import states as invoice
from leadgate.orders import states as order
from leadgate.quotes import states as quote

TABLES: list[tuple[ModuleType, type[StrEnum]]] = [
    (quote, quote.QuoteState),
    (order, order.OrderState),
    (invoice, invoice.InvoiceState),
]


def _pairs() -> list[object]:
    return [
        pytest.param(module, name, state, id=f"{module.__name__.split('.')[1]}-{name}-{state}")
        for module, states in TABLES
        for name in module.TRANSITIONS
        for state in states
    ]


@pytest.mark.parametrize(("module", "name", "state"), _pairs())
def test_every_transition_from_every_state(module, name, state) -> None:  # type: ignore[no-untyped-def]
    transition = module.TRANSITIONS[name]
    if state in transition.sources:
        assert module.check_transition(name, state) is transition
        assert transition.status(None) in module.STATUSES[transition.target]
    else:
        with pytest.raises(InvalidTransition) as refused:
            module.check_transition(name, state)
        assert refused.value.allowed == module.allowed_moves(state)
        assert name not in refused.value.allowed


@pytest.mark.parametrize("state", list(product.ProductState))
@pytest.mark.parametrize("name", list(product.TRANSITIONS))
def test_product_transitions(name: str, state: product.ProductState) -> None:
    sources, target = product.TRANSITIONS[name]
    if state in sources:
        assert product.check_transition(name, state) is target
    else:
        with pytest.raises(InvalidTransition):
            product.check_transition(name, state)


def test_tables_match_the_domain() -> None:
    assert quote.allowed_moves(quote.QuoteState.DRAFT) == ["activate"]
    assert quote.allowed_moves(quote.QuoteState.ACTIVE) == ["close", "revise", "win"]
    assert quote.allowed_moves(quote.QuoteState.WON) == []
    assert quote.TRANSITIONS["revise"].status(None) == "revised"
    assert order.allowed_moves(order.OrderState.CANCELED) == []
    assert order.allowed_moves(order.OrderState.FULFILLED) == ["create_invoice"]
    assert invoice.allowed_moves(invoice.InvoiceState.CANCELED) == []


def test_requested_statuses_are_checked() -> None:
    assert quote.TRANSITIONS["close"].status("canceled") == "canceled"
    with pytest.raises(ValidationFailed):
        quote.TRANSITIONS["close"].status("revised")
    with pytest.raises(ValidationFailed):
        order.TRANSITIONS["fulfill"].status("invoiced")


def test_a_fully_paid_invoice_cannot_be_paid_again() -> None:
    paid = invoice.InvoiceState.PAID
    assert invoice.check_transition("mark_paid", paid, "partial").target is paid
    with pytest.raises(InvalidTransition):
        invoice.check_transition("mark_paid", paid, "complete")
