"""The records Bordermark screens: marketplace listings, customs declarations and parcels, trademark filings.

Money is kept as ``Decimal`` with its ISO currency; conversion happens in services with configured rates.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bordermark.domain.codes import check_country, check_currency


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _opt_currency(v: str | None) -> str | None:
    return check_currency(v) if v else None


def _opt_country(v: str | None) -> str | None:
    return check_country(v) if v else None


def listing_text(title: str, description: str) -> str:
    """The text a listing is detected and screened by: the title, then the description on its own line when there
    is one. One rule for the model (``Listing.text``), the screening file path's plain records and the web views."""
    return f"{title}\n{description}" if description else title


class Listing(_Record):
    id: str = Field(min_length=1)
    title: str = ""
    description: str = ""
    price: Decimal | None = Field(default=None, ge=0)
    currency: str | None = None
    seller_id: str | None = None
    seller_name: str | None = None
    platform: str | None = None
    category: str | None = None
    url: str | None = None
    ships_from: str | None = None
    images: tuple[str, ...] = ()
    listed_at: datetime | None = None

    _cur = field_validator("currency")(_opt_currency)
    _ship = field_validator("ships_from")(_opt_country)

    @property
    def text(self) -> str:
        return listing_text(self.title, self.description)


class CustomsMode(StrEnum):
    """China's customs supervision modes for cross-border e-commerce, plus general trade and post/express."""

    CBEC_9610 = "9610"  # direct purchase import/export, parcels
    CBEC_1210 = "1210"  # bonded e-commerce
    CBEC_9710 = "9710"  # B2B direct export
    CBEC_9810 = "9810"  # export to overseas warehouse
    GENERAL_0110 = "0110"  # general trade
    POSTAL = "postal"
    EXPRESS = "express"


class DeclarationItem(_Record):
    line: int = Field(ge=1)
    description: str
    hs_code: str | None = None
    quantity: Decimal = Field(default=Decimal(1), ge=0)
    unit: str | None = None
    value: Decimal = Field(ge=0)
    currency: str
    origin: str | None = None
    brand: str | None = None
    gross_weight_kg: Decimal | None = Field(default=None, ge=0)

    _cur = field_validator("currency")(check_currency)
    _org = field_validator("origin")(_opt_country)

    @property
    def unit_value(self) -> Decimal:
        return self.value / self.quantity if self.quantity else self.value


class Declaration(_Record):
    id: str = Field(min_length=1)
    declared_at: datetime
    mode: str = CustomsMode.GENERAL_0110.value
    direction: str = "import"
    consignor: str | None = None
    consignee: str | None = None
    declarant: str | None = None
    exporter: str | None = None
    importer: str | None = None
    country_of_departure: str | None = None
    route: tuple[str, ...] = ()
    transport_mode: str | None = None
    carrier: str | None = None
    office: str | None = None
    items: tuple[DeclarationItem, ...] = ()

    _dep = field_validator("country_of_departure")(_opt_country)


class Parcel(_Record):
    id: str = Field(min_length=1)
    declared_at: datetime
    mode: str = CustomsMode.CBEC_9610.value
    consignor: str | None = None
    consignee_name: str | None = None
    consignee_address: str | None = None
    consignee_phone: str | None = None
    consignee_email: str | None = None
    consignee_id_number: str | None = None
    description: str = ""
    hs_code: str | None = None
    quantity: Decimal = Field(default=Decimal(1), ge=0)
    weight_kg: Decimal | None = Field(default=None, ge=0)
    declared_value: Decimal = Field(ge=0)
    currency: str
    origin: str | None = None
    destination: str | None = None
    route: tuple[str, ...] = ()
    transport_mode: str | None = None
    carrier: str | None = None
    order_id: str | None = None

    _cur = field_validator("currency")(check_currency)
    _org = field_validator("origin", "destination")(_opt_country)


class TrademarkFiling(_Record):
    id: str = Field(min_length=1)
    mark_text: str = Field(min_length=1)
    applicant: str
    country: str | None = None
    nice_classes: tuple[int, ...] = ()
    filed_on: date | None = None
    status: str | None = None

    _country = field_validator("country")(_opt_country)
