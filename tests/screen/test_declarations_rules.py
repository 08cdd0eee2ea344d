"""IPR rules on declarations and parcels, against a real detector built from a small registry."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from bordermark.domain import AuthorisedParty, Holder, Mark, PartyRole, PriceBand, Product, Registry
from bordermark.domain.records import Declaration, DeclarationItem, Parcel
from bordermark.screen.declarations import DeclarationScreen, RuleConfig, norm_party, rule_catalogue
from bordermark.screen.money import Rates


@pytest.fixture(scope="module")
def decl_registry() -> Registry:
    return Registry(
        holders=(Holder(name="Lumora SA", country="FR"),),
        marks=(Mark(holder="Lumora SA", text="LUMORA", nice_classes=(18,)),),
        products=(Product(holder="Lumora SA", mark="LUMORA", name="Lumora tote", hs_codes=("420221",),
                          price_bands=(PriceBand(market="US", currency="USD", low=Decimal(900),
                                                 high=Decimal(3000)),)),),
        parties=(
            AuthorisedParty(holder="Lumora SA", role=PartyRole.MANUFACTURER, name="Lumora Atelier SARL", country="FR"),
            AuthorisedParty(holder="Lumora SA", role=PartyRole.IMPORTER, name="Lumora China Trading Co., Ltd.",
                            country="CN"),
        ),
    )


@pytest.fixture(scope="module")
def screen(decl_registry: Registry) -> DeclarationScreen:
    rates = Rates(base="USD", per_base={"USD": 1.0, "CNY": 7.1, "EUR": 0.92})
    return DeclarationScreen(decl_registry, config=RuleConfig(watchlist=frozenset({"Shady Export Ltd"})),
                             rates=rates)


def _decl(description: str, *, value: str = "10000", qty: str = "10", hs: str = "420221", origin: str = "FR",
          currency: str = "USD", **header: Any) -> Declaration:
    base: dict[str, Any] = {
        "id": "D1", "declared_at": datetime(2025, 3, 1), "exporter": "Lumora Atelier SARL",
        "importer": "Lumora China Trading Co., Ltd.", "consignor": "Lumora Atelier SARL",
        "country_of_departure": "FR",
    }
    base.update(header)
    item = DeclarationItem(line=1, description=description, hs_code=hs, quantity=Decimal(qty), value=Decimal(value),
                           currency=currency, origin=origin)
    return Declaration(items=(item,), **base)


def test_genuine_shipment_by_authorised_parties_raises_only_the_brand(screen: DeclarationScreen) -> None:
    r = screen.screen_declaration(_decl("LUMORA leather tote bag"))
    assert r.codes == ["brand_in_description"]
    assert r.brands == ("LUMORA",)
    assert r.score < 0.5


def test_counterfeit_pattern_fires_named_reasons(screen: DeclarationScreen) -> None:
    d = _decl("LUMORA tote bag", value="800", qty="100", origin="CN", country_of_departure="CN",
              exporter="Yiwu Bags Co", consignor="Yiwu Bags Co", importer="Some Buyer")
    r = screen.screen_declaration(d)
    assert {"brand_in_description", "undervalued", "party_not_authorised", "origin_not_maker_country"} <= set(r.codes)
    under = next(x for x in r.reasons if x.code == "undervalued")
    assert "8.00 USD" in under.detail and "900.00" in under.detail
    assert r.score >= 0.8


def test_undervalue_converts_currencies_with_configured_rates(screen: DeclarationScreen) -> None:
    r = screen.screen_declaration(_decl("LUMORA tote", value="1000", qty="10", currency="CNY"))
    assert "undervalued" in r.codes  # 100 CNY ~ 14 USD against a band from 900 USD
    ok = screen.screen_declaration(_decl("LUMORA tote", value="70000", qty="10", currency="CNY"))
    assert "undervalued" not in ok.codes


def test_hs_code_and_transshipment(screen: DeclarationScreen) -> None:
    r = screen.screen_declaration(_decl("LUMORA perfume", hs="330300", country_of_departure="HK",
                                        route=("FR", "HK", "CN")))
    assert {"hs_not_brand_product", "transshipment_route"} <= set(r.codes)


def test_watchlist_and_vague_description(screen: DeclarationScreen) -> None:
    r = screen.screen_declaration(_decl("gift", exporter="SHADY EXPORT LTD."))
    assert {"watchlisted_party", "vague_description"} <= set(r.codes)
    assert "brand_in_description" not in r.codes
    assert "vague_description" not in screen.screen_declaration(_decl("cotton T-shirt printed")).codes


def test_parcels_use_the_same_rules(screen: DeclarationScreen) -> None:
    p = Parcel(id="P1", declared_at=datetime(2025, 3, 1), description="Lumora bag", declared_value=Decimal(25),
               currency="USD", origin="CN", consignor="Yiwu Bags Co", consignee_name="Ann Lee")
    r = screen.screen_parcel(p)
    assert {"brand_in_description", "undervalued"} <= set(r.codes)
    assert "party_not_authorised" not in r.codes  # retail parcels: the seller is not in the supply-chain registry
    row = r.to_row(0.5)
    assert row["alert"] is True and "undervalued" in row["reason_codes"]


def test_scores_rank_by_evidence(screen: DeclarationScreen) -> None:
    weak = screen.screen_declaration(_decl("LUMORA tote")).score
    strong = screen.screen_declaration(_decl("LUMORA tote", value="10", origin="CN", exporter="X")).score
    assert 0 < weak < strong < 1


def test_party_names_normalise_and_catalogue_documents_every_rule() -> None:
    assert norm_party("ACME Co., Ltd.") == norm_party("acme") == "acme"
    codes = {r["code"] for r in rule_catalogue()}
    assert "undervalued" in codes and all(r["doc"] for r in rule_catalogue())
