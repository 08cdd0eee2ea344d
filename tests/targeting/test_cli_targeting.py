from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from bordermark.cli.main import app

runner = CliRunner()


def test_train_score_evaluate_select(kcs_files: tuple[Path, Path], tmp_path: Path) -> None:
    train, valid = kcs_files
    model = tmp_path / "model"
    res = runner.invoke(app, ["targeting", "train", "--format", "kcs", "--train", str(train), "--valid", str(valid),
                              "--model", str(model), "--iterations", "30", "--learning-rate", "0.3"])
    assert res.exit_code == 0, res.output
    assert (model / "fraud.cbm").exists() and "@ 10%" in res.output
    scores = tmp_path / "scores.csv"
    res = runner.invoke(app, ["targeting", "score", "--model", str(model), "--format", "kcs", "--input", str(valid),
                              "--output", str(scores)])
    assert res.exit_code == 0, res.output
    table = pl.read_csv(scores, schema_overrides={"id": pl.String})
    assert table.columns == ["id", "score", "critical_score", "rank", "reasons"] and table.height == 200
    res = runner.invoke(app, ["targeting", "evaluate", "--model", str(model), "--input", str(valid), "--json"])
    assert res.exit_code == 0, res.output
    metrics = json.loads(res.stdout)
    assert {"precision@1%", "precision@2%", "precision@5%", "precision@10%", "critical_recall@5%"} <= set(metrics)
    chosen = tmp_path / "chosen.csv"
    res = runner.invoke(app, ["select", "--scores", str(scores), "--capacity", "10%", "--explore", "20%",
                              "--output", str(chosen)])
    assert res.exit_code == 0, res.output
    sel = pl.read_csv(chosen)
    assert sel.height == 20 and sel["selected_by"].to_list().count("random") == 4


def test_bad_inputs_exit_2(kcs_files: tuple[Path, Path], tmp_path: Path) -> None:
    train, _ = kcs_files
    res = runner.invoke(app, ["targeting", "train", "--format", "nope", "--train", str(train), "--model",
                              str(tmp_path / "m")])
    assert res.exit_code == 2 and "unknown format" in res.output
    broken = tmp_path / "b.csv"
    text = train.read_text().splitlines()
    text[2] = text[2].replace("2020-", "20x0-", 1)
    broken.write_text("\n".join(text) + "\n")
    res = runner.invoke(app, ["targeting", "train", "--format", "kcs", "--train", str(broken), "--model",
                              str(tmp_path / "m")])
    assert res.exit_code == 2 and "b.csv:3: time" in res.output
    res = runner.invoke(app, ["targeting", "score", "--model", str(tmp_path / "none"), "--input", str(train),
                              "--output", str(tmp_path / "s.csv")])
    assert res.exit_code == 2


def test_simulate_weekly(kcs_files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "weeks.csv"
    res = runner.invoke(app, ["targeting", "simulate", "--format", "kcs", "--input", str(kcs_files[0]),
                              "--capacity", "10%", "--explore", "20%", "--warmup", "2", "--iterations", "20",
                              "--output", str(out)])
    assert res.exit_code == 0, res.output
    weeks = pl.read_csv(out)
    assert {"week", "inspected", "precision_targeted", "true_rate", "estimated_rate"} <= set(weeks.columns)
    assert weeks.height >= 8 and weeks["inspected"].sum() < 600 / 5
