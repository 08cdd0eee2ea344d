"""Split-shipment detection: consignee resolution, profiles by destination and date, fulfilment centres."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bordermark.domain.records import Parcel
from bordermark.screen.money import Rates
from bordermark.screen.splits import SplitConfig, detect_splits, norm_email, norm_phone, resolve_consignees

RATES = Rates(base="USD", per_base={"USD": 1.0, "CNY": 7.1, "EUR": 0.92})
_n = iter(range(10**6))


def _p(value: float, *, when: datetime, currency: str = "USD", dest: str = "US", **kw: Any) -> Parcel:
    base: dict[str, Any] = {"consignor": "Shop A", "consignee_name": "Emily Hall",
                            "consignee_address": "1 Main St, Portland", "consignee_phone": "+1 503 555 0100"}
    base.update(kw)
    return Parcel(id=f"P{next(_n)}", declared_at=when, declared_value=Decimal(str(value)), currency=currency,
                  destination=dest, **base)


def _codes(parcels: list[Parcel]) -> dict[str, set[str]]:
    return {pid: {f.code for f in fs} for pid, fs in detect_splits(parcels, RATES).by_parcel().items()}


def test_normalisers() -> None:
    assert norm_phone("(503) 555-0100", "US") == norm_phone("+1 503 555 0100", None) == "+15035550100"
    assert norm_email("E.Mily.Hall+shop@GMAIL.com") == "emilyhall@gmail.com"


def test_consignee_resolved_across_spellings_and_phone_formats() -> None:
    day = datetime(2024, 5, 1, 9)
    parcels = [_p(500, when=day), _p(450, when=day, consignee_name="HALL, Emily", consignee_phone="503-555-0100",
                                     consignee_address="other address"),
               _p(300, when=day, consignee_name="Bob", consignee_phone="+1 212 555 0199")]
    who = resolve_consignees(parcels, SplitConfig.load())
    assert who.entity[0] == who.entity[1] != who.entity[2]


def test_us_daily_split_only_before_suspension() -> None:
    before = datetime(2024, 5, 1, 9)
    parcels = [_p(500, when=before), _p(450, when=before + timedelta(hours=2), consignee_phone="503.555.0100")]
    codes = _codes(parcels)
    assert codes == {parcels[0].id: {"daily_split"}, parcels[1].id: {"daily_split"}}
    after = datetime(2025, 9, 1, 9)  # de minimis suspended since 2025-08-29: no US profile applies
    assert _codes([_p(500, when=after), _p(450, when=after)]) == {}
    single = [_p(500, when=before), _p(200, when=before)]  # under the limit together
    assert _codes(single) == {}


def test_china_cbec_order_split_and_annual_limit() -> None:
    t = datetime(2024, 3, 1)
    order = [_p(3000, when=t, currency="CNY", dest="CN", order_id="O1"),
             _p(2900, when=t + timedelta(days=1), currency="CNY", dest="CN", order_id="O1")]
    assert {c for cs in _codes(order).values() for c in cs} == {"order_split"}
    year = [_p(4900, when=t + timedelta(days=30 * i), currency="CNY", dest="CN", consignor=f"Shop {i}")
            for i in range(6)]
    flagged = _codes(year)
    assert set(flagged) == {p.id for p in year}  # the sixth order takes the year's total past CNY 26,000
    assert all(c == {"annual_limit_structured"} for c in flagged.values())
    assert _codes(year[:5]) == {}  # CNY 24,500: under the annual limit
    many_small = [_p(900, when=t + timedelta(days=10 * i), currency="CNY", dest="CN") for i in range(30)]
    assert _codes(many_small) == {}  # a heavy buyer of small orders is not structuring


def test_eu_series_just_under_150() -> None:
    t = datetime(2024, 6, 1)
    series = [_p(140, when=t + timedelta(days=i), currency="EUR", dest="DE") for i in range(3)]
    assert all(c == {"series_under_parcel_limit"} for c in _codes(series).values()) and len(_codes(series)) == 3
    spread = [_p(140, when=t + timedelta(days=10 * i), currency="EUR", dest="DE") for i in range(3)]
    assert _codes(spread) == {}
    small = [_p(40, when=t + timedelta(days=i), currency="EUR", dest="DE") for i in range(3)]
    assert _codes(small) == {}


def test_fulfilment_centre_is_the_ultimate_consignee() -> None:
    t = datetime(2024, 5, 2, 8)
    fc = "Bodega 7, Tijuana Industrial Park"
    parcels = [_p(300, when=t + timedelta(minutes=i), consignee_name=f"Name {i}", consignee_phone=None,
                  consignee_address=fc) for i in range(6)]
    result = detect_splits(parcels, RATES)
    assert {f.code for f in result.flags} == {"daily_split"}
    assert len(result.by_parcel()) == 6
    assert all("fulfilment centre" in f.detail for f in result.flags)


def test_profiles_file_is_validated(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("profiles:\n  - name: x\n    destinations: [US]\n    currency: USD\n    limits: {per_week: 5}\n")
    with pytest.raises(ValueError, match=r"profiles\[0\].*per_week"):
        SplitConfig.load(bad)
    cfg = SplitConfig.load()
    assert {p.name for p in cfg.profiles} == {"us_de_minimis", "cn_cbec", "eu_low_value"}


def test_us_series_spread_over_days_just_under_800() -> None:
    t = datetime(2024, 7, 1, 9)
    series = [_p(760, when=t + timedelta(days=i)) for i in range(3)]
    codes = _codes(series)
    assert set(codes) == {p.id for p in series}
    assert all(c == {"series_under_daily_limit"} for c in codes.values())
