"""Training the scoring model from reviewed outcomes: logistic regression, Platt-calibrated, folded back into
scenario weights.

Why logistic regression and not a tree ensemble: the calibrated model stays linear in the named features, so
each alert's reasons carry exact contributions and the trained model is just a new scenario version (JSON you
can read, diff, publish and roll back). Calibration: out-of-fold logits are fitted with a Platt sigmoid
``p = s(a * z + c)``; since ``z = w.x + b`` this is again linear, with weights ``a * w`` and bias ``a * b + c``.
L2 regularisation keeps weights moderate so scores stay spread above the alert threshold instead of piling up
at 1.0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from bordermark.screen.engine import FEATURE_NAMES
from bordermark.screen.scenario import ScenarioConfig


class NotEnoughDecisions(ValueError):
    pass


@dataclass(frozen=True)
class TrainReport:
    rows: int
    positives: int
    pr_auc: float
    brier: float
    config: ScenarioConfig


def train(x: Sequence[Sequence[float]], y: Sequence[int], base: ScenarioConfig | None = None, *,
          c: float = 1.0, min_rows: int = 20, seed: int = 0, threshold_recall: float | None = None) -> TrainReport:
    """Fit weights on feature vectors (``FEATURE_NAMES`` order) labelled 1 = counterfeit, 0 = not.

    With ``threshold_recall`` the alert threshold is set to the most precise one that still reaches that
    recall on the out-of-fold predictions (never on data the fold was fitted on).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, brier_score_loss
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=int)
    pos = int(ya.sum())
    if len(ya) < min_rows or pos < 5 or len(ya) - pos < 5:
        raise NotEnoughDecisions(f"need at least {min_rows} reviewed listings with 5 of each outcome "
                                 f"(have {len(ya)}, {pos} counterfeit)")
    lr = LogisticRegression(C=c, max_iter=2000)
    folds = StratifiedKFold(n_splits=min(5, pos, len(ya) - pos), shuffle=True, random_state=seed)
    oof = cross_val_predict(lr, xa, ya, cv=folds, method="decision_function")
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(oof.reshape(-1, 1), ya)
    a, c0 = float(platt.coef_[0][0]), float(platt.intercept_[0])
    calibrated_oof = 1 / (1 + np.exp(-(a * oof + c0)))
    lr.fit(xa, ya)
    w, b = lr.coef_[0], float(lr.intercept_[0])
    weights = {name: round(float(a * w[i]), 4) for i, name in enumerate(FEATURE_NAMES)}
    base = base or ScenarioConfig()
    if threshold_recall is not None:
        from sklearn.metrics import precision_recall_curve

        prec, rec, thr_ = precision_recall_curve(ya, calibrated_oof)
        ok = rec[:-1] >= threshold_recall
        if ok.any():
            best = float(thr_[int(np.argmax(np.where(ok, prec[:-1], -1)))])
            base = base.model_copy(update={"alert_threshold": round(min(max(best, 0.05), 0.95), 4)})
    # spread: the median alert of the training data lands halfway between the threshold and 1
    logits = a * (xa @ w + b) + c0
    thr = base.alert_threshold
    excess = logits[logits > np.log(thr / (1 - thr))] - np.log(thr / (1 - thr))
    spread = float(np.median(excess) / np.log(2)) if excess.size else base.alert_spread
    pr_auc = float(average_precision_score(ya, calibrated_oof))
    brier = float(brier_score_loss(ya, calibrated_oof))
    config = base.model_copy(update={
        "weights": weights,
        "bias": round(a * b + c0, 4),
        "alert_spread": round(max(spread, 0.5), 3) if spread else None,
        "model": {"kind": "logistic_regression+platt", "rows": len(ya), "positives": pos, "C": c,
                  "oof_pr_auc": round(pr_auc, 4), "oof_brier": round(brier, 4),
                  "trained_at": datetime.now(UTC).isoformat(timespec="seconds")},
    })
    return TrainReport(rows=len(ya), positives=pos, pr_auc=pr_auc, brier=brier, config=config)
