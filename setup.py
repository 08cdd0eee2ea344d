"""Optional compiled detection core: Cython compiles the detection engine's own Python modules unchanged.

Why a setup.py: setuptools' declarative ``ext-modules`` only compiles C (or ``.pyx``) sources, while the detection
core is ordinary Python that must stay importable without a compiler. Cython turns ``engine.py``, ``normalise.py``
and ``stream.py`` into extension modules of the same name, which Python then prefers over the ``.py`` files. When
Cython or a C compiler is missing, or the build fails, the install goes on and the same ``.py`` files run as they are
(``bordermark.detect.COMPILED`` says which path is in use). Everything else is configured in ``pyproject.toml``.
"""

from __future__ import annotations

import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = ["engine", "normalise", "stream"]


class OptionalBuildExt(build_ext):
    """Build the compiled core when possible; never fail the install over it (the pure path is complete)."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, missing headers: the pure Python modules stay in use
            print(f"warning: compiled detection core not built ({exc}); the pure Python path is used",
                  file=sys.stderr)

    def build_extension(self, ext):  # type: ignore[no-untyped-def]
        try:
            super().build_extension(ext)
        except Exception as exc:
            print(f"warning: {ext.name} not compiled ({exc}); its pure Python module is used", file=sys.stderr)


def ext_modules() -> list:  # type: ignore[type-arg]
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("warning: Cython not installed; the detection core runs as pure Python", file=sys.stderr)
        return []
    from setuptools import Extension

    exts = [Extension(f"bordermark.detect.{name}", [f"src/bordermark/detect/{name}.py"]) for name in COMPILED]
    try:
        # annotation_typing off: annotations stay documentation, so the compiled modules keep Python's semantics
        # exactly (an `int` or `list[...]` annotation would otherwise become a C type or a strict type check)
        return list(cythonize(exts, build_dir="build/cython", quiet=True,
                              compiler_directives={"language_level": 3, "annotation_typing": False,
                                                   "binding": True, "embedsignature": True}))
    except Exception as exc:
        print(f"warning: Cython could not translate the detection core ({exc}); pure Python is used", file=sys.stderr)
        return []


setup(ext_modules=ext_modules(), cmdclass={"build_ext": OptionalBuildExt})
