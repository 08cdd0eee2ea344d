"""Ranking metrics under inspection capacity: Precision/Recall/Revenue at the top n %, exact top-k.

Why exact and tie-broken: with k = ceil(n% x N) and a fixed tie-break (higher score first, then earlier row),
two runs on the same scores give the same selection, so numbers in reports are reproducible and comparable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

DEFAULT_FRACTIONS = (0.01, 0.02, 0.05, 0.10)


def top_k(n: int, fraction: float) -> int:
    """Number of records inspected at ``fraction`` of ``n`` (at least one when n > 0)."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    return min(n, max(1, math.ceil(n * fraction - 1e-9))) if n else 0


def rank_order(scores: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Row indices from the highest score down; equal scores keep their input order."""
    s = np.asarray(scores, dtype=float)
    s = np.where(np.isnan(s), -np.inf, s)
    return np.lexsort((np.arange(len(s)), -s)).astype(np.int64)


def precision_at(scores: npt.ArrayLike, labels: npt.ArrayLike, fraction: float) -> float:
    y = np.asarray(labels, dtype=float)
    k = top_k(len(y), fraction)
    return float(y[rank_order(scores)[:k]].mean()) if k else float("nan")


def recall_at(scores: npt.ArrayLike, labels: npt.ArrayLike, fraction: float) -> float:
    y = np.asarray(labels, dtype=float)
    total = y.sum()
    k = top_k(len(y), fraction)
    return float(y[rank_order(scores)[:k]].sum() / total) if total > 0 else float("nan")


def revenue_at(scores: npt.ArrayLike, labels: npt.ArrayLike, revenue: npt.ArrayLike, fraction: float) -> float:
    """Share of the revenue at stake on positive records (duty, or value) that the top n % recovers."""
    y = np.asarray(labels, dtype=float)
    r = np.nan_to_num(np.asarray(revenue, dtype=float)) * y
    total = r.sum()
    k = top_k(len(y), fraction)
    return float(r[rank_order(scores)[:k]].sum() / total) if total > 0 else float("nan")


def evaluate(
    scores: npt.ArrayLike,
    labels: npt.ArrayLike,
    *,
    critical: npt.ArrayLike | None = None,
    critical_scores: npt.ArrayLike | None = None,
    revenue: npt.ArrayLike | None = None,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
) -> dict[str, float]:
    """All metrics at each fraction, keyed like ``precision@5%``; critical recall uses ``critical_scores`` if given."""
    y = np.asarray(labels, dtype=float)
    out: dict[str, float] = {"n": float(len(y)), "positive_rate": float(y.mean()) if len(y) else float("nan")}
    for f in fractions:
        tag = f"{f * 100:g}%"
        out[f"precision@{tag}"] = precision_at(scores, labels, f)
        out[f"recall@{tag}"] = recall_at(scores, labels, f)
        if revenue is not None:
            out[f"revenue@{tag}"] = revenue_at(scores, labels, revenue, f)
        if critical is not None:
            cs = critical_scores if critical_scores is not None else scores
            out[f"critical_recall@{tag}"] = recall_at(cs, critical, f)
    return out
