"""Screening fixtures: a two-brand registry, a tiny keyword detector for the pure-core tests, registry files.

Why a keyword detector here: the pure scoring core takes any object with ``detect_many``; a transparent one
lets each test state exactly which hits and signals a listing produces. The service and CLI tests use the real
``bordermark.detect.Detector``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from bordermark.detect.types import Detection, Hit, Signal
from bordermark.domain import AuthorisedParty, Holder, Listing, Mark, PartyRole, PriceBand, Product, Registry
from bordermark.screen.money import Rates

DISGUISES = {"acm3": "leet", "a c m e": "spaced", "zephir": "fuzzy"}
SIGNALS = {"replica": ("TT_REPLICA", "trade_term"), "aaa": ("TT_GRADE", "quality_claim"),
           "oem": ("TT_OEM", "trade_term"), "whatsapp": ("CT_WHATSAPP", "contact")}


class KeywordDetector:
    def __init__(self, registry: Registry) -> None:
        self.names: list[tuple[str, Mark, str]] = []
        for m in registry.marks:
            self.names.append((m.text.lower(), m, "exact"))
            self.names += [(a.text.lower(), m, "alias") for a in m.aliases]
        by_text = {m.text: m for m in registry.marks}
        for form, method in DISGUISES.items():
            target = by_text["ACME"] if form.replace(" ", "").startswith("acm") else by_text["ZEPHYR"]
            self.names.append((form, target, method))

    def detect(self, text: str) -> Detection:
        low = text.lower()
        hits = []
        for name, mark, method in self.names:
            for m in re.finditer(rf"\b{re.escape(name)}\b", low):
                hits.append(Hit(mark.id, mark.text, mark.holder, m.start(), m.end(), text[m.start():m.end()],
                                method, 1.0 if method in ("exact", "alias") else 0.85))
        signals = [Signal(code, term, m.start(), m.end(), 0.8, family=fam)
                   for term, (code, fam) in SIGNALS.items() for m in re.finditer(rf"\b{term}\b", low)]
        return Detection(hits=hits, signals=signals)

    def detect_many(self, texts: Sequence[str], *, categories: Sequence[str | None] | None = None,
                    keep_unsupported: bool = False) -> list[Detection]:
        return [self.detect(t) for t in texts]


@pytest.fixture
def registry() -> Registry:
    return Registry(
        holders=(Holder(name="Acme Sports", country="US"), Holder(name="Zephyr Watches", country="CH")),
        marks=(
            Mark(holder="Acme Sports", text="ACME", external_id="M1", registration_number="US-123",
                 nice_classes=(25,), jurisdictions=("US", "CN")),
            Mark(holder="Zephyr Watches", text="ZEPHYR", external_id="M2", nice_classes=(14,), famous=True),
        ),
        products=(
            Product(holder="Acme Sports", mark="ACME", name="Runner One", category="shoes",
                    price_bands=(PriceBand(market="US", currency="USD", low=Decimal(100), high=Decimal(150)),)),
            Product(holder="Zephyr Watches", mark="ZEPHYR", name="Classic", category="watches",
                    price_bands=(PriceBand(market="CH", currency="CHF", low=Decimal(880), high=Decimal(1760)),)),
        ),
        parties=(
            AuthorisedParty(holder="Acme Sports", role=PartyRole.MARKETPLACE_SELLER, name="Acme Official Store",
                            country="US", identifiers=("S-OFFICIAL",)),
            AuthorisedParty(holder="Acme Sports", role=PartyRole.MANUFACTURER, name="Acme Vietnam", country="VN"),
        ),
    )


@pytest.fixture
def rates() -> Rates:
    return Rates.load()


@pytest.fixture
def detector(registry: Registry) -> KeywordDetector:
    return KeywordDetector(registry)


def listing(lid: str = "L1", **kw: object) -> Listing:
    base: dict[str, object] = {"id": lid, "title": "", "currency": "USD", "seller_id": "S9", "seller_name": "Shop 9",
                               "platform": "shopx", "category": "shoes", "ships_from": "CN"}
    base.update(kw)
    if "price" in base and base["price"] is not None:
        base["price"] = Decimal(str(base["price"]))
    return Listing(**base)  # type: ignore[arg-type]


REGISTRY_CSV = {
    "marks.csv": "holder,holder_country,mark,id,aliases,nice_classes,jurisdictions,registration_number\n"
                 "Acme Sports,US,ACME,M1,,25,US|CN,US-123\n"
                 "Zephyr Watches,CH,ZEPHYR,M2,,14,CH,CH-9\n",
    "products.csv": "holder,mark,product,category,market,currency,price_low,price_high\n"
                    "Acme Sports,ACME,Runner One,shoes,US,USD,100,150\n"
                    "Zephyr Watches,ZEPHYR,Classic,watches,CH,CHF,880,1760\n",
    "parties.csv": "holder,role,name,country,marks,identifiers\n"
                   "Acme Sports,marketplace_seller,Acme Official Store,US,ACME,S-OFFICIAL\n"
                   "Acme Sports,manufacturer,Acme Vietnam,VN,ACME,\n",
}


@pytest.fixture
def registry_files(tmp_path: Path) -> list[Path]:
    out = []
    for name, text in REGISTRY_CSV.items():
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        out.append(p)
    return out
