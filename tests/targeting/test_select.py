from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from bordermark.targeting.select import ipw_estimate, parse_share, select, selection_frame, simulate_weeks


def test_parse_share() -> None:
    assert parse_share("5%") == 0.05
    assert parse_share("200") == 200
    assert parse_share("0.1") == 0.1
    with pytest.raises(ValueError):
        parse_share("150%")
    with pytest.raises(ValueError):
        parse_share("2.5")


def test_select_splits_capacity_and_sets_propensities() -> None:
    scores = np.arange(100, dtype=float)
    sel = select(scores, 0.1, explore=0.2, seed=3)
    assert len(sel.targeted) == 8 and len(sel.random) == 2
    assert set(sel.targeted.tolist()) == set(range(92, 100))
    assert not set(sel.random.tolist()) & set(sel.targeted.tolist())
    assert np.all(sel.propensity[sel.targeted] == 1.0)
    assert sel.propensity[0] == pytest.approx(2 / 92)
    assert select(scores, 10, explore=0.0).random.size == 0


def test_ipw_estimate_is_unbiased_where_targeting_is_blind() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    y = (rng.random(n) < 0.14).astype(float)
    scores = y * 0.3 + rng.random(n)  # weakly informative model
    estimates = []
    for seed in range(300):
        sel = select(scores, 0.05, explore=0.5, seed=seed)
        estimates.append(ipw_estimate(sel, y[sel.chosen]).violation_rate)
    assert abs(np.mean(estimates) - y.mean()) < 0.01
    sel = select(scores, 0.05, explore=0.5, seed=1)
    naive = y[sel.chosen].mean()
    assert naive > y.mean()  # inspected rows over-represent violations; the estimate corrects for it


def test_selection_frame_columns() -> None:
    sel = select([0.1, 0.9, 0.5, 0.3], 2, explore=0.5, seed=0)
    out = selection_frame(pl.Series(["a", "b", "c", "d"]), [0.1, 0.9, 0.5, 0.3], sel)
    assert out.columns == ["id", "score", "selected_by", "propensity"]
    assert out.row(0) == ("b", 0.9, "target", 1.0)
    assert out["selected_by"].to_list() == ["target", "random"]


def test_weekly_simulation_reveals_only_inspected_labels() -> None:
    rng = np.random.default_rng(1)
    n = 1400
    risky = rng.random(n) < 0.2
    fraud = np.where(risky, rng.random(n) < 0.8, rng.random(n) < 0.05).astype(int)
    frame = pl.DataFrame({
        "id": [f"x{i}" for i in range(n)],
        "time": pl.datetime_range(pl.datetime(2024, 1, 1), pl.datetime(2024, 3, 31), "1h", eager=True)[:n],
        "risky": risky,
        "fraud": fraud,
    })
    seen_sizes = []

    def train(known: pl.DataFrame):  # a "model": fraud rate of each value of 'risky' among inspected rows
        seen_sizes.append(known.height)
        rates = known.group_by("risky").agg(pl.col("fraud").mean())
        table = dict(zip(rates["risky"].to_list(), rates["fraud"].to_list(), strict=True))
        return lambda batch: np.array([table.get(r, 0.0) for r in batch["risky"].to_list()], dtype=float)

    result = simulate_weeks(frame, train, capacity=0.1, explore=0.2, warmup_weeks=2)
    table = result.to_frame()
    assert table.height >= 8
    assert seen_sizes == sorted(seen_sizes) and seen_sizes[-1] < n / 5  # only inspected rows are ever labelled
    late = table.slice(3)
    assert late["precision_targeted"].mean() > 0.5 > table["true_rate"].mean()
