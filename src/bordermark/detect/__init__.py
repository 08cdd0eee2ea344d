"""Detection engine: registered marks and counterfeit-trade signals in text, however disguised.

Pure: no I/O apart from reading the lexicon data files shipped inside this package. See ``docs/detect.md``.

``engine``, ``normalise`` and ``stream`` may be compiled by Cython (``setup.py``; ``pip install -e .`` builds them
when a C compiler is present): the same source, so the same results, faster. Python prefers an extension module over
the ``.py`` of the same name, so a compiled module older than its source (the source edited since the build) would run
stale code: such a module is skipped here and its ``.py`` runs instead. ``COMPILED`` names the compiled modules in
use; ``tests/detect/test_compiled.py`` checks both paths give byte-identical output.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

_CORE = ("normalise", "engine", "stream")  # dependency order: engine imports normalise, stream imports engine


def _load(name: str) -> bool:
    """Import ``bordermark.detect.<name>``, from source when every compiled copy is older than the source; True when
    the module in use is compiled."""
    full = f"{__name__}.{name}"
    here = Path(__file__).resolve().parent
    src = here / f"{name}.py"
    built = [p for s in importlib.machinery.EXTENSION_SUFFIXES if (p := here / f"{name}{s}").exists()]
    stale = bool(built) and src.exists() and max(p.stat().st_mtime for p in built) < src.stat().st_mtime
    if stale and full not in sys.modules:
        spec = importlib.util.spec_from_file_location(full, src)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[full] = module
        spec.loader.exec_module(module)
        setattr(sys.modules[__name__], name, module)
    else:
        module = importlib.import_module(full)
    return not str(getattr(module, "__file__", "")).endswith(".py")


COMPILED: tuple[str, ...] = tuple(n for n in _CORE if _load(n))
"""The core modules running compiled (empty: the pure Python path)."""

from bordermark.detect.engine import BASE_SCORE, Detector  # noqa: E402
from bordermark.detect.normalise import fast_view, view_with_offsets  # noqa: E402
from bordermark.detect.types import CONTEXT_SUPPORT, Detection, Hit, Signal  # noqa: E402

__all__ = ["BASE_SCORE", "COMPILED", "CONTEXT_SUPPORT", "Detection", "Detector", "Hit", "Signal", "fast_view",
           "view_with_offsets"]
