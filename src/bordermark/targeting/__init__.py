"""Targeting: train on inspection outcomes, score declarations, select under capacity with exploration, evaluate.

Public surface: ``TargetingModel`` (train/load/save/score), ``OnlineScorer`` (one record, model loaded once),
``select``/``ipw_estimate``/``simulate_weeks`` and the metrics in ``metrics``.
"""

from bordermark.targeting.metrics import evaluate, precision_at, rank_order, recall_at, revenue_at, top_k
from bordermark.targeting.model import TargetingModel, TrainConfig
from bordermark.targeting.online import OnlineScorer
from bordermark.targeting.select import Estimate, Selection, ipw_estimate, select, simulate_weeks

__all__ = [
    "Estimate",
    "OnlineScorer",
    "Selection",
    "TargetingModel",
    "TrainConfig",
    "evaluate",
    "ipw_estimate",
    "precision_at",
    "rank_order",
    "recall_at",
    "revenue_at",
    "select",
    "simulate_weeks",
    "top_k",
]
