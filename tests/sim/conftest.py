"""One small world per test session: generating it takes seconds, every test reads it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bordermark.sim import SimParams, Size, generate
from bordermark.sim.reader import WorldReader


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world") / "w7"
    generate(out, seed=7, params=SimParams(size=Size.small))
    return out


@pytest.fixture(scope="session")
def world(world_dir: Path) -> Iterator[WorldReader]:
    yield WorldReader(world_dir)
