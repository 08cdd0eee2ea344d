"""Which compiled twins of screening's loops are in use (``_fast.pyx``, built by ``setup.py`` when it can).

Why apart: the pure Python paths (``engine.py``, ``io.py``) are complete and stay the reference; the compiled
module is optional. A build older than its source (the ``.pyx`` edited since) would run stale code, so it is not
used then and the pure path runs. ``tests/screen/test_compiled.py`` checks both paths give identical output.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

from bordermark.detect import stale_build


def _load() -> ModuleType | None:
    if "bordermark.screen._fast" not in sys.modules and stale_build(Path(__file__).resolve().parent, "_fast"):
        sys.modules["bordermark.screen._fast"] = None  # type: ignore[assignment]  # import fails: pure path
    try:
        from bordermark.screen import _fast
    except ImportError:
        return None
    return _fast


fast: ModuleType | None = _load()
"""The compiled module, or ``None`` (the pure Python path runs)."""

COMPILED: tuple[str, ...] = ("_fast",) if fast is not None else ()
"""The compiled modules in use (empty: the pure Python path)."""
