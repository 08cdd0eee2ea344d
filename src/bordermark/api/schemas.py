"""Request bodies of the API. Strings are bounded and may not contain NUL (PostgreSQL rejects it), so bad
input is a 422 with a reason rather than a database error."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from bordermark.domain import AliasKind, PartyRole, RightType


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


_Nul = AfterValidator(_no_nul)
Short = Annotated[str, Field(min_length=1, max_length=300), _Nul]
Name = Short
Code = Annotated[str, Field(min_length=1, max_length=64), _Nul]
Long = Annotated[str, Field(max_length=20000), _Nul]
Item = Annotated[str, Field(min_length=1, max_length=500), _Nul]
Country = Annotated[str, Field(min_length=2, max_length=2), _Nul]
Currency = Annotated[str, Field(min_length=3, max_length=3), _Nul]
Digits = Annotated[str, Field(min_length=1, max_length=14), _Nul]
HsCode = Annotated[str, Field(min_length=1, max_length=12), _Nul]
Str100 = Annotated[str, Field(min_length=1, max_length=100), _Nul]
Opt100 = Annotated[str, Field(max_length=100), _Nul]
Str50 = Annotated[str, Field(min_length=1, max_length=50), _Nul]
Str80 = Annotated[str, Field(min_length=1, max_length=80), _Nul]
Str200 = Annotated[str, Field(max_length=200), _Nul]
Secret = Annotated[str, Field(min_length=1, max_length=1000), _Nul]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), max_digits=18, decimal_places=4)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AliasIn(_In):
    text: Short
    kind: AliasKind = AliasKind.VARIANT


class RecordationIn(_In):
    number: Str100
    authority: Str50 = "CN-GACC"
    valid_from: date | None = None
    valid_until: date | None = None


class MarkFields(_In):
    aliases: list[AliasIn] | None = Field(default=None, max_length=500)
    nice_classes: list[Annotated[int, Field(ge=1, le=45)]] | None = Field(default=None, max_length=45)
    jurisdictions: list[Country] | None = Field(default=None, max_length=300)
    registration_number: Opt100 | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    famous: bool | None = None
    recordations: list[RecordationIn] | None = Field(default=None, max_length=50)


class MarkIn(MarkFields):
    holder_id: Code
    text: Short
    right_type: RightType = RightType.TRADEMARK
    external_id: Code | None = None


class MarkPatch(MarkFields):
    pass


class PriceBandIn(_In):
    market: Country
    currency: Currency
    low: Money
    high: Money


class ProductFields(_In):
    category: Opt100 | None = None
    hs_codes: list[HsCode] | None = Field(default=None, max_length=100)
    price_bands: list[PriceBandIn] | None = Field(default=None, max_length=300)
    gs1_prefixes: list[Digits] | None = Field(default=None, max_length=100)
    barcodes: list[Digits] | None = Field(default=None, max_length=1000)
    authentication_features: Long | None = None


class ProductIn(ProductFields):
    mark_id: Code
    name: Name


class ProductPatch(ProductFields):
    pass


class PartyFields(_In):
    marks: list[Short] | None = Field(default=None, max_length=500)
    identifiers: list[Item] | None = Field(default=None, max_length=100)
    addresses: list[Item] | None = Field(default=None, max_length=100)
    contacts: list[Item] | None = Field(default=None, max_length=100)


class PartyIn(PartyFields):
    holder_id: Code
    role: PartyRole
    name: Name
    country: Country | None = None


class PartyPatch(PartyFields):
    pass


class GuideIn(_In):
    holder_id: Code
    product_id: Code | None = None
    title: Name
    genuine_features: Long = ""
    fake_indicators: Long = ""


class GuidePatch(_In):
    title: Name | None = None
    genuine_features: Long | None = None
    fake_indicators: Long | None = None


class LoginIn(_In):
    username: Str80
    password: Secret


class TokenIn(_In):
    name: Str100


class UserIn(_In):
    username: Str80
    password: Secret
    role: Str80
    holder_ids: list[Code] = Field(default_factory=list, max_length=50)
    display_name: Str200 = ""
