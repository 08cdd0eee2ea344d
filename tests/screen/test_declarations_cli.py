"""End to end on a simulated world: screen declarations and parcels, train and score the targeting model."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from bordermark.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    res = runner.invoke(app, ["sim", "--seed", "7", "--size", "small", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_screen_declarations_file(world: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.csv"
    res = runner.invoke(app, ["screen", "declarations", "-i", str(world / "declarations.jsonl"),
                              "--registry", str(world / "registry"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    table = pl.read_csv(out)
    assert table.columns == ["id", "kind", "score", "alert", "brands", "reason_codes", "reasons"]
    truth = pl.read_csv(world / "truth" / "declarations.csv").select("id", "violation")
    joined = table.join(truth, on="id")
    assert joined.height == table.height
    # alerts concentrate violations well above their base rate
    assert joined.filter(pl.col("alert"))["violation"].mean() > 2 * joined["violation"].mean()


def test_screen_parcels_flags_split_series(world: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    res = runner.invoke(app, ["screen", "parcels", "-i", str(world / "parcels.jsonl"),
                              "--registry", str(world / "registry"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    table = pl.read_csv(out, infer_schema_length=None)
    truth = pl.read_csv(world / "truth" / "parcels.csv").select("id", pl.col("split_group").fill_null(""))
    joined = table.join(truth, on="id").with_columns(
        flagged=pl.col("split_flags").fill_null("") != "", split=pl.col("split_group") != "")
    assert joined.filter("flagged")["split"].mean() > 0.5
    assert joined.filter("split")["flagged"].mean() > 0.5


def test_rule_catalogue_and_bad_input(tmp_path: Path) -> None:
    res = runner.invoke(app, ["screen", "declarations", "-i", "x.jsonl", "--rules"])
    assert res.exit_code == 0 and "undervalued" in res.output
    bad = tmp_path / "p.jsonl"
    bad.write_text('{"id": "P1", "declared_at": "2025-01-01T00:00:00Z", "declared_value": -3, "currency": "USD"}\n')
    res = runner.invoke(app, ["screen", "parcels", "-i", str(bad), "--registry", str(tmp_path)])
    assert res.exit_code == 2 and "p.jsonl:1" in res.output and "declared_value" in res.output


def test_targeting_on_bordermark_format(world: Path, tmp_path: Path) -> None:
    model = tmp_path / "m"
    decl = world / "declarations.jsonl"
    res = runner.invoke(app, ["targeting", "train", "--format", "bordermark", "--train", str(decl),
                              "--model", str(model), "--iterations", "30", "--no-critical"])
    assert res.exit_code == 0, res.output
    scores = tmp_path / "s.csv"
    res = runner.invoke(app, ["targeting", "score", "--model", str(model), "--input", str(decl),
                              "--output", str(scores)])
    assert res.exit_code == 0, res.output
    assert pl.read_csv(scores).height == 1500
