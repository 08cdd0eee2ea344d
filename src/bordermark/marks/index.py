"""Candidate retrieval: propose a bounded set of earlier marks for a sign, before any full comparison.

Why apart from scoring: the full judgement (alignments over every alias) is too slow to run against every mark
for every filing; cheap C-speed scans (rapidfuzz over skeletons and phoneme strings) and exact-key lookups
propose a few dozen candidates, and only those are scored. Recall of this stage bounds the recall of the watch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bordermark.domain.rights import Mark
from bordermark.marks.phonetic import consonants, phonemes
from bordermark.marks.similarity import DEFAULT_CONFIG, Comparison, EarlierMark, SimilarityConfig, compare
from bordermark.marks.text import dominant, skeleton, words


@dataclass(frozen=True)
class Candidate:
    mark_id: str
    mark: str
    comparison: Comparison

    @property
    def score(self) -> float:
        return self.comparison.score


class MarkIndex:
    """An in-memory index over every name (word mark and aliases) of a set of earlier marks."""

    def __init__(self, marks: Iterable[tuple[str, EarlierMark]], per_scan: int = 12) -> None:
        self.marks: dict[str, EarlierMark] = {}
        self._owner: list[str] = []
        self._skel: list[str] = []
        self._phon: list[str] = []
        self._frame: list[str] = []
        self._exact: dict[str, set[str]] = defaultdict(set)
        self.per_scan = per_scan
        for mark_id, em in marks:
            self.marks[mark_id] = em
            for name in (em.text, *(a for a, _ in em.aliases)):
                dom = dominant(name)[0]
                sk = skeleton(dom)
                if not sk:
                    continue
                self._owner.append(mark_id)
                self._skel.append(sk)
                ph = phonemes(dom)
                self._phon.append(ph)
                self._frame.append(consonants(ph))
                self._exact[sk].add(mark_id)

    @classmethod
    def from_marks(cls, marks: Iterable[Mark], per_scan: int = 12) -> MarkIndex:
        return cls(((m.id, EarlierMark.of(m)) for m in marks), per_scan)

    def __len__(self) -> int:
        return len(self.marks)

    def retrieve(self, text: str) -> set[str]:
        """Ids of the marks worth a full comparison with ``text``."""
        dom = dominant(text)[0]
        sk = skeleton(dom)
        if not sk:
            return set()
        found: set[str] = set(self._exact.get(sk, ()))
        for w in words(text):  # a registered mark used as one word of a longer sign ("Betta Baby")
            found |= self._exact.get(skeleton(w), set())
        ph = phonemes(dom)
        scans = ((sk, self._skel, fuzz.ratio), (sk, self._skel, fuzz.partial_ratio),
                 (ph, self._phon, fuzz.ratio), (consonants(ph), self._frame, fuzz.ratio))
        for query, choices, scorer in scans:
            if not query:
                continue
            for _, _, idx in process.extract(query, choices, scorer=scorer, limit=self.per_scan):
                found.add(self._owner[idx])
        return found

    def search(self, text: str, classes: Iterable[int] = (), limit: int = 10,
               config: SimilarityConfig = DEFAULT_CONFIG) -> list[Candidate]:
        """Retrieve, then score every candidate in full; best first."""
        cls = tuple(classes)
        out = [Candidate(mid, self.marks[mid].text, compare(self.marks[mid], text, cls, config))
               for mid in self.retrieve(text)]
        out.sort(key=lambda c: (-c.score, -c.comparison.mark_score, c.mark_id))
        return out[:limit]
