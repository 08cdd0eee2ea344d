"""Listing screening for marketplaces: named features -> versioned scenario -> calibrated score, verdict class
and reasons; a review queue whose decisions feed seller history, observed aliases, image hashes and training;
takedown notices. Pure cores (features, scoring, verdicts) do no I/O; ``service`` is the store-facing facade.

The batch loops have an optional compiled twin (``_fast.pyx``); ``COMPILED`` names the compiled modules in use.
"""

from bordermark.screen.compiled import COMPILED

__all__ = ["COMPILED"]
