"""Validation of standard codes (ISO 3166 countries, ISO 4217 currencies, Nice classes, HS codes).

Why pycountry: the ISO lists change; a maintained package keeps them current where a hand-typed table rots.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

# Codes that customs and trade data use but ISO 3166-1 does not list as countries.
_EXTRA_JURISDICTIONS = {"EU", "WO", "EM", "XK"}
_HS_RE = re.compile(r"^\d{4}(\d{2}){0,3}$")


@lru_cache(maxsize=1)
def _currencies() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


def check_currency(code: str) -> str:
    value = code.strip().upper()
    if value not in _currencies():
        raise ValueError(f"unknown currency {code!r} (expected an ISO 4217 code such as CNY, USD, EUR)")
    return value


def check_country(code: str) -> str:
    value = code.strip().upper()
    if value not in _countries() and value not in _EXTRA_JURISDICTIONS:
        raise ValueError(f"unknown country or jurisdiction {code!r} (expected an ISO 3166-1 alpha-2 code)")
    return value


def check_nice_class(value: int | str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"Nice class {value!r} is not a number (expected 1 to 45)") from None
    if not 1 <= number <= 45:
        raise ValueError(f"Nice class {number} is out of range (expected 1 to 45)")
    return number


def check_hs_code(code: str) -> str:
    value = re.sub(r"[.\s]", "", str(code))
    if not _HS_RE.match(value):
        raise ValueError(f"HS code {code!r} must have 4, 6, 8 or 10 digits")
    return value
