"""Named screening features. Each is a plain function whose name is the evidence code and whose docstring is
its user-facing documentation (the OpenSanctions way); it returns ``FeatureResult(value, detail)`` with a
human sentence, or ``None`` when it does not apply. Pure: everything it needs is already in :class:`Evidence`.

Values lie in 0..1 so a scenario weight reads as "log-odds added at full strength"; the contribution reported
with each reason is ``weight * value``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter
from typing import Any, NamedTuple

from bordermark.domain import Listing


class FeatureResult(NamedTuple):
    value: float
    detail: str


@dataclass(frozen=True, slots=True)
class ProductBand:
    name: str
    category: str | None
    low: float  # in the base currency
    high: float
    category_key: str = ""  # normalised category, precomputed for speed
    name_key: str = ""  # case-folded name
    sentence: str = ""  # "the genuine band ... of '<name>'" in ``sentence_base``, precomputed for speed
    sentence_base: str = ""


@dataclass(frozen=True, slots=True)
class BrandInfo:
    """What screening needs to know about one mark, precomputed once from the registry."""

    mark_id: str
    text: str
    holder: str
    registration_number: str | None
    famous: bool
    products: tuple[ProductBand, ...]
    categories: frozenset[str]
    authorised: dict[str, str]  # normalised name or identifier -> "party name (role)"
    network_countries: frozenset[str]
    network_text: str = ""  # the first network countries as shown in sentences (precomputed for speed)
    categories_text: str = ""  # the first categories as shown in sentences
    # derived from ``products`` (priced_bands), so a brand made by hand or by dataclasses.replace has them too:
    # the products with a price band, cheapest first, and the same per category key
    priced: tuple[ProductBand, ...] = field(init=False)
    priced_by_category: dict[str, tuple[ProductBand, ...]] = field(init=False)

    def __post_init__(self) -> None:
        priced, by_category = priced_bands(self.products)
        object.__setattr__(self, "priced", priced)
        object.__setattr__(self, "priced_by_category", by_category)


@dataclass(frozen=True, slots=True)
class SellerRecord:
    seller_id: str
    confirmed_fakes: int = 0
    cleared: int = 0
    parallel: int = 0
    takedowns: int = 0


@dataclass(frozen=True, slots=True)
class ImageMatch:
    path: str
    distance: int
    source: str  # the listing or catalogue entry the matched hash came from
    mark_id: str | None


@dataclass(slots=True)
class Evidence:
    """Everything known about one listing at scoring time."""

    listing: Listing
    hit: Any | None  # the primary bordermark.detect Hit
    brand: BrandInfo | None
    signals: dict[str, list[str]] = field(default_factory=dict)  # feature family -> matched terms
    signal_weight: dict[str, float] = field(default_factory=dict)  # feature family -> summed lexicon weight
    price_base: float | None = None
    base_currency: str = "USD"
    band: ProductBand | None = None
    authorised_as: str | None = None
    seller: SellerRecord | None = None
    image_counterfeit: ImageMatch | None = None
    image_genuine: ImageMatch | None = None
    plain_methods: frozenset[str] = frozenset()
    history_saturation: int = 3
    parallel_min_price_ratio: float = 0.6


def _quote(terms: Sequence[str]) -> str:
    return ", ".join(f"'{t}'" for t in list(dict.fromkeys(terms))[:5])


def _money(v: float, cur: str) -> str:
    return f"{v:,.2f} {cur}"


def hit_results(hit: Any, brand: BrandInfo | None, plain_methods: frozenset[str]) -> tuple[
        FeatureResult | None, FeatureResult | None, FeatureResult | None, FeatureResult | None]:
    """``brand_hit``, ``brand_disguised``, ``brand_ambiguous`` and ``brand_context_weak`` from their inputs
    alone: one definition for the feature functions and for screening's fast path (no :class:`Evidence`)."""
    if hit is None:
        return _NO_HIT
    ambiguous = getattr(hit, "ambiguous", False)
    if brand is None:
        first = disguised = None
    else:
        matched, method = hit.matched, hit.method
        first = FeatureResult(1.0, f"Names the mark '{brand.text}' of {brand.holder} ({brand.mark_id}) as '{matched}'")
        if str(method) in plain_methods and getattr(hit, "alias_kind", None) != "observed":
            disguised = None
        else:
            disguised = FeatureResult(1.0, f"'{matched}' is a disguised form of '{brand.text}' (matched by {method})")
    if not ambiguous:
        return first, disguised, None, None
    weak = None if getattr(hit, "supported", True) else FeatureResult(
        1.0, f"'{hit.matched}' is an ordinary or short word and its context supports the brand "
             f"only weakly ({getattr(hit, 'context', 0.0):.2f})")
    return first, disguised, FeatureResult(
        1.0, f"'{hit.matched}' is also an ordinary or very short word (matched by {hit.method})"), weak


_NO_HIT: tuple[None, None, None, None] = (None, None, None, None)


def brand_hit(e: Evidence) -> FeatureResult | None:
    """The listing names a registered mark or one of its aliases."""
    return hit_results(e.hit, e.brand, e.plain_methods)[0]


def brand_disguised(e: Evidence) -> FeatureResult | None:
    """The mark is written in a disguised form (look-alike characters, spacing, misspelling, transliteration)
    rather than as registered: sellers of genuine goods have no reason to hide the brand name."""
    return hit_results(e.hit, e.brand, e.plain_methods)[1]


def brand_ambiguous(e: Evidence) -> FeatureResult | None:
    """The matched word is also an ordinary word or very short (e.g. a Chinese syllable pair that sounds like
    the mark): such hits need other evidence before they mean the brand."""
    return hit_results(e.hit, e.brand, e.plain_methods)[2]


def brand_context_weak(e: Evidence) -> FeatureResult | None:
    """The matched word is also an ordinary word or very short, and little around it speaks for the brand
    (detection's context below its support level): likely a plain use of the word, not the mark."""
    return hit_results(e.hit, e.brand, e.plain_methods)[3]


def _family(e: Evidence, family: str, sentence: str) -> FeatureResult | None:
    terms = e.signals.get(family)
    if not terms:
        return None
    strength = e.signal_weight.get(family, 0.0) or 0.6 + 0.2 * (len(terms) - 1)
    return FeatureResult(round(min(1.0, strength), 3), f"{sentence}: {_quote(terms)}")


def counterfeit_terms(e: Evidence) -> FeatureResult | None:
    """Counterfeit trade terms next to a brand ("replica", "AAA grade", "1:1", "高仿")."""
    return _family(e, "counterfeit_terms", "Uses counterfeit trade terms")


def factory_origin(e: Evidence) -> FeatureResult | None:
    """Claims of factory origin ("OEM", "factory direct", "semi-finished goods from a factory in ...")."""
    return _family(e, "factory_origin", "Claims factory origin")


def contact_cues(e: Evidence) -> FeatureResult | None:
    """Cues steering buyers off the platform (WhatsApp, WeChat, Telegram, phone numbers, e-mail)."""
    return _family(e, "contact_cues", "Steers buyers off the platform")


def priced_bands(products: Sequence[ProductBand]) -> tuple[tuple[ProductBand, ...],
                                                            dict[str, tuple[ProductBand, ...]]]:
    """A mark's products with a price band, cheapest first (a stable sort: among equal lows the first listed
    wins, as min() would pick it), and the same per category key (filtering the sorted products keeps the order
    a stable sort of the filtered ones gives): what the screener picks a listing's genuine band from."""
    priced = sorted((p for p in products if p.low > 0), key=_LOW)
    by_category: dict[str, list[ProductBand]] = {}
    for p in priced:
        by_category.setdefault(p.category_key, []).append(p)
    return tuple(priced), {k: tuple(v) for k, v in by_category.items()}


_LOW = attrgetter("low")


def band_sentence(band: ProductBand, base_currency: str) -> str:
    return (f"the genuine band {_money(band.low, base_currency)}-{_money(band.high, base_currency)} "
            f"of '{band.name}'")


def network_text(countries: frozenset[str]) -> str:
    return ", ".join(sorted(countries)[:6])


def categories_text(categories: frozenset[str]) -> str:
    return ", ".join(sorted(categories)[:4])


def import_channel_cues(e: Evidence) -> FeatureResult | None:
    """The listing describes an import channel ("imported from Japan", "grey import", "代购", "no local
    warranty"): what parallel importers of genuine goods say, and counterfeiters rarely do."""
    terms = e.signals.get("import_channel_cues")
    if not terms or e.hit is None:
        return None
    return FeatureResult(1.0, f"Describes an import channel: {_quote(terms)}")


def price_results(price_base: float | None, band: ProductBand | None, base_currency: str,
                  min_ratio: float) -> tuple[FeatureResult | None, FeatureResult | None]:
    """``price_below_genuine`` and ``price_near_genuine`` from their inputs alone: one definition for the
    feature functions and for screening's per-listing fast path (which has no :class:`Evidence` to build)."""
    if band is None or price_base is None or band.low <= 0:
        return _NO_PRICE
    ratio = price_base / band.low
    is_below = ratio < 1.0
    is_near = not (ratio < min_ratio or price_base > band.high * 1.5)
    if not (is_below or is_near):
        return _NO_PRICE
    price = f"Price {price_base:,.2f} {base_currency} is "  # as _money writes it
    genuine = band.sentence if band.sentence and band.sentence_base == base_currency else \
        band_sentence(band, base_currency)
    below = None
    if is_below:
        b = 1.0 - ratio
        below = FeatureResult(b, f"{price}{b:.0%} below {genuine}")
    return below, FeatureResult(1.0, f"{price}near {genuine}") if is_near else None


_NO_PRICE: tuple[None, None] = (None, None)


def price_below_genuine(e: Evidence) -> FeatureResult | None:
    """The price lies below the genuine product's price band (converted with configured rates); the value is
    the fraction below the band's low end, so 0.8 means 80 % cheaper than the cheapest genuine offer."""
    return price_results(e.price_base, e.band, e.base_currency, e.parallel_min_price_ratio)[0]


def price_near_genuine(e: Evidence) -> FeatureResult | None:
    """The price is close to or inside the genuine band: what genuine goods, including parallel imports, cost."""
    return price_results(e.price_base, e.band, e.base_currency, e.parallel_min_price_ratio)[1]


def authorisation_results(brand: BrandInfo | None, authorised_as: str | None, seller_id: str | None,
                          seller_name: str | None) -> tuple[FeatureResult | None, FeatureResult | None]:
    """``seller_unauthorised`` and ``seller_authorised`` from their inputs alone (one definition for the
    feature functions and the fast path)."""
    if brand is None:
        return _NO_PRICE
    if authorised_as is None:
        who = seller_name or seller_id or "unknown seller"
        return FeatureResult(1.0, f"Seller '{who}' is not an authorised party of {brand.holder} for "
                                  f"'{brand.text}'"), None
    return None, FeatureResult(1.0, f"Seller is authorised by {brand.holder}: {authorised_as}")


def seller_unauthorised(e: Evidence) -> FeatureResult | None:
    """The seller is not among the holder's authorised parties for this mark."""
    return authorisation_results(e.brand, e.authorised_as, e.listing.seller_id, e.listing.seller_name)[0]


def seller_authorised(e: Evidence) -> FeatureResult | None:
    """The seller is an authorised party of the holder (distributor, licensee, marketplace seller, ...)."""
    return authorisation_results(e.brand, e.authorised_as, e.listing.seller_id, e.listing.seller_name)[1]


def seller_confirmed_fakes(e: Evidence) -> FeatureResult | None:
    """Reviewers confirmed counterfeits from this seller before (or notices took its listings down); the value
    is n / (n + k), k the scenario's history_saturation, so more confirmations rank higher."""
    s = e.seller
    if s is None or (s.confirmed_fakes == 0 and s.takedowns == 0):
        return None
    n = max(s.confirmed_fakes, s.takedowns)
    value = round(n / (n + e.history_saturation), 3)  # grows with every confirmation, never saturates
    return FeatureResult(value, f"Seller {s.seller_id} has {s.confirmed_fakes} listing(s) confirmed counterfeit "
                                f"and {s.takedowns} taken down")


def seller_cleared(e: Evidence) -> FeatureResult | None:
    """Reviewers cleared this seller's listings before and never confirmed a counterfeit."""
    s = e.seller
    if s is None or s.confirmed_fakes or not (s.cleared or s.parallel):
        return None
    n = s.cleared + s.parallel
    return FeatureResult(round(n / (n + e.history_saturation), 3),
                         f"Seller {s.seller_id} had {n} listing(s) cleared by reviewers and none confirmed fake")


def ships_result(brand: BrandInfo | None, ships: str | None) -> FeatureResult | None:
    """``ships_from_outside_network`` from its inputs alone (one definition for the feature and the fast path)."""
    b = brand
    if b is None or not ships or not b.network_countries or ships in b.network_countries:
        return None
    return FeatureResult(1.0, f"Ships from {ships}, outside {b.holder}'s network "
                              f"({b.network_text or network_text(b.network_countries)})")


def category_result(brand: BrandInfo | None, cat: str | None) -> FeatureResult | None:
    """``category_unrelated`` from its inputs alone (one definition for the feature and the fast path)."""
    b = brand
    if b is None or not cat or not b.categories:
        return None
    if category_key(cat) in b.categories:
        return None
    return FeatureResult(1.0, f"Category '{cat}' is unlike any product of '{b.text}' "
                              f"({b.categories_text or categories_text(b.categories)})")


def ships_from_outside_network(e: Evidence) -> FeatureResult | None:
    """The goods ship from a country where the holder has no authorised maker, distributor or seller."""
    return ships_result(e.brand, e.listing.ships_from)


def category_unrelated(e: Evidence) -> FeatureResult | None:
    """The listing's category matches none of the brand's products: often a plain, unrelated use of the word."""
    return category_result(e.brand, e.listing.category)


def counterfeit_image_result(m: ImageMatch | None) -> FeatureResult | None:
    """``image_counterfeit_match`` from its input alone (one definition for the feature and the fast path)."""
    if m is None:
        return None
    return FeatureResult(1.0, f"Image {m.path} is a near copy (hash distance {m.distance}) of an image of "
                              f"confirmed counterfeit {m.source}")


def genuine_copy_result(m: ImageMatch | None, authorised_as: str | None, price_base: float | None,
                        band: ProductBand | None) -> FeatureResult | None:
    """``image_genuine_copy_cheap`` from its inputs alone (one definition for the feature and the fast path)."""
    if m is None or authorised_as is not None:
        return None
    if band is None or price_base is None or band.low <= 0:
        return None
    ratio = price_base / band.low
    if ratio >= 1.0:
        return None
    return FeatureResult(1.0 - ratio, f"Image {m.path} copies genuine catalogue photo {m.source} "
                                      f"(distance {m.distance}) at {1.0 - ratio:.0%} below the genuine price")


def image_counterfeit_match(e: Evidence) -> FeatureResult | None:
    """An image is a near copy (perceptual hash) of an image from a listing confirmed counterfeit."""
    return counterfeit_image_result(e.image_counterfeit)


def image_genuine_copy_cheap(e: Evidence) -> FeatureResult | None:
    """An unauthorised seller shows a near copy of a genuine catalogue photo at a price far below genuine:
    the classic bait of a counterfeit shop. The value is the fraction below the genuine band."""
    return genuine_copy_result(e.image_genuine, e.authorised_as, e.price_base, e.band)


def _norm_cat(value: str) -> str:
    return value.strip().casefold().replace("_", " ").replace("-", " ")


# a listing's category normalised, remembered: a platform has few categories, and each new text asks again
category_key: Callable[[str], str] = lru_cache(maxsize=4096)(_norm_cat)


FeatureFn = Callable[[Evidence], FeatureResult | None]

FEATURES: dict[str, FeatureFn] = {
    f.__name__: f
    for f in (
        brand_hit, brand_disguised, brand_ambiguous, brand_context_weak, counterfeit_terms, factory_origin,
        contact_cues, import_channel_cues, price_below_genuine, price_near_genuine, seller_unauthorised,
        seller_authorised, seller_confirmed_fakes, seller_cleared, ships_from_outside_network, category_unrelated,
        image_counterfeit_match, image_genuine_copy_cheap,
    )
}

# Features that read nothing but the hit, the brand, the signals, the product band and the listing's title,
# description and category: screening computes them once per distinct text in a run (Screener._prepare). A
# feature that starts reading price, seller, ships-from or images must leave this set.
TEXT_FEATURES: frozenset[str] = frozenset({
    "brand_hit", "brand_disguised", "brand_ambiguous", "brand_context_weak", "counterfeit_terms", "factory_origin",
    "contact_cues", "import_channel_cues", "category_unrelated",
})

# How screening's fast path (Screener.screen_many) caches each feature: by what the feature reads, no more.
# A feature that starts reading something else must move group (tests/screen/test_fast_path.py checks the
# fast path against calling every feature on full evidence).
GROUPS: dict[str, tuple[str, ...]] = {
    # the primary hit's mark, matched text, method, alias kind, ambiguity and context; the scenario's plain methods
    "hit": ("brand_hit", "brand_disguised", "brand_ambiguous", "brand_context_weak"),
    # the signal families' terms and weights, and whether there is a hit
    "signals": ("counterfeit_terms", "factory_origin", "contact_cues", "import_channel_cues"),
    # the brand and the listing's category
    "category": ("category_unrelated",),
    # the price in the base currency and the product band (per listing, see price_results)
    "price": ("price_below_genuine", "price_near_genuine"),
    # the brand, the authorised party found (if any), the seller's id and name
    "authorisation": ("seller_unauthorised", "seller_authorised"),
    # the seller's review history record
    "history": ("seller_confirmed_fakes", "seller_cleared"),
    # the brand and the listing's ships-from country
    "ships_from": ("ships_from_outside_network",),
    # image matches (and, for genuine copies, the price and authorisation)
    "images": ("image_counterfeit_match", "image_genuine_copy_cheap"),
}

FAMILIES: dict[str, tuple[str, ...]] = {
    "brand": ("brand_hit", "brand_disguised", "brand_ambiguous", "brand_context_weak"),
    "text_cues": ("counterfeit_terms", "factory_origin", "contact_cues", "import_channel_cues"),
    "price": ("price_below_genuine", "price_near_genuine"),
    "seller_authorisation": ("seller_unauthorised", "seller_authorised"),
    "seller_history": ("seller_confirmed_fakes", "seller_cleared"),
    "logistics_category": ("ships_from_outside_network", "category_unrelated"),
    "images": ("image_counterfeit_match", "image_genuine_copy_cheap"),
}

# a new feature must be placed in one group
if sorted(f for fs in GROUPS.values() for f in fs) != sorted(FEATURES) or frozenset(
        GROUPS["hit"] + GROUPS["signals"] + GROUPS["category"]) != TEXT_FEATURES:
    raise RuntimeError("features.GROUPS must hold every feature exactly once, the text groups TEXT_FEATURES")


def describe() -> list[dict[str, str]]:
    """Every feature with its documentation (for ``screen features`` and an /algorithms-style endpoint)."""
    fam = {f: name for name, fs in FAMILIES.items() for f in fs}
    return [{"code": k, "family": fam[k], "doc": " ".join((fn.__doc__ or "").split())} for k, fn in FEATURES.items()]
