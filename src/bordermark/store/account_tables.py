"""Tables for people and machines using the product: users, API tokens, web sessions, and authentication
guides that right holders publish for officers.

Why tokens and sessions are stored as SHA-256 digests: they are long random secrets, so a fast hash is safe and
lets every request be checked in microseconds; a stolen database copy still cannot be replayed. Passwords, being
low-entropy, are hashed with argon2 instead (see ``bordermark.accounts.passwords``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bordermark.store.base import Base


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(30))
    holder_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebSessionRow(Base):
    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuthGuideRow(Base):
    """A genuine-versus-fake guide for officers (as in the WCO's IPM), owned by a holder, about a product."""

    __tablename__ = "auth_guides"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("holders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str | None] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    genuine_features: Mapped[str] = mapped_column(Text, default="")
    fake_indicators: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(80), default="")


class ScreenedRecordRow(Base):
    """A declaration or parcel screened through the API, kept as the officers' inspection queue.

    Why the API keeps these: the rule engine and the targeting model are pure and file-oriented; officers need
    a queue that survives restarts, remembers who inspected what with which outcome, and feeds the hit-rate
    statistics (targeted versus random selection).
    """

    __tablename__ = "screened_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # declaration | parcel
    record_id: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    model_score: Mapped[float | None] = mapped_column(Float)
    alert: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    mark_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    channel: Mapped[str | None] = mapped_column(String(20))
    origin: Mapped[str | None] = mapped_column(String(2))
    category: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | inspected
    selected_by: Mapped[str | None] = mapped_column(String(10))  # target | random
    outcome: Mapped[str | None] = mapped_column(String(20))  # clear | violation | counterfeit
    note: Mapped[str] = mapped_column(Text, default="")
    screened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    inspected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    inspected_by: Mapped[str | None] = mapped_column(String(80))
    __table_args__ = (
        UniqueConstraint("kind", "record_id", name="uq_screened_records_kind_record"),
        Index("ix_screened_records_queue", "kind", "status", "score"),
    )


class ScreenedRecordHolderRow(Base):
    """Which holders' marks a screened record concerns: the right-holder scope, as an indexed join."""

    __tablename__ = "screened_record_holders"
    record_pk: Mapped[int] = mapped_column(ForeignKey("screened_records.id", ondelete="CASCADE"), primary_key=True)
    holder_id: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)
