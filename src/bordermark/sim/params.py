"""Parameters of the synthetic world: sizes, behaviour mix, obfuscation and price gaps.

Why a dataclass with defaults calibrated to the domain brief: tests build "hard worlds" by changing a few
shares (more disguises, smaller price gaps) without knowing the rest of the generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum


class Size(StrEnum):
    small = "small"
    medium = "medium"
    large = "large"


@dataclass(frozen=True)
class Counts:
    """How many of each record the world holds."""

    holders: int
    listings: int
    sellers: int
    traders: int
    declarations: int
    parcels: int
    filings: int
    networks: int


SIZES: dict[Size, Counts] = {
    Size.small: Counts(holders=300, listings=6_000, sellers=500, traders=120, declarations=1_500,
                       parcels=6_000, filings=1_200, networks=25),
    Size.medium: Counts(holders=1_000, listings=100_000, sellers=6_000, traders=800, declarations=20_000,
                        parcels=100_000, filings=10_000, networks=250),
    Size.large: Counts(holders=3_000, listings=1_000_000, sellers=40_000, traders=4_000, declarations=100_000,
                       parcels=500_000, filings=50_000, networks=1_500),
}


@dataclass(frozen=True)
class ListingMix:
    """Shares of listing behaviours; normalised, so they need not sum to one."""

    counterfeit: float = 0.15
    parallel_import: float = 0.07
    genuine: float = 0.30
    unbranded: float = 0.38
    hard_negative: float = 0.10


@dataclass(frozen=True)
class SimParams:
    """Everything that shapes the world besides the seed; the defaults follow DOMAIN.md."""

    size: Size = Size.small
    counts: Counts | None = None  # overrides the size's counts when given
    start: date = date(2024, 9, 1)  # one year of activity, before the US de minimis suspension (29 Aug 2025)
    days: int = 365
    listing_mix: ListingMix = field(default_factory=ListingMix)
    famous_share: float = 0.15  # share of marks flagged famous
    counterfeit_famous_bias: float = 8.0  # counterfeiters pick a famous mark this many times more often
    obfuscation_rate: float = 0.6  # share of counterfeit listings whose brand is disguised (rest: exact name)
    double_disguise_rate: float = 0.2  # of the disguised ones, share with two stacked disguises
    trade_term_rate: float = 0.7  # counterfeit listings with a trade term (replica, 1:1, 高仿, ...)
    contact_cue_rate: float = 0.45  # counterfeit listings steering buyers off-platform
    decoy_term_rate: float = 0.03  # non-counterfeit listings that still say "OEM"/"factory direct"
    counterfeit_price_ratio: tuple[float, float] = (0.05, 0.35)  # of the genuine band's low end
    counterfeit_full_price_rate: float = 0.15  # counterfeits priced inside the genuine band
    parallel_price_ratio: tuple[float, float] = (0.70, 0.95)
    network_share: float = 0.7  # counterfeit sellers belonging to a network (shared contacts)
    # customs: shares chosen so that random inspections find ~14 % violations and ~5 % counterfeits
    customs_counterfeit_share: float = 0.05
    customs_covert_share: float = 0.006  # of all declarations: covert counterfeits (squatted mark, full papers)
    customs_parallel_share: float = 0.06
    customs_undervalued_share: float = 0.06  # of non-counterfeit records
    split_parcel_share: float = 0.035  # share of parcels that belong to a split-shipment series
    undervalue_ratio: tuple[float, float] = (0.1, 0.5)
    random_inspection_rate: float = 0.04
    targeted_inspection_rate: float = 0.03
    covert_detection_rate: float = 0.5  # a physical inspection recognises a covert counterfeit this often
    squat_share: float = 0.08  # trademark filings that squat a famous mark
    holder_filing_share: float = 0.07  # filings by the holders themselves (same text, not a squat)
    near_miss_share: float = 0.05  # legitimate filings that merely resemble a mark
    provenance_share: float = 0.5  # branded declarations that come with a provenance dossier
    de_minimis_usd: float = 800.0
    cn_order_limit_cny: float = 5_000.0
    cn_annual_limit_cny: float = 26_000.0

    def resolved_counts(self) -> Counts:
        return self.counts or SIZES[self.size]

    def with_counts(self, **changes: int) -> SimParams:
        return replace(self, counts=replace(self.resolved_counts(), **changes))
