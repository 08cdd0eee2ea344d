"""The batch shortcuts change speed only: the exact prefilter (which drops ambiguous candidates before offsets are
computed, using a word-level clause test for plain ASCII text) never drops a hit the full context test would keep,
and pausing the cycle collector for a batch leaves the collector as it found it."""

from __future__ import annotations

import gc
import itertools
import random

import pytest

from bordermark.detect import Detector
from bordermark.detect.engine import STRONG_SUPPORT
from bordermark.detect.types import CONTEXT_SUPPORT
from tests.detect.test_detect_engine import REGISTRY

WORDS = ["Coach", "coach", "COACH", "Apple", "apple", "Channel", "C0ach", "Appl3", "Coachh"]
GOODS = ["handbag", "leather bag", "watch", "earbuds", "tour", "juice", "phone case", "wallet"]
SEPS = [" ", ", ", "; ", "? ", "\n", "\t", ". ", "! ", " | ", " - ", "... ", " 2.4 ", "，", " · "]
TAIL = ["", " AAA replica", " brand: generic", " no logo version", " 1:1", " 高仿", " best price"]


def _texts() -> list[str]:
    rng = random.Random(11)
    out = []
    for w, g, s1, s2 in itertools.product(WORDS, GOODS, SEPS, SEPS[:4]):
        filler = rng.choice(["new", "sale", "for women", "vintage", ""])
        out.append(rng.choice([f"{w}{s1}{g}{s2}{filler}", f"{g}{s1}{filler} {w}{s2}{rng.choice(TAIL)}",
                               f"{filler}{s2}{w}{s1}{g}{rng.choice(TAIL)}"]))
    return out


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


def test_prefilter_never_drops_a_supported_hit(texts: list[str]) -> None:
    kept = Detector.from_registry(REGISTRY).detect_many(texts)
    every = Detector.from_registry(REGISTRY).detect_many(texts, keep_unsupported=True)
    compared = 0
    for text, k, e in zip(texts, kept, every, strict=True):
        strict = {(h.mark_id, h.start, h.end, h.method, h.score, h.context) for h in k.hits}
        loose = {(h.mark_id, h.start, h.end, h.method, h.score, h.context): h for h in e.hits}
        assert strict <= set(loose), text  # dropping only ever removes hits, it never changes one
        for key_, h in loose.items():
            if not h.ambiguous or h.context >= STRONG_SUPPORT:
                compared += 1
                assert key_ in strict, (text, h)
            elif h.context < CONTEXT_SUPPORT:
                assert key_ not in strict, (text, h)
    assert compared > 200  # the generated texts do exercise kept ordinary-word hits


def test_batch_and_one_by_one_agree_around_clause_breaks(texts: list[str]) -> None:
    sample = texts[::7]
    batch = Detector.from_registry(REGISTRY).detect_many(sample, categories=["handbags"] * len(sample))
    det = Detector.from_registry(REGISTRY)
    assert batch == [det.detect(t, category="handbags") for t in sample]


@pytest.mark.parametrize("enabled", [True, False])
def test_collector_state_is_restored(enabled: bool) -> None:
    det = Detector.from_registry(REGISTRY)
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        det.detect_many(["Coach leather handbag, AAA", "plain socks"] * 3000)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
