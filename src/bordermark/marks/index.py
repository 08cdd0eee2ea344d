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
from rapidfuzz.distance import Levenshtein

from bordermark.domain.rights import Mark
from bordermark.marks.dictionary import lookup_keys, mark_keys
from bordermark.marks.phonetic import consonants, phoneme_similarity, phonemes
from bordermark.marks.similarity import (
    DEFAULT_CONFIG,
    Comparison,
    EarlierMark,
    SimilarityConfig,
    compare,
    glosses,
)
from bordermark.marks.text import dominant, has_han, has_latin, skeleton, skeleton_keys, words

# Coarser than the phoneme alphabet: classes a transliteration swaps freely fall together for the first scan.
_COARSE = str.maketrans({"J": "S", "W": "F", "R": "L", "M": "N"})


def coarse_frame(ph: str) -> str:
    return consonants(ph).translate(_COARSE)


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

    def __init__(self, marks: Iterable[tuple[str, EarlierMark]], per_scan: int = 12, sound_pool: int = 100,
                 dictionary: bool = True) -> None:
        self.marks: dict[str, EarlierMark] = {}
        self._owner: list[str] = []
        self._skel: list[str] = []
        self._phon: list[str] = []
        self._frame: list[str] = []
        self._exact: dict[str, set[str]] = defaultdict(set)
        self._by_name: dict[str, set[str]] = defaultdict(set)  # plain Latin names, for dictionary glosses
        self.dictionary = dictionary
        self.per_scan = per_scan
        self.sound_pool = sound_pool
        for mark_id, em in marks:
            self.marks[mark_id] = em
            for name in (em.text, *(a for a, _ in em.aliases)):
                dom = dominant(name)[0]
                sk = skeleton(dom)
                if not sk:
                    continue
                for key in skeleton_keys(sk):
                    self._exact[key].add(mark_id)
                if has_latin(name) and not has_han(name):
                    for key in mark_keys(name):
                        self._by_name[key].add(mark_id)
                readings = dict.fromkeys((phonemes(dom), phonemes(dom, continental=True)))
                for ph in readings:
                    self._owner.append(mark_id)
                    self._skel.append(sk)
                    self._phon.append(ph)
                    self._frame.append(coarse_frame(ph))

    @classmethod
    def from_marks(cls, marks: Iterable[Mark], per_scan: int = 12) -> MarkIndex:
        return cls(((m.id, EarlierMark.of(m)) for m in marks), per_scan)

    def __len__(self) -> int:
        return len(self.marks)

    def retrieve(self, text: str, dictionary: bool = True) -> set[str]:
        """Ids of the marks worth a full comparison with ``text``.

        ``dictionary``: for a Chinese sign, also the Latin marks that CC-CEDICT gives as its name (an outside
        source; they are then scored in full like every other candidate).
        """
        dom = dominant(text)[0]
        sk = skeleton(dom)
        if not sk:
            return set()
        found: set[str] = set()
        keys = [*skeleton_keys(sk), *(k for w in words(text) for k in skeleton_keys(skeleton(w)))]
        for key in keys:  # the sign, and each of its words (a registered mark inside "Betta Baby")
            found |= self._exact.get(key, set())
        scans = ((sk, self._skel, fuzz.ratio), (sk, self._skel, fuzz.partial_ratio))
        for query, choices, scorer in scans:
            for _, _, idx in process.extract(query, choices, scorer=scorer, limit=self.per_scan):
                found.add(self._owner[idx])
        found |= self._by_sound(dom)
        if dictionary and self.dictionary and has_han(text) and not has_latin(text):
            for key in lookup_keys(glosses(text)):
                found |= self._by_name.get(key, set())
        return found

    def _by_sound(self, dom: str) -> set[str]:
        """A wide, cheap scan on consonant frames and phoneme strings, narrowed by the weighted alignment."""
        ph = phonemes(dom)
        if not ph:
            return set()
        pool: set[int] = set()
        for query, choices in ((coarse_frame(ph), self._frame), (ph, self._phon)):
            if query:
                pool.update(idx for _, _, idx in process.extract(
                    query, choices, scorer=Levenshtein.normalized_similarity, limit=self.sound_pool))
        cross = has_han(dom)
        tail = 0.5 if cross else 1.0
        ranked = sorted(pool, key=lambda i: -phoneme_similarity(ph, self._phon[i], tail, cross=cross))
        out: set[str] = set()
        for idx in ranked:
            out.add(self._owner[idx])
            if len(out) >= 2 * self.per_scan:
                break
        return out

    def search(self, text: str, classes: Iterable[int] = (), limit: int = 10,
               config: SimilarityConfig = DEFAULT_CONFIG) -> list[Candidate]:
        """Retrieve, then score every candidate in full; best first."""
        cls = tuple(classes)
        out = [Candidate(mid, self.marks[mid].text, compare(self.marks[mid], text, cls, config))
               for mid in self.retrieve(text, config.dictionary)]
        out.sort(key=lambda c: (-c.score, -c.comparison.mark_score, c.mark_id))
        return out[:limit]
