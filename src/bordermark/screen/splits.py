"""Split shipments / structuring: series of parcels kept just under a value threshold, per resolved consignee.

Why resolve consignees first: splitting only works for the importer if each parcel looks like a different, small
import; the same person then appears under spelling variants, other phone formats or e-mail aliases. Parcels are
linked (union-find) when they share a normalised phone (E.164 via ``phonenumbers``), e-mail, ID number, or name and
address. A fulfilment centre or forwarder (one address receiving for many names, or a configured address) is treated
as the ultimate consignee: its parcels are aggregated together, as US customs does when it asks warehouses about
identical offending goods. Thresholds are profiles in ``decl_split_profiles.yaml`` (US de minimis, historic; China
CBEC; EU low value), never constants in code.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import phonenumbers
import yaml

from bordermark.domain.records import Parcel
from bordermark.screen.money import Rates, UnknownCurrency

PROFILES_FILE = Path(__file__).with_name("decl_split_profiles.yaml")
EU = frozenset({"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
                "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"})


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    destinations: frozenset[str]
    currency: str
    limits: dict[str, float]
    active_from: date | None = None
    active_until: date | None = None

    def applies(self, parcel: Parcel) -> bool:
        dest = parcel.destination
        if dest is None or not (dest in self.destinations or ("EU" in self.destinations and dest in EU)):
            return False
        day = parcel.declared_at.date()
        if self.active_from and day < self.active_from:
            return False
        return not (self.active_until and day >= self.active_until)


@dataclass(frozen=True)
class SplitConfig:
    profiles: tuple[Profile, ...]
    near_fraction: float = 0.8
    min_series: int = 3
    window_days: int = 7
    fulfilment_min_names: int = 5
    fulfilment_addresses: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: str | Path | None = None) -> SplitConfig:
        src = Path(path) if path else PROFILES_FILE
        doc: Any = yaml.safe_load(src.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or not isinstance(doc.get("profiles"), list):
            raise ValueError(f"{src}: expected a mapping with a 'profiles' list")
        profiles = []
        for i, p in enumerate(doc["profiles"]):
            try:
                limits = {str(k): float(v) for k, v in p["limits"].items()}
                unknown = set(limits) - {"per_parcel", "per_order", "per_person_day", "per_person_year"}
                if unknown:
                    raise ValueError(f"unknown limit kind {sorted(unknown)}")
                profiles.append(Profile(
                    name=str(p["name"]), description=str(p.get("description", "")),
                    destinations=frozenset(str(d).upper() for d in p["destinations"]),
                    currency=str(p["currency"]).upper(), limits=limits,
                    active_from=_date(p.get("active_from")), active_until=_date(p.get("active_until")),
                ))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise ValueError(f"{src}: profiles[{i}]: {exc}") from exc
        return cls(
            profiles=tuple(profiles),
            near_fraction=float(doc.get("near_fraction", 0.8)),
            min_series=int(doc.get("min_series", 3)),
            window_days=int(doc.get("window_days", 7)),
            fulfilment_min_names=int(doc.get("fulfilment_min_names", 5)),
            fulfilment_addresses=frozenset(norm_text(a) for a in doc.get("fulfilment_addresses") or []),
        )


def _date(v: Any) -> date | None:
    if v is None or isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def norm_text(text: str | None) -> str:
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", t).split())


def norm_name(text: str | None) -> str:
    """Token-sorted, so 'Li Wei' and 'WEI, Li' agree."""
    return " ".join(sorted(norm_text(text).split()))


def norm_phone(phone: str | None, region: str | None) -> str:
    """E.164 when ``phonenumbers`` can parse it (destination country as default region), else the bare digits."""
    if not phone:
        return ""
    try:
        num = phonenumbers.parse(phone, region or None)
        if phonenumbers.is_possible_number(num):
            return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = re.sub(r"\D", "", phone)
    return digits if len(digits) >= 6 else ""


def norm_email(email: str | None) -> str:
    """Lower-case; plus-tags dropped; dots ignored for Gmail, where they do not change the mailbox."""
    if not email or "@" not in email:
        return ""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True)
class Consignees:
    """``entity[i]``: the resolved consignee of parcel i; fulfilment-centre parcels carry ``fc:<address>``."""

    entity: list[str]
    fulfilment: list[bool]


def resolve_consignees(parcels: Sequence[Parcel], config: SplitConfig) -> Consignees:
    n = len(parcels)
    uf = _UnionFind(n)
    names_at: dict[str, set[str]] = defaultdict(set)
    for p in parcels:
        addr = norm_text(p.consignee_address)
        if addr:
            names_at[addr].add(norm_name(p.consignee_name))
    fc_addresses = {a for a, names in names_at.items() if len(names) >= config.fulfilment_min_names}
    fc_addresses |= {a for a in names_at if a in config.fulfilment_addresses}
    first: dict[str, int] = {}
    fulfilment = []
    for i, p in enumerate(parcels):
        addr = norm_text(p.consignee_address)
        at_fc = addr in fc_addresses
        fulfilment.append(at_fc)
        keys = [
            "p:" + norm_phone(p.consignee_phone, p.destination),
            "e:" + norm_email(p.consignee_email),
            "i:" + norm_text(p.consignee_id_number),
        ]
        name = norm_name(p.consignee_name)
        if name and addr:
            keys.append(f"na:{name}|{addr}")
        if at_fc:
            keys.append("fc:" + addr)
        for key in keys:
            if key.endswith(":"):
                continue
            if key in first:
                uf.union(first[key], i)
            else:
                first[key] = i
    entity = []
    for i in range(n):
        root = uf.find(i)
        entity.append(f"c{root}:{parcels[root].consignee_name or parcels[root].id}")
    return Consignees(entity=entity, fulfilment=fulfilment)


@dataclass(frozen=True)
class SplitFlag:
    parcel_id: str
    profile: str
    code: str
    group: str
    detail: str


@dataclass
class SplitResult:
    flags: list[SplitFlag] = field(default_factory=list)

    def by_parcel(self) -> dict[str, list[SplitFlag]]:
        out: dict[str, list[SplitFlag]] = defaultdict(list)
        for f in self.flags:
            out[f.parcel_id].append(f)
        return out


def detect_splits(parcels: Iterable[Parcel], rates: Rates, config: SplitConfig | None = None) -> SplitResult:
    """Flag parcels in series kept under a profile's threshold; each flag names the profile, rule and group."""
    cfg = config or SplitConfig.load()
    items = sorted(parcels, key=lambda p: (p.declared_at, p.id))
    who = resolve_consignees(items, cfg)
    result = SplitResult()
    for profile in cfg.profiles:
        chosen = [i for i, p in enumerate(items) if profile.applies(p)]
        values: dict[int, float] = {}
        for i in chosen:
            p = items[i]
            try:
                values[i] = rates.to_base(p.declared_value, p.currency) * rates.per_base[profile.currency]
            except (UnknownCurrency, KeyError):
                continue
        idx = [i for i in chosen if i in values]
        _per_parcel(items, who, values, idx, profile, cfg, result)
        _per_order(items, who, values, idx, profile, result)
        _per_day(items, who, values, idx, profile, result)
        _per_year(items, who, values, idx, profile, cfg, result)
    return result


def _flag(result: SplitResult, items: Sequence[Parcel], group: Iterable[int], profile: Profile, code: str,
          key: str, detail: str) -> None:
    for i in group:
        result.flags.append(SplitFlag(items[i].id, profile.name, code, key, detail))


def _fc_note(who: Consignees, group: Sequence[int]) -> str:
    return " (fulfilment centre as ultimate consignee)" if any(who.fulfilment[i] for i in group) else ""


def _per_parcel(items: Sequence[Parcel], who: Consignees, values: dict[int, float], idx: list[int],
                profile: Profile, cfg: SplitConfig, result: SplitResult) -> None:
    """Series of parcels each just under the per-parcel limit, or the per-day limit spread over several days."""
    for kind, code in (("per_parcel", "series_under_parcel_limit"), ("per_person_day", "series_under_daily_limit")):
        limit = profile.limits.get(kind)
        if limit is not None:
            _series(items, who, values, idx, profile, cfg, result, limit, code)


def _series(items: Sequence[Parcel], who: Consignees, values: dict[int, float], idx: list[int],
            profile: Profile, cfg: SplitConfig, result: SplitResult, limit: float, code: str) -> None:
    near = [i for i in idx if cfg.near_fraction * limit <= values[i] <= limit]
    by_entity: dict[str, list[int]] = defaultdict(list)
    for i in near:
        by_entity[who.entity[i]].append(i)
    window = timedelta(days=cfg.window_days)
    for entity, group in by_entity.items():
        start = 0
        flagged: set[int] = set()
        for end in range(len(group)):
            while items[group[end]].declared_at - items[group[start]].declared_at > window:
                start += 1
            series = group[start:end + 1]
            if len(series) >= cfg.min_series:
                flagged.update(series)
        if flagged:
            series = sorted(flagged)
            total = sum(values[i] for i in series)
            _flag(result, items, series, profile, code, entity,
                  f"{len(series)} parcels of {cfg.near_fraction:.0%}-100 % of {limit:g} {profile.currency} within "
                  f"{cfg.window_days} days, together {total:,.0f} {profile.currency}{_fc_note(who, series)}")


def _per_order(items: Sequence[Parcel], who: Consignees, values: dict[int, float], idx: list[int],
               profile: Profile, result: SplitResult) -> None:
    limit = profile.limits.get("per_order")
    if limit is None:
        return
    groups: dict[str, list[int]] = defaultdict(list)
    for i in idx:
        p = items[i]
        key = f"order:{p.order_id}" if p.order_id else \
            f"day:{who.entity[i]}|{norm_text(p.consignor)}|{p.declared_at.date().isoformat()}"
        groups[key].append(i)
    for key, group in groups.items():
        total = sum(values[i] for i in group)
        if len(group) >= 2 and total > limit and all(values[i] <= limit for i in group):
            code = "order_split" if key.startswith("order:") else "same_day_split_from_one_consignor"
            _flag(result, items, group, profile, code, key,
                  f"{len(group)} parcels each under {limit:g} {profile.currency}, together {total:,.0f}"
                  f"{_fc_note(who, group)}")


def _per_day(items: Sequence[Parcel], who: Consignees, values: dict[int, float], idx: list[int],
             profile: Profile, result: SplitResult) -> None:
    limit = profile.limits.get("per_person_day")
    if limit is None:
        return
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i in idx:
        groups[(who.entity[i], items[i].declared_at.date().isoformat())].append(i)
    for (entity, day), group in groups.items():
        total = sum(values[i] for i in group)
        if len(group) >= 2 and total > limit and all(values[i] <= limit for i in group):
            _flag(result, items, group, profile, "daily_split", f"{entity}|{day}",
                  f"{len(group)} parcels on {day} each under {limit:g} {profile.currency}, together "
                  f"{total:,.0f}{_fc_note(who, group)}")


def _per_year(items: Sequence[Parcel], who: Consignees, values: dict[int, float], idx: list[int],
              profile: Profile, cfg: SplitConfig, result: SplitResult) -> None:
    """Over the annual limit within 365 days through a series of large orders (at least half the per-order limit,
    or of the annual limit / 12 where no per-order limit exists): structuring, not an ordinary heavy buyer."""
    limit = profile.limits.get("per_person_year")
    if limit is None:
        return
    large = 0.5 * profile.limits.get("per_order", limit / 12)
    by_entity: dict[str, list[int]] = defaultdict(list)
    for i in idx:
        by_entity[who.entity[i]].append(i)
    year = timedelta(days=365)
    for entity, group in by_entity.items():
        start, running = 0, 0.0
        flagged: set[int] = set()
        for end, i in enumerate(group):
            running += values[i]
            while items[i].declared_at - items[group[start]].declared_at > year:
                running -= values[group[start]]
                start += 1
            window = [j for j in group[start:end + 1] if values[j] >= large]
            if running > limit and len(window) >= cfg.min_series:
                flagged.update(window)
        if flagged:
            series = sorted(flagged)
            _flag(result, items, series, profile, "annual_limit_structured", entity,
                  f"{len(series)} orders of {large:,.0f}+ {profile.currency} to one consignee took the 365-day "
                  f"total past {limit:,.0f} {profile.currency}{_fc_note(who, series)}")
