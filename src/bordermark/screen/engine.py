"""The screening core: listing + detection + registry knowledge -> features -> score, verdict, reasons.

Pure and in-memory: a :class:`Screener` is built once from a registry snapshot, a scenario, rates, seller
history, an image index and the cleared-content hashes, then scores batches without touching the store. The
score is a calibrated logistic function of named features, so every reason carries its exact contribution in
log-odds (like Splink's ``bf_*`` columns) and the same code serves hand-set weights and trained ones.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol

from bordermark.domain import Listing, Registry
from bordermark.screen.features import (
    FEATURES,
    NEEDS,
    TEXT_FEATURES,
    BrandInfo,
    Evidence,
    FeatureResult,
    ProductBand,
    SellerRecord,
    _norm_cat,
    band_sentence,
    categories_text,
    network_text,
)
from bordermark.screen.images import COUNTERFEIT, GENUINE, ImageIndex
from bordermark.screen.money import Rates, UnknownCurrency
from bordermark.screen.scenario import BUILTIN, Scenario

FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)
DETECTION_CACHE = 50_000  # distinct (text, category) detections kept per screener; cleared when full


class Verdict(StrEnum):
    LIKELY_COUNTERFEIT = "likely_counterfeit"
    POSSIBLE_PARALLEL_IMPORT = "possible_parallel_import"
    BRAND_MENTION_OK = "brand_mention_ok"
    CLEAR = "clear"


class DetectionLike(Protocol):
    hits: Sequence[Any]
    signals: Sequence[Any]


class DetectorLike(Protocol):
    """What screening needs of ``bordermark.detect.Detector``."""

    def detect_many(self, texts: Sequence[str], *, categories: Sequence[str | None] | None = None,
                    keep_unsupported: bool = False) -> Sequence[Any]: ...


OUTPUT_COLUMNS = ["id", "score", "verdict", "brand_hits", "reasons", "scenario_version", "suppressed"]


@dataclass(slots=True)
class ScreenResult:
    listing_id: str
    score: float
    verdict: Verdict
    brand_hits: list[dict[str, Any]]
    reasons: list[dict[str, Any]]
    scenario_version: int
    features: dict[str, float]
    content_hash: str
    mark_id: str | None = None
    suppressed: bool = False
    listing: Listing | None = field(default=None, repr=False)

    def to_row(self) -> dict[str, Any]:
        return {"id": self.listing_id, "score": self.score, "verdict": self.verdict.value,
                "brand_hits": self.brand_hits, "reasons": self.reasons,
                "scenario_version": self.scenario_version, "suppressed": self.suppressed}


def content_hash(listing: Listing) -> str:
    """What a reviewer saw: if any of it changes, a cleared listing is screened and raised again."""
    parts = (listing.title, listing.description, str(listing.price), listing.currency or "", listing.seller_id or "",
             listing.seller_name or "", listing.category or "", listing.ships_from or "", "|".join(listing.images))
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=10).hexdigest()


_NAME_RE = re.compile(r"[\W_]+", re.UNICODE)


def norm_name(value: str) -> str:
    return _NAME_RE.sub("", value.casefold())


def build_brands(registry: Registry, rates: Rates) -> dict[str, BrandInfo]:
    """Precompute, per mark, its products' price bands in the base currency, categories, authorised parties
    and network countries. Bands in a currency without a rate are skipped (they cannot be compared)."""
    holders = {h.name: h for h in registry.holders}
    products_by: dict[tuple[str, str], list[ProductBand]] = {}
    for p in registry.products:
        lows, highs = [], []
        for b in p.price_bands:
            try:
                lows.append(rates.to_base(b.low, b.currency))
                highs.append(rates.to_base(b.high, b.currency))
            except UnknownCurrency:
                continue
        keys = {"category_key": _norm_cat(p.category) if p.category else "", "name_key": p.name.casefold()}
        if lows:
            band = ProductBand(p.name, p.category, min(lows), max(highs), **keys)
            band = replace(band, sentence=band_sentence(band, rates.base), sentence_base=rates.base)
        else:
            band = ProductBand(p.name, p.category, 0.0, 0.0, **keys)
        products_by.setdefault((p.holder, p.mark), []).append(band)
    parties_by: dict[str, list[Any]] = {}
    for party in registry.parties:
        parties_by.setdefault(party.holder, []).append(party)
    out: dict[str, BrandInfo] = {}
    for m in registry.marks:
        products = tuple(products_by.get((m.holder, m.text), ()))
        authorised: dict[str, str] = {}
        countries: set[str] = set()
        holder = holders.get(m.holder)
        if holder is not None and holder.country:
            countries.add(holder.country)
        for party in parties_by.get(m.holder, ()):
            if party.marks and m.text not in party.marks:
                continue
            label = f"{party.name} ({party.role.value if hasattr(party.role, 'value') else party.role})"
            authorised[norm_name(party.name)] = label
            for ident in party.identifiers:
                authorised[norm_name(ident)] = label
            if party.country:
                countries.add(party.country)
        categories = frozenset(_norm_cat(p.category) for p in products if p.category)
        network = frozenset(countries)
        out[m.id] = BrandInfo(
            mark_id=m.id, text=m.text, holder=m.holder, registration_number=m.registration_number,
            famous=m.famous, products=products, categories=categories, authorised=authorised,
            network_countries=network, network_text=network_text(network),
            categories_text=categories_text(categories),
        )
    return out


def hit_dict(hit: Any) -> dict[str, Any]:
    if hasattr(hit, "to_dict"):
        return hit.to_dict()
    return {"mark_id": hit.mark_id, "mark": hit.mark, "holder": hit.holder, "start": hit.start, "end": hit.end,
            "matched": hit.matched, "method": str(hit.method), "score": round(float(hit.score), 4)}


def decide_verdict(values: dict[str, float], score: float, scenario: Scenario) -> Verdict:
    """Verdict classes from the features and the calibrated score.

    Order matters: no recognised mark -> ``clear`` unless trade cues and seller history alone reach the
    threshold; an authorised seller -> ``brand_mention_ok``; a plainly unrelated
    use (other category, no counterfeit cue) -> ``brand_mention_ok``; a score at or above the alert threshold
    -> ``likely_counterfeit``; genuine brand signals from an unauthorised channel that describes an import
    channel or prices a little under the genuine band -> ``possible_parallel_import``; anything else
    mentioning a brand (e.g. an unlisted reseller at the genuine price) -> ``brand_mention_ok``.
    """
    if not values.get("brand_hit"):  # cues and seller history without a recognised mark
        return Verdict.LIKELY_COUNTERFEIT if score >= scenario.config.alert_threshold else Verdict.CLEAR
    if values.get("seller_authorised"):
        return Verdict.BRAND_MENTION_OK
    weak = values.get("category_unrelated") or values.get("brand_context_weak")
    # a "disguise" of a word the context does not read as the brand is no cue
    cues = values.get("counterfeit_terms") or values.get("factory_origin") or (
        values.get("brand_disguised") and not values.get("brand_context_weak"))
    if weak and not cues:
        return Verdict.BRAND_MENTION_OK
    if score >= scenario.config.alert_threshold:
        return Verdict.LIKELY_COUNTERFEIT
    if values.get("seller_unauthorised") and not weak and (
        values.get("import_channel_cues")
        or (values.get("price_near_genuine") and values.get("price_below_genuine"))
    ):
        return Verdict.POSSIBLE_PARALLEL_IMPORT
    return Verdict.BRAND_MENTION_OK


@dataclass(slots=True)
class _Prepared:
    """A detection with the evidence, values and reasons that depend on the listing's text and category only."""

    detection: Any
    brand_hits: list[dict[str, Any]] = field(default_factory=list)  # shared by every listing with this text
    hit: Any | None = None
    brand: BrandInfo | None = None
    band: ProductBand | None = None
    signals: dict[str, list[str]] = field(default_factory=dict)
    signal_weight: dict[str, float] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)
    # (contribution, feature order, reason dict); the dicts are shared by every listing with this text
    reasons: list[tuple[float, int, dict[str, Any]]] = field(default_factory=list)
    logit: float = 0.0


def _low(band: ProductBand) -> float:
    return band.low


def _reason_order(r: tuple[float, int, dict[str, Any]]) -> tuple[float, int]:
    """Largest absolute contribution first; ties in feature order (as a stable sort of the feature list)."""
    return (-abs(r[0]), r[1])


def _reason(code: str, detail: str, contribution: float) -> dict[str, Any]:
    return {"code": code, "detail": detail, "contribution": round(contribution, 3)}


# Evidence attributes named by features.NEEDS, one bit each in Screener.screen_one's mask (in this order)
_NEEDED_ATTRS = ("seller", "image_counterfeit", "image_genuine", "price_base", "brand")


class Screener:
    """Scores listings against one scenario; build with :meth:`build` (cheap to reuse across batches)."""

    def __init__(
        self,
        brands: dict[str, BrandInfo],
        detector: DetectorLike,
        scenario: Scenario,
        rates: Rates,
        *,
        sellers: dict[str, SellerRecord] | None = None,
        images: ImageIndex | None = None,
        cleared: dict[str, str] | None = None,
    ) -> None:
        self.brands, self.detector, self.scenario, self.rates = brands, detector, scenario, rates
        self.sellers = sellers or {}
        self.images = images if images is not None and len(images) else None
        self.cleared = cleared or {}
        cfg = scenario.config
        self._weights = [(name, FEATURES[name], cfg.weights.get(name, 0.0)) for name in FEATURE_NAMES]
        self._plain = frozenset(cfg.plain_methods)
        self._families = [(fam, tuple(s.lower() for s in subs)) for fam, subs in cfg.signal_families.items()]
        self._family_cache: dict[str, str | None] = {}
        phrases = sorted({p.casefold() for p in cfg.import_channel_phrases if p.strip()}, key=len, reverse=True)
        self._import_re = re.compile("|".join(map(re.escape, phrases))) if phrases else None
        self._import_ac: Any = None
        if phrases:
            import ahocorasick

            self._import_ac = ahocorasick.Automaton()
            for phrase in phrases:
                self._import_ac.add_word(phrase, phrase)
            self._import_ac.make_automaton()
        self._base_score = score_from_logit(cfg.bias, scenario)
        # per run: (title, description, category) -> detection and text-only evidence (bounded, see screen_many)
        self._prepared: dict[tuple[str, str, str | None], _Prepared] = {}
        self._norm_cache: dict[str, str] = {}
        self._bias = cfg.bias
        self._base_rounded = round(self._base_score, 4)
        self._base_currency = rates.base
        self._version = scenario.version
        self._cfg = cfg
        self._by_mask: dict[int, list[tuple[int, str, Any, float]]] = {}
        self._priced: dict[tuple[str, str | None], list[ProductBand]] = {}  # (mark, category) -> candidate bands
        indexed = [(i, name, fn, weight) for i, (name, fn, weight) in enumerate(self._weights)]
        self._text_weights = [w for w in indexed if w[1] in TEXT_FEATURES]
        self._listing_weights = [w for w in indexed if w[1] not in TEXT_FEATURES]

    @classmethod
    def build(cls, registry: Registry, detector: DetectorLike, scenario: Scenario = BUILTIN,
              rates: Rates | None = None, **kw: Any) -> Screener:
        rates = rates or Rates.load()
        return cls(build_brands(registry, rates), detector, scenario, rates, **kw)

    # -- evidence -------------------------------------------------------------------------------------------
    def _family(self, code: str) -> str | None:
        fam = self._family_cache.get(code, "?")
        if fam == "?":
            low = code.lower()
            fam = next((f for f, subs in self._families if any(s in low for s in subs)), None)
            self._family_cache[code] = fam
        return fam

    def _band(self, brand: BrandInfo, listing: Listing) -> ProductBand | None:
        """The product the listing most likely offers: same category, then named in the title, then the
        cheapest (the most lenient comparison for the seller)."""
        key = (brand.mark_id, listing.category)
        priced = self._priced.get(key)
        if priced is None:
            priced = [p for p in brand.products if p.low > 0]
            if len(priced) > 1 and listing.category:
                cat = _norm_cat(listing.category)
                same = [p for p in priced if p.category_key == cat]
                if same:
                    priced = same
            priced.sort(key=_low)  # stable: among equal lows the first listed wins, as min() would pick it
            if len(self._priced) < 100_000:
                self._priced[key] = priced
        if len(priced) > 1:
            title = listing.title.casefold()
            named = [p for p in priced if p.name_key in title]
            if named:
                priced = named
        return priced[0] if priced else None

    def evidence(self, listing: Listing, detection: Any, *, text_only: bool = False) -> tuple[Evidence, list[Any]]:
        """The evidence the features read; ``text_only`` leaves out what depends on more than the listing's
        title, description and category (price, seller, images), which :meth:`screen_one` adds per listing."""
        brands = self.brands
        hits = [h for h in detection.hits if h.mark_id in brands]
        hit = max(hits, key=lambda h: (not getattr(h, "ambiguous", False), getattr(h, "supported", True),
                                       h.score, brands[h.mark_id].famous), default=None)
        brand = brands[hit.mark_id] if hit is not None else None
        cfg = self.scenario.config
        ev = Evidence(listing=listing, hit=hit, brand=brand, base_currency=self.rates.base,
                      plain_methods=self._plain, history_saturation=cfg.history_saturation,
                      parallel_min_price_ratio=cfg.parallel_min_price_ratio)
        if listing.seller_id and not text_only:
            ev.seller = self.sellers.get(listing.seller_id)
        for sig in detection.signals:
            fam = self._family(f"{sig.code} {getattr(sig, 'family', '')}")
            if fam is not None:
                ev.signals.setdefault(fam, []).append(str(sig.term))
                ev.signal_weight[fam] = ev.signal_weight.get(fam, 0.0) + float(getattr(sig, "weight", 0.6))
        if self.images is not None and listing.images and not text_only:
            ev.image_counterfeit = self.images.match(listing.images, COUNTERFEIT, cfg.image_max_distance)
        if brand is None:
            return ev, hits
        if self._import_re is not None:
            low = listing.text.casefold()
            # the automaton only says whether any phrase occurs (one pass in C); the regex stays the definition
            if self._import_ac is None or next(self._import_ac.iter(low), None) is not None:
                found = self._import_re.findall(low)
                if found:
                    ev.signals["import_channel_cues"] = found
        ev.band = self._band(brand, listing)
        if text_only:
            return ev, hits
        if listing.price is not None and listing.currency:
            ev.price_base = self.rates.to_base(listing.price, listing.currency)
        for key in (listing.seller_id, listing.seller_name):
            if key:
                party = brand.authorised.get(norm_name(key))
                if party:
                    ev.authorised_as = party
                    break
        if self.images is not None and listing.images:
            ev.image_genuine = self.images.match(listing.images, GENUINE, cfg.image_max_distance)
        return ev, hits

    # -- scoring --------------------------------------------------------------------------------------------
    def score_evidence(self, ev: Evidence) -> tuple[float, dict[str, float], list[dict[str, Any]]]:
        values: dict[str, float] = {}
        reasons: list[tuple[float, str, str]] = []
        logit = self.scenario.config.bias
        for name, fn, weight in self._weights:
            res: FeatureResult | None = fn(ev)
            if res is None or not res.value:
                continue
            values[name] = res.value
            contribution = weight * res.value
            logit += contribution
            reasons.append((contribution, name, res.detail))
        reasons.sort(key=lambda r: -abs(r[0]))
        return (score_from_logit(logit, self.scenario), values,
                [{"code": n, "detail": d, "contribution": round(c, 3)} for c, n, d in reasons])

    def _prepare(self, listing: Listing, detection: Any) -> _Prepared:
        """Everything that depends only on the listing's text and category and its detection: the primary
        hit, the brand, the product band, the signal families and the text-only features' values and reasons.
        Computed once per distinct (title, description, category) in a run; listings re-using a text only add
        their own price, seller, ships-from and image evidence (``features.TEXT_FEATURES`` names the split)."""
        ev, _hits = self.evidence(listing, detection, text_only=True)
        logit = 0.0
        values: dict[str, float] = {}
        reasons: list[tuple[float, int, dict[str, Any]]] = []
        for idx, name, fn, weight in self._text_weights:
            res: FeatureResult | None = fn(ev)
            if res is None or not res.value:
                continue
            values[name] = res.value
            contribution = weight * res.value
            logit += contribution
            reasons.append((contribution, idx, _reason(name, res.detail, contribution)))
        return _Prepared(detection, [hit_dict(h) for h in detection.hits], ev.hit, ev.brand, ev.band, ev.signals,
                         ev.signal_weight, values, reasons, logit)

    def _applicable(self, mask: int) -> list[tuple[int, str, Any, float]]:
        """The listing features that can apply given which evidence is present (``features.NEEDS``)."""
        found = self._by_mask.get(mask)
        if found is None:
            present = {attr for bit, attr in enumerate(_NEEDED_ATTRS) if mask >> bit & 1}
            found = [w for w in self._listing_weights if NEEDS.get(w[1], "") in present or w[1] not in NEEDS]
            self._by_mask[mask] = found
        return found

    def screen_one(self, listing: Listing, detection: Any, prepared: _Prepared | None = None) -> ScreenResult:
        lid = listing.id
        # the content hash is only needed to compare with a cleared one; the queue computes its own
        chash = content_hash(listing) if lid in self.cleared else ""
        seller_id = listing.seller_id
        seller = self.sellers.get(seller_id) if seller_id else None
        images = self.images if listing.images else None
        if seller is None and images is None and not detection.hits and not detection.signals:
            # fast path: nothing to explain
            return ScreenResult(lid, self._base_rounded, Verdict.CLEAR, [], [], self._version, {}, chash,
                                listing=listing)
        prep = prepared if prepared is not None else self._prepare(listing, detection)
        brand = prep.brand
        cfg = self._cfg
        ev = Evidence(listing=listing, hit=prep.hit, brand=brand, signals=prep.signals,
                      signal_weight=prep.signal_weight, base_currency=self._base_currency, band=prep.band,
                      seller=seller, plain_methods=self._plain, history_saturation=cfg.history_saturation,
                      parallel_min_price_ratio=cfg.parallel_min_price_ratio)
        mask = 0 if seller is None else 1
        if images is not None:
            ev.image_counterfeit = images.match(listing.images, COUNTERFEIT, cfg.image_max_distance)
            if ev.image_counterfeit is not None:
                mask |= 2
        if brand is not None:
            mask |= 16
            if listing.price is not None and listing.currency:
                ev.price_base = self.rates.to_base(listing.price, listing.currency)
                mask |= 8
            authorised = brand.authorised
            if authorised:
                for key in (seller_id, listing.seller_name):
                    if key:
                        party = authorised.get(self._norm(key))
                        if party:
                            ev.authorised_as = party
                            break
            if images is not None:
                ev.image_genuine = images.match(listing.images, GENUINE, cfg.image_max_distance)
                if ev.image_genuine is not None:
                    mask |= 4
        values = prep.values
        reasons = prep.reasons
        logit = self._bias + prep.logit
        copied = False
        applicable = self._by_mask.get(mask)
        for idx, name, fn, weight in applicable if applicable is not None else self._applicable(mask):
            res: FeatureResult | None = fn(ev)
            if res is None or not res.value:
                continue
            if not copied:
                values, reasons, copied = dict(values), list(reasons), True
            values[name] = res.value
            contribution = weight * res.value
            logit += contribution
            reasons.append((contribution, idx, _reason(name, res.detail, contribution)))
        if len(reasons) > 1:
            reasons = sorted(reasons, key=_reason_order)
        score = score_from_logit(logit, self.scenario)
        verdict = decide_verdict(values, score, self.scenario)
        return ScreenResult(
            lid, round(score, 4), verdict, prep.brand_hits, [r[2] for r in reasons], self._version,
            values if copied else dict(values), chash, mark_id=brand.mark_id if brand else None,
            suppressed=self.cleared.get(lid) == chash, listing=listing,
        )

    def _norm(self, key: str) -> str:
        cache = self._norm_cache
        value = cache.get(key)
        if value is None:
            value = norm_name(key)
            if len(cache) < 200_000:
                cache[key] = value
        return value

    def screen_many(self, listings: Sequence[Listing]) -> list[ScreenResult]:
        """Detect and score a batch. Detection and everything derived from the text alone are cached per
        (title, description, category) within a run (bounded): platforms repeat titles a lot (re-listings,
        one seller's variants), and detection is the costly part."""
        cache = self._prepared
        keys = [(lst.title, lst.description, lst.category) for lst in listings]
        batch: dict[tuple[str, str, str | None], _Prepared] = {}
        missing: dict[tuple[str, str | None], list[int]] = {}
        for i, k in enumerate(keys):
            if k in batch:
                continue
            known = cache.get(k)
            if known is not None:
                batch[k] = known
            else:
                lst = listings[i]
                missing.setdefault((lst.text, lst.category), []).append(i)
        if missing:
            if len(cache) + len(missing) > DETECTION_CACHE:
                cache.clear()
            # weakly supported hits are kept: screening weighs them (brand_context_weak) instead of losing them
            found = self.detector.detect_many([k[0] for k in missing], categories=[k[1] for k in missing],
                                              keep_unsupported=True)
            for idxs, det in zip(missing.values(), found, strict=True):
                for i in idxs:
                    k = keys[i]
                    if k not in batch:
                        lst = listings[i]
                        prep = self._prepare(lst, det) if (det.hits or det.signals) else _Prepared(det)
                        batch[k] = cache[k] = prep
        screen_one = self.screen_one
        out = []
        for lst, k in zip(listings, keys, strict=True):
            prep = batch[k]
            out.append(screen_one(lst, prep.detection, prep))
        return out

    def screen(self, listing: Listing) -> ScreenResult:
        return self.screen_many([listing])[0]


def score_from_logit(logit: float, scenario: Scenario) -> float:
    """The reported score: the calibrated probability up to the alert threshold, spread above it."""
    cfg = scenario.config
    p = _sigmoid(logit)
    if cfg.alert_spread is None or p < cfg.alert_threshold:
        return p
    thr = cfg.alert_threshold
    excess = logit - math.log(thr / (1 - thr))
    return thr + (1 - thr) * (1 - math.exp(-excess / cfg.alert_spread))


def feature_vector(values: dict[str, float]) -> list[float]:
    return [values.get(n, 0.0) for n in FEATURE_NAMES]


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def batched(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
