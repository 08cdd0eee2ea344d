"""The simulated rights registry: holders, marks with Latin and Chinese names, products, authorised parties.

Why names are built from syllables: every invented brand then has a sound (pinyin per syllable), so its
transliterated Chinese name, its homophone disguises and its squatted look-alikes all follow from one source,
as they do for real brands (Gucci -> 古驰 -> 古奇).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from bordermark.sim import lexicon as lx


@dataclass
class SimProduct:
    pid: str  # internal id, e.g. P000123 (registry products are keyed by holder+mark+name)
    name: str
    name_zh: str
    hs: str
    low_cny: float
    high_cny: float
    weight_kg: float
    gs1_prefix: str
    barcode: str

    @property
    def low_usd(self) -> float:
        return round(self.low_cny / 7.1, 0)

    @property
    def high_usd(self) -> float:
        return round(self.high_cny / 7.1 * 1.05, 0)


@dataclass
class SimParty:
    role: str
    name: str
    country: str
    address: str
    phone: str
    email: str
    identifier: str


@dataclass
class Brand:
    mark_id: str
    holder: str
    holder_country: str
    text: str  # registered word mark
    category: str
    famous: bool
    style: str  # invented | translated | chinese_origin | ordinary
    pinyin: tuple[str, ...]  # sound of the Chinese name, one syllable per character
    zh: str  # registered Chinese name ("" if none)
    zh_kind: str  # transliteration | translation | variant | ""
    nicknames_registered: tuple[str, ...]
    nicknames_unregistered: tuple[str, ...]
    abbreviation: str
    nice: tuple[int, ...]
    jurisdictions: tuple[str, ...]
    registration_number: str
    recordation: str
    valid_from: str
    valid_until: str
    products: list[SimProduct] = field(default_factory=list)
    parties: list[SimParty] = field(default_factory=list)
    hard_negative_titles: tuple[str, ...] = ()

    def alias_cells(self) -> list[str]:
        out = []
        if self.zh:
            out.append(f"{self.zh}[{self.zh_kind}]")
        out += [f"{n}[nickname]" for n in self.nicknames_registered]
        if self.abbreviation:
            out.append(f"{self.abbreviation}[abbreviation]")
        return out

    def registered_forms(self) -> list[str]:
        forms = [self.text, *self.nicknames_registered]
        if self.zh:
            forms.append(self.zh)
        if self.abbreviation:
            forms.append(self.abbreviation)
        return forms


_GS1 = {"FR": "30", "IT": "80", "CH": "76", "US": "03", "JP": "45", "KR": "880", "DE": "40", "GB": "50",
        "ES": "84", "CN": "69", "AU": "93", "NL": "87", "SE": "73"}


def ean13(first12: str) -> str:
    """EAN-13 with its check digit, so barcode checks in later modules can validate real-looking codes."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def phone_for(rng: random.Random, country: str) -> str:
    code = lx.DIAL_CODES.get(country, "86")
    if country == "CN":
        return f"+86 1{rng.choice('3589')}{rng.randint(0, 9)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
    return f"+{code} {rng.randint(200, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def address_for(rng: random.Random, country: str) -> str:
    city = rng.choice(lx.CITIES.get(country, ("Capital City",)))
    if country == "CN":
        return f"{city}市{rng.choice(lx.CN_STREETS)}{rng.randint(1, 999)}号"
    return f"{rng.randint(1, 250)} {rng.choice(lx.STREETS)}, {city}, {country}"


def uscc(rng: random.Random) -> str:
    """A Chinese unified social credit code look-alike (18 characters)."""
    alnum = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "91" + str(rng.randint(110000, 659999)) + "".join(rng.choice(alnum) for _ in range(10))


def _invented_name(rng: random.Random, used: set[str]) -> tuple[str, tuple[str, ...]]:
    sylls = list(lx.SYLLABLES)
    while True:
        n = rng.choice((2, 2, 3, 3, 3))
        parts = [rng.choice(sylls) for _ in range(n)]
        text = "".join(parts).upper()
        if len(text) >= 4 and text not in used:
            return text, tuple(lx.SYLLABLES[p] for p in parts)


def _transliterate(pinyin: tuple[str, ...]) -> str:
    return "".join(lx.HANZI[p][0] for p in pinyin)


def build_brands(seed: int, holders: int, famous_share: float) -> list[Brand]:
    """Generate ``holders`` holders with one mark each (ordinary-word marks included), deterministically."""
    rng = random.Random(seed * 1_000_003 + 17)
    used: set[str] = {m for m, _, _ in lx.ORDINARY_MARKS}
    brands: list[Brand] = []
    pcount = 0
    ordinary = list(lx.ORDINARY_MARKS)
    for i in range(holders):
        mark_id = f"M{i + 1:05d}"
        country = rng.choice(lx.HOME_COUNTRIES)
        hard_titles: tuple[str, ...] = ()
        pinyin: tuple[str, ...] = ()
        roll = rng.random()
        if i < len(ordinary) and i * 20 < holders:  # ordinary-word marks first, when the registry is big enough
            text, cat_key, hard_titles = ordinary[i]
            style, zh, zh_kind = "ordinary", "", ""
            country = rng.choice(("US", "GB", "FR", "IT", "DE"))
        elif country == "CN" or roll < 0.08:
            country = "CN"
            for attempt in range(60):  # two characters first; three once the pairs run out
                chars = rng.sample(lx.CN_BRAND_CHARS, 2 if attempt < 30 else 3)
                zh = "".join(c for c, _ in chars)
                text = "".join(p for _, p in chars).upper()
                if text not in used:
                    break
            style, pinyin, zh_kind = "chinese_origin", tuple(p for _, p in chars), "transliteration"
            cat_key = rng.choice(lx.CATEGORIES).key
        elif roll < 0.25:
            for attempt in range(60):  # adjective + noun; a second adjective once the pairs run out
                adj, noun = rng.choice(lx.ADJECTIVES), rng.choice(lx.NOUNS)
                if attempt >= 30:
                    adj2 = rng.choice(lx.ADJECTIVES)
                    adj = (f"{adj2[0]} {adj[0]}", adj2[1] + adj[1])
                text = f"{adj[0]} {noun[0]}".upper()
                if text not in used:
                    break
            style, zh, zh_kind = "translated", adj[1] + noun[1], "translation"
            pinyin = ()
            cat_key = rng.choice(lx.CATEGORIES).key
        else:
            text, pinyin = _invented_name(rng, used)
            style = "invented"
            cat_key = rng.choice(lx.CATEGORIES).key
            if rng.random() < 0.15:  # blended: sound of the first syllables plus a meaning character
                noun = rng.choice(lx.NOUNS)
                zh, zh_kind = _transliterate(pinyin[:2]) + noun[1], "variant"
            else:
                zh, zh_kind = _transliterate(pinyin), "transliteration"
        if text in used and style != "ordinary":  # the word lists ran out of fresh combinations: invent one
            text, pinyin = _invented_name(rng, used)
            style, zh, zh_kind = "invented", _transliterate(pinyin), "transliteration"
        used.add(text)
        cat = lx.CATEGORY_BY_KEY[cat_key]
        famous = style == "ordinary" or rng.random() < (famous_share * (2.5 if cat_key == "luxury" else 0.85))
        first = zh[:1]
        nick_pool = [f"{text[0]}{cat.zh_nickname_suffix}"]
        if zh and first != "小":
            nick_pool.append(f"小{first}")
        if len(zh) >= 2:
            nick_pool.append(f"{first}{cat.zh_nickname_suffix}")
        nick_pool = list(dict.fromkeys(nick_pool))
        rng.shuffle(nick_pool)
        # a registered nickname must point at one mark only; shared ones stay unregistered (ambiguous in the wild)
        registered = tuple(n for n in nick_pool[:1] if n not in used) if famous and rng.random() < 0.5 else ()
        used.update(registered)
        unregistered = tuple(n for n in nick_pool if n not in registered)
        abbreviation = "".join(w[0] for w in text.split()) if " " in text and rng.random() < 0.5 else ""
        if abbreviation in used:
            abbreviation = ""
        used.add(abbreviation)
        jurisdictions = sorted({country, "CN", "US", *(["EU"] if famous else [])} - ({"CN"} if rng.random() < 0.1
                                                                                      else set()))
        year = rng.randint(1995, 2020)
        rec = f"T{rng.randint(2018, 2024)}-{i + 1:05d}" if famous or rng.random() < 0.25 else ""
        form = lx.LEGAL_FORMS[country]
        holder = f"{lx.CITIES['CN'][i % 6]}{zh}实业{form}" if country == "CN" else f"{text.title()} {form}"
        brand = Brand(
            mark_id=mark_id, holder=holder, holder_country=country, text=text, category=cat_key, famous=famous,
            style=style, pinyin=pinyin if style != "translated" else (), zh=zh, zh_kind=zh_kind,
            nicknames_registered=registered, nicknames_unregistered=unregistered, abbreviation=abbreviation,
            nice=cat.nice, jurisdictions=tuple(jurisdictions), registration_number=f"G{2_000_000 + i}",
            recordation=rec, valid_from=f"{year}-{rng.randint(1, 12):02d}-01",
            valid_until=f"{year + 30 + rng.randint(0, 5)}-{rng.randint(1, 12):02d}-28",
            hard_negative_titles=hard_titles,
        )
        base = 10 ** rng.uniform(*(math.log10(x) for x in cat.price_cny))
        for en, zh_name, hs in rng.sample(cat.products, min(len(cat.products), rng.randint(2, 4))):
            pcount += 1
            price = base * rng.uniform(0.6, 1.6)
            gs1 = _GS1.get(country, "69") + f"{rng.randint(0, 99999):05d}"
            brand.products.append(SimProduct(
                pid=f"P{pcount:06d}", name=en, name_zh=zh_name, hs=hs, low_cny=round(price * 0.9, 0),
                high_cny=round(price * 1.15, 0), weight_kg=round(rng.uniform(*cat.weight_kg), 2), gs1_prefix=gs1,
                barcode=ean13((gs1 + f"{rng.randint(0, 10**12):012d}")[:12]),
            ))
        brand.parties = _parties(rng, brand)
        brands.append(brand)
    return brands


def _company(rng: random.Random, base: str, country: str, kind: str) -> str:
    if country == "CN":
        city = rng.choice(lx.CITIES["CN"])
        return f"{city}{base}{kind}有限公司"
    return f"{base} {kind} {lx.LEGAL_FORMS.get(country, 'Ltd')}"


def _parties(rng: random.Random, b: Brand) -> list[SimParty]:
    word = b.text.title()
    maker_country = b.holder_country if rng.random() < 0.5 else rng.choice(("CN", "VN", b.holder_country))
    out = []
    for role, country, kind in (
        ("manufacturer", maker_country, "Manufacturing"),
        ("importer", "CN", "(China) Trading"),
        ("distributor", "US", "USA Distribution"),
    ):
        if country == "CN" and role == "manufacturer":
            name = _company(rng, b.zh or word, "CN", "制造")
        elif country == "CN":
            name = f"{word} (China) Trading Co., Ltd."
        else:
            name = _company(rng, word, country, kind)
        out.append(SimParty(role=role, name=name, country=country, address=address_for(rng, country),
                            phone=phone_for(rng, country),
                            email=f"{role[:4]}@{b.text.lower().replace(' ', '')}.example",
                            identifier=uscc(rng) if country == "CN" else f"EORI-{country}{rng.randint(10**8, 10**9)}"))
    if rng.random() < 0.3:
        country = rng.choice(("HK", "MY", "TH", "KR", "JP"))
        out.append(SimParty(role="distributor", name=_company(rng, word, country, "Asia Distribution"),
                            country=country, address=address_for(rng, country), phone=phone_for(rng, country),
                            email=f"asia@{b.text.lower().replace(' ', '')}.example", identifier=""))
    return out
