"""Customs records: declarations (general trade, bonded and B2B CBEC modes), parcels (9610 into China, postal and
express into the US), inspection outcomes, and provenance dossiers, each with ground truth.

What it models from the domain brief: blatant counterfeits misdescribed and undervalued; covert counterfeits
(squatted local mark, complete and genuine-looking papers, the Betta case); parallel imports (genuine goods,
unauthorised channel); split shipments that keep each parcel under US $800 or China's CNY 5,000 per order while
the series exceeds it (or CNY 26,000 per person and year); random inspections that find about 14 % violations
and 5 % counterfeits (the 2019 US blitzes), and targeted ones that find more.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from bordermark.sim import lexicon as lx
from bordermark.sim.actors import Actor
from bordermark.sim.brands import Brand, SimProduct, address_for, phone_for
from bordermark.sim.params import Counts, SimParams

USD_PER_CNY = 1 / 7.1
CARRIERS_SEA = ("COSCO Shipping", "Maersk", "Evergreen", "ONE")
CARRIERS_AIR = ("SF Express", "DHL Express", "FedEx", "UPS", "Cainiao", "EMS", "China Post", "YunExpress")
OFFICES_CN = ("2248 Yangshan", "2233 Pudong Airport", "5141 Baiyun Airport", "5316 Shenzhen Bay", "2921 Yiwu",
              "0209 Tianjin Xingang")
BROKERS = ("华贸报关有限公司", "中外运报关有限公司", "嘉里报关行", "Yangshan Customs Brokerage Co., Ltd.")
FULFILMENT_CENTRES = ("Border Fulfilment LLC", "NorthStar 3PL Inc.", "Pacific Gateway Logistics LLC",
                      "Prime Route Warehousing Inc.")
FULFILMENT_ADDRESSES_US = ("1200 Commerce Way, Ontario, CA 91761, US", "88 Industrial Pkwy, Laredo, TX 78045, US",
                           "4500 Logistics Dr, Buffalo, NY 14218, US")
DECL_LABELS = ("counterfeit", "covert_counterfeit", "parallel_import", "genuine", "unbranded")
GENERIC_DESC = {"luxury": ("handbag", "PU bag", "wallet", "watch"), "apparel": ("T-shirt", "garment", "jacket"),
                "footwear": ("sports shoes", "footwear"), "cosmetics": ("cosmetic sample", "skin care"),
                "baby_formula": ("milk powder", "food supplement"), "diapers": ("paper products", "diapers"),
                "electronics": ("earphone", "charger", "electronic parts"), "toys": ("toy", "plastic toy"),
                "medicines": ("health product", "supplement")}


@dataclass
class CustomsTables:
    declarations: dict[str, list[Any]] = field(default_factory=dict)
    parcels: dict[str, list[Any]] = field(default_factory=dict)
    inspections: dict[str, list[Any]] = field(default_factory=dict)
    provenance: dict[str, list[Any]] = field(default_factory=dict)
    declaration_truth: dict[str, list[Any]] = field(default_factory=dict)
    parcel_truth: dict[str, list[Any]] = field(default_factory=dict)
    provenance_truth: dict[str, list[Any]] = field(default_factory=dict)


DECL_COLUMNS = ["id", "declared_at", "mode", "direction", "consignor", "consignee", "declarant", "exporter",
                "importer", "country_of_departure", "route", "transport_mode", "carrier", "office", "items"]
PARCEL_COLUMNS = ["id", "declared_at", "mode", "consignor", "consignee_name", "consignee_address", "consignee_phone",
                  "consignee_email", "consignee_id_number", "description", "hs_code", "quantity", "weight_kg",
                  "declared_value", "currency", "origin", "destination", "route", "transport_mode", "carrier",
                  "order_id"]
CUSTOMS_TRUTH = ["id", "label", "mark_id", "actor_id", "split_group", "undervalued", "misdeclared", "true_value",
                 "violation"]
PROVENANCE_COLUMNS = ["id", "declaration_id", "brand", "goods", "importer", "exporter", "manufacturer",
                      "manufacturer_country", "country_of_origin", "documents"]


def _cols(names: list[str]) -> dict[str, list[Any]]:
    return {k: [] for k in names}


def _stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class _World:
    def __init__(self, seed: int, params: SimParams, brands: list[Brand], sellers: list[Actor],
                 traders: list[Actor]) -> None:
        self.rng = random.Random(seed * 6_151 + 29)
        self.nrng = np.random.default_rng([seed, 202])
        self.p = params
        self.brands = brands
        self.by_mark = {b.mark_id: b for b in brands}
        self.start = datetime(params.start.year, params.start.month, params.start.day)
        famous = [b for b in brands if b.famous] or brands
        self.fake_targets = famous
        self.traders_by_kind: dict[str, list[Actor]] = {}
        for t in traders:
            self.traders_by_kind.setdefault(t.kind, []).append(t)
        self.genuine_trader = {t.marks[0]: t for t in traders if t.kind == "genuine" and t.marks}
        self.sellers_by_kind: dict[str, list[Actor]] = {}
        for s in sellers:
            self.sellers_by_kind.setdefault(s.kind, []).append(s)

    def time(self) -> datetime:
        return self.start + timedelta(seconds=self.rng.randrange(self.p.days * 86_400))


def build_customs(seed: int, counts: Counts, params: SimParams, brands: list[Brand], sellers: list[Actor],
                  traders: list[Actor]) -> CustomsTables:
    w = _World(seed, params, brands, sellers, traders)
    out = CustomsTables(declarations=_cols(DECL_COLUMNS), parcels=_cols(PARCEL_COLUMNS),
                        inspections=_cols(["record_id", "record_kind", "inspected_at", "outcome", "selected_by"]),
                        provenance=_cols(PROVENANCE_COLUMNS), declaration_truth=_cols(CUSTOMS_TRUTH),
                        parcel_truth=_cols(CUSTOMS_TRUTH),
                        provenance_truth=_cols(["id", "verdict", "declaration_id", "mark_id", "actor_id"]))
    _declarations(w, counts.declarations, out)
    _parcels(w, counts.parcels, out)
    _inspections(w, out)
    return out


# ---- declarations --------------------------------------------------------------------------------------

def exact_mix(rng: random.Random, n: int, shares: dict[str, float]) -> list[str]:
    """``n`` labels in exactly the given proportions (largest remainders), shuffled.

    Why not draw each label independently: the world promises rates (5 % counterfeit, 14 % violations) and a
    small world would miss them by sampling noise alone; exact counts keep tests tight and evaluations honest.
    """
    total = sum(shares.values()) or 1.0
    raw = {k: n * v / total for k, v in shares.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: counts[k] - raw[k])[: n - sum(counts.values())]:
        counts[k] += 1
    out = [k for k in shares for _ in range(counts[k])]
    rng.shuffle(out)
    return out


def _declarations(w: _World, n: int, out: CustomsTables) -> None:
    rng, p = w.rng, w.p
    genuine = 0.35
    labels = exact_mix(rng, n, {
        "counterfeit": p.customs_counterfeit_share, "covert_counterfeit": p.customs_covert_share,
        "parallel_import": p.customs_parallel_share, "genuine": genuine,
        "unbranded": max(0.0, 1 - p.customs_counterfeit_share - p.customs_covert_share - p.customs_parallel_share
                         - genuine)})
    for i in range(n):
        did = f"D{i + 1:07d}"
        label = labels[i]
        t = w.time()
        export = label in ("counterfeit", "unbranded") and rng.random() < 0.3
        brand: Brand | None = None
        actor: Actor
        if label == "genuine":
            brand = rng.choice(w.brands)
            actor = w.genuine_trader[brand.mark_id]
        elif label == "covert_counterfeit":
            actor = rng.choice(w.traders_by_kind.get("covert_counterfeiter") or w.traders_by_kind["unbranded"])
            brand = w.by_mark.get(actor.target_mark) or rng.choice(w.fake_targets)
        elif label == "counterfeit":
            actor = rng.choice(w.traders_by_kind.get("counterfeiter") or w.traders_by_kind["unbranded"])
            brand = rng.choice(w.fake_targets)
        elif label == "parallel_import":
            actor = rng.choice(w.traders_by_kind.get("parallel_importer") or w.traders_by_kind["unbranded"])
            brand = rng.choice(w.fake_targets if rng.random() < 0.6 else w.brands)
        else:
            actor = rng.choice(w.traders_by_kind["unbranded"])
        maker = next((pt for pt in brand.parties if pt.role == "manufacturer"), None) if brand else None
        origin = maker.country if maker else rng.choice(("CN", "VN", "US", "DE", "JP"))
        if label == "covert_counterfeit" and brand:
            origin = brand.holder_country  # made by a factory in the brand's home country, papers from there
        if label == "counterfeit":
            origin = rng.choice(("CN", "CN", "HK")) if not export else "CN"
        if label == "parallel_import":
            origin = rng.choice(("JP", "KR", "HK", "DE", "FR", "US", "AU"))
        if export:
            mode = rng.choice(("9710", "9810"))
            direction, departure = "export", "CN"
            dest = rng.choice(("US", "DE", "GB", "MX", "AE", "RU", "BR"))
            route = ["CN", dest]
            exporter = actor.name
            importer = f"{rng.choice(lx.EN_SURNAMES)} Imports {rng.choice(('LLC', 'Ltd', 'GmbH'))}"
        else:
            mode = "1210" if rng.random() < 0.4 else "0110"
            direction, departure = "import", origin if label != "counterfeit" else rng.choice(("HK", "KR", "CN"))
            route = [departure, *(["HK"] if departure not in ("HK", "CN") and rng.random() < 0.2 else []), "CN"]
            if label == "genuine" and maker:
                exporter = maker.name
            elif label == "covert_counterfeit" and brand:
                exporter = _contract_factory(brand)
            elif label == "parallel_import":
                exporter = f"{rng.choice(('Tokyo', 'Seoul', 'Frankfurt', 'Paris', 'Sydney'))} Duty Free Wholesale Ltd"
            else:
                exporter = f"{rng.choice(('Star', 'Golden', 'Ocean', 'Wing'))} Trading {rng.choice(('Ltd', 'Co.'))}"
            importer = actor.name
        sea = rng.random() < 0.6
        items, true_total, misdeclared = _items(w, label, brand, export, origin)
        undervalued = False
        if label == "counterfeit":
            undervalued = rng.random() < 0.5
        elif rng.random() < p.customs_undervalued_share:
            undervalued = True
        if undervalued:
            lo, hi = p.undervalue_ratio
            f = lo + (hi - lo) * rng.random()
            items = [{**it, "value": round(it["value"] * f, 2)} for it in items]
        if label != "counterfeit" and not misdeclared and rng.random() < 0.032:
            misdeclared = True  # wrong HS code on a clean shipment: a violation without fakes
            items[0] = {**items[0], "hs_code": "392690"}
        out.declarations["id"].append(did)
        out.declarations["declared_at"].append(_stamp(t))
        out.declarations["mode"].append(mode)
        out.declarations["direction"].append(direction)
        out.declarations["consignor"].append(exporter)
        out.declarations["consignee"].append(importer)
        out.declarations["declarant"].append(rng.choice(BROKERS))
        out.declarations["exporter"].append(exporter)
        out.declarations["importer"].append(importer)
        out.declarations["country_of_departure"].append(departure)
        out.declarations["route"].append(route)
        out.declarations["transport_mode"].append("sea" if sea else "air")
        out.declarations["carrier"].append(rng.choice(CARRIERS_SEA if sea else CARRIERS_AIR))
        out.declarations["office"].append(rng.choice(OFFICES_CN))
        out.declarations["items"].append(items)
        fake = label in ("counterfeit", "covert_counterfeit")
        _truth(out.declaration_truth, did, label, brand, actor, "", undervalued, misdeclared, true_total,
               fake or undervalued or misdeclared)
        covert = label == "covert_counterfeit"  # the point of covert imports: complete papers, always
        if brand and direction == "import" and label != "unbranded" and (covert or rng.random() < p.provenance_share):
            _provenance(w, out, did, label, brand, actor, exporter, origin, items)


def _contract_factory(brand: Brand) -> str:
    """A real-sounding factory in the brand's home country that is not among the brand's authorised parties."""
    city = lx.CITIES.get(brand.holder_country, ("Central",))[len(brand.text) % 2 if brand.holder_country != "CN"
                                                            else 0]
    word = ("Precision", "Quality", "Premier", "United", "Allied")[len(brand.mark_id + brand.text) % 5]
    return f"{city} {word} Manufacturing {_form(brand.holder_country)}"


def _form(country: str) -> str:
    return lx.LEGAL_FORMS.get(country, "Ltd") if country != "CN" else "Ltd"


def _items(w: _World, label: str, brand: Brand | None, export: bool,
           origin: str) -> tuple[list[dict[str, Any]], float, bool]:
    rng = w.rng
    items: list[dict[str, Any]] = []
    true_total = 0.0
    misdeclared = False
    lines = rng.choice((1, 1, 2, 3, 4))
    for line in range(1, lines + 1):
        if brand and (line == 1 or rng.random() < 0.7):
            prod = rng.choice(brand.products)
            qty = rng.randint(20, 1500) if label != "parallel_import" else rng.randint(5, 300)
            unit_true = prod.low_cny * USD_PER_CNY * rng.uniform(0.45, 0.6)
            if label == "counterfeit":
                unit_true = prod.low_cny * USD_PER_CNY * rng.uniform(0.03, 0.12)
                desc = rng.choice(GENERIC_DESC[brand.category])
                brand_field: str | None = rng.choice((None, "no brand", "OEM", "unbranded"))
                hs = prod.hs if rng.random() < 0.6 else "392690"
                misdeclared = misdeclared or hs != prod.hs
            elif label == "covert_counterfeit":
                desc = f"{brand.zh or brand.text} {prod.name_zh}"
                brand_field = brand.zh or brand.text
                hs = prod.hs
            else:
                desc = f"{brand.text} {prod.name}"
                brand_field = brand.text
                hs = prod.hs
            weight = prod.weight_kg
        else:
            cat = rng.choice(lx.CATEGORIES)
            desc = rng.choice(cat.unbranded)
            brand_field = None
            qty = rng.randint(50, 5000)
            unit_true = rng.uniform(0.5, 25)
            hs = cat.products[0][2]
            weight = rng.uniform(*cat.weight_kg)
        value = round(unit_true * qty, 2)
        true_total += value
        items.append({"line": line, "description": desc, "hs_code": hs, "quantity": qty, "unit": "pcs",
                      "value": value, "currency": "USD",
                      "origin": "CN" if export else origin, "brand": brand_field,
                      "gross_weight_kg": round(weight * qty * 1.1, 2)})
    return items, round(true_total, 2), misdeclared


def _truth(cols: dict[str, list[Any]], rid: str, label: str, brand: Brand | None, actor: Actor, group: str,
           undervalued: bool, misdeclared: bool, true_value: float, violation: bool) -> None:
    cols["id"].append(rid)
    cols["label"].append(label)
    cols["mark_id"].append(brand.mark_id if brand else "")
    cols["actor_id"].append(actor.actor_id)
    cols["split_group"].append(group)
    cols["undervalued"].append(undervalued)
    cols["misdeclared"].append(misdeclared)
    cols["true_value"].append(round(true_value, 2))
    cols["violation"].append(violation)


# ---- provenance ----------------------------------------------------------------------------------------

def _provenance(w: _World, out: CustomsTables, did: str, label: str, brand: Brand, actor: Actor, exporter: str,
                origin: str, items: list[dict[str, Any]]) -> None:
    rng = w.rng
    vid = f"V{len(out.provenance['id']) + 1:06d}"
    maker = next(pt for pt in brand.parties if pt.role == "manufacturer")
    n = rng.randint(10**7, 10**8 - 1)
    co = {"number": f"CO-{origin}-{n}", "issuer": f"Chamber of Commerce {origin}", "country": origin}
    invoice = {"number": f"INV-{n}", "seller": exporter, "buyer": actor.name, "currency": "USD",
               "total": round(sum(it["value"] for it in items), 2)}
    ciq = {"number": f"CIQ{n}", "result": "conform"}
    bl = {"kind": "bill_of_lading", "number": f"BL{n}"}
    docs: dict[str, Any] = {"certificate_of_origin": co, "commercial_invoice": invoice, "inspection_certificate": ciq,
                            "transport_document": bl, "authorisation_letter": None,
                            "local_trademark_registration": None}
    manufacturer, m_country = maker.name, maker.country
    if label == "genuine":
        verdict = "genuine_authorised"
        docs["authorisation_letter"] = {"issuer": brand.holder, "authorised": actor.name,
                                        "valid_until": f"{w.p.start.year + 2}-12-31"}
    elif label == "parallel_import":
        verdict = "parallel_import"
        docs["purchase_receipts"] = [f"RC-{rng.randint(10**5, 10**6)}" for _ in range(rng.randint(1, 3))]
    elif label == "covert_counterfeit":
        verdict = "covert_counterfeit"
        manufacturer = _contract_factory(brand)
        m_country = brand.holder_country
        docs["local_trademark_registration"] = {"number": actor.local_registration or f"CN{n}", "holder": actor.name,
                                                "mark_text": brand.zh or brand.text, "jurisdiction": "CN",
                                                "nice_classes": list(brand.nice)}
    else:
        verdict = "counterfeit"
        manufacturer, m_country = "", ""
        docs["certificate_of_origin"] = None if rng.random() < 0.6 else {**co, "country": "CN",
                                                                         "issuer": "Chamber of Commerce CN"}
        docs["inspection_certificate"] = None
    if rng.random() < 0.1:  # too little paper to decide anything
        verdict = "insufficient_evidence"
        docs = {"certificate_of_origin": None, "commercial_invoice": invoice, "inspection_certificate": None,
                "transport_document": None, "authorisation_letter": None, "local_trademark_registration": None}
        manufacturer, m_country = "", ""
    out.provenance["id"].append(vid)
    out.provenance["declaration_id"].append(did)
    out.provenance["brand"].append(items[0]["brand"] or brand.text if label != "counterfeit" else items[0]["brand"])
    out.provenance["goods"].append(items[0]["description"])
    out.provenance["importer"].append(actor.name)
    out.provenance["exporter"].append(exporter)
    out.provenance["manufacturer"].append(manufacturer or None)
    out.provenance["manufacturer_country"].append(m_country or None)
    out.provenance["country_of_origin"].append(origin)
    out.provenance["documents"].append(docs)
    out.provenance_truth["id"].append(vid)
    out.provenance_truth["verdict"].append(verdict)
    out.provenance_truth["declaration_id"].append(did)
    out.provenance_truth["mark_id"].append(brand.mark_id)
    out.provenance_truth["actor_id"].append(actor.actor_id)


# ---- parcels -------------------------------------------------------------------------------------------

@dataclass
class _Person:
    name: str
    address: str
    phone: str
    email: str
    id_number: str
    country: str


def _person(rng: random.Random, country: str) -> _Person:
    if country == "CN":
        s, g = rng.choice(lx.CN_SURNAMES), rng.choice(lx.CN_GIVEN)
        name = s[0] + g[0] + (rng.choice(lx.CN_GIVEN)[0] if rng.random() < 0.5 else "")
        email = f"{s[1].lower()}{g[1].lower()}{rng.randint(1, 999)}@qq.example"
        birth = f"{rng.randint(1960, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        idn = f"{rng.randint(110000, 659999)}{birth}{rng.randint(0, 999):03d}{rng.choice('0123456789X')}"
    else:
        g2, s2 = rng.choice(lx.EN_GIVEN), rng.choice(lx.EN_SURNAMES)
        name = f"{g2} {s2}"
        email = f"{g2.lower()}.{s2.lower()}{rng.randint(1, 99)}@mail.example"
        idn = ""
    return _Person(name, address_for(rng, country), phone_for(rng, country), email, idn, country)


def _variant(rng: random.Random, person: _Person) -> _Person:
    """The same person written differently: how split shipments dodge per-person limits."""
    name = person.name
    r = rng.random()
    if person.country == "CN":
        if r < 0.3:
            name = " ".join(name)
        elif r < 0.5:
            name = name[:-1] + rng.choice(lx.CN_GIVEN)[0]
        idn = person.id_number[:-4] + f"{rng.randint(0, 999):03d}" + person.id_number[-1]
        address = person.address + rng.choice(("", "", "1栋", "A座", "（代收点）"))
        return _Person(name, address, person.phone if rng.random() < 0.7 else _phone_variant(person.phone),
                       person.email, idn, person.country)
    if r < 0.3:
        first, last = name.split(" ", 1)
        name = f"{first[0]}. {last}"
    elif r < 0.5:
        name = name.upper()
    address = person.address.replace("Street", "St").replace("Road", "Rd") if rng.random() < 0.5 else person.address
    if rng.random() < 0.3:
        address = f"Apt {rng.randint(1, 40)}, {address}"
    return _Person(name, address, person.phone, person.email if rng.random() < 0.6 else "", "", person.country)


def _phone_variant(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())[2:] if phone.startswith("+86") else phone


def _parcels(w: _World, n: int, out: CustomsTables) -> None:
    rng, p = w.rng, w.p
    n_split_target = int(n * p.split_parcel_share)
    consumers = {c: [_person(rng, c) for _ in range(max(20, n // 6))] for c in ("CN", "US")}
    labels = _parcel_labels(w, n)
    split_parcels = 0
    group_no = 0
    count = 0
    while count < n:
        if split_parcels < n_split_target and rng.random() < p.split_parcel_share * 0.25:
            group_no += 1
            made = _split_series(w, out, f"G{group_no:05d}", n - count, consumers)
            split_parcels += made
            count += made
            continue
        _one_parcel(w, out, f"R{count + 1:08d}", consumers, labels[count])
        count += 1


def _parcel_labels(w: _World, n: int) -> list[str]:
    p = w.p
    # split series carry counterfeits too (about 40 % of their parcels): keep the overall share at the target
    fake = max(0.0, p.customs_counterfeit_share - 0.4 * p.split_parcel_share)
    parallel = p.customs_parallel_share * 1.5
    rest = 1 - fake - parallel
    return exact_mix(w.rng, n, {"counterfeit": fake, "parallel_import": parallel, "genuine": 0.3 * rest,
                                "unbranded": 0.7 * rest})


def _seller_for(w: _World, label: str, dest: str) -> Actor:
    kind = {"counterfeit": "counterfeiter", "parallel_import": "parallel_importer", "genuine": "genuine",
            "unbranded": "unbranded"}[label]
    pool = w.sellers_by_kind.get(kind) or w.sellers_by_kind["unbranded"]
    for _ in range(6):
        s = w.rng.choice(pool)
        if (dest == "CN") == (s.country != "CN"):  # China-bound parcels come from abroad, US-bound from China
            return s
    return s


def _goods(w: _World, label: str, dest: str) -> tuple[Brand | None, SimProduct | None, str, str, float, float]:
    """(brand, product, description, hs, true unit value in the destination currency, unit weight)."""
    rng = w.rng
    cny = dest == "CN"
    if label == "unbranded":
        cat = rng.choice(lx.CATEGORIES)
        value = rng.uniform(15, 300) * (1 if cny else USD_PER_CNY)
        return None, None, rng.choice(cat.unbranded), cat.products[0][2], value, rng.uniform(*cat.weight_kg)
    brand = rng.choice(w.fake_targets if label == "counterfeit" or rng.random() < 0.5 else w.brands)
    prod = rng.choice(brand.products)
    retail = prod.low_cny * rng.uniform(1.0, 1.15) * (1 if cny else USD_PER_CNY)
    if label == "counterfeit":
        return brand, prod, rng.choice(GENERIC_DESC[brand.category]), prod.hs, retail * rng.uniform(0.05, 0.3), \
            prod.weight_kg
    if label == "parallel_import":
        retail *= rng.uniform(0.75, 0.95)
    desc = f"{brand.zh or brand.text} {prod.name_zh}" if cny else f"{brand.text} {prod.name}"
    return brand, prod, desc, prod.hs, retail, prod.weight_kg


def _emit_parcel(w: _World, out: CustomsTables, pid: str, t: datetime, seller: Actor, person: _Person,
                 dest: str, desc: str, hs: str, qty: int, unit_weight: float, declared: float,
                 route: list[str], order_id: str) -> None:
    rng = w.rng
    cny = dest == "CN"
    out.parcels["id"].append(pid)
    out.parcels["declared_at"].append(_stamp(t))
    out.parcels["mode"].append("9610" if cny else rng.choice(("postal", "express")))
    out.parcels["consignor"].append(seller.name)
    out.parcels["consignee_name"].append(person.name)
    out.parcels["consignee_address"].append(person.address)
    out.parcels["consignee_phone"].append(person.phone)
    out.parcels["consignee_email"].append(person.email or None)
    out.parcels["consignee_id_number"].append(person.id_number or None)
    out.parcels["description"].append(desc)
    out.parcels["hs_code"].append(hs)
    out.parcels["quantity"].append(qty)
    out.parcels["weight_kg"].append(round(unit_weight * qty * 1.05 + 0.1, 2))
    out.parcels["declared_value"].append(round(declared, 2))
    out.parcels["currency"].append("CNY" if cny else "USD")
    out.parcels["origin"].append(route[0])
    out.parcels["destination"].append(dest)
    out.parcels["route"].append(route)
    out.parcels["transport_mode"].append("air")
    out.parcels["carrier"].append(rng.choice(CARRIERS_AIR))
    out.parcels["order_id"].append(order_id)


def _one_parcel(w: _World, out: CustomsTables, pid: str, consumers: dict[str, list[_Person]], label: str) -> None:
    rng, p = w.rng, w.p
    dest = "CN" if rng.random() < 0.45 else "US"
    seller = _seller_for(w, label, dest)
    brand, _prod, desc, hs, unit, weight = _goods(w, label, dest)
    qty = rng.choice((1, 1, 1, 2, 3)) if label != "counterfeit" else rng.randint(1, 6)
    true_value = unit * qty
    undervalued = False
    if label == "counterfeit":
        undervalued = rng.random() < 0.3
    elif rng.random() < p.customs_undervalued_share * 1.4:
        undervalued = True
    declared = true_value
    if undervalued:
        lo, hi = p.undervalue_ratio
        declared = true_value * (lo + (hi - lo) * rng.random())
    origin = seller.country if dest == "CN" else "CN"
    route = [origin, dest] if dest == "CN" or rng.random() < 0.85 else [origin, rng.choice(("MX", "CA")), dest]
    person = rng.choice(consumers[dest])
    _emit_parcel(w, out, pid, w.time(), seller, person, dest, desc, hs, qty, weight, declared, route,
                 f"O{rng.randint(10**9, 10**10 - 1)}")
    fake = label == "counterfeit"
    _truth(out.parcel_truth, pid, label, brand, seller, "", undervalued, False, true_value, fake or undervalued)


def _split_series(w: _World, out: CustomsTables, group: str, room: int, consumers: dict[str, list[_Person]]) -> int:
    """One order cut into parcels that each stay under the limit while the whole exceeds it."""
    rng, p = w.rng, w.p
    us = rng.random() < 0.6
    dest = "US" if us else "CN"
    label = rng.choice(("counterfeit", "counterfeit", "unbranded", "genuine")) if us else \
        rng.choice(("parallel_import", "parallel_import", "genuine", "counterfeit"))
    seller = _seller_for(w, label, dest)
    brand, _prod, desc, hs, unit, weight = _goods(w, label, dest)
    unit = max(unit, 5.0)
    limit = p.de_minimis_usd if us else p.cn_order_limit_cny
    per_parcel = rng.uniform(0.6 if us else 0.5, 0.99) * limit
    qty_base = max(1, int(per_parcel // unit))
    typical = min(qty_base * unit, limit * 0.999) * 0.85  # parcels vary between 85 % and 100 % of the base
    whole = rng.uniform(2.2, 12) * limit if us else p.cn_annual_limit_cny * rng.uniform(1.1, 2.5)
    k = max(2, math.ceil(whole / typical))
    if k > room or k > 60:
        return 0  # an order too big for the remaining room (or absurdly many parcels): skip this series
    span_days = rng.randint(0, 3) if us else rng.randint(60, min(300, p.days - 1))
    person = rng.choice(consumers[dest])
    t0 = w.time() - timedelta(days=span_days)
    if t0 < w.start:
        t0 = w.start
    network = [s for s in w.sellers_by_kind.get(seller.kind, []) if s.network_id and
               s.network_id == seller.network_id] or [seller]
    shared_order = f"O{rng.randint(10**9, 10**10 - 1)}" if rng.random() < 0.3 else ""
    via = rng.choice(("MX", "CA")) if us and rng.random() < 0.4 else ""
    if via and rng.random() < 0.5:  # a fulfilment centre as ultimate consignee, holding the goods for buyers
        person = _Person(name=rng.choice(FULFILMENT_CENTRES), address=rng.choice(FULFILMENT_ADDRESSES_US),
                         phone=phone_for(rng, "US"), email="", id_number="", country="US")
    for j in range(k):
        qty = max(1, round(qty_base * rng.uniform(0.85, 1.0)))
        value = qty * unit
        declared = value * rng.uniform(0.85, 1.0) if value >= limit else value  # a unit above the limit: shaved
        declared = min(declared, limit - rng.uniform(0.01, limit * 0.05))
        shipper = rng.choice(network)
        who = person if (j == 0 or rng.random() < 0.4) else _variant(rng, person)
        origin = shipper.country if dest == "CN" else "CN"
        route = [origin, via, dest] if via else [origin, dest]
        t = t0 + timedelta(seconds=rng.randrange(max(1, span_days) * 86_400))
        pid = f"R{len(out.parcels['id']) + 1:08d}"
        _emit_parcel(w, out, pid, t, shipper, who, dest, desc, hs, qty, weight, declared, route,
                     (f"{shared_order}-{j + 1}" if shared_order else f"O{rng.randint(10**9, 10**10 - 1)}"))
        _truth(out.parcel_truth, pid, label, brand, shipper, group, declared < value * 0.8, False, value, True)
    return k


# ---- inspections ---------------------------------------------------------------------------------------

def _inspections(w: _World, out: CustomsTables) -> None:
    """Random and targeted inspections; outcomes follow the truth, except covert fakes that often pass."""
    rng, p = w.rng, w.p
    for kind, records, truth in (("declaration", out.declarations, out.declaration_truth),
                                 ("parcel", out.parcels, out.parcel_truth)):
        for i, rid in enumerate(records["id"]):
            violation = truth["violation"][i]
            label = truth["label"][i]
            if rng.random() < p.random_inspection_rate:
                by = "random"
            elif rng.random() < p.targeted_inspection_rate * (5.0 if violation else 0.4):
                by = "target"
            else:
                continue
            if label == "counterfeit":
                outcome = "counterfeit"
            elif label == "covert_counterfeit":
                outcome = "counterfeit" if rng.random() < p.covert_detection_rate else "clear"
            elif violation:
                outcome = "violation"
            else:
                outcome = "clear"
            at = datetime.strptime(records["declared_at"][i], "%Y-%m-%dT%H:%M:%SZ") + timedelta(
                hours=rng.randint(2, 72))
            out.inspections["record_id"].append(rid)
            out.inspections["record_kind"].append(kind)
            out.inspections["inspected_at"].append(_stamp(at))
            out.inspections["outcome"].append(outcome)
            out.inspections["selected_by"].append(by)
