"""PDF rendering without a database: page breaks, wrapping, non-Latin text, totals."""

from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfReader

from leadgate.documents.pdf import DocumentView, LineView, render

LONG = "Industrial grade stainless steel widget with extended warranty and on-site service " * 3


def _view(count: int, name: str = "Widget") -> DocumentView:
    lines = [
        LineView(i, f"{name} {i}", Decimal(i), "each", Decimal("12.50"), Decimal(0),
                 Decimal("12.50") * i)
        for i in range(1, count + 1)
    ]  # fmt: skip
    total = sum((line.extended for line in lines), Decimal(0))
    return DocumentView(
        company="Leadgate Test Co",
        title="Quote",
        number="QUO-000042",
        issued_on="2026-11-24",
        customer="Ωmega Ltd\n1 Main Street",
        currency="EUR",
        lines=lines,
        totals=[("Lines", total), ("Tax", Decimal(0)), ("Total", total)],
        terms="Net 30 days.",
    )


def _text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_one_line_quote_has_header_lines_totals_and_terms() -> None:
    data = render(_view(1))
    assert data.startswith(b"%PDF")
    pages, text = _text(data)
    assert pages == 1
    for expected in ("Leadgate Test Co", "Quote QUO-000042", "Ωmega Ltd", "Widget 1", "Total",
                     "12.50", "Net 30 days."):  # fmt: skip
        assert expected in text


def test_two_hundred_lines_break_across_pages() -> None:
    pages, text = _text(render(_view(200)))
    assert pages == 4  # about 55 single-height rows per A4 page
    assert "Widget 200" in text
    assert "Total 251,250.00" in text  # 12.50 * (1 + … + 200) = 12.50 * 20100
    assert text.count("Unit price") == pages  # the heading row repeats on each page


def test_non_latin_and_long_names_print_as_typed() -> None:
    view = _view(3, name="Суперпродукт 製品 Ελληνικά")
    data = render(view, compress=False)
    assert b"/FontFile2" in data  # the Unicode font is embedded
    _, text = _text(data)
    assert "Суперпродукт" in text
    assert "Ελληνικά" in text
    pages, long_text = _text(render(_view(3, name=LONG)))
    assert pages == 1
    assert "on-site service" in long_text
