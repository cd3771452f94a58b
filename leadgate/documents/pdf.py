"""Render a quote, order or invoice to PDF with fpdf2.

The renderer knows nothing of the database: it draws a `DocumentView` (company
header, customer, lines, totals, terms). Text is set in DejaVu Sans, embedded
(subset) in the file, so names in any script DejaVu covers (Latin, Greek,
Cyrillic, Hebrew, Arabic letters, …) print as typed. Long descriptions wrap
inside their column; the table repeats its heading row on each new page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu"
COLUMNS = ("#", "Product", "Quantity", "Unit price", "Discount", "Amount")
WIDTHS = (8, 78, 20, 26, 22, 26)
ROW = 4.5  # mm per text line in the lines table


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


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Split `text` into lines that fit `width` (words too long for a line are cut)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if pdf.get_string_width(candidate) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while pdf.get_string_width(word) > width:
                cut = len(word)
                while cut > 1 and pdf.get_string_width(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    return lines


def _heading(pdf: FPDF) -> None:
    pdf.set_font(FONT, size=8)
    for title, width in zip(COLUMNS, WIDTHS, strict=True):
        pdf.cell(width, ROW, title, border="B", align="L" if title == "Product" else "R")
    pdf.ln(ROW)


def _line_table(pdf: FPDF, lines: list[LineView]) -> None:
    """The lines table, drawn row by row: wrapped descriptions, page breaks that
    never split a row, and the heading repeated on every page."""
    _heading(pdf)
    padding = 1.0
    for line in lines:
        unit = f" {line.unit}" if line.unit else ""
        wrapped = _wrap(pdf, line.description, WIDTHS[1] - 2 * padding)
        height = ROW * len(wrapped)
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            _heading(pdf)
        top = pdf.get_y()
        cells = (
            str(line.sequence),
            None,
            f"{_quantity(line.quantity)}{unit}",
            _money(line.price_per_unit),
            _money(line.discount),
            _money(line.extended),
        )
        # text() draws a string at a point: far cheaper than cell() for a large table.
        baseline = top + ROW - 1.3
        x = pdf.l_margin
        for text, width in zip(cells, WIDTHS, strict=True):
            if text is None:
                for number, part in enumerate(wrapped):
                    pdf.text(x + padding, baseline + number * ROW, part)
            else:
                pdf.text(x + width - padding - pdf.get_string_width(text), baseline, text)
            x += width
        pdf.set_draw_color(200)
        pdf.line(pdf.l_margin, top + height, x, top + height)
        pdf.set_xy(pdf.l_margin, top + height)


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
    pdf.add_font(FONT, fname=str(FONTS / "DejaVuSans.ttf"))
    pdf.set_title(f"{view.title} {view.number}")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()

    pdf.set_font(FONT, size=16)
    pdf.cell(0, 9, view.company, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=12)
    pdf.cell(0, 7, f"{view.title} {view.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.cell(0, 5, f"Date: {view.issued_on}", new_x="LMARGIN", new_y="NEXT")
    for label, value in view.details:
        pdf.cell(0, 5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, size=11)
    pdf.cell(0, 6, "Customer", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(0, 5, view.customer, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    _line_table(pdf, view.lines)
    pdf.ln(3)
    for label, amount in view.totals:
        # One embedded face keeps the file small and fast; the total stands out by size.
        pdf.set_font(FONT, size=10 if label == "Total" else 9)
        pdf.cell(154, 5, label, align="R")
        pdf.cell(26, 5, f"{_money(amount)}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    pdf.cell(0, 5, f"Amounts in {view.currency}", align="R", new_x="LMARGIN", new_y="NEXT")
    if view.terms:
        pdf.ln(4)
        pdf.set_font(FONT, size=11)
        pdf.cell(0, 6, "Terms", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=9)
        pdf.multi_cell(0, 4.5, view.terms, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
