"""Optional compiled part of the detection engine: the typed finishing stage ``bordermark/detect/_fast.pyx``.

Why a setup.py: setuptools' declarative ``ext-modules`` cannot make an extension optional, and this one must be: the
engine's pure Python path (:meth:`bordermark.detect.engine.Detector._finish`) gives the same results. When Cython or
a C compiler is missing, or the build fails, the install goes on without it (``bordermark.detect.COMPILED`` says
which path is in use). Everything else is configured in ``pyproject.toml``.
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
            print(f"warning: compiled detection stage not built ({exc}); the pure Python path is used",
                  file=sys.stderr)

    def build_extension(self, ext):  # type: ignore[no-untyped-def]
        try:
            super().build_extension(ext)
        except Exception as exc:
            print(f"warning: {ext.name} not compiled ({exc}); the pure Python path is used", file=sys.stderr)


def ext_modules() -> list[object]:
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("warning: Cython not installed; the detection engine runs as pure Python", file=sys.stderr)
        return []
    from setuptools import Extension

    ext = Extension("bordermark.detect._fast", ["src/bordermark/detect/_fast.pyx"])
    try:
        return list(cythonize([ext], build_dir="build/cython", quiet=True))
    except Exception as exc:
        print(f"warning: Cython could not translate the detection stage ({exc}); pure Python is used",
              file=sys.stderr)
        return []


setup(ext_modules=ext_modules(), cmdclass={"build_ext": OptionalBuildExt})
