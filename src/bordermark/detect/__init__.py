"""Detection engine: registered marks and counterfeit-trade signals in text, however disguised.

Pure: no I/O apart from reading the lexicon data files shipped inside this package. See ``docs/detect.md``.
"""

from bordermark.detect.engine import BASE_SCORE, Detector
from bordermark.detect.normalise import fast_view, view_with_offsets
from bordermark.detect.types import CONTEXT_SUPPORT, Detection, Hit, Signal

__all__ = ["BASE_SCORE", "CONTEXT_SUPPORT", "Detection", "Detector", "Hit", "Signal", "fast_view",
           "view_with_offsets"]
