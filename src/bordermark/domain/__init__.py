"""Pure domain types: no I/O, no framework imports beyond pydantic for validation."""

from bordermark.domain.ids import stable_id
from bordermark.domain.records import (
    Declaration,
    DeclarationItem,
    Listing,
    Parcel,
    TrademarkFiling,
)
from bordermark.domain.rights import (
    Alias,
    AliasKind,
    AuthorisedParty,
    Holder,
    Mark,
    PartyRole,
    PriceBand,
    Product,
    Recordation,
    Registry,
    RightType,
)

__all__ = [
    "Alias",
    "AliasKind",
    "AuthorisedParty",
    "Declaration",
    "DeclarationItem",
    "Holder",
    "Listing",
    "Mark",
    "Parcel",
    "PartyRole",
    "PriceBand",
    "Product",
    "Recordation",
    "Registry",
    "RightType",
    "TrademarkFiling",
    "stable_id",
]
