"""The genuine price band a listing is compared with, when its brand sells several products: both paths pick the
same one. The band decides the price reasons, and the compiled loop has its own copy of the choice (category
first, then the first product the title names, else the cheapest), which the two-brand fixture registry, one
product per brand, never reaches."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

import bordermark.screen
from bordermark.domain import Holder, Listing, Mark, PriceBand, Product, Registry
from bordermark.screen.engine import Screener
from bordermark.screen.money import Rates

from .conftest import KeywordDetector
from .test_compiled import _result_fields, pure  # noqa: F401  (the fixture)
from .test_fast_path import SCENARIOS

pytestmark = pytest.mark.skipif(not bordermark.screen.COMPILED, reason="the compiled loops are not built")


def _band(low: int, high: int) -> tuple[PriceBand, ...]:
    return (PriceBand(market="US", currency="USD", low=Decimal(low), high=Decimal(high)),)


@pytest.fixture
def shop() -> Registry:
    products = [("Runner One", "shoes", 100, 150), ("Trail Two", "Shoes", 60, 90), ("Court Cap", "hats", 20, 30),
                ("Tote", "bags", 200, 400), ("Sample", "", 5, 8)]
    return Registry(
        holders=(Holder(name="Acme Sports", country="US"), Holder(name="Zephyr Watches", country="CH")),
        marks=(Mark(holder="Acme Sports", text="ACME", external_id="M1", nice_classes=(18, 25)),
               Mark(holder="Zephyr Watches", text="ZEPHYR", external_id="M2", nice_classes=(14,))),
        products=tuple(Product(holder="Acme Sports", mark="ACME", name=n, category=c, price_bands=_band(lo, hi))
                       for n, c, lo, hi in products),
    )


def _items(n: int) -> list[Listing]:
    rnd = random.Random(3)
    titles = ["ACME Runner One", "ACME trail two sneakers", "ACME court cap", "ACME", "acme tote and court cap",
              "ACME runner one and trail two"]
    return [Listing(id=f"L{i}", title=rnd.choice(titles), price=Decimal(rnd.choice(["4", "25", "70", "120", "300"])),
                    currency="USD", seller_id="S9", ships_from="CN",
                    category=rnd.choice([None, "", "shoes", " SHOES ", "Shoes", "hats", "bags", "toys"]))
            for i in range(n)]


def test_band_choice_is_the_same_on_both_paths(shop: Registry, rates: Rates, pure: Any) -> None:  # noqa: F811
    items = _items(400)
    got: dict[bool, list[tuple[Any, ...]]] = {}
    for compiled in (True, False):
        pure(compiled)
        s = Screener.build(shop, KeywordDetector(shop), SCENARIOS[0], rates)
        got[compiled] = [_result_fields(r) for r in s.screen_many(items[:150]) + s.screen_many(items[150:])]
    assert got[True] == got[False]
    # not vacuous: the price sentences name several different genuine bands
    details = {r["detail"] for f in got[True] for r in f[4] if "genuine" in r["detail"]}
    assert sum(band in " ".join(details) for band in ("100", "60", "20", "200", "5")) >= 4, details
