"""CLI groups of the catalog and the quote → order → invoice chain:
`leadgate catalog …`, `leadgate quotes …`, `leadgate orders …`, `leadgate invoices …`."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.catalog import queries as catalog_queries
from leadgate.catalog import service as catalog
from leadgate.catalog.line_schemas import LineCreate
from leadgate.catalog.models import PriceList, Product, UnitGroup
from leadgate.catalog.pricing import PricingMethod
from leadgate.catalog.schemas import (
    PriceListCreate,
    PriceListItemCreate,
    ProductCreate,
    UnitGroupCreate,
)
from leadgate.cli.context import cli_actor, fail, one_line_errors, out, session_scope
from leadgate.core.errors import ValidationFailed
from leadgate.core.money import round_money
from leadgate.core.settings import get_settings
from leadgate.documents.pdf import render
from leadgate.invoices import service as invoices
from leadgate.invoices.models import Invoice
from leadgate.invoices.schemas import CreateInvoiceRequest, MarkPaidRequest
from leadgate.orders import service as orders
from leadgate.orders.models import Order
from leadgate.orders.schemas import CreateOrderRequest, FulfillRequest
from leadgate.quotes import service as quotes
from leadgate.quotes.models import Quote, SalesDocument
from leadgate.quotes.printing import document_view
from leadgate.quotes.queries import list_documents
from leadgate.quotes.schemas import CloseQuoteRequest, QuoteCreate
from leadgate.security.access import Actor, load

AsUser = Annotated[
    str | None, typer.Option("--as", help="act as this user (default: first administrator)")
]
catalog_app = typer.Typer(help="Products and price lists", no_args_is_help=True)
quotes_app = typer.Typer(help="Quotes", no_args_is_help=True)
orders_app = typer.Typer(help="Orders", no_args_is_help=True)
invoices_app = typer.Typer(help="Invoices", no_args_is_help=True)


M = TypeVar("M", bound=BaseModel)


def _valid(schema: type[M], **values: Any) -> M:
    """Build an input schema; bad input becomes one clear line (like the API's 422)."""
    try:
        return schema(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "input"
        raise ValidationFailed.on(field, str(first["msg"])) from exc


def _amount(document: SalesDocument) -> str:
    return f"{round_money(document.total_amount, document.currency)} {document.currency}"


def _product(session: Session, number: str) -> Product:
    product = session.scalar(select(Product).where(Product.number == number))
    if product is None:
        fail(f"no product numbered {number!r}")
    return product


def _price_list(session: Session, name: str) -> PriceList:
    price_list = session.scalar(select(PriceList).where(PriceList.name == name))
    if price_list is None:
        fail(f"no price list named {name!r}")
    return price_list


# --- catalog -------------------------------------------------------------------------


@catalog_app.command("add-product")
@one_line_errors
def add_product(
    number: str,
    name: str,
    as_user: AsUser = None,
    list_price: Annotated[Decimal | None, typer.Option(help="per default unit")] = None,
    unit_group: Annotated[str, typer.Option(help="created with unit 'each' if new")] = "Default",
    decimals: Annotated[int, typer.Option(min=0, max=5, help="decimals in quantities")] = 0,
) -> None:
    """Create a product (active at once) in a unit group."""
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        group = session.scalar(select(UnitGroup).where(UnitGroup.name == unit_group))
        if group is None:
            group = catalog.create_unit_group(
                session, actor, UnitGroupCreate(name=unit_group, primary_unit="each")
            )
        unit = catalog.units_of(session, actor, group.id)[0]
        product = catalog.create_product(
            session, actor,
            _valid(ProductCreate, number=number, name=name, unit_group_id=group.id,
                          default_unit_id=unit.id, list_price=list_price,
                          quantity_decimals=decimals),
        )  # fmt: skip
        catalog.transition_product(session, actor, product.id, "activate", None)
        out.print(f"product {product.number} {product.id} active")


@catalog_app.command("add-price-list")
@one_line_errors
def add_price_list(name: str, currency: str = "USD", as_user: AsUser = None) -> None:
    """Create a price list."""
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        price_list = catalog.create_price_list(
            session, actor, _valid(PriceListCreate, name=name, currency=currency)
        )
        out.print(f"price list {price_list.name} {price_list.id}")


@catalog_app.command("set-price")
@one_line_errors
def set_price(
    price_list: str,
    product_number: str,
    as_user: AsUser = None,
    amount: Annotated[Decimal | None, typer.Option(help="fixed amount per unit")] = None,
    percent_of_list: Annotated[Decimal | None, typer.Option(help="e.g. 90")] = None,
) -> None:
    """Put a product on a price list at a fixed amount or a percent of its list price."""
    if (amount is None) == (percent_of_list is None):
        fail("give exactly one of --amount or --percent-of-list")
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        method = PricingMethod.FIXED_AMOUNT if amount is not None else PricingMethod.PERCENT_OF_LIST
        item = catalog.add_price_list_item(
            session, actor, _price_list(session, price_list).id,
            _valid(PriceListItemCreate, product_id=_product(session, product_number).id,
                   method=method,
                                amount=amount, percentage=percent_of_list),
        )  # fmt: skip
        out.print(f"price list item {item.id}")


@catalog_app.command("products")
@one_line_errors
def list_products(
    as_user: AsUser = None,
    state: Annotated[str | None, typer.Option(help="draft, active, retired")] = None,
    q: Annotated[str | None, typer.Option(help="text search")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """List products."""
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        page = catalog_queries.list_products(
            session, actor, filters={"state": state}, q=q, sort="number", cursor=None, limit=limit
        )
        table = Table("number", "name", "kind", "state", "list price")
        for p in page.items:
            table.add_row(p.number, p.name, p.kind, p.state, str(p.list_price or ""))
        out.print(table)


# --- documents -----------------------------------------------------------------------


def _print_documents(items: list[Any]) -> None:
    table = Table("number", "name", "state", "status", "total", "id")
    for d in items:
        number = f"{d.number} r{d.revision}" if isinstance(d, Quote) else d.number
        table.add_row(number, d.name, d.state, d.status, _amount(d), str(d.id))
    out.print(table)


def _list(model: type[Any], as_user: str | None, state: str | None, limit: int) -> None:
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        page = list_documents(
            session, actor, model, filters={"state": state}, q=None, sort=None, cursor=None,
            limit=limit,
        )  # fmt: skip
        _print_documents(page.items)


def _pdf(model: type[Any], document_id: uuid.UUID, path: Path, as_user: str | None) -> None:
    books: dict[type[Any], tuple[str, Any]] = {
        Quote: ("Quote", quotes.QUOTE_LINES),
        Order: ("Order", orders.ORDER_LINES),
        Invoice: ("Invoice", invoices.INVOICE_LINES),
    }
    title, book = books[model]
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        document: SalesDocument = load(session, actor, model, document_id)
        view = document_view(
            session, get_settings().company_name, title, document,
            book.lines(session, document.id),
        )  # fmt: skip
        path.write_bytes(render(view))
        out.print(f"{title.lower()} {document.number} written to {path}")


State = Annotated[str | None, typer.Option(help="filter by state")]
Limit = Annotated[int, typer.Option(min=1, max=500)]
OutFile = Annotated[Path, typer.Option("--out", help="PDF file to write")]


@quotes_app.command("list")
@one_line_errors
def quotes_list(as_user: AsUser = None, state: State = None, limit: Limit = 50) -> None:
    """List quotes you may see."""
    _list(Quote, as_user, state, limit)


@quotes_app.command("create")
@one_line_errors
def quotes_create(
    as_user: AsUser = None,
    opportunity: Annotated[uuid.UUID | None, typer.Option(help="copy from this")] = None,
    account: Annotated[uuid.UUID | None, typer.Option(help="customer account")] = None,
    name: Annotated[str | None, typer.Option(help="quote name")] = None,
    price_list: Annotated[str | None, typer.Option(help="price list name")] = None,
) -> None:
    """Create a draft quote from an opportunity, or on its own for an account."""
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        values: dict[str, Any] = {"opportunity_id": opportunity, "account_id": account}
        if name:
            values["name"] = name
        if price_list:
            values["price_list_id"] = _price_list(session, price_list).id
        quote = quotes.create_quote(session, actor, _valid(QuoteCreate, **values))
        out.print(f"quote {quote.number} {quote.id} (draft, total {_amount(quote)})")


@quotes_app.command("add-line")
@one_line_errors
def quotes_add_line(
    quote_id: uuid.UUID,
    quantity: Decimal,
    as_user: AsUser = None,
    product: Annotated[str | None, typer.Option(help="product number")] = None,
    description: Annotated[str | None, typer.Option(help="write-in text")] = None,
    price: Annotated[Decimal | None, typer.Option(help="price per unit (override)")] = None,
) -> None:
    """Add a catalog or write-in line to a draft quote."""
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        product_id = _product(session, product).id if product else None
        line = quotes.QUOTE_LINES.add(
            session, actor, quote_id,
            _valid(LineCreate, product_id=product_id, description=description,
                   quantity=quantity, price_per_unit=price).request(),
        )  # fmt: skip
        quote = load(session, actor, Quote, quote_id)
        out.print(f"line {line.sequence}: {line.extended_amount}; quote total {_amount(quote)}")


def _quote_action(action: str, quote_id: uuid.UUID, as_user: str | None, **kw: Any) -> None:
    with session_scope() as session:
        actor: Actor = cli_actor(session, as_user)
        if action == "activate":
            result: Any = quotes.activate(session, actor, quote_id)
        elif action == "revise":
            result = quotes.revise(session, actor, quote_id)
        elif action == "close":
            result = quotes.close(session, actor, quote_id, _valid(CloseQuoteRequest, **kw))
        else:
            result = orders.create_order_from_quote(
                session, actor, quote_id, CreateOrderRequest(**kw)
            )
        out.print(f"{result.RECORD_TYPE} {result.number} {result.id} ({result.state})")


@quotes_app.command("activate")
@one_line_errors
def quotes_activate(quote_id: uuid.UUID, as_user: AsUser = None) -> None:
    """Activate a draft quote (it freezes)."""
    _quote_action("activate", quote_id, as_user)


@quotes_app.command("revise")
@one_line_errors
def quotes_revise(quote_id: uuid.UUID, as_user: AsUser = None) -> None:
    """Close an active quote as revised and open its next revision as a draft."""
    _quote_action("revise", quote_id, as_user)


@quotes_app.command("close")
@one_line_errors
def quotes_close(
    quote_id: uuid.UUID,
    as_user: AsUser = None,
    status: Annotated[str, typer.Option(help="lost or canceled")] = "lost",
    close_opportunity: Annotated[bool, typer.Option(help="lose the opportunity too")] = False,
) -> None:
    """Close an active quote as lost or canceled."""
    _quote_action("close", quote_id, as_user, status=status, close_opportunity=close_opportunity)


@quotes_app.command("create-order")
@one_line_errors
def quotes_create_order(
    quote_id: uuid.UUID,
    as_user: AsUser = None,
    win_opportunity: Annotated[bool, typer.Option(help="win the opportunity too")] = False,
) -> None:
    """Win an active quote and create its order."""
    _quote_action("create_order", quote_id, as_user, win_opportunity=win_opportunity)


@quotes_app.command("pdf")
@one_line_errors
def quotes_pdf(quote_id: uuid.UUID, out_file: OutFile, as_user: AsUser = None) -> None:
    """Write a quote as PDF."""
    _pdf(Quote, quote_id, out_file, as_user)


@orders_app.command("list")
@one_line_errors
def orders_list(as_user: AsUser = None, state: State = None, limit: Limit = 50) -> None:
    """List orders you may see."""
    _list(Order, as_user, state, limit)


@orders_app.command("fulfill")
@one_line_errors
def orders_fulfill(
    order_id: uuid.UUID,
    as_user: AsUser = None,
    partial: Annotated[bool, typer.Option(help="partly fulfilled")] = False,
) -> None:
    """Mark an order fulfilled (complete or partial)."""
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        request = FulfillRequest(status="partial" if partial else "complete")
        order = orders.fulfill(session, actor, order_id, request)
        out.print(f"order {order.number}: {order.state} ({order.status})")


@orders_app.command("cancel")
@one_line_errors
def orders_cancel(order_id: uuid.UUID, as_user: AsUser = None) -> None:
    """Cancel an open order."""
    with session_scope() as session:
        order = orders.cancel(session, cli_actor(session, as_user), order_id)
        out.print(f"order {order.number}: {order.state}")


@orders_app.command("create-invoice")
@one_line_errors
def orders_create_invoice(order_id: uuid.UUID, as_user: AsUser = None) -> None:
    """Invoice an order (the order becomes invoiced)."""
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        invoice = invoices.create_invoice_from_order(
            session, actor, order_id, CreateInvoiceRequest()
        )
        out.print(f"invoice {invoice.number} {invoice.id} (total {_amount(invoice)})")


@orders_app.command("pdf")
@one_line_errors
def orders_pdf(order_id: uuid.UUID, out_file: OutFile, as_user: AsUser = None) -> None:
    """Write an order as PDF."""
    _pdf(Order, order_id, out_file, as_user)


@invoices_app.command("list")
@one_line_errors
def invoices_list(as_user: AsUser = None, state: State = None, limit: Limit = 50) -> None:
    """List invoices you may see."""
    _list(Invoice, as_user, state, limit)


@invoices_app.command("mark-paid")
@one_line_errors
def invoices_mark_paid(
    invoice_id: uuid.UUID,
    as_user: AsUser = None,
    partial: Annotated[bool, typer.Option(help="partly paid")] = False,
) -> None:
    """Mark an invoice paid (complete or partial)."""
    with session_scope() as session:
        actor = cli_actor(session, as_user)
        request = MarkPaidRequest(status="partial" if partial else "complete")
        invoice = invoices.mark_paid(session, actor, invoice_id, request)
        out.print(f"invoice {invoice.number}: {invoice.state} ({invoice.status})")


@invoices_app.command("cancel")
@one_line_errors
def invoices_cancel(invoice_id: uuid.UUID, as_user: AsUser = None) -> None:
    """Cancel an active invoice."""
    with session_scope() as session:
        invoice = invoices.cancel(session, cli_actor(session, as_user), invoice_id)
        out.print(f"invoice {invoice.number}: {invoice.state}")


@invoices_app.command("pdf")
@one_line_errors
def invoices_pdf(invoice_id: uuid.UUID, out_file: OutFile, as_user: AsUser = None) -> None:
    """Write an invoice as PDF."""
    _pdf(Invoice, invoice_id, out_file, as_user)
