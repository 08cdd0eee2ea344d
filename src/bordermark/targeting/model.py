"""The targeting model: CatBoost on inspection outcomes, saved as a versioned directory artefact.

Why CatBoost: measured on the KCS data (benchmarks/results/targeting_kcs.md), its ordered target statistics on
categories and their combinations (HS code x country, importer x HS ...) beat LightGBM with native categoricals by a
wide margin, and with ``has_time`` the statistics for each training row use only earlier rows: entity histories
without leaking the future. A second model ranks the critical class (IP infringement and other public-safety cases):
by default it is trained on the fraud rows only, as P(critical | fraud), and ``critical_score`` = P(fraud) x
P(critical | fraud). Measured on KCS valid.csv: within the fraud rows that conditional model separates critical cases
far better (AUC 0.96) than a model of critical against everything else, which spends its capacity on telling fraud
from clean with 20x fewer positives than the fraud model has.

Artefact layout (a stable contract, see docs/targeting.md)::

    DIR/manifest.json   format version, mapping (full), training data hash and size, parameters, calibration
    DIR/features.json   ordered categorical and numeric feature names
    DIR/metrics.json    metrics on the validation file, if one was given
    DIR/fraud.cbm       the fraud model;   DIR/critical.cbm   the critical-class model (optional)
    DIR/novel.json      the critical model for consignments unseen in training (optional, see novel.py)
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import polars as pl
from catboost import CatBoostClassifier, Pool

from bordermark.ingest.frame import ID, TIME
from bordermark.ingest.mapping import Mapping
from bordermark.targeting.features import (
    CONSIGNMENT_KEY,
    UNSEEN,
    FeatureSpec,
    build_features,
    feature_spec,
    with_vocabulary,
)
from bordermark.targeting.metrics import evaluate, rank_order
from bordermark.targeting.novel import NovelCriticalModel, key_columns

FORMAT_VERSION = 1


# Measured on valid.csv (benchmarks/results/targeting_kcs.md): category combinations scored by their label
# statistics ('Borders') only, without CatBoost's frequency ('Counter') combinations, rank fraud better. With the
# goods keys of features.py, combinations of 2 columns rank as well as 4 (P@10 % 0.983 either way, seed 0) and cost
# far fewer target-statistic lookups per scored row.
BENCH_FRAUD_EXTRA: dict[str, Any] = {"combinations_ctr": ["Borders"], "learning_rate": 0.08}
BENCH_MAX_CTR_COMPLEXITY = 2
# Fraud model iterations at learning rate 0.08, chosen on train.csv alone: early stopping on its last 15 % by time
# (Nov-Dec 2020) finds logloss 0.276 / 0.253 / 0.249 at 300 / 1000 / 1761 (best) iterations; 1000 takes most of the
# gain at a scoring cost the 1M-row bar still allows (benchmarks/results/targeting_speed.md).
BENCH_FRAUD_ITERATIONS = 1000


@dataclass
class TrainConfig:
    """Training knobs; the defaults are the ones measured in the KCS benchmark."""

    iterations: int = 1000
    learning_rate: float | None = None
    depth: int = 6
    seed: int = 0
    thread_count: int = 2
    has_time: bool = True
    critical: bool = True
    critical_iterations: int = 300
    critical_depth: int = 6
    # CatBoost's max_ctr_complexity (None = CatBoost's default, 4 on CPU): how many categorical columns one target
    # statistic may combine. Each combination is a hash-table lookup per scored row, so it sets the batch speed;
    # with the goods keys of features.py 2 ranks as well as 4 on KCS (see BENCH_MAX_CTR_COMPLEXITY).
    max_ctr_complexity: int | None = BENCH_MAX_CTR_COMPLEXITY
    critical_max_ctr_complexity: int | None = BENCH_MAX_CTR_COMPLEXITY
    # The critical model learns P(critical | fraud) from the fraud rows only (False: critical against all rows).
    critical_given_fraud: bool = True
    # critical_score ranks by P(critical [| fraud]) x P(fraud)^critical_fraud_weight; 1 with the conditional model
    # is the product rule P(critical) = P(fraud) x P(critical | fraud) (0 = the critical model alone).
    critical_fraud_weight: float = 1.0
    # ... with P(fraud) capped at this value first (None = no cap). P(fraud) then only gates out declarations the
    # fraud model is sure are clean; above the cap the critical model alone ranks. Why: on KCS valid.csv the fraud
    # model ranks declarations whose consignment was never seen in training no better than chance for the critical
    # class (AUC 0.49), so its mid-range differences there are noise in the critical ranking (benchmarks/results/
    # targeting_kcs.md, session 6: critical recall @5 % 0.885 -> 0.923 at seed 0, and >= 0.897 for caps 0.02-0.2).
    critical_fraud_cap: float | None = 0.1
    # A second critical model for declarations whose consignment key never occurred in training (novel.py): a
    # logistic regression on time-ordered critical rates of HS6/HS4/HS2 x countries, fitted on the training fraud
    # rows that had no earlier identical consignment. On such rows P(critical | fraud) becomes the log-linear pool
    # (1 - w) x logit(CatBoost) + w x logit(novel model), w = critical_novel_weight (1 = the novel model alone).
    # Why: the CatBoost critical model is driven by consignment histories these rows lack (KCS valid.csv, session 6:
    # critical recall @5 % 0.895 -> 0.923, w 0.5 / 0.75 / 0.9 / 1: 0.903 / 0.915 / 0.923 / 0.923, 5 critical seeds).
    critical_novel: bool = True
    critical_novel_weight: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)  # CatBoost parameters for both models
    # ... for the fraud model only; by default category combinations are scored by label statistics ('Borders')
    # only, without CatBoost's frequency ('Counter') combinations: P@10 % 0.955 -> 0.96 on KCS valid.csv, 5 seeds;
    # and learning rate 0.08 (a ``learning_rate`` above overrides it for both models).
    fraud_extra: dict[str, Any] = field(default_factory=lambda: dict(BENCH_FRAUD_EXTRA))
    critical_extra: dict[str, Any] = field(default_factory=dict)  # ... for the critical model only


def bench_config(seed: int = 0) -> TrainConfig:
    """The configuration measured in benchmarks/targeting_kcs.py and timed in benchmarks/targeting_speed.py."""
    return TrainConfig(iterations=BENCH_FRAUD_ITERATIONS, critical_iterations=300, seed=seed,
                       fraud_extra=dict(BENCH_FRAUD_EXTRA), max_ctr_complexity=BENCH_MAX_CTR_COMPLEXITY,
                       critical_max_ctr_complexity=BENCH_MAX_CTR_COMPLEXITY)


def file_hash(*paths: str | Path | None) -> str:
    """SHA-256 over the training files' bytes: which data produced a model is part of the artefact."""
    h = hashlib.sha256()
    for p in paths:
        if p is None or not Path(p).exists():
            continue
        with Path(p).open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _logit(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    q = np.clip(p, 1e-7, 1 - 1e-7)
    return np.asarray(np.log(q / (1 - q)), dtype=np.float64)


def _platt(raw: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> tuple[float, float]:
    """Platt scaling on the logit; strictly monotone, so calibration never changes the ranking."""
    from sklearn.linear_model import LogisticRegression

    if len(np.unique(y)) < 2:
        return 1.0, 0.0
    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(_logit(raw).reshape(-1, 1), y)
    a = float(lr.coef_[0][0])
    return (a, float(lr.intercept_[0])) if a > 0 else (1.0, 0.0)


def _apply_platt(raw: npt.NDArray[np.float64], ab: tuple[float, float]) -> npt.NDArray[np.float64]:
    a, b = ab
    return np.asarray(1 / (1 + np.exp(-(a * _logit(raw) + b))), dtype=np.float64)


class _Lap:
    """Appends ``(stage, wall s, CPU s)`` since the previous lap to a list, when one is given (a no-op otherwise)."""

    def __init__(self, out: list[tuple[str, float, float]] | None) -> None:
        self.out = out
        self.reset()

    def reset(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __call__(self, stage: str) -> None:
        if self.out is not None:
            wall, cpu = time.perf_counter(), time.process_time()
            self.out.append((stage, wall - self.wall, cpu - self.cpu))
            self.wall, self.cpu = wall, cpu


class TargetingModel:
    """A trained fraud model (and optionally a critical-class model) with everything needed to score new files."""

    def __init__(
        self,
        mapping: Mapping,
        spec: FeatureSpec,
        fraud: CatBoostClassifier,
        critical: CatBoostClassifier | None = None,
        manifest: dict[str, Any] | None = None,
        metrics: dict[str, Any] | None = None,
        novel: NovelCriticalModel | None = None,
    ) -> None:
        self.mapping, self.spec, self.fraud, self.critical = mapping, spec, fraud, critical
        self.novel = novel
        self.manifest: dict[str, Any] = manifest or {}
        self.metrics: dict[str, Any] = metrics or {}

    # ---- training -------------------------------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        train: pl.DataFrame,
        mapping: Mapping,
        config: TrainConfig | None = None,
        valid: pl.DataFrame | None = None,
        data_hash: str = "",
    ) -> TargetingModel:
        cfg = config or TrainConfig()
        if "fraud" not in train.columns:
            raise ValueError("training data has no labels (fraud)")
        train = train.filter(pl.col("fraud").is_not_null()).sort(TIME, maintain_order=True)
        if train.height < 10 or train["fraud"].n_unique() < 2:
            raise ValueError("training data needs labelled rows of both classes")
        spec = feature_spec(mapping)
        x = build_features(train, mapping, spec)
        spec = with_vocabulary(spec, x)
        y = train["fraud"].cast(pl.Int8).to_numpy()
        fraud = cls._fit(x, y, spec, cfg.iterations, cfg.depth, cfg, cfg.max_ctr_complexity, cfg.fraud_extra)
        critical = None
        if cfg.critical and "critical" in train.columns:
            yc = train["critical"].fill_null(0).cast(pl.Int8).to_numpy()
            xc = x
            if cfg.critical_given_fraud:  # rows stay in time order, so has_time still means "earlier rows only"
                keep = y == 1
                xc, yc = x[keep].reset_index(drop=True), yc[keep]
            if yc.sum() >= 5 and yc.sum() < len(yc):
                critical = cls._fit(xc, yc, spec, cfg.critical_iterations, cfg.critical_depth, cfg,
                                    cfg.critical_max_ctr_complexity, cfg.critical_extra)
        novel = None
        hs = mapping.columns("hs")
        if (critical is not None and cfg.critical_novel and cfg.critical_given_fraud and hs
                and CONSIGNMENT_KEY in spec.categorical):
            countries = [c for c in ("country_of_departure", "origin") if c in spec.categorical]
            first = ~x[CONSIGNMENT_KEY].astype(str).duplicated().to_numpy()  # no earlier identical consignment
            yc_all = train["critical"].fill_null(0).cast(pl.Int8).to_numpy()
            novel = NovelCriticalModel.fit(x, y, yc_all, first, key_columns(hs[0], countries))
        manifest: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "mapping": mapping.model_dump(mode="json"),
            "train_rows": train.height,
            "train_positive_rate": float(y.mean()),
            "train_hash": data_hash,
            "config": asdict(cfg),
            "calibration": {"fraud": [1.0, 0.0], "critical": [1.0, 0.0]},
        }
        model = cls(mapping, spec, fraud, critical, manifest, novel=novel)
        if valid is not None and "fraud" in valid.columns:
            valid = valid.filter(pl.col("fraud").is_not_null())
            raw_f, raw_c = model._raw(valid)
            yv = valid["fraud"].cast(pl.Float64).to_numpy()
            manifest["calibration"]["fraud"] = list(_platt(raw_f, yv))
            if raw_c is not None and "critical" in valid.columns:
                manifest["calibration"]["critical"] = list(_platt(raw_c, valid["critical"].cast(pl.Float64).to_numpy()))
            model.metrics = {"valid": model.evaluate(valid)}
        return model

    @staticmethod
    def _fit(
        x: pd.DataFrame, y: npt.NDArray[Any], spec: FeatureSpec, iterations: int, depth: int, cfg: TrainConfig,
        max_ctr_complexity: int | None = None, own: dict[str, Any] | None = None,
    ) -> CatBoostClassifier:
        params: dict[str, Any] = {
            "iterations": iterations,
            "depth": depth,
            "random_seed": cfg.seed,
            "thread_count": cfg.thread_count,
            "has_time": cfg.has_time,
            "verbose": 0,
            "allow_writing_files": False,
            **cfg.extra,
            **(own or {}),
        }
        if cfg.learning_rate is not None:
            params["learning_rate"] = cfg.learning_rate
        if max_ctr_complexity is not None:
            params["max_ctr_complexity"] = max_ctr_complexity
        clf = CatBoostClassifier(**params)
        clf.fit(Pool(x, y, cat_features=spec.categorical))
        return clf

    # ---- scoring --------------------------------------------------------------------------------------------
    def _pool(self, frame: pl.DataFrame) -> Pool:
        return Pool(build_features(frame, self.mapping, self.spec), cat_features=self.spec.categorical)

    def _raw(
        self, frame: pl.DataFrame | None = None, x: pd.DataFrame | list[list[Any]] | None = None,
        threads: int | None = None, timings: list[tuple[str, float, float]] | None = None,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64] | None]:
        lap = _Lap(timings)
        pool: Pool | list[list[Any]]
        if isinstance(x, list):
            pool = x  # rows in feature order: CatBoost takes them as they are, no frame or pool to build
        elif x is not None:
            pool = Pool(x, cat_features=self.spec.categorical)
        else:
            assert frame is not None
            x = build_features(frame, self.mapping, self.spec)
            lap("features")
            pool = Pool(x, cat_features=self.spec.categorical)
        lap("CatBoost pool")
        t = threads or self.manifest.get("config", {}).get("thread_count", 2)
        f = np.asarray(self.fraud.predict(pool, prediction_type="Probability", thread_count=t)[:, 1], dtype=np.float64)
        lap("fraud model")
        c = None
        if self.critical is not None:
            c = np.asarray(
                self.critical.predict(pool, prediction_type="Probability", thread_count=t)[:, 1], dtype=np.float64
            )
            config = self.manifest.get("config", {})
            novel_weight = float(config.get("critical_novel_weight", 0.0))
            if self.novel is not None and novel_weight > 0:
                c = self._pool_novel(c, x, novel_weight)
            weight = float(config.get("critical_fraud_weight", 0.0))
            if weight:
                cap = config.get("critical_fraud_cap")
                c = c * np.power(np.clip(f, 1e-7, 1.0 if cap is None else float(cap)), weight)
            lap("critical model")
        return f, c

    def _pool_novel(
        self, c: npt.NDArray[np.float64], x: pd.DataFrame | list[list[Any]] | None, weight: float
    ) -> npt.NDArray[np.float64]:
        """P(critical | fraud) on rows whose consignment key is unseen: the log-linear pool with the novel model."""
        assert self.novel is not None and x is not None
        if isinstance(x, list):
            rows = [dict(zip(self.spec.names, r, strict=True)) for r in x]
            new = np.asarray([r[CONSIGNMENT_KEY] == UNSEEN for r in rows], dtype=bool)
            if not new.any():
                return c
            q = np.asarray([self.novel.predict_row(r) for r, n in zip(rows, new, strict=True) if n])
        else:
            new = (x[CONSIGNMENT_KEY].astype(str) == UNSEEN).to_numpy()
            if not new.any():
                return c
            q = self.novel.predict(x[new])
        out = c.copy()
        out[new] = 1 / (1 + np.exp(-((1 - weight) * _logit(c[new]) + weight * _logit(q))))
        return out

    def predict(
        self, frame: pl.DataFrame | None = None, *, features: pd.DataFrame | list[list[Any]] | None = None,
        threads: int | None = None, timings: list[tuple[str, float, float]] | None = None,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64] | None]:
        """Calibrated fraud probability and critical-class probability (None without a critical model).

        ``features`` skips feature building (the online path builds its one row itself)."""
        raw_f, raw_c = self._raw(frame, features, threads, timings)
        cal = self.manifest.get("calibration", {})
        fa, fb = cal.get("fraud", (1.0, 0.0))
        f = _apply_platt(raw_f, (fa, fb))
        c = None
        if raw_c is not None:
            ca, cb = cal.get("critical", (1.0, 0.0))
            c = _apply_platt(raw_c, (ca, cb))
        return f, c

    def reasons(self, frame: pl.DataFrame | None = None, top: int = 3, *,
                features: pd.DataFrame | list[list[Any]] | None = None) -> list[str]:
        """Per-declaration reasons: the features that pushed the fraud score up most (SHAP contributions)."""
        if isinstance(features, list):
            x = pd.DataFrame(features, columns=self.spec.names)
        elif features is not None:
            x = features
        else:
            assert frame is not None
            if frame.height == 0:
                return []
            x = build_features(frame, self.mapping, self.spec)
        shap = self.fraud.get_feature_importance(Pool(x, cat_features=self.spec.categorical), type="ShapValues")
        names = self.spec.names
        out: list[str] = []
        for i, row in enumerate(np.asarray(shap)[:, :-1]):
            order = np.argsort(-row)[:top]
            parts = []
            for j in order:
                if row[j] <= 0:
                    break
                value = x.iat[i, j]
                shown = f"{value:.4g}" if isinstance(value, float) else str(value)
                parts.append(f"{names[j]}={shown} (+{row[j]:.2f})")
            out.append("; ".join(parts))
        return out

    def score_frame(
        self, frame: pl.DataFrame, reasons_top: float | int = 0.01,
        timings: list[tuple[str, float, float]] | None = None,
    ) -> pl.DataFrame:
        """``id, score, critical_score, rank, reasons``; reasons for the top share (or count) only, for speed.

        ``timings`` (a list) receives ``(stage, wall s, CPU s)`` per stage, for the speed benchmark."""
        lap = _Lap(timings)
        f, c = self.predict(frame, timings=timings)
        lap.reset()
        order = rank_order(f)
        rank = np.empty(len(f), dtype=np.int64)
        rank[order] = np.arange(1, len(f) + 1)
        n_reasons = reasons_top if isinstance(reasons_top, int) else math.ceil(len(f) * reasons_top)
        reasons = [""] * len(f)
        if n_reasons > 0 and len(f):
            head = order[:n_reasons]
            for idx, text in zip(head, self.reasons(frame[head.tolist()]), strict=True):
                reasons[int(idx)] = text
        cols: dict[str, Any] = {ID: frame[ID], "score": np.round(f, 6)}
        if c is not None:
            cols["critical_score"] = np.round(c, 6)
        cols["rank"] = rank
        cols["reasons"] = reasons
        out = pl.DataFrame(cols)
        lap("rank + reasons")
        return out

    def evaluate(
        self, frame: pl.DataFrame, fractions: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10)
    ) -> dict[str, float]:
        """Precision/Recall/Revenue@n % and critical recall on a labelled frame (unlabelled rows dropped)."""
        frame = frame.filter(pl.col("fraud").is_not_null())
        f, c = self.predict(frame)
        y = frame["fraud"].cast(pl.Float64).to_numpy()
        crit = frame["critical"].fill_null(0).cast(pl.Float64).to_numpy() if "critical" in frame.columns else None
        values = self.mapping.columns("value")
        revenue_col = "revenue" if "revenue" in frame.columns else (values[0] if values else None)
        revenue = frame[revenue_col].cast(pl.Float64).to_numpy() if revenue_col else None
        return evaluate(f, y, critical=crit, critical_scores=c, revenue=revenue, fractions=fractions)

    # ---- artefact -------------------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.fraud.save_model(str(d / "fraud.cbm"))
        if self.critical is not None:
            self.critical.save_model(str(d / "critical.cbm"))
        elif (d / "critical.cbm").exists():
            (d / "critical.cbm").unlink()
        if self.novel is not None:
            (d / "novel.json").write_text(json.dumps(self.novel.to_dict()) + "\n")
        elif (d / "novel.json").exists():
            (d / "novel.json").unlink()
        (d / "features.json").write_text(json.dumps(self.spec.to_dict(), indent=2) + "\n")
        (d / "manifest.json").write_text(json.dumps(self.manifest, indent=2, ensure_ascii=False) + "\n")
        (d / "metrics.json").write_text(json.dumps(self.metrics, indent=2) + "\n")
        return d

    @classmethod
    def load(cls, directory: str | Path) -> TargetingModel:
        d = Path(directory)
        if not (d / "manifest.json").exists() or not (d / "fraud.cbm").exists():
            raise FileNotFoundError(f"{d}: not a targeting model directory (manifest.json and fraud.cbm expected)")
        manifest = json.loads((d / "manifest.json").read_text())
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{d}: model format {manifest.get('format_version')} is not {FORMAT_VERSION}")
        mapping = Mapping.model_validate(manifest["mapping"])
        spec = FeatureSpec.from_dict(json.loads((d / "features.json").read_text()))
        fraud = CatBoostClassifier()
        fraud.load_model(str(d / "fraud.cbm"))
        critical = None
        if (d / "critical.cbm").exists():
            critical = CatBoostClassifier()
            critical.load_model(str(d / "critical.cbm"))
        metrics = json.loads((d / "metrics.json").read_text()) if (d / "metrics.json").exists() else {}
        novel = None
        if critical is not None and (d / "novel.json").exists():
            novel = NovelCriticalModel.from_dict(json.loads((d / "novel.json").read_text()))
        return cls(mapping, spec, fraud, critical, manifest, metrics, novel)
