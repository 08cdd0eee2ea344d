"""Guarantee and penalty arithmetic. Pure: amounts in, amounts and a stated basis out.

Why Decimal with explicit rounding: these are legal amounts printed on notices; guarantees round half up to the
cent, fine caps round down so that a fine at the cap never exceeds the statutory fraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from bordermark.cases.profiles import GuaranteeSpec, PenaltySpec

CENT = Decimal("0.01")


def money(value: Decimal | int | str | float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Amount:
    amount: Decimal
    currency: str
    basis: str

    def to_dict(self) -> dict[str, str]:
        return {"amount": str(self.amount), "currency": self.currency, "basis": self.basis}


def required_guarantee(spec: GuaranteeSpec, value: Decimal, currency: str) -> Amount | None:
    """The guarantee the right holder must post for goods worth ``value`` (None: no guarantee in this procedure)."""
    if value < 0:
        raise ValueError("goods value must be >= 0")
    if spec.rule == "none":
        return None
    if spec.rule == "equal_to_value":
        return Amount(money(value), currency, spec.basis or "equal to the goods' value")
    for tier in spec.tiers:
        if tier.below is not None and not value < tier.below:
            continue
        if tier.up_to is not None and not value <= tier.up_to:
            continue
        if tier.fixed is not None:
            amount, how = tier.fixed, f"fixed {money(tier.fixed)}"
        else:
            fraction = tier.fraction if tier.fraction is not None else Decimal(1)
            amount, how = value * fraction, f"{fraction * 100:g} % of value"
        if tier.minimum is not None and amount < tier.minimum:
            amount, how = tier.minimum, f"{how}, raised to the minimum {money(tier.minimum)}"
        bound = (f"value < {money(tier.below)}" if tier.below is not None
                 else f"value <= {money(tier.up_to)}" if tier.up_to is not None else "value above the last tier")
        return Amount(money(amount), currency, f"{spec.basis}: {bound}: {how}".strip(": "))
    raise ValueError("guarantee tiers do not cover this value")


def general_guarantee_amount(spec: GuaranteeSpec, last_year_costs: Decimal) -> Decimal:
    """总担保: last year's storage, safekeeping and disposal costs, but never below the floor (CNY 200,000)."""
    floor = spec.general_amount_floor or Decimal(0)
    return money(max(last_year_costs, floor))


def fine_cap(spec: PenaltySpec, value: Decimal, *, prior_seizures: int = 0) -> Decimal | None:
    """The highest fine the law allows (None: no administrative fine in this procedure)."""
    if spec.rule == "fraction_of_value":
        assert spec.max_fraction is not None
        return (value * spec.max_fraction).quantize(CENT, rounding=ROUND_DOWN)
    if spec.rule == "msrp_multiple":
        multiple = spec.repeat_multiple if prior_seizures > 0 and spec.repeat_multiple else spec.first_multiple
        return (value * (multiple or Decimal(1))).quantize(CENT, rounding=ROUND_DOWN)
    return None


def check_fine(spec: PenaltySpec, value: Decimal, fine: Decimal, *, prior_seizures: int = 0) -> Decimal:
    """Validate a proposed fine against the cap; returns it rounded to the cent."""
    cap = fine_cap(spec, value, prior_seizures=prior_seizures)
    if cap is None:
        raise ValueError("this procedure has no administrative fine")
    fine = money(fine)
    if fine < 0:
        raise ValueError("fine must be >= 0")
    if fine > cap:
        raise ValueError(f"fine {fine} exceeds the legal maximum {cap} ({spec.basis})")
    return fine
