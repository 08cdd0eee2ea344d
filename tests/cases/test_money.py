"""Guarantee and fine amounts at every tier boundary."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bordermark.cases import money
from bordermark.cases.profiles import get_profile

CN = get_profile("cn-ex-officio")
CN_APP = get_profile("cn-on-application")
US = get_profile("us-cbp")
EU = get_profile("eu-608")


@pytest.mark.parametrize("value, expected", [
    ("0", "0.00"),
    ("5238.31", "5238.31"),
    ("19999.99", "19999.99"),  # below 20,000: equal to the value
    ("20000", "20000.00"),  # 50 % = 10,000, raised to the 20,000 minimum
    ("20000.01", "20000.00"),
    ("39999.99", "20000.00"),
    ("40000", "20000.00"),  # 50 % meets the minimum exactly
    ("40000.02", "20000.01"),
    ("100000", "50000.00"),
    ("199999.99", "100000.00"),  # 99,999.995 rounds half up
    ("200000", "100000.00"),  # upper end of the middle tier
    ("200000.01", "100000.00"),  # above 200,000: fixed 100,000
    ("5000000", "100000.00"),
])
def test_cn_ex_officio_tiers(value: str, expected: str) -> None:
    amount = money.required_guarantee(CN.guarantee, Decimal(value), "CNY")
    assert amount is not None and amount.amount == Decimal(expected) and amount.currency == "CNY"


def test_on_application_equals_value_and_eu_us_have_none() -> None:
    g = money.required_guarantee(CN_APP.guarantee, Decimal("123456.78"), "CNY")
    assert g is not None and g.amount == Decimal("123456.78")
    assert money.required_guarantee(EU.guarantee, Decimal(100), "EUR") is None
    assert money.required_guarantee(US.guarantee, Decimal(100), "USD") is None


@pytest.mark.parametrize("costs, expected", [("0", "200000.00"), ("199999.99", "200000.00"),
                                             ("200000", "200000.00"), ("250000.50", "250000.50")])
def test_general_guarantee_amount(costs: str, expected: str) -> None:
    assert money.general_guarantee_amount(CN.guarantee, Decimal(costs)) == Decimal(expected)


def test_cn_fine_cap_and_seed_examples() -> None:
    # seed 001: goods worth CNY 5,238.31 fined CNY 600; CNY 5 million fined CNY 757,300: both within 30 %
    assert money.fine_cap(CN.penalty, Decimal("5238.31")) == Decimal("1571.49")  # 1,571.493 rounded down
    assert money.check_fine(CN.penalty, Decimal("5238.31"), Decimal(600)) == Decimal("600.00")
    assert money.check_fine(CN.penalty, Decimal("5238.31"), Decimal("1571.49")) == Decimal("1571.49")
    with pytest.raises(ValueError, match=r"exceeds the legal maximum 1571.49"):
        money.check_fine(CN.penalty, Decimal("5238.31"), Decimal("1571.50"))
    assert money.fine_cap(CN.penalty, Decimal(5_000_000)) == Decimal("1500000.00")
    assert money.check_fine(CN.penalty, Decimal(5_000_000), Decimal(757_300)) == Decimal("757300.00")


def test_us_fine_cap_doubles_for_repeat_seizures() -> None:
    assert money.fine_cap(US.penalty, Decimal("1000")) == Decimal("1000.00")
    assert money.fine_cap(US.penalty, Decimal("1000"), prior_seizures=1) == Decimal("2000.00")
    with pytest.raises(ValueError):
        money.check_fine(US.penalty, Decimal("1000"), Decimal("1000.01"))
    assert money.fine_cap(EU.penalty, Decimal(1000)) is None
