"""Selection under inspection capacity, with random exploration and an unbiased estimate of what is missed.

Why exploration: if officers only open what the model ranks highest, the labels describe only those parcels; the
true violation rate and the violations the model misses become invisible, and the model drifts unseen. A share of
uniformly random picks among the rest gives each record a known inclusion probability (propensity), so the
Horvitz-Thompson (inverse-propensity-weighted) sum of observed violations estimates the total without bias: the way
the US 2019 blitzes measured ~14 % violations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from bordermark.ingest.frame import ID, TIME
from bordermark.targeting.metrics import rank_order, top_k


def parse_share(text: str | float | int) -> float | int:
    """``"5%"`` -> 0.05 (a share), ``"200"`` -> 200 (a count), ``0.1`` -> 0.1."""
    if isinstance(text, int | float):
        return text
    t = text.strip()
    if t.endswith("%"):
        value = float(t[:-1]) / 100
        if not 0 <= value <= 1:
            raise ValueError(f"{text!r}: a percentage must be between 0 % and 100 %")
        return value
    try:
        return int(t)
    except ValueError:
        value = float(t)
        if not 0 <= value <= 1:
            raise ValueError(f"{text!r}: give a count (200), a share (0.05) or a percentage (5%)") from None
        return value


@dataclass(frozen=True)
class Selection:
    """Rows chosen for inspection; ``propensity[i]`` is row i's probability of being chosen (1 for targeted)."""

    targeted: npt.NDArray[np.int64]
    random: npt.NDArray[np.int64]
    propensity: npt.NDArray[np.float64]

    @property
    def chosen(self) -> npt.NDArray[np.int64]:
        return np.concatenate([self.targeted, self.random])


def select(
    scores: npt.ArrayLike, capacity: float | int, explore: float = 0.1, seed: int = 0
) -> Selection:
    """Top (1 - explore) of the capacity by score, the rest drawn uniformly from the remaining rows."""
    s = np.asarray(scores, dtype=float)
    n = len(s)
    if not 0 <= explore <= 1:
        raise ValueError("explore must be a share between 0 and 1")
    k = min(n, int(capacity)) if isinstance(capacity, int) and capacity >= 1 else top_k(n, float(capacity))
    k_random = round(k * explore)
    k_target = k - k_random
    order = rank_order(s)
    targeted = order[:k_target]
    rest = order[k_target:]
    rng = np.random.default_rng(seed)
    random = np.sort(rng.choice(rest, size=min(k_random, len(rest)), replace=False)) if k_random else rest[:0]
    propensity = np.zeros(n)
    propensity[targeted] = 1.0
    if len(rest):
        propensity[rest] = len(random) / len(rest)
    return Selection(targeted=targeted.astype(np.int64), random=random.astype(np.int64), propensity=propensity)


@dataclass(frozen=True)
class Estimate:
    """What the inspections tell about the whole population, weighted by inverse propensity."""

    population: int
    inspected: int
    found: int
    violation_rate: float  # estimated share of violating records in the whole population
    missed_rate: float  # estimated share of violations among records targeting did not pick
    targeting_recall: float  # estimated share of all violations that targeting picked


def ipw_estimate(selection: Selection, outcomes: npt.ArrayLike) -> Estimate:
    """Horvitz-Thompson estimates from the outcomes of the chosen rows (``outcomes`` aligned with ``chosen``)."""
    y = np.asarray(outcomes, dtype=float)
    chosen = selection.chosen
    n = len(selection.propensity)
    weights = 1.0 / selection.propensity[chosen]
    total = float((y * weights).sum())
    n_t = len(selection.targeted)
    found_t = float(y[:n_t].sum())
    missed_total = float((y[n_t:] * weights[n_t:]).sum())
    rest = n - n_t
    return Estimate(
        population=n,
        inspected=len(chosen),
        found=int(y.sum()),
        violation_rate=total / n if n else float("nan"),
        missed_rate=missed_total / rest if rest and len(selection.random) else float("nan"),
        targeting_recall=found_t / total if total > 0 else float("nan"),
    )


@dataclass
class WeekResult:
    week: str
    population: int
    inspected: int
    precision_targeted: float
    true_rate: float
    estimated_rate: float
    true_recall: float
    estimated_recall: float


@dataclass
class SimulationResult:
    weeks: list[WeekResult] = field(default_factory=list)

    def to_frame(self) -> pl.DataFrame:
        return pl.DataFrame([w.__dict__ for w in self.weeks])


Scorer = Callable[[pl.DataFrame], npt.NDArray[np.float64]]


def simulate_weeks(
    frame: pl.DataFrame,
    train: Callable[[pl.DataFrame], Scorer],
    capacity: float | int = 0.05,
    explore: float = 0.1,
    warmup_weeks: int = 4,
    seed: int = 0,
    retrain_every: int = 1,
) -> SimulationResult:
    """Replay a labelled history week by week; the model only ever learns the labels of what it inspected.

    Warm-up weeks are inspected at random (no model yet). Each later week: score, select, reveal the chosen rows'
    labels, compare the IPW estimate with the true rate (known here because ``frame`` is fully labelled).
    """
    frame = frame.sort(TIME, maintain_order=True).with_columns(pl.col(TIME).dt.truncate("1w").alias("_week"))
    weeks = frame["_week"].unique(maintain_order=True).to_list()
    known: list[pl.DataFrame] = []
    scorer: Scorer | None = None
    result = SimulationResult()
    for i, week in enumerate(weeks):
        batch = frame.filter(pl.col("_week") == week)
        y = batch["fraud"].cast(pl.Float64).to_numpy()
        if scorer is None or i < warmup_weeks:
            scores = np.zeros(batch.height)
            sel = select(scores, capacity, explore=1.0, seed=seed + i)
        else:
            scores = scorer(batch)
            sel = select(scores, capacity, explore=explore, seed=seed + i)
        chosen = sel.chosen
        est = ipw_estimate(sel, y[chosen])
        true_total = y.sum()
        hit_t = y[sel.targeted].sum()
        result.weeks.append(
            WeekResult(
                week=str(week)[:10],
                population=batch.height,
                inspected=len(chosen),
                precision_targeted=float(y[sel.targeted].mean()) if len(sel.targeted) else float("nan"),
                true_rate=float(y.mean()),
                estimated_rate=est.violation_rate,
                true_recall=float(hit_t / true_total) if true_total else float("nan"),
                estimated_recall=est.targeting_recall,
            )
        )
        known.append(batch[chosen.tolist()].drop("_week"))
        labelled = pl.concat(known, how="vertical_relaxed")
        ready = i + 1 >= warmup_weeks and labelled["fraud"].n_unique() > 1
        if ready and (scorer is None or (i + 1 - warmup_weeks) % retrain_every == 0):
            scorer = train(labelled)
    return result


def selection_frame(ids: pl.Series, scores: npt.ArrayLike, selection: Selection) -> pl.DataFrame:
    """``id, score, selected_by, propensity`` for the chosen rows, targeted first in rank order."""
    s = np.asarray(scores, dtype=float)
    chosen = selection.chosen
    by = ["target"] * len(selection.targeted) + ["random"] * len(selection.random)
    return pl.DataFrame(
        {
            ID: ids[chosen.tolist()],
            "score": s[chosen],
            "selected_by": by,
            "propensity": selection.propensity[chosen],
        }
    )
