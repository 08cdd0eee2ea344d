"""Currency conversion with configured rates.

Why configured, not fetched: screening must be reproducible (the same listing scores the same tomorrow) and
must run offline; rates come from a YAML/JSON file named by ``BORDERMARK_CURRENCY_RATES`` or the packaged
defaults. A currency without a rate is an error the caller reports, never a silent zero.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

DEFAULT_RATES = Path(__file__).parent / "data" / "rates.yaml"


class UnknownCurrency(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown currency {code!r}: no configured conversion rate")
        self.code = code


@dataclass(frozen=True)
class Rates:
    """Units of each currency per one unit of ``base``."""

    base: str
    per_base: dict[str, float]

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code.upper() in self.per_base

    def to_base(self, amount: float | Decimal, currency: str) -> float:
        rate = self.per_base.get(currency) or self.per_base.get(currency.upper())
        if rate is None:
            raise UnknownCurrency(currency)
        return float(amount) / rate

    @classmethod
    def load(cls, path: Path | None = None) -> Rates:
        src = path or DEFAULT_RATES
        text = src.read_text(encoding="utf-8")
        doc = json.loads(text) if src.suffix.lower() == ".json" else yaml.safe_load(text)
        if not isinstance(doc, dict) or not isinstance(doc.get("rates"), dict):
            raise ValueError(f"{src}: expected a mapping with 'base' and 'rates'")
        base = str(doc.get("base", "USD")).upper()
        rates: dict[str, float] = {}
        for code, value in doc["rates"].items():
            try:
                rate = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{src}: rates.{code}: {value!r} is not a number") from None
            if rate <= 0:
                raise ValueError(f"{src}: rates.{code}: must be positive")
            rates[str(code).upper()] = rate
        rates.setdefault(base, 1.0)
        return cls(base=base, per_base=rates)


def configured_rates() -> Rates:
    from bordermark.settings import get_settings

    return Rates.load(get_settings().currency_rates_file)
