"""Optional compiled parts: typed Cython twins of hot pure-Python paths (``EXTENSIONS`` below).

Why a setup.py: setuptools' declarative ``ext-modules`` cannot make an extension optional, and these must be: e.g. the
engine's pure Python path (:meth:`bordermark.detect.engine.Detector._finish`) gives the same results. When Cython or
a C compiler is missing, or the build fails, the install goes on without it (``bordermark.detect.COMPILED`` says
which path is in use; each compiled twin has such a flag). Everything else is configured in ``pyproject.toml``.
"""

from __future__ import annotations

import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """Build the extension when possible; never fail the install over it (the pure path is complete)."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, missing headers: the pure Python path stays in use
            print(f"warning: compiled twins not built ({exc}); the pure Python paths are used", file=sys.stderr)

    def build_extension(self, ext):  # type: ignore[no-untyped-def]
        try:
            super().build_extension(ext)
        except Exception as exc:
            print(f"warning: {ext.name} not compiled ({exc}); the pure Python path is used", file=sys.stderr)


# Each compiled twin of a pure Python path: (module, source). Every one is optional on its own: ``ext.optional``
# also keeps a failed one from stopping the in-place copy of the others (setuptools copies extensions in order and
# stops at the first missing non-optional one).
EXTENSIONS = [
    ("bordermark.detect._fast", "src/bordermark/detect/_fast.pyx"),
    ("bordermark.screen._fast", "src/bordermark/screen/_fast.pyx"),
]


def ext_modules() -> list[object]:
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("warning: Cython not installed; the pure Python paths are used", file=sys.stderr)
        return []
    from setuptools import Extension

    built: list[object] = []
    for name, source in EXTENSIONS:
        try:
            exts = cythonize([Extension(name, [source])], build_dir="build/cython", quiet=True)
            for ext in exts:  # set after cythonize, which makes new Extension objects
                ext.optional = True
            built.extend(exts)
        except Exception as exc:
            print(f"warning: Cython could not translate {name} ({exc}); its pure Python path is used",
                  file=sys.stderr)
    return built


setup(ext_modules=ext_modules(), cmdclass={"build_ext": OptionalBuildExt})
