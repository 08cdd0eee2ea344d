"""The people and companies of the world: marketplace seller accounts and customs traders.

Why networks are built as a chain of shared details: every account of a counterfeit ring copies at least one
contact detail (phone, e-mail, address, payment account, WeChat id) from an earlier account, so the ring is one
connected component for a linker that normalises those details -- and the formatting varies, as it does when
people type the same phone number into different sign-up forms.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bordermark.sim import lexicon as lx
from bordermark.sim.brands import Brand, address_for, phone_for, uscc

SELLER_KIND_SHARES = {"genuine": 0.22, "parallel_importer": 0.10, "counterfeiter": 0.22,
                      "covert_counterfeiter": 0.02, "unbranded": 0.44}
MAIL_DOMAINS = ("qq.example", "163.example", "gmail.example", "outlook.example")
FULFILMENT_ADDRESSES = ("Bldg 3, 88 Logistics Ave, Tijuana, MX", "1200 Commerce Way, Ontario, CA 91761, US",
                        "深圳市宝安区物流园A栋", "Unit 5, 16 Kwai Fung Cres, Kwai Chung, HK")


@dataclass
class Actor:
    actor_id: str
    kind: str  # genuine | parallel_importer | counterfeiter | covert_counterfeiter | unbranded
    role: str  # seller | trader
    name: str
    country: str
    network_id: str = ""
    platform: str = ""
    zh: bool = False
    phone: str = ""
    email: str = ""
    address: str = ""
    payment_account: str = ""
    wechat: str = ""
    registered_at: str = ""
    target_mark: str = ""  # covert counterfeiters: the famous mark they squatted
    local_registration: str = ""  # covert counterfeiters: their local trademark registration number
    marks: list[str] = field(default_factory=list)


def _fmt_phone(rng: random.Random, phone: str) -> str:
    """The same number as people type it: with or without +86, spaces or dashes."""
    digits = "".join(c for c in phone if c.isdigit())
    r = rng.random()
    if r < 0.4:
        return phone
    if phone.startswith("+86") and r < 0.7:
        local = digits[2:]
        return local if r < 0.55 else f"{local[:3]}-{local[3:7]}-{local[7:]}"
    return "+" + digits


def _fmt_email(rng: random.Random, email: str) -> str:
    return email.upper() if rng.random() < 0.1 else email


def _shop_name(rng: random.Random, zh: bool) -> str:
    if zh:
        return f"{rng.choice(lx.CN_SURNAMES)[0]}{rng.choice(lx.CN_GIVEN)[0]}{rng.choice(lx.SHOP_WORDS_ZH)}"
    a, b = rng.sample(lx.SHOP_WORDS, 2)
    word = rng.choice(("Lucky", "Sunny", "Star", "Happy", "Golden", "Blue", "Urban", "Smart", "Top", "Best",
                       "Yiwu", "Shenzhen", "Global", "Bright", "Ocean", "Dream"))
    return f"{word} {a} {b}" + (f" {rng.randint(2, 99)}" if rng.random() < 0.2 else "")


def _handle(rng: random.Random) -> str:
    letters = "abcdefghjkmnpqrstuvwxyz"
    return "".join(rng.choice(letters) for _ in range(rng.randint(3, 6))) + str(rng.randint(10, 9999))


def _date(rng: random.Random, year0: int, year1: int) -> str:
    return f"{rng.randint(year0, year1)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def build_sellers(seed: int, n: int, networks: int, network_share: float, brands: list[Brand]) -> list[Actor]:
    """Seller accounts on the platforms; counterfeiters grouped into networks that share contact details."""
    rng = random.Random(seed * 7_919 + 3)
    kinds = list(SELLER_KIND_SHARES)
    weights = list(SELLER_KIND_SHARES.values())
    famous = [b for b in brands if b.famous and b.style != "ordinary"] or brands
    sellers: list[Actor] = []
    for i in range(n):
        kind = rng.choices(kinds, weights)[0] if i >= len(kinds) else kinds[i]
        zh = rng.random() < 0.45
        platform = rng.choice(lx.PLATFORMS_ZH if zh else lx.PLATFORMS_EN)
        if kind == "parallel_importer":
            country = rng.choice(("JP", "KR", "US", "FR", "IT", "HK", "AU")) if zh else rng.choice(("HK", "AE", "JP"))
        elif kind == "genuine":
            country = "CN" if zh else "US"
        else:
            country = rng.choice(("CN", "CN", "CN", "HK")) if not zh else "CN"
        if country == "AE":
            country = "HK"
        a = Actor(actor_id=f"S{i + 1:06d}", kind=kind, role="seller", name=_shop_name(rng, zh), country=country,
                  platform=platform, zh=zh, phone=phone_for(rng, country),
                  email=f"{_handle(rng)}@{rng.choice(MAIL_DOMAINS)}",
                  address=address_for(rng, country),
                  payment_account=f"{rng.choice(lx.PAYMENT_KINDS)}:{rng.randint(10**9, 10**10 - 1)}",
                  wechat=_handle(rng), registered_at=_date(rng, 2015, 2024))
        if kind == "unbranded" and rng.random() < 0.1:
            a.address = rng.choice(FULFILMENT_ADDRESSES)  # shared warehouse: a link that is not a ring
        if kind == "covert_counterfeiter":
            target = rng.choice(famous)
            a.target_mark = target.mark_id
            a.local_registration = f"CN{rng.randint(10_000_000, 39_999_999)}"
        sellers.append(a)
    _form_networks(rng, [s for s in sellers if s.kind == "counterfeiter"], networks, network_share)
    _form_legit_groups(rng, [s for s in sellers if s.kind == "genuine"])
    return sellers


def _form_networks(rng: random.Random, fakes: list[Actor], networks: int, share: float) -> None:
    members = [a for a in fakes if rng.random() < share]
    rng.shuffle(members)
    if not members or networks <= 0:
        return
    groups: list[list[Actor]] = [[] for _ in range(min(networks, max(1, len(members) // 2)))]
    for i, a in enumerate(members):
        groups[i % len(groups)].append(a) if i < 2 * len(groups) else rng.choice(groups).append(a)
    attrs = ("phone", "email", "address", "payment_account", "wechat")
    for n, group in enumerate(groups, start=1):
        if len(group) < 2:
            continue
        nid = f"N{n:04d}"
        base = group[0]
        for k, a in enumerate(group):
            a.network_id = nid
            if k == 0:
                continue
            earlier = rng.choice(group[:k])
            shared = rng.sample(attrs, rng.choice((1, 1, 2, 3)))
            for attr in shared:
                value = getattr(earlier, attr)
                if attr == "phone":
                    value = _fmt_phone(rng, value)
                elif attr == "email":
                    value = _fmt_email(rng, value)
                setattr(a, attr, value)
            if rng.random() < 0.3:  # ring-wide shop naming habit
                a.name = f"{base.name.split()[0]} {rng.choice(lx.SHOP_WORDS)} {rng.randint(2, 99)}"


def _form_legit_groups(rng: random.Random, genuine: list[Actor]) -> None:
    """Retail groups run several genuine stores from one head office: shared details that are not a ring."""
    for i in range(0, len(genuine) - 2, 12):
        head = genuine[i]
        for a in genuine[i + 1 : i + 1 + rng.randint(1, 3)]:
            a.address = head.address
            a.email = f"store{rng.randint(2, 40)}@" + head.email.split("@")[1]


def build_traders(seed: int, n: int, brands: list[Brand]) -> list[Actor]:
    """Importers and exporters that file declarations; covert counterfeiters among them hold squatted marks."""
    rng = random.Random(seed * 104_729 + 11)
    famous = [b for b in brands if b.famous and b.style != "ordinary"] or brands
    shares = {"parallel_importer": 0.2, "counterfeiter": 0.15, "covert_counterfeiter": 0.06, "unbranded": 0.59}
    traders: list[Actor] = []
    for b in brands:  # the authorised importer of every brand is a (genuine) trader too
        imp = next(p for p in b.parties if p.role == "importer")
        traders.append(Actor(actor_id=f"T{len(traders) + 1:05d}", kind="genuine", role="trader", name=imp.name,
                             country="CN", phone=imp.phone, email=imp.email, address=imp.address,
                             marks=[b.mark_id]))
    kinds, weights = list(shares), list(shares.values())
    for i in range(n):
        kind = kinds[i] if i < len(kinds) else rng.choices(kinds, weights)[0]
        city = rng.choice(lx.CITIES["CN"])
        word = "".join(c for c, _ in rng.sample(lx.CN_BRAND_CHARS, 2))
        name = f"{city}{word}{rng.choice(('贸易', '进出口', '供应链', '国际贸易', '电子商务'))}有限公司"
        a = Actor(actor_id=f"T{len(traders) + 1:05d}", kind=kind, role="trader", name=name, country="CN",
                  phone=phone_for(rng, "CN"), email=f"{_handle(rng)}@{rng.choice(('qq.example', '163.example'))}",
                  address=address_for(rng, "CN"), registered_at=_date(rng, 2005, 2023),
                  payment_account=uscc(rng))
        if kind == "covert_counterfeiter":
            target = rng.choice(famous)
            a.target_mark = target.mark_id
            a.local_registration = f"CN{rng.randint(10_000_000, 39_999_999)}"
        traders.append(a)
    return traders
