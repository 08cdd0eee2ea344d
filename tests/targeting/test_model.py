from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from bordermark.ingest import IngestError, load_mapping, read_frame
from bordermark.targeting import OnlineScorer, TargetingModel


def test_artefact_directory_holds_model_features_hash_metrics(trained: Path) -> None:
    assert {p.name for p in trained.iterdir()} == {
        "fraud.cbm", "critical.cbm", "features.json", "manifest.json", "metrics.json"}
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
