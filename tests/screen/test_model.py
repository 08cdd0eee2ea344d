"""Training: calibrated, linear (so reasons stay exact), refuses too little data."""

from __future__ import annotations

import numpy as np
import pytest

from bordermark.screen.engine import FEATURE_NAMES
from bordermark.screen.model import NotEnoughDecisions, train


def _data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Reviewed outcomes drawn from a known logistic model over three features."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, len(FEATURE_NAMES)))
    x[:, FEATURE_NAMES.index("brand_hit")] = 1
    x[:, FEATURE_NAMES.index("counterfeit_terms")] = rng.random(n) < 0.3
    x[:, FEATURE_NAMES.index("price_below_genuine")] = rng.uniform(0, 1, n) * (rng.random(n) < 0.6)
    x[:, FEATURE_NAMES.index("seller_authorised")] = rng.random(n) < 0.2
    logit = -2.5 + 3 * x[:, FEATURE_NAMES.index("counterfeit_terms")] + 4 * x[
        :, FEATURE_NAMES.index("price_below_genuine")] - 3 * x[:, FEATURE_NAMES.index("seller_authorised")]
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    return x, y.astype(int)


def test_training_learns_signs_and_is_calibrated() -> None:
    x, y = _data(3000)
    report = train(x.tolist(), y.tolist())
    w = report.config.weights
    assert w["counterfeit_terms"] > 0 and w["price_below_genuine"] > 0 and w["seller_authorised"] < 0
    assert report.pr_auc > 0.7
    logits = report.config.bias + x @ np.array([w[n] for n in FEATURE_NAMES])
    p = 1 / (1 + np.exp(-logits))
    for lo, hi in ((0.0, 0.2), (0.2, 0.8), (0.8, 1.0)):  # predicted vs observed rate per band
        m = (p >= lo) & (p < hi)
        if m.sum() > 50:
            assert abs(p[m].mean() - y[m].mean()) < 0.08
    assert report.config.model is not None and report.config.model["rows"] == 3000


def test_too_few_decisions_are_refused() -> None:
    x, y = _data(10)
    with pytest.raises(NotEnoughDecisions, match="need at least"):
        train(x.tolist(), y.tolist())
