"""Type stub of the compiled finishing stage (``_fast.pyx``)."""

from typing import Any

from bordermark.detect.types import Detection

def finish(
    det: Any, text: str, w: str, f: str, cands: list[Any], term_spans: list[tuple[int, int, int]],
    regex_sigs: list[tuple[Any, int, int]], cat_classes: frozenset[int], keep_unsupported: bool,
) -> Detection: ...
