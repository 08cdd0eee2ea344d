"""Targeting fixtures: small KCS-shaped train/valid files with a learnable signal, and one trained model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bordermark.ingest import load_mapping, read_frame
from bordermark.targeting import TargetingModel, TrainConfig
from tests.ingest.kcs_fixture import write_kcs

FAST = TrainConfig(iterations=40, critical_iterations=40, learning_rate=0.3, depth=4)


@pytest.fixture(scope="session")
def kcs_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("kcs")
    return write_kcs(d / "train.csv", n=600, seed=1), write_kcs(d / "valid.csv", n=200, seed=2, start_day=61)


@pytest.fixture(scope="session")
def trained(kcs_files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    mapping = load_mapping("kcs")
    train, valid = (read_frame(p, mapping) for p in kcs_files)
    model = TargetingModel.train(train, mapping, FAST, valid=valid, data_hash="abc")
    return model.save(tmp_path_factory.mktemp("model") / "m")
