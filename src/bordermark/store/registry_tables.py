"""Tables of the rights registry. Lists that are only ever read whole are JSON columns (portable)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bordermark.store.base import Base


class HolderRow(Base):
    __tablename__ = "holders"
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    country: Mapped[str | None] = mapped_column(String(2))
    marks: Mapped[list[MarkRow]] = relationship(back_populates="holder", cascade="all, delete-orphan")


class MarkRow(Base):
    __tablename__ = "marks"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("holders.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    right_type: Mapped[str] = mapped_column(String(30))
    external_id: Mapped[str | None] = mapped_column(String(64))
    nice_classes: Mapped[list[int]] = mapped_column(JSON, default=list)
    jurisdictions: Mapped[list[str]] = mapped_column(JSON, default=list)
    registration_number: Mapped[str | None] = mapped_column(String(100))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    famous: Mapped[bool] = mapped_column(Boolean, default=False)
    holder: Mapped[HolderRow] = relationship(back_populates="marks")
    aliases: Mapped[list[AliasRow]] = relationship(
        back_populates="mark", cascade="all, delete-orphan", order_by="AliasRow.position"
    )
    recordations: Mapped[list[RecordationRow]] = relationship(
        back_populates="mark", cascade="all, delete-orphan", order_by="RecordationRow.number"
    )
    __table_args__ = (UniqueConstraint("holder_id", "text", "right_type", name="uq_marks_holder_text_type"),)


class AliasRow(Base):
    __tablename__ = "aliases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mark_id: Mapped[str] = mapped_column(ForeignKey("marks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))
    script: Mapped[str | None] = mapped_column(String(10))
    mark: Mapped[MarkRow] = relationship(back_populates="aliases")
    __table_args__ = (UniqueConstraint("mark_id", "text", name="uq_aliases_mark_text"),)


class RecordationRow(Base):
    __tablename__ = "recordations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mark_id: Mapped[str] = mapped_column(ForeignKey("marks.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(100))
    authority: Mapped[str] = mapped_column(String(50))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    mark: Mapped[MarkRow] = relationship(back_populates="recordations")
    __table_args__ = (UniqueConstraint("mark_id", "number", name="uq_recordations_mark_number"),)


class ProductRow(Base):
    __tablename__ = "products"
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    mark_id: Mapped[str] = mapped_column(ForeignKey("marks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(100))
    hs_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    gs1_prefixes: Mapped[list[str]] = mapped_column(JSON, default=list)
    barcodes: Mapped[list[str]] = mapped_column(JSON, default=list)
    authentication_features: Mapped[str | None] = mapped_column(Text)
    price_bands: Mapped[list[PriceBandRow]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="PriceBandRow.market"
    )


class PriceBandRow(Base):
    __tablename__ = "price_bands"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    market: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    low: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    high: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    product: Mapped[ProductRow] = relationship(back_populates="price_bands")
    __table_args__ = (
        UniqueConstraint("product_id", "market", "currency", name="uq_price_bands_product_market"),
    )


class PartyRow(Base):
    __tablename__ = "authorised_parties"
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("holders.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(2))
    marks: Mapped[list[str]] = mapped_column(JSON, default=list)
    identifiers: Mapped[list[str]] = mapped_column(JSON, default=list)
    addresses: Mapped[list[str]] = mapped_column(JSON, default=list)
    contacts: Mapped[list[str]] = mapped_column(JSON, default=list)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
