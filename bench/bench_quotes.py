"""Benchmarks of the quotes issue: pricing a 200-line quote and rendering it to PDF,
each with its ratio to a 1-line quote measured in the same run.

    python -m bench.bench_quotes
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from decimal import Decimal

from leadgate.catalog.pricing import (
    DiscountKind,
    DiscountRow,
    PriceRule,
    PricingMethod,
    ProductCosts,
    RoundingOption,
    RoundingPolicy,
    document_totals,
    line_amounts,
    unit_price,
)
from leadgate.documents.pdf import DocumentView, LineView, render

RULES = [
    PriceRule(PricingMethod.PERCENT_OF_LIST, percentage=Decimal("90")),
    PriceRule(PricingMethod.MARGIN_CURRENT_COST, percentage=Decimal("35"),
              rounding_policy=RoundingPolicy.UP, rounding_option=RoundingOption.ENDING,
              rounding_amount=Decimal("0.99")),
    PriceRule(PricingMethod.MARKUP_STANDARD_COST, percentage=Decimal("40"),
              rounding_policy=RoundingPolicy.NEAREST, rounding_amount=Decimal("0.05")),
]  # fmt: skip
COSTS = ProductCosts(Decimal("129.90"), Decimal("71.13"), Decimal("69.50"))
ROWS = [
    DiscountRow(Decimal(10), Decimal(49), Decimal(5)),
    DiscountRow(Decimal(50), None, Decimal(8)),
]


def recalculate(count: int) -> Decimal:
    """A full recalculation: every line priced from its rule, then the header totals."""
    lines = [
        line_amounts(
            "EUR",
            unit_price(RULES[i % 3], COSTS, Decimal(1 + i % 2 * 11)),
            Decimal(1 + i % 60),
            discount_kind=DiscountKind.PERCENT,
            discount_rows=ROWS,
            manual_discount=Decimal(i % 4),
            tax=Decimal("1.90"),
        )
        for i in range(count)
    ]
    totals = document_totals(
        "EUR", lines, discount_percent=Decimal("2.5"), discount_amount=Decimal(10),
        freight=Decimal("25"),
    )  # fmt: skip
    return totals.total_amount


def view(count: int) -> DocumentView:
    lines = [
        LineView(i, f"Industrial widget model {i}, a longer description that wraps " * (1 + i % 2),
                 Decimal(i), "each", Decimal("12.50"), Decimal(0), Decimal("12.50") * i)
        for i in range(1, count + 1)
    ]  # fmt: skip
    return DocumentView("Leadgate", "Quote", "QUO-000001", "2026-11-24", "Globex\nSpringfield",
                        "EUR", lines, [("Total", Decimal(1))], "Net 30 days")  # fmt: skip


def best_ms(func: Callable[[], object], repeat: int) -> float:
    func()  # warm up (imports, font parsing caches)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    one = best_ms(lambda: recalculate(1), 200)
    many = best_ms(lambda: recalculate(200), 30)
    print(f"pricing: 200-line recalculation {many:.2f} ms (target < 20 ms); "
          f"1-line {one:.3f} ms; ratio {many / one:.0f}x")  # fmt: skip
    pdf_one = best_ms(lambda: render(view(1)), 5)
    pdf_many = best_ms(lambda: render(view(200)), 5)
    print(f"pdf: 200-line quote {pdf_many:.0f} ms (target < 500 ms); "
          f"1-line {pdf_one:.0f} ms; ratio {pdf_many / pdf_one:.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
