from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from bordermark.ingest import IngestError, load_mapping, read_frame
from bordermark.targeting import OnlineScorer, TargetingModel


def test_artefact_directory_holds_model_features_hash_metrics(trained: Path) -> None:
    assert {p.name for p in trained.iterdir()} == {
        "fraud.cbm", "critical.cbm", "novel.json", "features.json", "manifest.json", "metrics.json"}
    manifest = json.loads((trained / "manifest.json").read_text())
    assert manifest["train_hash"] == "abc" and manifest["mapping"]["name"] == "kcs"
    assert manifest["train_rows"] == 600
    features = json.loads((trained / "features.json").read_text())
    assert "importer" in features["categorical"] and "log_value" in features["numeric"]
    metrics = json.loads((trained / "metrics.json").read_text())
    assert 0 <= metrics["valid"]["precision@10%"] <= 1


def test_model_learns_the_signal_and_reloads_identically(trained: Path, kcs_files: tuple[Path, Path]) -> None:
    model = TargetingModel.load(trained)
    valid = read_frame(kcs_files[1], load_mapping("kcs"))
    f, c = model.predict(valid)
    assert c is not None and f.shape == c.shape == (200,)
    m = model.evaluate(valid)
    assert m["precision@10%"] > 0.8 > m["positive_rate"]
    again, _ = TargetingModel.load(trained).predict(valid)
    assert np.array_equal(f, again)


def test_score_frame_ranks_and_explains_the_top(trained: Path, kcs_files: tuple[Path, Path]) -> None:
    model = TargetingModel.load(trained)
    valid = read_frame(kcs_files[1], load_mapping("kcs"))
    scored = model.score_frame(valid, reasons_top=10)
    assert scored.columns == ["id", "score", "critical_score", "rank", "reasons"]
    assert sorted(scored["rank"].to_list()) == list(range(1, 201))
    top = scored.sort("rank").head(10)
    assert top["score"].to_list() == sorted(top["score"].to_list(), reverse=True)
    assert all(top["reasons"].to_list())
    assert scored.filter(pl.col("rank") > 10)["reasons"].to_list() == [""] * 190
    assert any("hs_code" in r or "importer" in r for r in top["reasons"].to_list())


def test_online_scorer_matches_batch(trained: Path, kcs_files: tuple[Path, Path]) -> None:
    model = TargetingModel.load(trained)
    scorer = OnlineScorer(model)
    raw = pl.read_csv(kcs_files[1], infer_schema_length=0)
    record = raw.row(0, named=True)
    out = scorer.score(record)
    batch, _ = model.predict(read_frame(kcs_files[1], load_mapping("kcs")))
    assert out["id"] == record["Declaration ID"]
    assert out["score"] == pytest.approx(batch[0], abs=1e-9)
    assert set(out) == {"id", "score", "critical_score", "reasons"}
    bad = dict(record, **{"Net Mass": "heavy"})
    with pytest.raises(IngestError, match="mass_kg"):
        scorer.score(bad)


def test_training_needs_labels(kcs_files: tuple[Path, Path]) -> None:
    mapping = load_mapping("kcs")
    frame = read_frame(kcs_files[0], mapping).drop("fraud")
    with pytest.raises(ValueError, match="no labels"):
        TargetingModel.train(frame, mapping)


def test_load_refuses_other_directories(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        TargetingModel.load(tmp_path)


def test_goods_keys_join_hs_code_countries_and_tariff(kcs_files: tuple[Path, Path]) -> None:
    from bordermark.targeting.features import build_features, feature_spec

    kcs = load_mapping("kcs")
    spec = feature_spec(kcs)
    assert spec.combos == {
        "goods_key": ["hs_code", "country_of_departure", "origin"],
        "goods_tariff_key": ["hs_code", "country_of_departure", "origin", "tax_type", "tax_rate_code"],
        "consignment_key": ["hs_code", "country_of_departure", "origin", "tax_type", "tax_rate_code",
                            "mass_kg_code", "value_code"],
    }
    assert {"goods_key", "goods_tariff_key", "consignment_key", "tax_rate_code"} <= set(spec.categorical)
    frame = read_frame(kcs_files[0], kcs)
    x = build_features(frame, kcs, spec)
    row = frame.row(0, named=True)
    rate = str(round(row["tax_rate"] * 10000))
    assert x["tax_rate_code"][0] == rate
    assert x["goods_tariff_key"][0] == "|".join(
        [row["hs_code"], row["country_of_departure"], row["origin"], row["tax_type"], rate])
    mass, value = (str(math.floor(row[f] * 10000 + 0.5)) for f in ("mass_kg", "value"))
    assert x["consignment_key"][0] == f"{x['goods_tariff_key'][0]}|{mass}|{value}"
    # a format without tariff fields gets the HS x countries key, and with mass and value the consignment key
    own = feature_spec(load_mapping("bordermark"))
    assert own.combos == {"goods_key": ["hs_code", "country_of_departure", "origin"],
                          "consignment_key": ["hs_code", "country_of_departure", "origin", "mass_kg_code",
                                              "value_code"]}


def test_online_features_equal_batch_features(trained: Path, kcs_files: tuple[Path, Path]) -> None:
    """The online path builds every feature, goods keys included, exactly as the batch path does."""
    from bordermark.targeting.features import build_features

    model = TargetingModel.load(trained)
    scorer = OnlineScorer(model)
    raw = pl.read_csv(kcs_files[1], infer_schema_length=0)
    batch = build_features(read_frame(kcs_files[1], model.mapping), model.mapping, model.spec)
    n_cat = len(model.spec.categorical)
    for i in (0, 1, 17, 199):
        _, rows = scorer._features(raw.row(i, named=True))
        expected = batch.iloc[i].tolist()
        assert rows[0][:n_cat] == [str(v) for v in expected[:n_cat]]
        assert rows[0][n_cat:] == pytest.approx(expected[n_cat:], nan_ok=True)


@pytest.mark.parametrize(("price", "mass"), [("1e305", "12.5"), ("-5", "3"), ("2e15", "1e15"), ("-1", "-0.001"),
                                           ("0", "0")])
def test_online_scores_odd_amounts_as_batch_does(trained: Path, kcs_files: tuple[Path, Path], tmp_path: Path,
                                                 price: str, mass: str) -> None:
    """Amounts whose code overflows a 64-bit integer, negative prices and a zero divisor: the online path gives the
    batch path's features and scores instead of raising (OverflowError / ValueError / ZeroDivisionError)."""
    from bordermark.targeting.features import build_features

    model = TargetingModel.load(trained)
    scorer = OnlineScorer(model)
    raw = pl.read_csv(kcs_files[1], infer_schema_length=0).head(3).with_columns(
        pl.lit(price).alias("Item Price"), pl.lit(mass).alias("Net Mass"))
    path = tmp_path / "odd.csv"
    raw.write_csv(path)
    frame = read_frame(path, model.mapping)
    batch = build_features(frame, model.mapping, model.spec)
    fraud, critical = model.predict(frame)
    n_cat = len(model.spec.categorical)
    for i in range(raw.height):
        _, rows = scorer._features(raw.row(i, named=True))
        expected = batch.iloc[i].tolist()
        assert rows[0][:n_cat] == [str(v) for v in expected[:n_cat]]
        assert rows[0][n_cat:] == pytest.approx(expected[n_cat:], nan_ok=True)
        online = scorer.score(raw.row(i, named=True), explain=False)
        assert online["score"] == pytest.approx(fraud[i], abs=1e-9)
        assert online["critical_score"] == pytest.approx(critical[i], abs=1e-9)


@pytest.mark.parametrize("cap", [None, 0.1])
def test_critical_score_is_capped_p_fraud_times_p_critical_given_fraud(
    kcs_files: tuple[Path, Path], cap: float | None,
) -> None:
    from dataclasses import replace

    from tests.targeting.conftest import FAST

    mapping = load_mapping("kcs")
    train, valid = (read_frame(p, mapping) for p in kcs_files)
    # without the novel-consignment model, which takes over the fixture's (all unseen) valid consignments
    model = TargetingModel.train(train, mapping, replace(FAST, critical_fraud_cap=cap, critical_novel=False))
    assert model.novel is None
    assert model.critical is not None and model.manifest["config"]["critical_given_fraud"]
    f, c = model.predict(valid)
    assert c is not None
    # the critical model alone is P(critical | fraud): multiplied by P(fraud), capped where a cap is set, it gives
    # critical_score; with the cap, declarations the fraud model finds plausible are ranked by the critical model
    alone = model.critical.predict(model._pool(valid), prediction_type="Probability")[:, 1]
    assert c == pytest.approx(alone * (f if cap is None else np.minimum(f, cap)), rel=1e-6)
    if cap is not None:
        plausible = f >= cap
        assert plausible.sum() > 10
        order = np.argsort(-c[plausible], kind="stable")
        assert order.tolist() == np.argsort(-alone[plausible], kind="stable").tolist()
    m = model.evaluate(valid)
    assert m["critical_recall@10%"] >= 0.8


def test_a_repeated_consignment_carries_its_history(kcs_files: tuple[Path, Path], tmp_path: Path) -> None:
    """A consignment (goods, countries, tariff, mass and value) seen critical before ranks among the top when it comes
    again, though nothing else about it looks like the fixture's critical cases; the same goods at another value,
    earlier ordinary fraud, do not."""
    from tests.targeting.conftest import FAST

    mapping = load_mapping("kcs")
    raw = pl.read_csv(kcs_files[0], infer_schema_length=0)
    template = raw.filter(pl.col("Fraud") == "0").row(0, named=True)
    again = [dict(template, **{"Declaration ID": f"R{i}", "Date": f"2020-0{1 + i}-15", "Importer ID": f"IMP{i}",
                               "Fraud": "1", "Critical Fraud": "2"}) for i in range(6)]
    # the same goods at other values were ordinary fraud: the goods alone do not say "critical"
    ordinary = [dict(template, **{"Declaration ID": f"O{i}", "Date": f"2020-0{1 + i}-16", "Importer ID": f"IMP{i}",
                                  "Item Price": str(float(template["Item Price"]) * (2 + i)), "Fraud": "1",
                                  "Critical Fraud": "1"}) for i in range(6)]
    train_file = tmp_path / "train.csv"
    pl.concat([raw, pl.DataFrame(again), pl.DataFrame(ordinary)]).write_csv(train_file)
    later = [dict(template, **{"Declaration ID": "SAME", "Date": "2020-04-01", "Importer ID": "IMP99"}),
             dict(template, **{"Declaration ID": "OTHER", "Date": "2020-04-01", "Importer ID": "IMP99",
                               "Item Price": str(float(template["Item Price"]) * 1.37)})]
    valid_raw = pl.read_csv(kcs_files[1], infer_schema_length=0)
    valid_file = tmp_path / "valid.csv"
    pl.concat([valid_raw, pl.DataFrame(later)]).write_csv(valid_file)
    model = TargetingModel.train(read_frame(train_file, mapping), mapping, FAST)
    valid = read_frame(valid_file, mapping)
    f, c = model.predict(valid)
    assert c is not None
    ids = valid["id"].to_list()
    same, other = ids.index("SAME"), ids.index("OTHER")
    labelled = valid["critical"].fill_null(0).to_numpy()[: len(ids) - 2] > 0
    assert f[same] > 0.5
    # above every declaration of the ordinary valid file that is not critical, and far above its other-value twin
    assert c[same] > c[: len(ids) - 2][~labelled].max() and c[other] < c[same] / 10


def test_unseen_amounts_are_scored_as_unseen_without_changing_a_prediction(
    trained: Path, kcs_files: tuple[Path, Path],
) -> None:
    """Closed-vocabulary features (amounts, consignment key) keep the training vocabulary in the artefact; a value
    outside it becomes UNSEEN, which CatBoost scores exactly as the raw unseen value."""
    from dataclasses import replace

    from bordermark.targeting.features import UNSEEN, build_features

    model = TargetingModel.load(trained)
    spec = model.spec
    assert set(spec.closed) == {"mass_kg_code", "value_code", "consignment_key"}
    assert set(spec.vocab) == set(spec.closed) and all(spec.vocab.values())
    train = read_frame(kcs_files[0], model.mapping)
    seen = build_features(train.head(5), model.mapping, spec)
    assert UNSEEN not in set(seen["consignment_key"].astype(str))  # training rows keep their own values
    valid = read_frame(kcs_files[1], model.mapping)
    closed = build_features(valid, model.mapping, spec)
    raw = build_features(valid, model.mapping, replace(spec, vocab={}))
    assert set(closed["consignment_key"].astype(str)) == {UNSEEN}  # the fixture's amounts are drawn afresh
    assert UNSEEN not in set(raw["consignment_key"].astype(str))
    model.novel = None  # CatBoost alone: the novel-consignment model keys on UNSEEN itself (tested below)
    f_closed, c_closed = model.predict(features=closed)
    f_raw, c_raw = model.predict(features=raw)
    assert np.array_equal(f_closed, f_raw)
    assert c_closed is not None and c_raw is not None and np.array_equal(c_closed, c_raw)
    # the online path maps unseen values the same way
    record = pl.read_csv(kcs_files[1], infer_schema_length=0).row(3, named=True)
    _, rows = OnlineScorer(model)._features(record)
    assert rows[0][spec.categorical.index("consignment_key")] == UNSEEN


def test_novel_consignments_are_ranked_by_the_novel_model(trained: Path, kcs_files: tuple[Path, Path]) -> None:
    """Declarations whose consignment key never occurred in training get P(critical | fraud) from the novel model
    (weight 1 = it alone); consignments seen in training keep the CatBoost critical model; online = batch."""
    from bordermark.targeting.features import build_features

    model = TargetingModel.load(trained)
    assert model.novel is not None and model.critical is not None
    assert model.manifest["config"]["critical_novel_weight"] == 1.0
    cap = model.manifest["config"]["critical_fraud_cap"]
    mapping = model.mapping
    valid = read_frame(kcs_files[1], mapping)  # every consignment new (amounts drawn afresh)
    x = build_features(valid, mapping, model.spec)
    f, c = model._raw(x=x)
    q = model.novel.predict(x)
    assert c is not None and q.shape == (200,) and q.min() > 0 and q.max() < 1
    assert c == pytest.approx(q * np.minimum(f, cap), rel=1e-6)
    train = read_frame(kcs_files[0], mapping)  # every consignment seen
    xt = build_features(train, mapping, model.spec)
    ft, ct = model._raw(x=xt)
    alone = model.critical.predict(model._pool(train), prediction_type="Probability")[:, 1]
    assert ct is not None and ct == pytest.approx(alone * np.minimum(ft, cap), rel=1e-6)
    # the novel model's rates follow the fixture's signal: critical = fraud goods from CN at a low price
    assert q[(valid["critical"].fill_null(0) > 0).to_numpy()].mean() > q.mean()
    scorer = OnlineScorer(model)
    raw = pl.read_csv(kcs_files[1], infer_schema_length=0)
    _, cb = model.predict(valid)
    assert cb is not None
    for i in (0, 7, 150):
        assert scorer.score(raw.row(i, named=True), explain=False)["critical_score"] == pytest.approx(cb[i], rel=1e-9)


def test_novel_model_counts_the_training_period_and_scores_online_like_batch() -> None:
    """The key tables hold the whole training period (rows, critical, fraud); one row online = the batch path."""
    import pandas as pd

    from bordermark.targeting.novel import NovelCriticalModel

    n = 60
    x = pd.DataFrame({"hs": ["A", "B"] * (n // 2), "dep": ["CN"] * n})
    fraud = np.ones(n)
    critical = np.array([1.0 if (i % 2 == 0 and i % 4 == 0) else 0.0 for i in range(n)])
    novel = np.ones(n, dtype=bool)
    model = NovelCriticalModel.fit(x, fraud, critical, novel, {"hs": ["hs"], "dep": ["dep"]})
    assert model is not None
    assert model.tables["hs"] == {"A": [30, 15, 30], "B": [30, 0, 30]}
    p = model.predict(pd.DataFrame({"hs": ["A", "B", "Z"], "dep": ["CN"] * 3}))
    assert p[0] > p[1]  # key A carried every critical case
    row = model.predict_row({"hs": "A", "dep": "CN"})
    assert row == pytest.approx(p[0], rel=1e-12)
    again = NovelCriticalModel.from_dict(model.to_dict())
    assert np.array_equal(again.predict(pd.DataFrame({"hs": ["A", "B"], "dep": ["CN", "CN"]})), p[:2])


def test_novel_model_histories_use_earlier_rows_only() -> None:
    from bordermark.targeting.novel import earlier

    keys = pl.Series(["A", "B", "A", "A", "B"])
    out = earlier(keys, np.array([1.0, 0.0, 0.0, 1.0, 1.0]), np.array([1.0, 1.0, 0.0, 1.0, 1.0]))
    assert out["n_prev"].to_list() == [0, 0, 1, 2, 1]
    assert out["c_prev"].to_list() == [0, 0, 1, 1, 0]  # row 4 (B, critical) sees only row 1's label
    assert out["f_prev"].to_list() == [0, 0, 1, 1, 1]
