"""Result types of detection: plain slotted dataclasses, not pydantic, as tens of thousands are built per second."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Hit:
    """A registered mark found in a text.

    ``start``/``end`` index the ORIGINAL text (``text[start:end] == matched``). ``method`` names the disguise that had
    to be undone (exact, alias, unicode, skeleton, leet, spaced, repeated, fuzzy, phonetic, visual). ``context`` is how
    much the surrounding text supports reading the word as this brand (0..1; category vs Nice classes, nearby product
    words, trade signals); ``ambiguous`` says the word is also an ordinary word or very short, so screening should
    only trust the hit when ``context`` is high.
    """

    mark_id: str
    mark: str
    holder: str
    start: int
    end: int
    matched: str
    method: str
    score: float
    context: float = 0.0
    ambiguous: bool = False
    alias: str | None = None
    alias_kind: str | None = None

    @property
    def supported(self) -> bool:
        """True where the reading as a brand does not depend on doubtful context."""
        return not self.ambiguous or self.context >= CONTEXT_SUPPORT

    def to_dict(self) -> dict[str, Any]:
        return {
            "mark_id": self.mark_id, "mark": self.mark, "holder": self.holder, "start": self.start, "end": self.end,
            "matched": self.matched, "method": self.method, "score": self.score, "context": self.context,
            "ambiguous": self.ambiguous, "alias": self.alias, "alias_kind": self.alias_kind,
        }


@dataclass(frozen=True, slots=True)
class Signal:
    """A counterfeit-trade cue: a lexicon term (``family`` trade_term, quality_claim, ...) or a contact cue."""

    code: str
    term: str
    start: int
    end: int
    weight: float
    family: str = "trade_term"
    lang: str = ""
    matched: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "term": self.term, "start": self.start, "end": self.end, "weight": self.weight,
            "family": self.family, "lang": self.lang, "matched": self.matched,
        }


@dataclass(frozen=True, slots=True)
class Detection:
    hits: list[Hit] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"hits": [h.to_dict() for h in self.hits], "signals": [s.to_dict() for s in self.signals]}


CONTEXT_SUPPORT = 0.4
"""Context score from which an ambiguous (ordinary-word or short) mark counts as the brand."""
