"""A registry snapshot read straight from registry files (no store): for CLI ``--registry`` and benchmarks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bordermark.domain.rights import Registry
from bordermark.registry import service


class RegistryFilesRejected(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the registry files")
        self.errors = errors


def registry_from_files(paths: Sequence[Path]) -> Registry:
    """Parse and validate registry files the way ``bordermark registry import`` does, without writing them."""
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(p.glob("*.csv")) if p.is_dir() else [p])
    parsed = service.parse_files(files)
    if parsed.errors:
        raise RegistryFilesRejected([str(e) for e in parsed.errors])
    return Registry(holders=tuple(parsed.holders.values()), marks=tuple(m for _, m in parsed.marks.values()),
                    products=tuple(p for _, p in parsed.products.values()),
                    parties=tuple(p for _, p in parsed.parties.values()))
