"""Detection engine: registered marks and counterfeit-trade signals in text, however disguised.

Pure: no I/O apart from reading the lexicon data files shipped inside this package. See ``docs/detect.md``.

The finishing stage has an optional compiled twin, ``_fast.pyx`` (``setup.py`` builds it when Cython and a C compiler
are present): the same results, faster. A build older than its source (the ``.pyx`` edited since) would run stale
code, so it is not used then and the pure Python path runs. ``COMPILED`` names the compiled modules in use;
``tests/detect/test_compiled.py`` checks both paths give byte-identical output.
"""

from __future__ import annotations

import importlib.machinery
import sys
from pathlib import Path


def stale_build(directory: Path, name: str) -> bool:
    """True when every compiled copy of module ``name`` in ``directory`` is older than its ``.pyx`` source (also
    used by screening's compiled twin, ``bordermark.screen.compiled``)."""
    src = directory / f"{name}.pyx"
    built = [p for s in importlib.machinery.EXTENSION_SUFFIXES if (p := directory / f"{name}{s}").exists()]
    return bool(built) and src.exists() and max(p.stat().st_mtime for p in built) < src.stat().st_mtime


if f"{__name__}._fast" not in sys.modules and stale_build(Path(__file__).resolve().parent, "_fast"):
    sys.modules[f"{__name__}._fast"] = None  # type: ignore[assignment]  # import then fails: the pure path runs

from bordermark.detect import engine as _engine  # noqa: E402
from bordermark.detect.engine import BASE_SCORE, Detector  # noqa: E402
from bordermark.detect.normalise import fast_view, view_with_offsets  # noqa: E402
from bordermark.detect.types import CONTEXT_SUPPORT, Detection, Hit, Signal  # noqa: E402

COMPILED: tuple[str, ...] = ("_fast",) if _engine._fast is not None else ()
"""The compiled modules in use (empty: the pure Python path)."""

__all__ = ["BASE_SCORE", "COMPILED", "CONTEXT_SUPPORT", "Detection", "Detector", "Hit", "Signal", "fast_view",
           "stale_build", "view_with_offsets"]
