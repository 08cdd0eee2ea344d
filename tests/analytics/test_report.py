"""Exported reports keep every row: the CSV has them all, and the PDF continues a long table over pages."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from bordermark.analytics import plots, report
from bordermark.analytics.stats import Tables


def _tables(n_brands: int) -> Tables:
    brands = [{"brand": f"BRAND {i}", "detentions": i, "seizures": i // 2} for i in range(n_brands)]
    return Tables(by_dimension={"brand": brands, "channel": [{"channel": "postal", "detentions": 3, "seizures": 1}]},
                  hit_rates=[{"selection": "target", "inspected": 10, "hits": 4, "hit_rate": 0.4, "ci_low": 0.17,
                              "ci_high": 0.69}],
                  totals={"cases": n_brands, "detentions": 3})


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_pdf_continues_long_tables_over_pages() -> None:
    when = datetime(2026, 11, 22, tzinfo=UTC)
    short = report.pdf_report(_tables(3), when)
    long = report.pdf_report(_tables(report.PDF_ROWS_PER_PAGE * 2 + 1), when)
    assert short[:5] == b"%PDF-" and long[:5] == b"%PDF-"
    # cover + one chart per plot + one page per table (5 tables: brand, channel, hit rates, queue ages, deadlines)
    assert _pages(short) == 1 + len(plots.PLOTS) + 5
    assert _pages(long) == _pages(short) + 2  # the brand table now needs three pages


def test_csv_has_every_row_and_the_header() -> None:
    rows = _tables(50).by_dimension["brand"]
    parsed = list(csv.DictReader(io.StringIO(report.table_csv(rows))))
    assert len(parsed) == 50 and parsed[49] == {"brand": "BRAND 49", "detentions": "49", "seizures": "24"}
