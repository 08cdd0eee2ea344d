"""Stable identifiers derived from natural keys.

Why: a registry exported from one store and imported into another (SQLite -> PostgreSQL, or another agency)
must keep the same mark ids, so that alerts, cases and ground truth that cite a mark still resolve.
"""

from __future__ import annotations

import hashlib
import unicodedata


def _norm(part: str) -> str:
    return unicodedata.normalize("NFKC", part).strip().casefold()


def stable_id(prefix: str, *parts: str) -> str:
    """``prefix-`` followed by 12 hex digits of a hash over the normalised parts."""
    digest = hashlib.sha1("\x1f".join(_norm(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:12]}"
