"""Perceptual image hashes (imagehash pHash) and a small index of known images.

Why perceptual hashes: counterfeit shops re-use the same photos across listings and copy genuine catalogue
photos; a 64-bit pHash survives resizing and recompression, and Hamming distance finds near copies. The index
holds hashes of images from confirmed counterfeit listings (learned from review decisions) and of genuine
catalogue images (registered by right holders).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bordermark.screen.features import ImageMatch

COUNTERFEIT = "counterfeit"
GENUINE = "genuine"


def hash_file(path: str | Path) -> int:
    """The 64-bit perceptual hash of an image file as an unsigned integer."""
    import imagehash
    from PIL import Image

    with Image.open(path) as img:
        h = imagehash.phash(img)
    return int(str(h), 16)


def to_hex(value: int) -> str:
    return f"{value:016x}"


@dataclass(frozen=True)
class KnownImage:
    hash: int
    kind: str  # COUNTERFEIT | GENUINE
    source: str
    mark_id: str | None


class ImageIndex:
    """Nearest known image by Hamming distance, per kind; vectorised with numpy popcount."""

    def __init__(self, known: Iterable[KnownImage], base_dir: Path | None = None) -> None:
        self.known = list(known)
        self.base_dir = base_dir
        self._hashes = np.array([k.hash for k in self.known], dtype=np.uint64)
        self._kinds = np.array([k.kind for k in self.known], dtype=object)
        self._cache: dict[str, int | None] = {}
        # images known by reference (a catalogue URL re-used verbatim is a copy without fetching a pixel)
        self._by_ref: dict[tuple[str, str], KnownImage] = {(k.source, k.kind): k for k in self.known}
        # the match a reference gives, built once (immutable, so every listing re-using the reference shares it)
        self._ref_match = {key: ImageMatch(path=k.source, distance=0, source=k.source, mark_id=k.mark_id)
                           for key, k in self._by_ref.items()}
        # the known sources per kind, to tell at a glance whether a listing's (remote) images can match at all
        self.refs = {kind: frozenset(k.source for k in self.known if k.kind == kind) for kind in (COUNTERFEIT, GENUINE)}
        # the same matches per kind, by source: one lookup per listing image (screening's compiled loop)
        self.ref_matches: dict[str, dict[str, ImageMatch]] = {COUNTERFEIT: {}, GENUINE: {}}
        for (source, kind), m in self._ref_match.items():
            self.ref_matches.setdefault(kind, {})[source] = m

    def __len__(self) -> int:
        return len(self.known)

    def hash_of(self, path: str) -> int | None:
        """Hash a listing image once; a missing or unreadable file yields ``None`` (no image evidence)."""
        if path in self._cache:
            return self._cache[path]
        p = Path(path)
        if not p.is_absolute() and self.base_dir is not None:
            p = self.base_dir / p
        try:
            value: int | None = hash_file(p)
        except (OSError, ValueError):
            value = None
        if len(self._cache) < 200_000:
            self._cache[path] = value
        return value

    def nearest(self, value: int, kind: str, max_distance: int) -> tuple[int, KnownImage] | None:
        if not self.known:
            return None
        dist = np.bitwise_count(self._hashes ^ np.uint64(value))
        mask = self._kinds == kind
        if not mask.any():
            return None
        masked = np.where(mask, dist, 65)
        i = int(masked.argmin())
        d = int(masked[i])
        return (d, self.known[i]) if d <= max_distance else None

    def match(self, paths: Iterable[str], kind: str, max_distance: int) -> ImageMatch | None:
        best: ImageMatch | None = None
        for path in paths:
            ref = self._ref_match.get((path, kind))
            if ref is not None:
                return ref
            if "://" in path:  # remote images are not fetched during screening
                continue
            value = self.hash_of(path)
            if value is None:
                continue
            found = self.nearest(value, kind, max_distance)
            if found and (best is None or found[0] < best.distance):
                best = ImageMatch(path=path, distance=found[0], source=found[1].source, mark_id=found[1].mark_id)
        return best
