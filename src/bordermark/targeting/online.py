"""Online scoring: one declaration at a time against a model loaded once (for the HTTP API and the web UI).

Why a class: loading CatBoost models costs far more than scoring one row; the API keeps one ``OnlineScorer`` per
model directory for its lifetime and calls :meth:`OnlineScorer.score` per request.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from pathlib import Path
from typing import Any

import polars as pl

from bordermark.ingest.frame import ID, apply_mapping
from bordermark.targeting.model import TargetingModel


class OnlineScorer:
    """Score single records in the model's source format (a KCS row, or a Bordermark ``Declaration`` dump)."""

    def __init__(self, model: TargetingModel | str | Path) -> None:
        self.model = model if isinstance(model, TargetingModel) else TargetingModel.load(model)

    def score(self, record: MappingABC[str, Any], explain: bool = True) -> dict[str, Any]:
        """``{"id", "score", "critical_score", "reasons"}``; raises ``IngestError`` naming the bad field."""
        raw = pl.DataFrame([dict(record)], strict=False)
        frame = apply_mapping(raw, self.model.mapping, file="<request>")
        f, c = self.model.predict(frame)
        out: dict[str, Any] = {"id": frame[ID][0], "score": float(f[0])}
        if c is not None:
            out["critical_score"] = float(c[0])
        out["reasons"] = self.model.reasons(frame)[0] if explain else ""
        return out

    def score_many(self, records: list[MappingABC[str, Any]]) -> list[dict[str, Any]]:
        raw = pl.DataFrame([dict(r) for r in records], strict=False)
        frame = apply_mapping(raw, self.model.mapping, file="<request>")
        scored = self.model.score_frame(frame, reasons_top=len(records))
        return scored.drop("rank").to_dicts()
