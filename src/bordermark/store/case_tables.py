"""Tables of enforcement cases: the case (with an optimistic-locking version), its events, and general
guarantees (总担保) that cover a right holder for a calendar year.

Why most case facts sit in JSON (``facts``, ``deadlines``, ``guarantee``, ``penalty``, ``disposal``): each
procedure profile records different facts; the columns that are queried (state, profile, goods, marks, dates)
are real columns, the rest travel with the case as documents validated by the pure core.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bordermark.store.base import Base


class CaseRow(Base):
    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    profile: Mapped[str] = mapped_column(String(60), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    goods_kind: Mapped[str] = mapped_column(String(20))
    goods_id: Mapped[str] = mapped_column(String(200), index=True)
    mark_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    holder_id: Mapped[str | None] = mapped_column(String(200), index=True)
    goods_value: Mapped[Any] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_due: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    parent_case_id: Mapped[str | None] = mapped_column(String(40), index=True)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    deadlines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    guarantee: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    penalty: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    disposal: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __mapper_args__ = {"version_id_col": version}


class CaseEventRow(Base):
    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(120))
    state_before: Mapped[str | None] = mapped_column(String(40))
    state_after: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),
                      Index("ix_case_events_case_id", "case_id"))


class GeneralGuaranteeRow(Base):
    """A holder's general guarantee (总担保) for one calendar year; per-case guarantees are then not required."""

    __tablename__ = "case_general_guarantees"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    holder_id: Mapped[str] = mapped_column(String(200))
    jurisdiction: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Any] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    letter_valid_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    charged: Mapped[Any] = mapped_column(Numeric(18, 2), default=0)
    basis: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("holder_id", "jurisdiction", "year", name="uq_case_general_guarantees_key"),)
