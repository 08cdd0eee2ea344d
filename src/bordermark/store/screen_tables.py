"""Tables of listing screening: versioned scenarios, the alert queue, review decisions, seller history,
known image hashes and takedown notices.

Why alerts keep the feature values and the scenario version: a decision must be replayable (which weights,
which evidence) and becomes a training row for the next model without screening the listing again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bordermark.store.base import Base


class ScenarioRow(Base):
    __tablename__ = "screen_scenarios"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AlertRow(Base):
    """The latest screening of one listing that raised something (any verdict but ``clear``)."""

    __tablename__ = "screen_alerts"
    listing_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(40))
    platform: Mapped[str | None] = mapped_column(String(100))
    seller_id: Mapped[str | None] = mapped_column(String(200), index=True)
    mark_id: Mapped[str | None] = mapped_column(String(64), index=True)
    score: Mapped[float] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))  # open | decided | suppressed
    scenario_version: Mapped[int] = mapped_column(Integer)
    brand_hits: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    features: Mapped[dict[str, float]] = mapped_column(JSON)
    listing: Mapped[dict[str, Any]] = mapped_column(JSON)
    screened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_screen_alerts_status_score", "status", "score"),)


class DecisionRow(Base):
    __tablename__ = "screen_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    listing_id: Mapped[str] = mapped_column(String(200), index=True)
    content_hash: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(30))  # counterfeit | genuine | parallel_import | not_sure
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scenario_version: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(String(40))
    seller_id: Mapped[str | None] = mapped_column(String(200), index=True)
    platform: Mapped[str | None] = mapped_column(String(100))
    mark_id: Mapped[str | None] = mapped_column(String(64))
    features: Mapped[dict[str, float]] = mapped_column(JSON)


class SellerRow(Base):
    __tablename__ = "screen_sellers"
    seller_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    confirmed_fakes: Mapped[int] = mapped_column(Integer, default=0)
    cleared: Mapped[int] = mapped_column(Integer, default=0)
    parallel: Mapped[int] = mapped_column(Integer, default=0)
    takedowns: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ImageHashRow(Base):
    __tablename__ = "screen_image_hashes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phash: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(20))  # counterfeit | genuine
    source: Mapped[str] = mapped_column(String(300))
    mark_id: Mapped[str | None] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("phash", "kind", "source", name="uq_screen_image_hashes_key"),)


class NoticeRow(Base):
    __tablename__ = "screen_notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(100), index=True)
    holder: Mapped[str] = mapped_column(String(300))
    listing_ids: Mapped[list[str]] = mapped_column(JSON)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
