"""merge the concept branches (cases, accounts, screening) into one line

Revision ID: 0005_merge_heads
Revises: 0002_cases, 0003_accounts, 0004_screening
Create Date: 2026-11-23 01:40:00

Why: each concept added its tables as its own branch from 0001_registry; from here on there is one head, so
the next revision has a single parent and ``alembic upgrade head`` works as operators expect.
"""
from __future__ import annotations

from collections.abc import Sequence

revision: str = "0005_merge_heads"
down_revision: str | Sequence[str] | None = ("0002_cases", "0003_accounts", "0004_screening")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
