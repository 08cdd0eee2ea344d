"""The scoring core: features with sentences, contributions that add up, verdict classes, suppression."""

from __future__ import annotations

import math

import pytest

from bordermark.domain import Registry
from bordermark.screen.engine import Screener, Verdict, content_hash, score_from_logit
from bordermark.screen.features import FEATURES, SellerRecord, describe
from bordermark.screen.money import Rates
from bordermark.screen.scenario import BUILTIN, Scenario, ScenarioConfig

from .conftest import KeywordDetector, listing


@pytest.fixture
def screener(registry: Registry, detector: KeywordDetector, rates: Rates) -> Screener:
    return Screener.build(registry, detector, BUILTIN, rates)


def test_disguised_brand_with_trade_terms_at_a_fake_price_is_likely_counterfeit(screener: Screener) -> None:
    r = screener.screen(listing(title="ACM3 runner replica AAA shoes", price=20))
    assert r.verdict is Verdict.LIKELY_COUNTERFEIT
    codes = {x["code"] for x in r.reasons}
    assert {"brand_disguised", "counterfeit_terms", "price_below_genuine", "seller_unauthorised"} <= codes
    price = next(x for x in r.reasons if x["code"] == "price_below_genuine")
    assert "80% below the genuine band 100.00 USD-150.00 USD of 'Runner One'" in price["detail"]
    assert r.brand_hits[0]["mark_id"] == "M1" and r.brand_hits[0]["method"] == "leet"


def test_contributions_add_up_to_the_score(screener: Screener) -> None:
    r = screener.screen(listing(title="ACME replica shoes", price=60))
    logit = BUILTIN.config.bias + sum(x["contribution"] for x in r.reasons)
    assert r.score == pytest.approx(score_from_logit(logit, BUILTIN), abs=1e-3)
    assert [abs(x["contribution"]) for x in r.reasons] == sorted((abs(x["contribution"]) for x in r.reasons),
                                                                 reverse=True)


def test_scores_spread_above_the_threshold_and_stay_calibrated_below() -> None:
    cfg = ScenarioConfig(alert_threshold=0.6, alert_spread=4.0)
    sc = Scenario(config=cfg)
    assert score_from_logit(-1.0, sc) == pytest.approx(1 / (1 + math.exp(1.0)))
    assert score_from_logit(math.log(0.6 / 0.4), sc) == pytest.approx(0.6)
    high = [score_from_logit(x, sc) for x in (8.0, 10.0, 12.0, 14.0)]
    assert high == sorted(high) and len({round(h, 4) for h in high}) == 4 and high[-1] < 0.999
    plain = Scenario(config=ScenarioConfig(alert_spread=None))
    assert score_from_logit(14.0, plain) > 0.9999


def test_genuine_brand_from_unauthorised_seller_near_genuine_price_is_parallel_import(screener: Screener) -> None:
    r = screener.screen(listing(title="ACME Runner One shoes, bought in Japan", price=125))
    assert r.verdict is Verdict.POSSIBLE_PARALLEL_IMPORT
    assert any(x["code"] == "price_near_genuine" for x in r.reasons)


def test_authorised_seller_is_a_brand_mention_ok_even_when_cheap(screener: Screener) -> None:
    r = screener.screen(listing(title="ACME Runner One sale", price=70, seller_id="S-OFFICIAL", seller_name="x"))
    assert r.verdict is Verdict.BRAND_MENTION_OK
    auth = next(x for x in r.reasons if x["code"] == "seller_authorised")
    assert auth["contribution"] < 0 and "Acme Official Store (marketplace_seller)" in auth["detail"]


def test_unrelated_category_without_cues_is_a_brand_mention_ok(screener: Screener) -> None:
    r = screener.screen(listing(title="ACME anvil for cartoon fans", price=5, category="garden tools"))
    assert r.verdict is Verdict.BRAND_MENTION_OK
    assert any(x["code"] == "category_unrelated" for x in r.reasons)


def test_no_brand_is_clear_with_no_reasons(screener: Screener) -> None:
    r = screener.screen(listing(title="plain running shoes", price=5))
    assert r.verdict is Verdict.CLEAR and r.reasons == [] and r.brand_hits == []
    assert r.score < BUILTIN.config.alert_threshold


def test_cues_and_history_without_a_mark_can_still_raise(registry: Registry, detector: KeywordDetector,
                                                         rates: Rates) -> None:
    lst = listing(title="top shoes replica AAA, whatsapp me", price=5, seller_id="S9")
    alone = Screener.build(registry, detector, BUILTIN, rates).screen(lst)
    assert alone.verdict is Verdict.CLEAR and {x["code"] for x in alone.reasons} == {
        "counterfeit_terms", "contact_cues"}
    known = Screener.build(registry, detector, BUILTIN, rates,
                           sellers={"S9": SellerRecord("S9", confirmed_fakes=5)}).screen(lst)
    assert known.verdict is Verdict.LIKELY_COUNTERFEIT and known.brand_hits == []


def test_prices_are_converted_with_configured_rates(registry: Registry, detector: KeywordDetector) -> None:
    rates = Rates(base="USD", per_base={"USD": 1.0, "CNY": 10.0, "CHF": 0.88})
    s = Screener.build(registry, detector, BUILTIN, rates)
    r = s.screen(listing(title="ACME shoes", price=1000, currency="CNY"))  # 100 USD: inside the band
    assert r.verdict is Verdict.BRAND_MENTION_OK  # an unlisted reseller at the genuine price
    assert any(x["code"] == "price_near_genuine" for x in r.reasons)
    r = s.screen(listing(title="ZEPHYR watch", price=500, category="watches"))  # band 1000-2000 USD
    detail = next(x["detail"] for x in r.reasons if x["code"] == "price_below_genuine")
    assert "1,000.00 USD-2,000.00 USD" in detail


def test_seller_history_raises_the_score(registry: Registry, detector: KeywordDetector, rates: Rates) -> None:
    lst = listing(title="ACME shoes", price=80)
    plain = Screener.build(registry, detector, BUILTIN, rates).screen(lst)
    known = Screener.build(registry, detector, BUILTIN, rates,
                           sellers={"S9": SellerRecord("S9", confirmed_fakes=3)}).screen(lst)
    assert known.score > plain.score
    assert any("3 listing(s) confirmed counterfeit" in x["detail"] for x in known.reasons)


def test_cleared_listing_is_suppressed_until_it_changes(registry: Registry, detector: KeywordDetector,
                                                        rates: Rates) -> None:
    lst = listing(title="ACME shoes", price=120)
    s = Screener.build(registry, detector, BUILTIN, rates, cleared={"L1": content_hash(lst)})
    assert s.screen(lst).suppressed
    assert not s.screen(listing(title="ACME shoes", price=20)).suppressed


def test_scenario_weights_and_version_are_used(registry: Registry, detector: KeywordDetector,
                                               rates: Rates) -> None:
    cfg = ScenarioConfig(weights={**BUILTIN.config.weights, "counterfeit_terms": 0.0})
    s = Screener.build(registry, detector, Scenario(version=7, config=cfg), rates)
    r = s.screen(listing(title="ACME replica", price=120))
    assert r.scenario_version == 7
    assert next(x for x in r.reasons if x["code"] == "counterfeit_terms")["contribution"] == 0.0


def test_unknown_feature_weight_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown feature"):
        ScenarioConfig(weights={"no_such_feature": 1.0})


def test_every_feature_is_documented() -> None:
    docs = describe()
    assert [d["code"] for d in docs] == list(FEATURES)
    assert all(len(d["doc"]) > 20 for d in docs)


def test_catalogue_photo_reused_by_a_cheap_unauthorised_seller(registry: Registry, detector: KeywordDetector,
                                                             rates: Rates) -> None:
    from bordermark.screen.images import GENUINE, ImageIndex, KnownImage

    url = "https://img.acme.example/P1.jpg"
    index = ImageIndex([KnownImage(0, GENUINE, url, "M1")])
    s = Screener.build(registry, detector, BUILTIN, rates, images=index)
    cheap = s.screen(listing(title="ACME shoes", price=25, images=(url,)))
    reason = next(x for x in cheap.reasons if x["code"] == "image_genuine_copy_cheap")
    assert reason["contribution"] > 0 and url in reason["detail"]
    fair = s.screen(listing(title="ACME shoes", price=140, images=(url,)))
    assert all(x["code"] != "image_genuine_copy_cheap" for x in fair.reasons)


def test_import_channel_cues_point_to_parallel_import(screener: Screener) -> None:
    r = screener.screen(listing(title="ACME Runner One 海外代购", price=140))
    assert r.verdict is Verdict.POSSIBLE_PARALLEL_IMPORT
    assert any(x["code"] == "import_channel_cues" and "代购" in x["detail"] for x in r.reasons)


def test_repeated_texts_are_detected_once_per_run(registry: Registry, detector: KeywordDetector,
                                                  rates: Rates) -> None:
    calls: list[int] = []

    class Counting(KeywordDetector):
        def detect_many(self, texts, *, categories=None, keep_unsupported=False):  # type: ignore[no-untyped-def]
            calls.append(len(texts))
            return super().detect_many(texts, categories=categories, keep_unsupported=keep_unsupported)

    s = Screener.build(registry, Counting(registry), BUILTIN, rates)
    batch = [listing(f"L{i}", title="ACM3 replica", price=10 + i) for i in range(5)]
    first = s.screen_many(batch)
    second = s.screen_many(batch)
    assert calls == [1]
    assert [r.score for r in first] == [r.score for r in second]
    assert len({r.score for r in first}) == 5  # same text, different prices: scored per listing


def test_norm_name_drops_what_the_name_regex_drops() -> None:
    """``norm_name`` keeps the alphanumeric characters of the casefolded name: for every code point that is
    what removing ``_NAME_RE`` (``[\\W_]+``) keeps, and so for names mixing them."""
    import sys

    from bordermark.screen.engine import _NAME_RE, norm_name

    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]
    assert [c for c in chars if _NAME_RE.sub("", c) != ("" if not c.isalnum() else c)] == []
    names = ["Acme Trading Co., Ltd.", "S000828", "", "_", "ÉLAN_Store-01", "深圳 福佳 实业", "Straße ǅ", "a\u0301b",
             "x²³ ½ Ⅻ", "\u00a0tab\there\n", "١٢٣ store", "🙂 shop", *chars[::997]]
    assert [norm_name(n) for n in names] == [_NAME_RE.sub("", n.casefold()) for n in names]


def test_genuine_band_from_the_brands_derived_priced_products(detector: KeywordDetector, rates: Rates) -> None:
    """A brand's priced products (cheapest first, per category key) are derived from its products, so a brand
    rebuilt by ``dataclasses.replace`` gets the same band for every title and category, ties included (the first
    listed of equal lows), and one given other products gets theirs, never stale ones."""
    from dataclasses import replace
    from decimal import Decimal

    from bordermark.domain import Holder, Mark, PriceBand, Product

    def product(name: str, category: str | None, low: int) -> Product:
        return Product(holder="H", mark="ACME", name=name, category=category,
                       price_bands=(PriceBand(market="US", currency="USD", low=Decimal(low), high=Decimal(low * 2)),))

    registry = Registry(holders=(Holder(name="H", country="US"),),
                        marks=(Mark(holder="H", text="ACME", external_id="M1"),),
                        products=(product("Runner", "Shoes", 120), product("Trail", "shoes", 90),
                                  product("Tee", "Apparel", 20), product("Cap", "apparel", 20),
                                  product("Free", "Shoes", 0), product("Bag", None, 60)))
    screener = Screener.build(registry, detector, BUILTIN, rates)
    brand = screener.brands["M1"]
    assert brand.priced is not None and [p.name for p in brand.priced] == ["Tee", "Cap", "Bag", "Trail", "Runner"]
    rebuilt = replace(brand)
    for title in ("ACME runner", "acme TRAIL and runner", "ACME cap", "ACME", "ACME bag"):
        for category in (None, "", "shoes", " SHOES ", "apparel", "toys", "bags"):
            want = screener._band_of(brand, title, category)
            assert screener._band_of(rebuilt, title, category) == want
            assert want is not None
    names = {(t, c): screener._band_of(brand, t, c).name  # type: ignore[union-attr]
             for t, c in [("ACME runner", "shoes"), ("ACME", None), ("ACME", " SHOES "), ("ACME cap", "apparel"),
                          ("ACME", "toys"), ("acme TRAIL and runner", "shoes")]}
    assert names == {("ACME runner", "shoes"): "Runner", ("ACME", None): "Tee", ("ACME", " SHOES "): "Trail",
                     ("ACME cap", "apparel"): "Cap", ("ACME", "toys"): "Tee",
                     ("acme TRAIL and runner", "shoes"): "Trail"}
    fewer = replace(brand, products=tuple(p for p in brand.products if p.name in ("Runner", "Bag")))
    assert [p.name for p in fewer.priced] == ["Bag", "Runner"]
    assert screener._band_of(fewer, "ACME", "shoes").name == "Runner"  # type: ignore[union-attr]


@pytest.mark.parametrize("compiled", [True, False])
def test_import_channel_phrases_of_a_batch_equal_the_regex_on_each_text(
        registry: Registry, detector: KeywordDetector, rates: Rates, compiled: bool,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch's import-channel phrases (found for the whole batch, then the regex between each text's first and
    last phrase) are what the regex finds in each casefolded text: several phrases, overlapping ones, phrases at
    either end, text that casefolding lengthens (ß, ﬁ) before a phrase, Chinese phrases, none."""
    from bordermark.screen import engine

    if not compiled:
        monkeypatch.setattr(engine, "_fast", None)
    screener = Screener.build(registry, detector, BUILTIN, rates)
    texts = ["ACME runner, imported from Japan", "Grey Import: US version, no local warranty, US VERSION",
             "Straße ﬁne ACME, parallel import / duty-free / duty free", "海外代购 ACME 直邮，港版", "plain ACME text",
             "imported from", "eu version", "jp versionhk version", "bought in bought in", "", "ACME imported fromx",
             "international version and us version", "ẞ" * 40 + " overseas stock " + "ß" * 40 + " gray import"]
    got = screener._import_cues_many(texts)
    assert got is not None
    assert got == [screener._import_re.findall(t.casefold()) for t in texts]  # type: ignore[union-attr]
    assert sum(map(bool, got)) == 11
