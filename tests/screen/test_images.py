"""Perceptual hashes find near copies (resized, recompressed) and not unrelated images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from bordermark.screen.images import COUNTERFEIT, GENUINE, ImageIndex, KnownImage, hash_file


def _photo(path: Path, seed: int, size: int = 128) -> Path:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)
    Image.fromarray(base).resize((size, size), Image.Resampling.BILINEAR).save(path)
    return path


def test_near_copy_matches_and_other_image_does_not(tmp_path: Path) -> None:
    original = _photo(tmp_path / "orig.png", 1)
    copy = tmp_path / "copy.jpg"
    Image.open(original).resize((300, 300)).convert("RGB").save(copy, quality=60)
    other = _photo(tmp_path / "other.png", 2)
    index = ImageIndex([KnownImage(hash_file(original), COUNTERFEIT, "listing L1", "M1")])
    hit = index.match([str(copy)], COUNTERFEIT, 6)
    assert hit is not None and hit.source == "listing L1" and hit.distance <= 6
    assert index.match([str(other)], COUNTERFEIT, 6) is None
    assert index.match([str(copy)], GENUINE, 6) is None  # kinds are kept apart


def test_missing_image_is_no_evidence(tmp_path: Path) -> None:
    index = ImageIndex([KnownImage(0, GENUINE, "catalogue", None)], base_dir=tmp_path)
    assert index.match(["nope.jpg"], GENUINE, 6) is None
