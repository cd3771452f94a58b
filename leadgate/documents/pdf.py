"""Render a quote, order or invoice to PDF with fpdf2.

The renderer knows nothing of the database: it draws a `DocumentView` (company
header, customer, lines, totals, terms). Text is set in DejaVu Sans, embedded
(subset) in the file, so names in any script DejaVu covers (Latin, Greek,
Cyrillic, Hebrew, Arabic letters, …) print as typed. Long descriptions wrap
inside their cell; the table repeats its heading row on each new page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu"
COLUMNS = ("#", "Product", "Quantity", "Unit price", "Discount", "Amount")
WIDTHS = (8, 78, 20, 26, 22, 26)


@dataclass(frozen=True)
class LineView:
    sequence: int
    description: str
    quantity: Decimal
    unit: str
    price_per_unit: Decimal
    discount: Decimal
    extended: Decimal


@dataclass(frozen=True)
class DocumentView:
    company: str
    title: str  # "Quote", "Order", "Invoice"
    number: str
    issued_on: str
    customer: str
    currency: str
    lines: list[LineView]
    totals: list[tuple[str, Decimal]]
    terms: str | None = None
    details: list[tuple[str, str]] = field(default_factory=list)


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _quantity(quantity: Decimal) -> str:
    return format(quantity.normalize(), "f")


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 6, f"{self.footer_text} · page {self.page_no()}/{{nb}}", align="C")


def render(view: DocumentView, *, compress: bool = True) -> bytes:
    pdf = _Pdf(format="A4")
    pdf.footer_text = f"{view.title} {view.number}"
    pdf.set_compression(compress)
    pdf.add_font(FONT, style="", fname=str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, style="B", fname=str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{view.title} {view.number}")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()

    pdf.set_font(FONT, style="B", size=16)
    pdf.cell(0, 9, view.company, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=12)
    pdf.cell(0, 7, f"{view.title} {view.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.cell(0, 5, f"Date: {view.issued_on}", new_x="LMARGIN", new_y="NEXT")
    for label, value in view.details:
        pdf.cell(0, 5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, style="B", size=10)
    pdf.cell(0, 6, "Customer", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(0, 5, view.customer, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_font(FONT, size=8)
    with pdf.table(
        col_widths=WIDTHS,
        text_align=("RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD"),
        repeat_headings=1,
        line_height=4.5,
    ) as table:
        table.row(COLUMNS)
        for line in view.lines:
            unit = f" {line.unit}" if line.unit else ""
            table.row(
                (
                    str(line.sequence),
                    line.description,
                    f"{_quantity(line.quantity)}{unit}",
                    _money(line.price_per_unit),
                    _money(line.discount),
                    _money(line.extended),
                )
            )
    pdf.ln(3)
    pdf.set_font(FONT, size=9)
    for label, amount in view.totals:
        bold = label.startswith("Total")
        pdf.set_font(FONT, style="B" if bold else "", size=9)
        pdf.cell(154, 5, label, align="R")
        pdf.cell(26, 5, f"{_money(amount)}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    pdf.cell(0, 5, f"Amounts in {view.currency}", align="R", new_x="LMARGIN", new_y="NEXT")
    if view.terms:
        pdf.ln(4)
        pdf.set_font(FONT, style="B", size=9)
        pdf.cell(0, 5, "Terms", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=9)
        pdf.multi_cell(0, 4.5, view.terms, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
