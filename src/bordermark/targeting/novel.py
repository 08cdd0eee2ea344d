"""Critical-class model for declarations whose consignment never occurred in training ("novel" consignments).

Why a second, separate model: on KCS most critical cases repeat a consignment seen in training, and the CatBoost
critical model ranks those almost perfectly through the consignment's history; the rest (19 of 78 critical cases in
valid.csv) are consignments with no history at all, where the CatBoost model falls back on a general picture
(critical ranked at AUC 0.74 among them). This model is fitted on exactly that situation: the training fraud rows
whose consignment key had not occurred EARLIER in time (history-less, as a new consignment is when scored), with
time-ordered target statistics of the HS hierarchy (HS6 / HS4 / HS2) and the countries as inputs (each training row
sees the statistics of earlier rows only, scoring uses the whole training period), and a logistic regression on top,
so its output is a calibrated P(critical | fraud, novel consignment). The model combines it with the CatBoost
P(critical | fraud) as a weighted log-linear pool (logits averaged) on those rows only; measured on valid.csv in
benchmarks/results/targeting_kcs.md (session 6).

Pure (no I/O): fitted from and applied to the model's feature frame; ``to_dict`` / ``from_dict`` are the artefact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import polars as pl

# Prior weight of the smoothed rates: a key seen n times with c critical cases has rate (c + A x prior) / (n + A).
SMOOTHING = 5.0
# Logistic regression inverse regularisation on standardised inputs (the inputs are strongly correlated rates).
C_REGULARISATION = 0.1


def key_columns(hs: str, countries: Sequence[str]) -> dict[str, list[str]]:
    """The keys whose histories feed the model: the HS hierarchy alone and with each country, and the countries."""
    levels = [hs, f"{hs}_4", f"{hs}_2"]
    keys: dict[str, list[str]] = {lvl: [lvl] for lvl in levels}
    keys.update({c: [c] for c in countries})
    for c in countries:
        for lvl in levels[: 3 if c == countries[0] else 2]:
            keys[f"{lvl}|{c}"] = [lvl, c]
    if len(countries) == 2:
        keys[f"{hs}|{countries[0]}|{countries[1]}"] = [hs, *countries]
    return keys


def _key(frame: pl.DataFrame, parts: list[str]) -> pl.Series:
    return frame.select(pl.concat_str([pl.col(p).cast(pl.String).fill_null("NA") for p in parts],
                                      separator="|").alias("k"))["k"]


def earlier(keys: pl.Series, critical: npt.NDArray[np.float64], fraud: npt.NDArray[np.float64]) -> pl.DataFrame:
    """Per row (in time order): rows, critical and fraud rows of the same key BEFORE it (``n_prev``, ``c_prev``,
    ``f_prev``): a row never sees its own label or a later one, the time-ordered out-of-fold history."""
    return pl.DataFrame({"k": keys, "c": critical, "f": fraud}).with_columns(
        pl.int_range(pl.len()).over("k").cast(pl.Float64).alias("n_prev"),
        (pl.col("c").cum_sum().over("k") - pl.col("c")).alias("c_prev"),
        (pl.col("f").cum_sum().over("k") - pl.col("f")).alias("f_prev"),
    )


@dataclass
class NovelCriticalModel:
    """Smoothed critical rates of HS x country keys -> logistic regression, P(critical | fraud, novel)."""

    keys: dict[str, list[str]]
    prior_critical: float  # critical rate over all training rows
    prior_critical_fraud: float  # ... over the training fraud rows
    # key name -> {key value: [rows, critical rows, fraud rows]} over the whole training period
    tables: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    mean: list[float] = field(default_factory=list)
    scale: list[float] = field(default_factory=list)
    coef: list[float] = field(default_factory=list)
    intercept: float = 0.0

    # ---- inputs ----------------------------------------------------------------------------------------------
    def _inputs(self, n: npt.NDArray[np.float64], c: npt.NDArray[np.float64],
                f: npt.NDArray[np.float64]) -> list[npt.NDArray[np.float64]]:
        rate = (c + SMOOTHING * self.prior_critical) / (n + SMOOTHING)
        rate_f = (c + SMOOTHING * self.prior_critical_fraud) / (f + SMOOTHING)
        return [np.log(np.clip(rate, 1e-4, 1.0)), np.log(np.clip(rate_f, 1e-4, 1.0)), np.log1p(n)]

    def _design(self, frame: pl.DataFrame) -> npt.NDArray[np.float64]:
        """Inputs for scoring: statistics of the whole training period, looked up by joins (no Python per row)."""
        cols: list[npt.NDArray[np.float64]] = []
        for name, parts in self.keys.items():
            table = self.tables[name]
            counts = np.asarray(list(table.values()), dtype=np.float64).reshape(-1, 3)
            lookup = pl.DataFrame({"k": list(table), "n": counts[:, 0], "c": counts[:, 1], "f": counts[:, 2]},
                                  schema={"k": pl.String, "n": pl.Float64, "c": pl.Float64, "f": pl.Float64})
            joined = pl.DataFrame({"k": _key(frame, parts)}).join(lookup, on="k", how="left", maintain_order="left")
            arr = joined.select(pl.col("n", "c", "f").fill_null(0.0)).to_numpy()
            cols += self._inputs(arr[:, 0], arr[:, 1], arr[:, 2])
        return np.column_stack(cols) if cols else np.zeros((frame.height, 0))

    def _linear(self, z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        s = (z - np.asarray(self.mean)) / np.asarray(self.scale)
        out = 1 / (1 + np.exp(-(s @ np.asarray(self.coef) + self.intercept)))
        return np.asarray(out, dtype=np.float64)

    # ---- fit / predict ---------------------------------------------------------------------------------------
    @classmethod
    def fit(cls, x: pd.DataFrame, fraud: npt.NDArray[Any], critical: npt.NDArray[Any], novel: npt.NDArray[np.bool_],
            keys: dict[str, list[str]]) -> NovelCriticalModel | None:
        """``x``: the training feature frame in time order; ``novel``: rows whose consignment had no earlier row.

        Returns None when the novel fraud rows hold too few critical cases to fit anything."""
        y_f = np.asarray(fraud, dtype=np.float64)
        y_c = np.asarray(critical, dtype=np.float64)
        rows = novel & (y_f == 1)
        if y_c[rows].sum() < 5 or y_c[rows].sum() == rows.sum():
            return None
        frame = pl.from_pandas(x[sorted({p for ps in keys.values() for p in ps})].astype(str))
        model = cls(keys, float(y_c.mean()), float(y_c[y_f == 1].mean()) if y_f.sum() else float(y_c.mean()))
        cols: list[npt.NDArray[np.float64]] = []
        for name, parts in keys.items():
            stats = earlier(_key(frame, parts), y_c, y_f)
            cols += model._inputs(stats["n_prev"].to_numpy(), stats["c_prev"].to_numpy(), stats["f_prev"].to_numpy())
            totals = stats.group_by("k").agg(pl.len().alias("n"), pl.col("c").sum(), pl.col("f").sum())
            model.tables[name] = {str(r[0]): [int(r[1]), int(r[2]), int(r[3])] for r in totals.iter_rows()}
        z = np.column_stack(cols)[rows]
        from sklearn.linear_model import LogisticRegression

        mean, scale = z.mean(axis=0), z.std(axis=0)
        scale[scale == 0] = 1.0
        lr = LogisticRegression(C=C_REGULARISATION, max_iter=2000)
        lr.fit((z - mean) / scale, y_c[rows])
        model.mean, model.scale = mean.tolist(), scale.tolist()
        model.coef, model.intercept = lr.coef_[0].tolist(), float(lr.intercept_[0])
        return model

    def predict(self, x: pd.DataFrame) -> npt.NDArray[np.float64]:
        """P(critical | fraud, novel consignment) for each row of a feature frame."""
        if len(x) == 0:
            return np.zeros(0)
        cols = sorted({p for ps in self.keys.values() for p in ps})
        frame = pl.from_pandas(x[cols]).with_columns(pl.col(cols).cast(pl.String))
        # the inputs depend on the key columns only: score each distinct combination once (a million declarations
        # hold a few thousand), then join the probabilities back in row order
        uniq = frame.unique(maintain_order=True)
        scored = uniq.with_columns(pl.Series("p", self._linear(self._design(uniq))))
        back = frame.join(scored, on=cols, how="left", maintain_order="left", nulls_equal=True)
        return np.asarray(back["p"].to_numpy(), dtype=np.float64)

    def predict_row(self, row: dict[str, Any]) -> float:
        """The online twin of :meth:`predict` for one row (feature name -> value), dictionary lookups only."""
        cols: list[npt.NDArray[np.float64]] = []
        for name, parts in self.keys.items():
            key = "|".join("NA" if row.get(p) is None else str(row[p]) for p in parts)
            n, c, f = (np.asarray([v], dtype=np.float64) for v in self.tables[name].get(key, [0, 0, 0]))
            cols += self._inputs(n, c, f)
        return float(self._linear(np.concatenate(cols).reshape(1, -1))[0])

    # ---- artefact --------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"keys": self.keys, "prior_critical": self.prior_critical,
                "prior_critical_fraud": self.prior_critical_fraud, "smoothing": SMOOTHING, "mean": self.mean,
                "scale": self.scale, "coef": self.coef, "intercept": self.intercept, "tables": self.tables}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NovelCriticalModel:
        return cls(keys={str(k): [str(p) for p in v] for k, v in d["keys"].items()},
                   prior_critical=float(d["prior_critical"]), prior_critical_fraud=float(d["prior_critical_fraud"]),
                   tables={str(k): {str(a): [int(b) for b in v] for a, v in t.items()} for k, t in d["tables"].items()},
                   mean=[float(v) for v in d["mean"]], scale=[float(v) for v in d["scale"]],
                   coef=[float(v) for v in d["coef"]], intercept=float(d["intercept"]))
