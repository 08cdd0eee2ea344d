"""IPR screening rules for customs declarations and parcels, each with a named reason an officer can read.

Why named rules beside the targeting model: the model learns from past inspections and says "this looks like past
frauds"; the rules say what the rights registry knows about THIS brand (its price bands, authorised parties, HS
codes, makers' countries), so a new counterfeit line is caught before any inspection has labelled it. Every rule is
a plain function whose name is the reason code and whose docstring is its documentation (as in yente).
Scores combine as a noisy-or of rule weights, which keeps them spread out below 1.0 so they still rank.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from bordermark.detect import Detector, Hit
from bordermark.domain.records import Declaration, DeclarationItem, Parcel
from bordermark.domain.rights import AuthorisedParty, Mark, PartyRole, Product, Registry
from bordermark.screen.money import Rates, UnknownCurrency

VAGUE_TERMS = (
    "gift", "gifts", "sample", "samples", "accessories", "accessory", "parts", "goods", "general merchandise",
    "merchandise", "personal effects", "personal items", "clothes", "clothing", "shoes", "bag", "watch", "toy",
    "document", "documents", "stuff", "item", "items", "product", "products", "other", "misc", "various",
    "礼品", "样品", "配件", "衣服", "杂物", "日用品",
    # bare category names: insufficient for a customs description (no brand, model or material)
    "handbag", "handbags", "pu bag", "wallet", "watches", "t-shirt", "t-shirts", "garment", "garments", "jacket",
    "sports shoes", "footwear", "cosmetic", "cosmetics", "cosmetic sample", "skin care", "milk powder",
    "food supplement", "supplement", "supplements", "health product", "paper products", "diapers", "earphone",
    "earphones", "charger", "electronic parts", "electronics", "plastic toy", "toys", "apparel", "textile",
)
DENIED_BRANDS = ("no brand", "nobrand", "oem", "unbranded", "none", "n/a", "generic", "无品牌", "无牌")
DEFAULT_WEIGHTS: dict[str, float] = {
    "brand_in_description": 0.1,  # a precondition for the brand rules more than evidence: genuine goods name it too
    "undervalued": 0.55,
    "party_not_authorised": 0.3,
    "hs_not_brand_product": 0.3,
    "origin_not_maker_country": 0.3,
    "transshipment_route": 0.15,
    "watchlisted_party": 0.6,
    "vague_description": 0.3,
    "brand_denied": 0.4,
}


@dataclass(frozen=True)
class Reason:
    """One rule that fired: its code, weight and a sentence with the values compared."""

    code: str
    weight: float
    detail: str
    item: int | None = None
    mark_id: str | None = None


@dataclass
class RuleConfig:
    """Thresholds and weights; kept apart from code so an administration can tune them."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    undervalue_ratio: float = 0.3  # unit value below 30 % of the genuine band's low end
    vague_terms: tuple[str, ...] = VAGUE_TERMS
    denied_brands: tuple[str, ...] = DENIED_BRANDS
    transshipment_hubs: tuple[str, ...] = ("HK", "AE", "SG", "PA", "TR", "MY")
    watchlist: frozenset[str] = frozenset()  # party names or ids on watch lists
    confirmed_parties: frozenset[str] = frozenset()  # parties of earlier confirmed cases
    alert_threshold: float = 0.5
    # B2C parcels: the consignor is a retailer and "origin" often the dispatch country; the registry's authorised
    # supply chain (makers, importers, distributors) does not describe them, so these rules would flag every genuine
    # cross-border retail sale.
    parcel_skip: tuple[str, ...] = ("party_not_authorised", "origin_not_maker_country")


@dataclass(frozen=True)
class ScreenResult:
    id: str
    kind: str
    score: float
    reasons: tuple[Reason, ...]
    brands: tuple[str, ...]

    @property
    def codes(self) -> list[str]:
        return sorted({r.code for r in self.reasons})

    def to_row(self, threshold: float) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "score": round(self.score, 4),
            "alert": self.score >= threshold,
            "brands": "|".join(self.brands),
            "reason_codes": "|".join(self.codes),
            "reasons": "; ".join(r.detail for r in self.reasons),
        }


def norm_party(text: str | None) -> str:
    """Casefolded, accent-free, punctuation-free name, legal-form words dropped: 'ACME Co., Ltd.' -> 'acme'."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    t = re.sub(r"[^\w]+", " ", t)
    legal = {"co", "ltd", "limited", "inc", "llc", "gmbh", "sa", "sas", "srl", "spa", "bv", "plc", "corp", "company",
             "corporation", "trading", "有限公司", "公司"}
    return " ".join(w for w in t.split() if w not in legal)


@dataclass(frozen=True)
class _Line:
    """One goods line in a common shape for declarations and parcels."""

    index: int
    description: str
    hs_code: str | None
    unit_value: Decimal
    currency: str
    origin: str | None
    brand: str | None


@dataclass(frozen=True)
class _Context:
    parties: dict[str, str]  # role -> name
    departure: str | None
    route: tuple[str, ...]


class DeclarationScreen:
    """Rules over the registry and the detection engine; build once per registry, screen many records."""

    def __init__(
        self,
        registry: Registry,
        detector: Detector | None = None,
        config: RuleConfig | None = None,
        rates: Rates | None = None,
    ) -> None:
        self.registry = registry
        self.detector = detector or Detector.from_registry(registry)
        self.config = config or RuleConfig()
        self.rates = rates
        self.marks = registry.mark_by_id()
        self._products: dict[str, list[Product]] = {m.id: registry.products_of(m) for m in registry.marks}
        self._parties: dict[str, list[AuthorisedParty]] = {m.id: registry.parties_of(m) for m in registry.marks}
        self._by_text = {norm_party(m.text): m for m in registry.marks}
        self._hs_products: dict[str, list[tuple[Mark, Product]]] = {}
        for mark in registry.marks:
            for product in self._products[mark.id]:
                for code in product.hs_codes:
                    self._hs_products.setdefault(re.sub(r"\D", "", code)[:6], []).append((mark, product))
        self._denied = {norm_party(b) for b in self.config.denied_brands}
        vague = sorted((re.escape(t) for t in self.config.vague_terms), key=len, reverse=True)
        self._vague = re.compile(r"^\W*(?:(?:" + "|".join(vague) + r")\W*)+$", re.IGNORECASE)
        self._watch = {norm_party(p) for p in self.config.watchlist | self.config.confirmed_parties}
        self.rules: list[Callable[[_Line, _Context, list[Mark]], Iterable[Reason]]] = [
            self.undervalued, self.party_not_authorised, self.hs_not_brand_product,
            self.origin_not_maker_country, self.transshipment_route,
        ]

    # ---- the rules (name = reason code; docstring = documentation) ------------------------------------------
    def _w(self, code: str) -> float:
        return self.config.weights.get(code, 0.0)

    def brand_in_description(self, line: _Line) -> tuple[list[Mark], list[Reason]]:
        """A registered brand appears in the goods description (any disguise the detection engine undoes)."""
        marks: dict[str, Mark] = {}
        reasons: list[Reason] = []
        hits: list[Hit] = self.detector.detect(line.description).hits if line.description else []
        for hit in hits:
            mark = self.marks.get(hit.mark_id)
            if mark is None or mark.id in marks:
                continue
            marks[mark.id] = mark
            reasons.append(Reason("brand_in_description", self._w("brand_in_description") * min(1.0, hit.score),
                                  f"line {line.index}: brand {mark.text} found as {hit.matched!r} ({hit.method})",
                                  line.index, mark.id))
        if line.brand and not self._is_denied(line):
            mark = self._by_text.get(norm_party(line.brand))
            if mark is not None and mark.id not in marks:
                marks[mark.id] = mark
                reasons.append(Reason("brand_in_description", self._w("brand_in_description"),
                                      f"line {line.index}: declared brand {mark.text}", line.index, mark.id))
        return list(marks.values()), reasons

    def _low(self, products: Iterable[Product], currency: str) -> float | None:
        lows = []
        for product in products:
            for band in product.price_bands:
                low = self._convert(band.low, band.currency, currency)
                if low is not None:
                    lows.append(low)
        return min(lows) if lows else None

    def undervalued(self, line: _Line, ctx: _Context, marks: list[Mark]) -> Iterable[Reason]:
        """Declared unit value far below the low end of the brand's genuine price band (same currency, or converted
        with the configured rates). Where no brand is named but the line is vague or denies a brand, the bands of
        the registered products under the same HS subheading are the yardstick."""
        if line.unit_value <= 0:
            return
        for mark in marks:
            low = self._low(self._products.get(mark.id, []), line.currency)
            if low is not None and float(line.unit_value) < self.config.undervalue_ratio * low:
                yield Reason("undervalued", self._w("undervalued"),
                             f"line {line.index}: unit value {line.unit_value:.2f} {line.currency} vs genuine "
                             f"{mark.text} from {low:.2f} {line.currency}", line.index, mark.id)
        if marks or not line.hs_code or not (self._is_vague(line) or self._is_denied(line)):
            return
        pairs = self._hs_products.get(re.sub(r"\D", "", line.hs_code)[:6], [])
        low = self._low((p for _, p in pairs), line.currency)
        if low is not None and float(line.unit_value) < self.config.undervalue_ratio * low:
            names = ", ".join(sorted({m.text for m, _ in pairs})[:3])
            yield Reason("undervalued", self._w("undervalued") * 0.8,
                         f"line {line.index}: unit value {line.unit_value:.2f} {line.currency} vs registered "
                         f"products under HS {line.hs_code} ({names}) from {low:.2f} {line.currency}", line.index)

    def _is_vague(self, line: _Line) -> bool:
        return not line.description.strip() or bool(self._vague.match(line.description))

    def _is_denied(self, line: _Line) -> bool:
        return bool(line.brand) and norm_party(line.brand) in self._denied

    def party_not_authorised(self, line: _Line, ctx: _Context, marks: list[Mark]) -> Iterable[Reason]:
        """The consignor, exporter or importer is not among the brand's authorised parties (registry has some)."""
        for mark in marks:
            parties = self._parties.get(mark.id, [])
            if not parties:
                continue
            known = {norm_party(p.name) for p in parties} | {norm_party(i) for p in parties for i in p.identifiers}
            for role, name in ctx.parties.items():
                if role in ("consignor", "exporter", "importer") and name and norm_party(name) not in known:
                    yield Reason("party_not_authorised", self._w("party_not_authorised"),
                                 f"{role} {name!r} is not authorised for {mark.text}", line.index, mark.id)
                    break

    def hs_not_brand_product(self, line: _Line, ctx: _Context, marks: list[Mark]) -> Iterable[Reason]:
        """The HS code (4-digit heading) is not among the brand's registered products' codes."""
        if not line.hs_code:
            return
        heading = re.sub(r"\D", "", line.hs_code)[:4]
        for mark in marks:
            codes = {re.sub(r"\D", "", c)[:4] for p in self._products.get(mark.id, []) for c in p.hs_codes}
            if codes and heading and heading not in codes:
                yield Reason("hs_not_brand_product", self._w("hs_not_brand_product"),
                             f"line {line.index}: HS {line.hs_code} is not a {mark.text} product heading "
                             f"({', '.join(sorted(codes))})", line.index, mark.id)

    def _maker_countries(self, mark: Mark) -> set[str]:
        return {p.country for p in self._parties.get(mark.id, []) if p.role == PartyRole.MANUFACTURER and p.country}

    def origin_not_maker_country(self, line: _Line, ctx: _Context, marks: list[Mark]) -> Iterable[Reason]:
        """Declared origin is not a country where the brand has an authorised manufacturer."""
        if not line.origin:
            return
        for mark in marks:
            makers = self._maker_countries(mark)
            if makers and line.origin not in makers:
                yield Reason("origin_not_maker_country", self._w("origin_not_maker_country"),
                             f"line {line.index}: origin {line.origin}, {mark.text} is made in "
                             f"{', '.join(sorted(makers))}", line.index, mark.id)

    def transshipment_route(self, line: _Line, ctx: _Context, marks: list[Mark]) -> Iterable[Reason]:
        """Goods declared as made in a maker country but shipped from, or routed through, a transshipment hub."""
        via = [c for c in (ctx.departure, *ctx.route) if c and c != line.origin]
        hubs = [c for c in via if c in self.config.transshipment_hubs]
        if not hubs:
            return
        for mark in marks:
            makers = self._maker_countries(mark)
            if line.origin and line.origin in makers and not set(hubs) <= makers:
                yield Reason("transshipment_route", self._w("transshipment_route"),
                             f"line {line.index}: {mark.text} of origin {line.origin} routed via "
                             f"{', '.join(dict.fromkeys(hubs))}", line.index, mark.id)

    def watchlisted_party(self, ctx: _Context) -> Iterable[Reason]:
        """A party is on a watch list or was a party to an earlier confirmed case."""
        for role, name in ctx.parties.items():
            if name and norm_party(name) in self._watch:
                yield Reason("watchlisted_party", self._w("watchlisted_party"),
                             f"{role} {name!r} is on the watch list or in a confirmed case")

    def vague_description(self, line: _Line) -> Iterable[Reason]:
        """The description says nothing checkable ("gift", "sample", "accessories", a bare "handbag")."""
        if self._is_vague(line):
            yield Reason("vague_description", self._w("vague_description"),
                         f"line {line.index}: vague description {line.description!r}", line.index)

    def brand_denied(self, line: _Line) -> Iterable[Reason]:
        """The brand field says "no brand", "OEM" or "unbranded": a common cover for branded fakes."""
        if self._is_denied(line):
            yield Reason("brand_denied", self._w("brand_denied"),
                         f"line {line.index}: brand declared as {line.brand!r}", line.index)

    # ---- running ----------------------------------------------------------------------------------------------
    def _convert(self, amount: Decimal, src: str, dst: str) -> float | None:
        if src == dst:
            return float(amount)
        if self.rates is None:
            return None
        try:
            return self.rates.to_base(amount, src) * self.rates.per_base[dst] if dst in self.rates else None
        except UnknownCurrency:
            return None

    def _run(self, record_id: str, kind: str, lines: Sequence[_Line], ctx: _Context,
             skip: tuple[str, ...] = ()) -> ScreenResult:
        reasons: list[Reason] = list(self.watchlisted_party(ctx))
        brands: dict[str, None] = {}
        for line in lines:
            marks, found = self.brand_in_description(line)
            reasons += found
            reasons += self.vague_description(line)
            reasons += self.brand_denied(line)
            for mark in marks:
                brands[mark.text] = None
            for rule in self.rules:
                if rule.__name__ not in skip:
                    reasons += rule(line, ctx, marks)
        # noisy-or over the strongest reason per code
        best: dict[str, float] = {}
        for r in reasons:
            best[r.code] = max(best.get(r.code, 0.0), r.weight)
        miss = 1.0
        for w in best.values():
            miss *= 1.0 - w
        return ScreenResult(record_id, kind, 1.0 - miss, tuple(reasons), tuple(brands))

    def screen_declaration(self, decl: Declaration) -> ScreenResult:
        lines = [_line(i) for i in decl.items]
        ctx = _Context(
            parties={k: v for k, v in (("consignor", decl.consignor), ("consignee", decl.consignee),
                                       ("exporter", decl.exporter), ("importer", decl.importer),
                                       ("declarant", decl.declarant)) if v},
            departure=decl.country_of_departure,
            route=decl.route,
        )
        return self._run(decl.id, "declaration", lines, ctx)

    def screen_parcel(self, parcel: Parcel) -> ScreenResult:
        qty = parcel.quantity or Decimal(1)
        line = _Line(1, parcel.description, parcel.hs_code, parcel.declared_value / qty, parcel.currency,
                     parcel.origin, None)
        ctx = _Context(
            parties={k: v for k, v in (("consignor", parcel.consignor), ("consignee", parcel.consignee_name)) if v},
            departure=parcel.route[0] if parcel.route else None,
            route=parcel.route,
        )
        return self._run(parcel.id, "parcel", [line], ctx, skip=self.config.parcel_skip)


def _line(item: DeclarationItem) -> _Line:
    return _Line(item.line, item.description, item.hs_code, item.unit_value, item.currency, item.origin, item.brand)


def registry_from_files(paths: Sequence[Path]) -> Registry:
    """A registry snapshot straight from registry files or folders (e.g. a simulated world's ``registry/``),
    without a store; raises ``ValueError`` listing the first problems (file, line, field)."""
    from bordermark.registry.service import parse_files

    files: list[Path] = []
    for p in paths:
        kinds = (".csv", ".jsonl", ".yaml", ".yml")
        files += sorted(q for q in p.iterdir() if q.suffix in kinds) if p.is_dir() else [p]
    parsed = parse_files(files)
    if parsed.errors:
        raise ValueError("; ".join(str(e) for e in parsed.errors[:5]))
    return Registry(
        holders=tuple(parsed.holders.values()),
        marks=tuple(m for _, m in parsed.marks.values()),
        products=tuple(p for _, p in parsed.products.values()),
        parties=tuple(p for _, p in parsed.parties.values()),
    )


def rule_catalogue() -> list[dict[str, Any]]:
    """Every rule with its weight and documentation (for `--rules`, the API and docs)."""
    out = []
    for code, weight in DEFAULT_WEIGHTS.items():
        fn = getattr(DeclarationScreen, code)
        out.append({"code": code, "weight": weight, "doc": " ".join((fn.__doc__ or "").split())})
    return out
