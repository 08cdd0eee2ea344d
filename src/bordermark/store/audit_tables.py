"""Tables of the audit log: the entries (append-only, hash-chained) and the chain head.

Why a separate head row: concurrent transactions must not both link to the same previous entry (that would fork
the chain). Every append updates the single head row first, which takes a row lock on PostgreSQL and the write
lock on SQLite, so appends are serialised by the database itself and the chain stays linear.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bordermark.store.base import Base

GENESIS_HASH = "0" * 64


class AuditEntryRow(Base):
    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(120))
    entity_type: Mapped[str] = mapped_column(String(80))
    entity_id: Mapped[str] = mapped_column(String(200))
    # canonical JSON text, hashed byte for byte (a JSON column could re-serialise differently on read)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)


class AuditHeadRow(Base):
    """The single row (id 1) holding the newest sequence number and hash."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
