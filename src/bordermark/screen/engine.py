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
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import accumulate
from operator import itemgetter
from typing import Any, Protocol

import orjson

from bordermark.detect.types import Hit
from bordermark.domain import Listing, Registry
from bordermark.domain.records import listing_text
from bordermark.screen.compiled import fast as _fast
from bordermark.screen.features import (
    FEATURES,
    GROUPS,
    BrandInfo,
    Evidence,
    FeatureResult,
    ProductBand,
    SellerRecord,
    _norm_cat,
    authorisation_results,
    band_sentence,
    categories_text,
    category_key,
    category_result,
    counterfeit_image_result,
    genuine_copy_result,
    hit_results,
    network_text,
    price_results,
    ships_result,
)
from bordermark.screen.images import COUNTERFEIT, GENUINE, ImageIndex
from bordermark.screen.io import Record, record_listing
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
    hits: Sequence[Any]  # the detector's hits, as found (``brand_hits`` gives them as dicts)
    reasons: list[dict[str, Any]]
    scenario_version: int
    features: dict[str, float]
    content_hash: str
    mark_id: str | None = None
    suppressed: bool = False
    listing: Listing | None = field(default=None, repr=False)
    brand_hits_json: bytes | None = field(default=None, repr=False)  # brand_hits serialised, when known
    # the listing as the file reader's record (``io.read_batches(records=True)``: its fields, the price a float),
    # where it was screened from one instead of a ``Listing`` (then ``listing`` is None; ``model()`` builds it)
    record: dict[str, Any] | None = field(default=None, repr=False)

    def model(self) -> Listing | None:
        """The screened listing as a model: ``listing``, or the one its record stands for."""
        if self.listing is None and self.record is not None:
            return record_listing(self.record)
        return self.listing

    @property
    def brand_hits(self) -> list[dict[str, Any]]:
        """The hits as ``bordermark detect`` gives them, built on each access: a run keeps only the hits and
        their JSON (``brand_hits_json``, what the JSON Lines writer writes), not a dict per hit per text."""
        return [h.to_dict() if type(h) is Hit else hit_dict(h) for h in self.hits]

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
    r"""The casefolded name without the characters of ``_NAME_RE`` (``[\W_]``: for re's Unicode ``\w``, a
    character is a word character when it is alphanumeric by ``str.isalnum`` or an underscore, so ``[\W_]`` is
    exactly what ``str.isalnum`` rejects; tested on every code point). The regex costs ~4,700 machine
    instructions per name; the string methods a fraction of that, and nothing where the name is already plain."""
    low = value.casefold()
    return low if low.isalnum() else "".join(filter(str.isalnum, low))


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
    return _decide(values, score, scenario.config.alert_threshold)


def _decide(values: dict[str, float], score: float, threshold: float) -> Verdict:
    """:func:`decide_verdict` with the scenario's alert threshold read once (the fast path calls it per listing)."""
    if not values.get("brand_hit"):  # cues and seller history without a recognised mark
        return Verdict.LIKELY_COUNTERFEIT if score >= threshold else Verdict.CLEAR
    if values.get("seller_authorised"):
        return Verdict.BRAND_MENTION_OK
    weak = values.get("category_unrelated") or values.get("brand_context_weak")
    # a "disguise" of a word the context does not read as the brand is no cue
    cues = values.get("counterfeit_terms") or values.get("factory_origin") or (
        values.get("brand_disguised") and not values.get("brand_context_weak"))
    if weak and not cues:
        return Verdict.BRAND_MENTION_OK
    if score >= threshold:
        return Verdict.LIKELY_COUNTERFEIT
    if values.get("seller_unauthorised") and not weak and (
        values.get("import_channel_cues")
        or (values.get("price_near_genuine") and values.get("price_below_genuine"))
    ):
        return Verdict.POSSIBLE_PARALLEL_IMPORT
    return Verdict.BRAND_MENTION_OK


# A weighted feature: (-|contribution|, feature index, reason dict, name, value, contribution). Tuples sort
# the way reasons are ordered (largest absolute contribution first, ties in feature order); the index is unique
# within a listing, so the dicts are never compared.
Term = tuple[float, int, dict[str, Any], str, float, float]
Weights = Sequence[tuple[int, str, Any, float]]


def weigh(ev: Evidence, weights: Weights) -> list[Term]:
    """The one weighted-feature loop: every feature in ``weights`` (feature order) on ``ev``, as terms.

    Serves the plain path (:meth:`Screener.score_evidence`, all features) and every cache fill of the fast
    path (one feature group at a time), so both explain a listing with the same reasons."""
    terms: list[Term] = []
    for idx, name, fn, weight in weights:
        res: FeatureResult | None = fn(ev)
        if res is None or not res.value:
            continue
        contribution = weight * res.value
        terms.append((-abs(contribution), idx, _reason(name, res.detail, contribution), name, res.value,
                      contribution))
    return terms


GroupWeights = Sequence[tuple[int, str, float, float]]  # index, name, weight, weight rounded to 3 places


def _terms(results: Sequence[FeatureResult | None], weights: GroupWeights) -> list[Term]:
    """:func:`weigh` for the fast path: the terms of a feature group's results (as the group's helper in
    ``features`` returns them, in feature order) without building :class:`Evidence`; the same terms."""
    terms: list[Term] = []
    if len(results) != len(weights):
        raise ValueError("a result per weighted feature")
    # by position (zip(strict=True) passes its keyword through a dict: measurable at once or twice per listing)
    for i, res in enumerate(results):
        if res is not None:
            idx, name, weight, rounded = weights[i]
            value = res.value
            if value == 1.0:  # most features are all-or-nothing: weight * 1.0 is the weight, rounded once
                terms.append((-abs(weight), idx, {"code": name, "detail": res.detail, "contribution": rounded}, name,
                              value, weight))
            elif value:
                c = weight * value
                terms.append((-abs(c), idx, {"code": name, "detail": res.detail, "contribution": round(c, 3)},
                              name, value, c))
    return terms


@dataclass(slots=True)
class _Prepared:
    """A detection with the evidence, values and terms that depend on the listing's text and category only."""

    detection: Any
    brand_hits_json: bytes = b"[]"  # the detection's hits serialised once, for the JSON Lines writer
    hit: Any | None = None
    brand: BrandInfo | None = None
    band: ProductBand | None = None
    values: dict[str, float] = field(default_factory=dict)
    terms: list[Term] = field(default_factory=list)  # in reason order; the dicts are shared, never mutated
    logit: float = 0.0  # the text features' contributions summed in feature order
    # what the verdict reads of the text features (decide_verdict's text-only tests, answered once per text)
    weak: bool = False  # category unrelated or the brand's context weak
    mention_only: bool = False  # weak and no counterfeit cue: a brand mention whatever the rest says
    import_cues: bool = False


_EMPTY_HITS_JSON = b"[]"


def _kept_json(value: Any) -> bytes:
    """``orjson.dumps(value)`` for output kept in a cache: copied to a right-sized bytes object. orjson writes
    into a buffer of a page or more and shrinks it on return, so every result kept alive holds on to a fresh
    page of memory (a page fault, ~2.5 µs here, and 4 KiB of RSS per cached text); the copy lets the next dumps
    reuse the same buffer."""
    return bytes(memoryview(orjson.dumps(value)))
_NO_CUES: list[str] = []  # shared: never added to


def _reason(code: str, detail: str, contribution: float) -> dict[str, Any]:
    return {"code": code, "detail": detail, "contribution": round(contribution, 3)}


def _primary_key(h: Any, brands: dict[str, BrandInfo]) -> tuple[bool, bool, float, bool]:
    return (not getattr(h, "ambiguous", False), getattr(h, "supported", True), h.score, brands[h.mark_id].famous)


def _hit_key(h: Any) -> tuple[Any, ...]:
    """Everything the hit features read of a hit (features.GROUPS["hit"])."""
    if type(h) is Hit:  # the detector's own type: every attribute is there (and method is text)
        if not h.ambiguous:  # context is only read (in a sentence) for an ambiguous, unsupported hit
            return (h.mark_id, h.matched, h.method, h.alias_kind)
        supported = h.supported
        return (h.mark_id, h.matched, h.method, h.alias_kind, True, None if supported else h.context, supported)
    return (h.mark_id, h.matched, str(h.method), getattr(h, "alias_kind", None), getattr(h, "ambiguous", False),
            getattr(h, "context", 0.0), getattr(h, "supported", True))


_reason_of = itemgetter(2)  # a term's reason dict
# what the per-listing and per-text fast paths read of a listing, from its __dict__ (a pydantic model's fields)
_per_listing = itemgetter("id", "seller_id", "seller_name", "images", "price", "currency", "ships_from")
_text_key = itemgetter("title", "description", "category")


def _fields(listing: Listing | Record) -> dict[str, Any]:
    """A listing's fields: a record is its own fields; a model's are its ``__dict__``."""
    return listing if type(listing) is dict else listing.__dict__


def _model(listing: Listing | Record) -> Listing:
    """The listing as a model (a record is turned into the ``Listing`` it stands for; only on the rare paths
    that hand a listing to a feature function or hash its content)."""
    return record_listing(listing) if type(listing) is dict else listing  # type: ignore[return-value]


def _text_of(listing: Listing | Record) -> str:
    """``Listing.text`` of a listing or a record."""
    if type(listing) is dict:
        return listing_text(listing["title"], listing["description"])
    return listing.text  # type: ignore[union-attr]


def _round4(p: float) -> float:
    """``round(p, 4)`` for a score (0..1) without round()'s decimal conversion (~2,700 machine instructions a
    call): k / 10**4 for the nearest integer k of p * 10**4 is the same float (both are the double nearest
    k / 10**4); within 1e-6 of a tie, or at zero (its sign), round() decides."""
    y = p * 10000.0 + 0.5
    k = _floor(y)
    return k / 10000.0 if k and 1e-6 < y - k < 0.999999 else round(p, 4)


_floor = math.floor


def _index(t: Term) -> int:
    return t[1]


CACHE_LIMIT = 100_000  # entries per fast-path cache; a full cache is cleared (memory stays bounded)


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
        # floats always: the compiled signal group keeps a weight as given where the pure path multiplies it by
        # 1.0, so an int weight (a scenario made with model_construct) would be written 2 there and 2.0 here
        self._weights = [(name, FEATURES[name], float(cfg.weights.get(name, 0.0))) for name in FEATURE_NAMES]
        self._plain = frozenset(cfg.plain_methods)
        self._families = [(fam, tuple(s.lower() for s in subs)) for fam, subs in cfg.signal_families.items()]
        self._family_cache: dict[str, str | None] = {}
        phrases = sorted({p.casefold() for p in cfg.import_channel_phrases if p.strip()}, key=len, reverse=True)
        self._import_re = re.compile("|".join(map(re.escape, phrases))) if phrases else None
        self._import_ac: Any = None
        self._import_phrases = tuple(phrases)
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
        indexed = [(i, name, fn, weight) for i, (name, fn, weight) in enumerate(self._weights)]
        self._all_weights = indexed
        self._group = {g: [w for w in indexed if w[1] in names] for g, names in GROUPS.items()}
        # the order price_results returns them in (features.GROUPS["price"])
        self._price_terms = [(w[0], w[1], w[3]) for w in self._group["price"]]
        near_weight = self._price_terms[1][2]
        self._near_key, self._near_rounded = -abs(near_weight), round(near_weight, 3)
        # each group's (index, name, weight) in feature order, as the groups' helpers return their results
        self._gw = {g: [(w[0], w[1], w[3], round(w[3], 3)) for w in ws] for g, ws in self._group.items()}
        self._famous = {k: b.famous for k, b in brands.items()}
        self._per_base = rates.per_base
        self._min_ratio = cfg.parallel_min_price_ratio
        self._max_distance = cfg.image_max_distance
        thr = cfg.alert_threshold
        self._threshold, self._spread, self._threshold_logit = thr, cfg.alert_spread, math.log(thr / (1 - thr))
        # fast-path caches, each keyed by exactly what its feature group reads (features.GROUPS)
        self._hit_terms: dict[tuple[Any, ...], list[Term]] = {}
        self._category_terms: dict[tuple[str, str | None], list[Term]] = {}
        self._auth_terms: dict[tuple[str, str | None, str | None], tuple[str | None, list[Term]]] = {}
        self._history_terms: dict[str, tuple[SellerRecord, list[Term]]] = {}
        self._ships_terms: dict[tuple[str, str | None], list[Term]] = {}
        self._signal_terms: dict[tuple[Any, ...], list[Term]] = {}
        self._signal_family: dict[tuple[str, str], str | None] = {}

    def clear_caches(self) -> None:
        """Forget everything learnt while screening (detections, prepared texts, every feature-group cache), as
        a fresh screener would start; benchmarks call it so each timed run starts cold."""
        for cache in (self._prepared, self._norm_cache, self._hit_terms, self._category_terms,
                      self._auth_terms, self._history_terms, self._ships_terms, self._signal_terms):
            cache.clear()

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
        return self._band_of(brand, listing.title, listing.category)

    def _band_of(self, brand: BrandInfo, title: str, category: str | None) -> ProductBand | None:
        """:meth:`_band` from the listing's title and category."""
        priced: Sequence[ProductBand] = brand.priced
        if len(priced) > 1 and category:
            same = brand.priced_by_category.get(category_key(category))
            if same:
                priced = same
        if len(priced) > 1:
            low = title.casefold()
            for p in priced:  # the first (cheapest) product named in the title, else the cheapest
                if p.name_key in low:
                    return p
        return priced[0] if priced else None

    def evidence(self, listing: Listing, detection: Any) -> tuple[Evidence, list[Any]]:
        """All the evidence the features read, for one listing: the plain path, which the fast path
        (:meth:`screen_many`) is tested equal to."""
        brands = self.brands
        hits = [h for h in detection.hits if h.mark_id in brands]
        hit = max(hits, key=lambda h: (not getattr(h, "ambiguous", False), getattr(h, "supported", True),
                                       h.score, brands[h.mark_id].famous), default=None)
        brand = brands[hit.mark_id] if hit is not None else None
        cfg = self.scenario.config
        ev = Evidence(listing=listing, hit=hit, brand=brand, base_currency=self.rates.base,
                      plain_methods=self._plain, history_saturation=cfg.history_saturation,
                      parallel_min_price_ratio=cfg.parallel_min_price_ratio)
        if listing.seller_id:
            ev.seller = self.sellers.get(listing.seller_id)
        for sig in detection.signals:
            fam = self._family(f"{sig.code} {getattr(sig, 'family', '')}")
            if fam is not None:
                ev.signals.setdefault(fam, []).append(str(sig.term))
                ev.signal_weight[fam] = ev.signal_weight.get(fam, 0.0) + float(getattr(sig, "weight", 0.6))
        if self.images is not None and listing.images:
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

    # -- scoring ----------------------------------------------------------------------------------------------
    def score_evidence(self, ev: Evidence) -> tuple[float, dict[str, float], list[dict[str, Any]]]:
        """The plain path: every feature on full evidence (the reference the fast path is tested against)."""
        terms = weigh(ev, self._all_weights)
        logit = self.scenario.config.bias
        for t in terms:  # feature order
            logit += t[5]
        values = {t[3]: t[4] for t in terms}
        terms.sort()
        return score_from_logit(logit, self.scenario), values, [t[2] for t in terms]

    def _cached(self, cache: dict[Any, list[Term]], key: Any, group: str, ev: Evidence) -> list[Term]:
        found = cache.get(key)
        if found is None:
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            found = cache[key] = weigh(ev, self._group[group])
        return found

    def _import_cues_many(self, texts: Sequence[str]) -> list[list[str]] | None:
        """The import-channel phrases of each text, for a batch: one search per phrase over the casefolded
        texts joined by NUL (casefolding maps code point by code point and no phrase holds a NUL, so each part
        is its text casefolded and no match spans two), then the regex, which stays the definition, on the
        texts where a phrase was found (from the first phrase found to the last). ``None`` where it cannot apply
        (then each text is read on its own, as :meth:`_prepare` does)."""
        if self._import_re is None or self._import_ac is None or not texts:
            return None
        # each text casefolded on its own, then joined: the same string as the joined texts casefolded (casefold
        # maps code point by code point, NUL to itself), but CPython casefolds an all-ASCII string with a table
        # and any other one a code point at a time, so one non-ASCII text no longer slows the whole batch
        parts = [t.casefold() for t in texts]
        low = "\x00".join(parts)
        if low.count("\x00") != len(texts) - 1:
            return None  # a text holds the separator
        out: list[list[str]] = [_NO_CUES] * len(texts)
        # where a phrase occurs: str.find per phrase over the batch (a fast search in C per phrase) beats one
        # automaton pass that steps through every character
        found: set[int] | None = None
        if _fast is not None:  # the compiled twin: one pass over the batch (the same positions)
            found = _fast.phrase_starts(low, self._import_phrases)
        if found is None:
            found = set()
            for phrase in self._import_phrases:
                at = low.find(phrase)
                while at >= 0:
                    found.add(at)
                    at = low.find(phrase, at + 1)
        if found:
            ends = list(accumulate(len(p) + 1 for p in parts))  # the separator after each part
            # each text's first and last phrase start, as offsets into its part
            spans: dict[int, tuple[int, int]] = {}
            for at in found:
                i = bisect_right(ends, at)
                at -= ends[i - 1] if i else 0
                first_last = spans.get(i)
                spans[i] = (at, at) if first_last is None else (min(first_last[0], at), max(first_last[1], at))
            # the regex (literal phrases, no anchors) can match only where a phrase starts, and no match is longer
            # than the longest phrase: searching from the first start to the last start plus that length finds
            # exactly what searching the whole part finds
            longest = len(self._import_phrases[0])
            for i, (first, last) in spans.items():
                out[i] = self._import_re.findall(parts[i], first, last + longest)
        return out

    def _prepare(self, listing: Listing, detection: Any, cues: list[str] | None = None) -> _Prepared:
        """Everything that depends only on the listing's text and category and its detection: the primary
        hit, the brand, the product band and the text features' values and terms. Computed once per distinct
        (title, description, category) in a run; listings re-using a text only add their own price, seller,
        ships-from and image evidence (``features.GROUPS`` names the split). The hit and category features
        are cached across texts by what they read (most texts name a mark the same way as many others)."""
        return self._prepare_many((listing,), (detection,), None if cues is None else (cues,))[0]

    def _prepare_many(self, listings: Sequence[Listing | Record], detections: Sequence[Any],
                      cues_of: Sequence[list[str]] | None) -> list[_Prepared]:
        """:meth:`_prepare` for a batch of distinct texts (``cues_of``: each text's import-channel phrases, as
        :meth:`_import_cues_many` reads them, or ``None`` to read them here), with the screener's tables and
        caches read once per batch."""
        if _fast is not None and (cues_of is not None or self._import_re is None):  # the compiled twin
            return _fast.prepare_many(self, listings, detections, cues_of)
        brands = self.brands
        hit_terms, hit_weights, plain = self._hit_terms, self._gw["hit"], self._plain
        category_terms, category_weights = self._category_terms, self._gw["category"]
        signal_terms, families = self._signal_terms, self._signal_family
        band_of = self._band_of
        import_re, import_ac = self._import_re, self._import_ac
        out: list[_Prepared] = []
        append = out.append
        for n, (listing, detection) in enumerate(zip(listings, detections, strict=True)):
            if not detection.hits and not detection.signals:
                append(_Prepared(detection))
                continue
            title, _, category = _text_key(_fields(listing))  # one read of the model's fields
            hits = [h for h in detection.hits if h.mark_id in brands]
            hit = None
            if len(hits) == 1:
                hit = hits[0]
            elif hits:
                hit = self._primary(hits)
            brand = brands[hit.mark_id] if hit is not None else None
            terms: list[Term] = []  # in feature order: hit, signal, then category terms
            if hit is not None:
                key = _hit_key(hit)
                found = hit_terms.get(key)
                if found is None:
                    if len(hit_terms) >= CACHE_LIMIT:
                        hit_terms.clear()
                    found = hit_terms[key] = _terms(hit_results(hit, brand, plain), hit_weights)
                terms += found
            signals: dict[str, list[str]] = {}
            weights: dict[str, float] = {}
            if detection.signals:
                for sig in detection.signals:
                    fkey = (sig.code, getattr(sig, "family", ""))
                    fam = families.get(fkey, "?")
                    if fam == "?":
                        fam = families[fkey] = self._family(f"{fkey[0]} {fkey[1]}")
                    if fam is not None:
                        if fam in signals:
                            signals[fam].append(str(sig.term))
                            weights[fam] += float(getattr(sig, "weight", 0.6))
                        else:
                            signals[fam] = [str(sig.term)]
                            weights[fam] = 0.0 + float(getattr(sig, "weight", 0.6))
            band = None
            if brand is not None:
                if cues_of is not None:  # read for the whole batch (_import_cues_many)
                    cues = cues_of[n]
                    if cues:
                        signals["import_channel_cues"] = cues
                elif import_re is not None:
                    low = _text_of(listing).casefold()
                    # the automaton only says whether any phrase occurs (one pass in C); the regex stays the
                    # definition
                    if import_ac is None or next(import_ac.iter(low), None) is not None:
                        cues = import_re.findall(low)
                        if cues:
                            signals["import_channel_cues"] = cues
                band = band_of(brand, title, category)
            if signals:
                skey = (hit is not None, tuple((f, tuple(t), weights.get(f)) for f, t in signals.items()))
                found = signal_terms.get(skey)
                if found is None:
                    ev = self._text_evidence(listing, hit, brand)
                    ev.signals, ev.signal_weight = signals, weights
                    found = self._cached(signal_terms, skey, "signals", ev)
                terms += found
            if brand is not None:
                key = (brand.mark_id, category)
                found = category_terms.get(key)
                if found is None:
                    if len(category_terms) >= CACHE_LIMIT:
                        category_terms.clear()
                    found = category_terms[key] = _terms((category_result(brand, category),),
                                                         category_weights)
                terms += found
            logit = 0.0
            values = {}
            for t in terms:  # feature order, as the plain path sums
                logit += t[5]
                values[t[3]] = t[4]
            if len(terms) > 1:
                terms.sort()
            hits_json = _kept_json([h.to_dict() if type(h) is Hit else hit_dict(h) for h in detection.hits]) \
                if detection.hits else _EMPTY_HITS_JSON
            get = values.get
            weak = bool(get("category_unrelated") or get("brand_context_weak"))
            cued = bool(get("counterfeit_terms") or get("factory_origin") or (
                get("brand_disguised") and not get("brand_context_weak")))
            append(_Prepared(detection, hits_json, hit, brand, band, values, terms, logit, weak, weak and not cued,
                             bool(get("import_channel_cues"))))
        return out

    def _text_evidence(self, listing: Listing | Record, hit: Any, brand: BrandInfo | None) -> Evidence:
        return Evidence(listing=_model(listing), hit=hit, brand=brand, base_currency=self._base_currency,
                        plain_methods=self._plain)

    def screen_one(self, listing: Listing, detection: Any, prepared: _Prepared | None = None) -> ScreenResult:
        """Score one listing given its detection (and its text's prepared evidence, when the caller has it)."""
        if prepared is None:
            prepared = self._prepare(listing, detection) if (detection.hits or detection.signals) else \
                _Prepared(detection)
        return self._screen_prepared(listing, prepared)

    def _screen_prepared(self, listing: Listing, prep: _Prepared) -> ScreenResult:
        return self._screen_prepared_many((listing,), (prep,))[0]

    def _screen_prepared_many(self, listings: Sequence[Listing | Record],
                              preps: Sequence[_Prepared]) -> list[ScreenResult]:
        """The per-listing part of the fast path, for a batch: price, authorisation, seller history,
        ships-from and images on top of each text's prepared terms; each group cached by what it reads
        (``features.GROUPS``). The verdict is :func:`decide_verdict` with its text-only tests answered once per
        text (``_Prepared``). The screener's numbers and caches are read once per batch, not per listing."""
        if _fast is not None:  # the compiled twin of the loop below (same order of operations)
            return _fast.screen_prepared_many(self, listings, preps)
        cleared = self.cleared
        sellers = self.sellers
        index = self.images
        fakes = index.refs[COUNTERFEIT] if index is not None else frozenset()
        genuine = index.refs[GENUINE] if index is not None else frozenset()
        max_distance = self._max_distance
        per_base, to_base, base_currency, min_ratio = self._per_base, self.rates.to_base, self._base_currency, \
            self._min_ratio
        (below_idx, below_name, below_weight), (near_idx, near_name, near_weight) = self._price_terms
        near_key, near_rounded = self._near_key, self._near_rounded
        auth_terms, ships_terms, ships_weights = self._auth_terms, self._ships_terms, self._gw["ships_from"]
        bias, thr, spread, thr_logit = self._bias, self._threshold, self._spread, self._threshold_logit
        version, base_rounded = self._version, self._base_rounded
        exp = math.exp
        likely, clear, mention, parallel = (Verdict.LIKELY_COUNTERFEIT, Verdict.CLEAR, Verdict.BRAND_MENTION_OK,
                                            Verdict.POSSIBLE_PARALLEL_IMPORT)
        out: list[ScreenResult] = []
        append = out.append
        for listing, prep in zip(listings, preps, strict=True):
            # the fields in one read of the model's __dict__ (each attribute read of a pydantic model passes
            # through its __getattr__ hook)
            lid, seller_id, seller_name, paths, price, currency, ships_from = _per_listing(_fields(listing))
            # the content hash is only needed to compare with a cleared one; the queue computes its own
            chash = content_hash(_model(listing)) if cleared and lid in cleared else ""
            model: Listing | None = None
            record: Record | None = None
            if type(listing) is dict:
                record = listing
            else:
                model = listing  # type: ignore[assignment]
            seller = sellers.get(seller_id) if seller_id and sellers else None
            if index is None:
                paths = ()
            detection = prep.detection
            brand = prep.brand
            if seller is None and not paths and not detection.hits and not detection.signals:
                # nothing to explain (no mark, no cue, no history, no image)
                append(ScreenResult(lid, base_rounded, clear, [], [], version, {}, chash, None, False, model,
                                    _EMPTY_HITS_JSON, record))
                continue
            extra: list[Term] = []
            image_cf = image_gen = None
            if paths and index is not None:
                # remote images are never fetched while screening: only a known reference (of the kind) or a
                # file can match, so most listings skip both index lookups
                for path in paths:
                    if path in fakes or "://" not in path:
                        image_cf = index.match(paths, COUNTERFEIT, max_distance)
                        break
                if brand is not None:
                    for path in paths:
                        if path in genuine or "://" not in path:
                            image_gen = index.match(paths, GENUINE, max_distance)
                            break
            price_base = None
            authorised_as = None
            below_near = False  # the price both below the genuine band and near it (a parallel-import price)
            if brand is not None:
                if price is not None and currency:
                    rate = per_base.get(currency)  # Rates.to_base, with the rates read once
                    price_base = float(price) / rate if rate else to_base(price, currency)
                    below, near = price_results(price_base, prep.band, base_currency, min_ratio)
                    if below is not None and below.value:
                        c = below_weight * below.value
                        extra.append((-abs(c), below_idx, {"code": below_name, "detail": below.detail,
                                                           "contribution": round(c, 3)}, below_name, below.value, c))
                        if near is not None and near.value:
                            below_near = True
                    if near is not None and near.value:
                        if near.value == 1.0:  # as price_results gives it: the weight is the contribution
                            extra.append((near_key, near_idx, {"code": near_name, "detail": near.detail,
                                                               "contribution": near_rounded}, near_name, 1.0,
                                          near_weight))
                        else:
                            c = near_weight * near.value
                            extra.append((-abs(c), near_idx, {"code": near_name, "detail": near.detail,
                                                              "contribution": round(c, 3)}, near_name, near.value, c))
                key = (brand.mark_id, seller_id, seller_name)
                auth = auth_terms.get(key)
                if auth is None:
                    auth = self._authorisation(brand, key)
                authorised_as = auth[0]
                extra += auth[1]
            if seller is not None:  # (in feature order: the terms are summed as appended)
                known = self._history_terms.get(seller.seller_id)
                if known is None or known[0] is not seller:
                    ev = self._listing_evidence(listing, prep, seller, price_base)
                    if len(self._history_terms) >= CACHE_LIMIT:
                        self._history_terms.clear()
                    known = self._history_terms[seller.seller_id] = (seller, weigh(ev, self._group["history"]))
                extra += known[1]
            if brand is not None:
                ships_key = (brand.mark_id, ships_from)
                found = ships_terms.get(ships_key)
                if found is None:
                    if len(ships_terms) >= CACHE_LIMIT:
                        ships_terms.clear()
                    found = ships_terms[ships_key] = _terms((ships_result(brand, ships_from),),
                                                            ships_weights)
                if found:
                    extra += found
            if image_cf is not None or image_gen is not None:
                extra += _terms((counterfeit_image_result(image_cf),
                                 genuine_copy_result(image_gen, authorised_as, price_base, prep.band)),
                                self._gw["images"])
            logit = bias + prep.logit
            values = prep.values.copy()
            if extra:
                for t in extra:  # feature order (as appended), as the plain path sums
                    logit += t[5]
                    values[t[3]] = t[4]
                terms = sorted(prep.terms + extra) if prep.terms or len(extra) > 1 else extra
            else:
                terms = prep.terms
            # score_from_logit with the scenario's numbers read once
            p = 1.0 / (1.0 + exp(-logit)) if logit >= 0 else exp(logit) / (1.0 + exp(logit))
            if spread is not None and p >= thr:
                p = thr + (1 - thr) * (1 - exp(-(logit - thr_logit) / spread))
            # decide_verdict, in its order, with the text's tests answered in _prepare
            if brand is None:
                verdict = likely if p >= thr else clear
            elif authorised_as is not None or prep.mention_only:
                verdict = mention
            elif p >= thr:
                verdict = likely
            elif not prep.weak and (prep.import_cues or below_near):  # the seller is unauthorised here
                verdict = parallel
            else:
                verdict = mention
            append(ScreenResult(lid, _round4(p), verdict, detection.hits, list(map(_reason_of, terms)), version,
                                values, chash, brand.mark_id if brand is not None else None,
                                cleared.get(lid) == chash if chash else False, model, prep.brand_hits_json,
                                record))
        return out

    def _listing_evidence(self, listing: Listing | Record, prep: _Prepared, seller: SellerRecord | None,
                          price_base: float | None) -> Evidence:
        return Evidence(listing=_model(listing), hit=prep.hit, brand=prep.brand, base_currency=self._base_currency,
                        band=prep.band, price_base=price_base, seller=seller, plain_methods=self._plain,
                        history_saturation=self._cfg.history_saturation,
                        parallel_min_price_ratio=self._min_ratio)

    def _authorisation(self, brand: BrandInfo, key: tuple[str, str | None, str | None]) -> tuple[str | None,
                                                                                                   list[Term]]:
        """The authorised party the seller is (by id, then name) and the authorisation features; cached by
        (mark, seller id, seller name), which is all they read."""
        authorised_as = None
        _, seller_id, seller_name = key
        if brand.authorised:
            norm = self._norm_cache
            for k in (seller_id, seller_name):
                if k:
                    party = brand.authorised.get(norm.get(k) or self._norm(k))
                    if party:
                        authorised_as = party
                        break
        if len(self._auth_terms) >= CACHE_LIMIT:
            self._auth_terms.clear()
        found = self._auth_terms[key] = (authorised_as, _terms(
            authorisation_results(brand, authorised_as, seller_id, seller_name), self._gw["authorisation"]))
        return found

    def _primary(self, hits: list[Any]) -> Any:
        """The primary hit among several: an unambiguous, supported, high-scoring hit of a famous mark first
        (the first such in text order on ties, as ``max`` picks)."""
        famous = self._famous
        try:
            return max(hits, key=lambda h: (not h.ambiguous, h.supported, h.score, famous[h.mark_id]))
        except AttributeError:  # a detector's own hit type without every attribute
            brands = self.brands
            return max(hits, key=lambda h: _primary_key(h, brands))

    def _norm(self, key: str) -> str:
        cache = self._norm_cache
        value = cache.get(key)
        if value is None:
            value = norm_name(key)
            if len(cache) < 200_000:
                cache[key] = value
        return value

    def screen_many(self, listings: Sequence[Listing | Record]) -> list[ScreenResult]:
        """Detect and score a batch. Detection and everything derived from the text alone are cached per
        (title, description, category) within a run (bounded): platforms repeat titles a lot (re-listings,
        one seller's variants), and detection is the costly part. A listing may be given as the file reader's
        record (``io.read_batches(records=True)``); its result then carries the record, not a model."""
        return self._screen_prepared_many(listings, self.prepare_batch(listings))

    def prepare_batch(self, listings: Sequence[Listing | Record]) -> list[_Prepared]:
        """The first half of :meth:`screen_many`: each listing's prepared text (detection and the evidence of
        the text alone), new texts detected together; :meth:`screen_prepared` gives the results. Why apart: a
        file run detects a whole batch at once (the detector works best on many texts) and then scores and
        writes it a slice at a time, while each slice's listings and results are still in the CPU's caches."""
        cache = self._prepared
        missing: dict[tuple[str, str | None], list[int]]
        if _fast is not None:  # the compiled twin of the loops below (lookup, then settle the new texts)
            keys, preps, missing = _fast.lookup(listings, cache)
            if missing:
                found, cues = self._detect_missing(missing)
                preps = _fast.settle(self, listings, keys, preps, cache, missing, found, cues)
            return preps
        keys = [_text_key(_fields(lst)) for lst in listings]  # one read of each model's fields (see above)
        batch: dict[tuple[str, str, str | None], _Prepared] = {}
        missing = {}
        for i, k in enumerate(keys):
            if k in batch:
                continue
            known = cache.get(k)
            if known is not None:
                batch[k] = known
            else:
                missing.setdefault((_text_of(listings[i]), k[2]), []).append(i)
        if missing:
            found, cues = self._detect_missing(missing)
            # one prepared text per new key: keys of one text (title and description split differently) share
            # the detection, not the title the product band is looked up in
            new: dict[tuple[str, str, str | None], tuple[Listing | Record, Any, list[str] | None]] = {}
            for n, (idxs, det) in enumerate(zip(missing.values(), found, strict=True)):
                for i in idxs:
                    k = keys[i]
                    if k not in new:
                        new[k] = (listings[i], det, None if cues is None else cues[n])
            todo = list(new.values())
            preps = self._prepare_many([t[0] for t in todo], [t[1] for t in todo],
                                       None if cues is None else [t[2] or _NO_CUES for t in todo])
            for k, prep in zip(new, preps, strict=True):
                batch[k] = cache[k] = prep
        return [batch[k] for k in keys]

    def screen_prepared(self, listings: Sequence[Listing | Record],
                        preps: Sequence[_Prepared]) -> list[ScreenResult]:
        """The second half of :meth:`screen_many`: the results of listings whose prepared texts
        :meth:`prepare_batch` gave (any slice of a batch with the same slice of its prepared texts)."""
        return self._screen_prepared_many(listings, preps)

    def _detect_missing(self, missing: dict[tuple[str, str | None], list[int]]) -> tuple[Sequence[Any],
                                                                                         list[list[str]] | None]:
        """Detect the batch's new (text, category) pairs and read their import-channel phrases; the per-run
        cache of prepared texts is cleared first when they would overfill it."""
        if len(self._prepared) + len(missing) > DETECTION_CACHE:
            self._prepared.clear()
        # weakly supported hits are kept: screening weighs them (brand_context_weak) instead of losing them
        texts = [k[0] for k in missing]
        found = self.detector.detect_many(texts, categories=[k[1] for k in missing], keep_unsupported=True)
        return found, self._import_cues_many(texts)

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
