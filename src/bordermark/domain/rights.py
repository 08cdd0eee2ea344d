"""The rights registry's types: holders, marks (IP rights) with aliases, recordations, products, parties.

These are value objects validated on construction, so every adapter (file import, API, simulator) gets the
same rules for Nice classes, currencies and countries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bordermark.domain.codes import check_country, check_currency, check_hs_code, check_nice_class
from bordermark.domain.ids import stable_id


class RightType(StrEnum):
    TRADEMARK = "trademark"
    COPYRIGHT = "copyright"
    PATENT = "patent"
    OLYMPIC_SYMBOL = "olympic_symbol"
    WORLD_EXPO_SYMBOL = "world_expo_symbol"


class AliasKind(StrEnum):
    """How an alias relates to the registered word mark; matters for similarity ("meaning" vs "sound")."""

    TRANSLATION = "translation"
    TRANSLITERATION = "transliteration"
    ABBREVIATION = "abbreviation"
    NICKNAME = "nickname"
    VARIANT = "variant"
    OBSERVED = "observed"  # a disguise confirmed by a reviewer, learned from screening


class PartyRole(StrEnum):
    MANUFACTURER = "manufacturer"
    EXPORTER = "exporter"
    IMPORTER = "importer"
    DISTRIBUTOR = "distributor"
    LICENSEE = "licensee"
    MARKETPLACE_SELLER = "marketplace_seller"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Holder(_Model):
    name: str = Field(min_length=1)
    country: str | None = None

    @property
    def id(self) -> str:
        return stable_id("h", self.name)

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        return check_country(v) if v else None


class Alias(_Model):
    text: str = Field(min_length=1)
    kind: AliasKind = AliasKind.VARIANT
    script: str | None = None  # e.g. "Hans", "Latn"; informational


class Recordation(_Model):
    """A customs recordation (备案): customs protects the right ex officio while it is valid."""

    number: str = Field(min_length=1)
    authority: str = "CN-GACC"
    valid_from: date | None = None
    valid_until: date | None = None

    @model_validator(mode="after")
    def _dates(self) -> Recordation:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("recordation valid_until is before valid_from")
        return self


class Mark(_Model):
    """An IP right of the registry; for trademarks ``text`` is the word mark."""

    holder: str = Field(min_length=1)
    text: str = Field(min_length=1)
    right_type: RightType = RightType.TRADEMARK
    external_id: str | None = None
    aliases: tuple[Alias, ...] = ()
    nice_classes: tuple[int, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    registration_number: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    famous: bool = False
    recordations: tuple[Recordation, ...] = ()

    @property
    def id(self) -> str:
        return self.external_id or stable_id("m", self.holder, self.text, self.right_type.value)

    @property
    def holder_id(self) -> str:
        return stable_id("h", self.holder)

    @field_validator("nice_classes", mode="before")
    @classmethod
    def _classes(cls, v: Iterable[int | str]) -> tuple[int, ...]:
        return tuple(sorted({check_nice_class(c) for c in v}))

    @field_validator("jurisdictions", mode="before")
    @classmethod
    def _jurisdictions(cls, v: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted({check_country(c) for c in v}))

    @model_validator(mode="after")
    def _dates(self) -> Mark:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self

    def all_names(self) -> list[tuple[str, AliasKind | None]]:
        """The word mark and every alias; ``None`` kind marks the registered form."""
        return [(self.text, None), *((a.text, a.kind) for a in self.aliases)]


class PriceBand(_Model):
    """The genuine retail price range of a product in one market and currency."""

    market: str
    currency: str
    low: Decimal = Field(ge=0)
    high: Decimal = Field(ge=0)

    @field_validator("market")
    @classmethod
    def _market(cls, v: str) -> str:
        return check_country(v)

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str) -> str:
        return check_currency(v)

    @model_validator(mode="after")
    def _order(self) -> PriceBand:
        if self.high < self.low:
            raise ValueError(f"price band high {self.high} is below low {self.low}")
        return self


class Product(_Model):
    holder: str
    mark: str
    name: str = Field(min_length=1)
    category: str | None = None
    hs_codes: tuple[str, ...] = ()
    price_bands: tuple[PriceBand, ...] = ()
    gs1_prefixes: tuple[str, ...] = ()
    barcodes: tuple[str, ...] = ()
    authentication_features: str | None = None

    @property
    def mark_id(self) -> str:
        return stable_id("m", self.holder, self.mark, RightType.TRADEMARK.value)

    @property
    def id(self) -> str:
        return stable_id("p", self.holder, self.mark, self.name)

    @field_validator("hs_codes", mode="before")
    @classmethod
    def _hs(cls, v: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(check_hs_code(c) for c in v))

    @field_validator("gs1_prefixes", "barcodes", mode="before")
    @classmethod
    def _digits(cls, v: Iterable[str]) -> tuple[str, ...]:
        out = []
        for code in v:
            code = str(code).strip()
            if not code.isdigit():
                raise ValueError(f"{code!r} must contain digits only")
            out.append(code)
        return tuple(dict.fromkeys(out))


class AuthorisedParty(_Model):
    """A party the holder authorises (maker, exporter, importer, distributor, licensee, seller).

    ``marks`` empty means the authorisation covers every mark of the holder.
    """

    holder: str
    role: PartyRole
    name: str = Field(min_length=1)
    country: str | None = None
    marks: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return stable_id("a", self.holder, self.role.value, self.name, self.country or "")

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        return check_country(v) if v else None


class Registry(_Model):
    """A whole registry snapshot: what detection indexes and what export writes."""

    holders: tuple[Holder, ...] = ()
    marks: tuple[Mark, ...] = ()
    products: tuple[Product, ...] = ()
    parties: tuple[AuthorisedParty, ...] = ()

    def mark_by_id(self) -> dict[str, Mark]:
        return {m.id: m for m in self.marks}

    def products_of(self, mark: Mark) -> list[Product]:
        return [p for p in self.products if p.holder == mark.holder and p.mark == mark.text]

    def parties_of(self, mark: Mark) -> list[AuthorisedParty]:
        return [
            p for p in self.parties if p.holder == mark.holder and (not p.marks or mark.text in p.marks)
        ]
