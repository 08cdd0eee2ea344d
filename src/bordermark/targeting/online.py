"""Online scoring: one declaration at a time against a model loaded once (for the HTTP API and the web UI).

Why a class: loading CatBoost models costs far more than scoring one row; the API keeps one ``OnlineScorer`` per
model directory for its lifetime and calls :meth:`OnlineScorer.score` per request. For flat formats (every field a
plain column, e.g. KCS) the record is typed and turned into features in plain Python, the same rules as the batch
path (``ingest.frame`` + ``targeting.features``) without the per-call cost of building data frames; nested formats
(Bordermark's items) go through the batch path with one row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping as MappingABC
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl

from bordermark.ingest.errors import IngestError
from bordermark.ingest.frame import _DATE_FORMATS, ID, TIME, apply_mapping
from bordermark.ingest.mapping import FieldSpec
from bordermark.targeting.features import MISSING, UNSEEN, code_fields, float_text, log1p, ratio
from bordermark.targeting.model import TargetingModel

WHERE = "<request>"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text.strip() != "" else None


def _typed(value: Any, spec: FieldSpec, name: str) -> Any:
    """One value typed like ``ingest.frame._typed``; a bad value is an IngestError naming the field."""
    text = _text(value)
    if text is None:
        return None
    try:
        if spec.type == "float":
            return float(text.strip())
        if spec.type == "int":
            return int(float(text.strip()))
        if spec.type == "date":
            for fmt in _DATE_FORMATS:
                try:
                    return datetime.strptime(text.strip(), fmt)
                except ValueError:
                    continue
            raise ValueError
        if spec.type == "datetime":
            parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
            return parsed if parsed.tzinfo is None else parsed.astimezone(UTC).replace(tzinfo=None)
    except ValueError:
        raise IngestError(WHERE, 1, name, f"{text!r} is not a valid {spec.type}") from None
    return text


class OnlineScorer:
    """Score single records in the model's source format (a KCS row, or a Bordermark ``Declaration`` dump)."""

    def __init__(self, model: TargetingModel | str | Path) -> None:
        self.model = model if isinstance(model, TargetingModel) else TargetingModel.load(model)
        m = self.model.mapping
        specs = [m.id, m.time, *m.fields.values()]
        self._flat = all(s.const is not None or s.path[1] is None for s in specs)
        self._codes = code_fields(self.model.spec, m)
        self._vocab = {c: frozenset(v) for c, v in self.model.spec.vocab.items()}

    def _features(self, record: MappingABC[str, Any]) -> tuple[str, list[list[Any]]]:
        m, spec = self.model.mapping, self.model.spec
        row: dict[str, Any] = {}
        for name, fs in ((ID, m.id), (TIME, m.time), *m.fields.items()):
            if fs.const is not None:
                row[name] = fs.const
                continue
            column = fs.path[0]
            if column not in record:
                raise IngestError(WHERE, 1, name, f"column {column!r} is missing from the record")
            row[name] = _typed(record[column], fs, name)
        if row[ID] is None or row[TIME] is None:
            raise IngestError(WHERE, 1, ID if row[ID] is None else TIME, "required value is empty")
        for hs in m.columns("hs"):
            code = "".join(ch for ch in str(row[hs] or "") if ch.isdigit()) if row[hs] is not None else None
            row[f"{hs}_2"] = code[:2] if code is not None else None
            row[f"{hs}_4"] = code[:4] if code is not None else None
        if "origin_is_departure" in spec.categorical:
            a, b = row.get("origin"), row.get("country_of_departure")
            row["origin_is_departure"] = None if a is None or b is None else str(a == b).lower()
        values, masses = m.columns("value"), m.columns("mass")
        value = row[values[0]] if values else None
        if values:
            row["log_value"] = log1p(value) if value is not None else None
            if masses:
                mass = row[masses[0]]
                row["log_value_per_kg"] = (log1p(ratio(value, mass + 1e-3))
                                           if value is not None and mass is not None else None)
        when: datetime = row[TIME]
        row["weekday"], row["day_of_month"] = float(when.isoweekday()), float(when.day)
        for name in self._codes:
            row[name] = float_text(row[name.removesuffix("_code")])
        for name, parts in spec.combos.items():
            row[name] = "|".join(MISSING if row.get(p) is None else str(row[p]) for p in parts)
        cats = [MISSING if row.get(c) is None else str(row[c]) for c in spec.categorical]
        if self._vocab:
            cats = [UNSEEN if c in self._vocab and v not in self._vocab[c] else v
                    for c, v in zip(spec.categorical, cats, strict=True)]
        nums = [math.nan if row.get(c) is None else float(row[c]) for c in spec.numeric]
        return str(row[ID]), [cats + nums]

    def score(self, record: MappingABC[str, Any], explain: bool = True) -> dict[str, Any]:
        """``{"id", "score", "critical_score", "reasons"}``; raises ``IngestError`` naming the bad field."""
        x: pd.DataFrame | list[list[Any]]
        if self._flat:
            record_id, x = self._features(record)
        else:
            frame = apply_mapping(pl.DataFrame([dict(record)], strict=False), self.model.mapping, file=WHERE)
            from bordermark.targeting.features import build_features

            record_id, x = str(frame[ID][0]), build_features(frame, self.model.mapping, self.model.spec)
        f, c = self.model.predict(features=x, threads=1)
        out: dict[str, Any] = {"id": record_id, "score": float(f[0])}
        if c is not None:
            out["critical_score"] = float(c[0])
        out["reasons"] = self.model.reasons(features=x)[0] if explain else ""
        return out

    def score_many(self, records: list[MappingABC[str, Any]]) -> list[dict[str, Any]]:
        raw = pl.DataFrame([dict(r) for r in records], strict=False)
        frame = apply_mapping(raw, self.model.mapping, file=WHERE)
        scored = self.model.score_frame(frame, reasons_top=len(records))
        return scored.drop("rank").to_dicts()
