from __future__ import annotations

import math

import numpy as np
import pytest

from bordermark.targeting.metrics import evaluate, precision_at, rank_order, recall_at, revenue_at, top_k


def test_top_k_is_ceiling_and_at_least_one() -> None:
    assert top_k(1000, 0.05) == 50
    assert top_k(8134, 0.01) == 82
    assert top_k(10, 0.01) == 1
    assert top_k(0, 0.5) == 0
    with pytest.raises(ValueError):
        top_k(10, 0)


def test_ties_keep_input_order_and_nan_goes_last() -> None:
    order = rank_order([0.5, 0.9, 0.5, float("nan"), 0.9])
    assert order.tolist() == [1, 4, 0, 2, 3]


def test_precision_recall_revenue_exact() -> None:
    scores = [0.9, 0.8, 0.8, 0.1, 0.05]
    labels = [1, 0, 1, 1, 0]
    # top 40 % = 2 rows: index 0 and index 1 (tie with 2 broken by input order)
    assert precision_at(scores, labels, 0.4) == 0.5
    assert recall_at(scores, labels, 0.4) == pytest.approx(1 / 3)
    assert revenue_at(scores, labels, [10, 1000, 5, 85, 7], 0.4) == pytest.approx(0.1)


def test_evaluate_keys_and_critical_scores() -> None:
    y = np.array([1, 1, 0, 0, 1, 0, 0, 0, 0, 0])
    crit = np.array([0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    s = np.linspace(1, 0, 10)
    cs = np.zeros(10)
    cs[4] = 1
    m = evaluate(s, y, critical=crit, critical_scores=cs, fractions=(0.1,))
    assert m["precision@10%"] == 1.0 and m["critical_recall@10%"] == 1.0
    m2 = evaluate(s, y, critical=crit, fractions=(0.1,))
    assert m2["critical_recall@10%"] == 0.0
    assert math.isnan(recall_at(s, np.zeros(10), 0.1))
