"""The engine's word lists, kept as data files in ``detect/data`` so that analysts can extend them without code.

- ``trade_terms.csv``: counterfeit-trade vocabulary and contact cues (code, family, lang, kind word|regex, term,
  weight). ``word`` terms are matched through the same normalisation as marks (so ``r3plica`` and ``高 仿`` count);
  ``regex`` terms (``1:1``, WeChat IDs, phone numbers) run case-insensitively on the original text.
- ``context_words.csv``: words that point at goods and so at Nice classes (bag -> 18, 手表 -> 14).
- ``categories.csv``: listing categories -> Nice classes, for the ``category`` argument of ``detect``.
- ``common_words.txt``: ordinary words; a mark spelled like one needs context.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Term:
    code: str
    family: str
    lang: str
    kind: str
    term: str
    weight: float
    hint: str = ""  # regex terms: literals ("|"-separated, lower case), one of which must occur for a match


def _read(name: str) -> str:
    return resources.files("bordermark.detect").joinpath(f"data/{name}").read_text(encoding="utf-8")


def _classes(value: str) -> frozenset[int]:
    return frozenset(int(v) for v in value.split("|") if v.strip())


@lru_cache(maxsize=1)
def trade_terms() -> tuple[Term, ...]:
    rows = csv.DictReader(io.StringIO(_read("trade_terms.csv")))
    return tuple(Term(r["code"], r["family"], r["lang"], r["kind"], r["term"], float(r["weight"]), r.get("hint") or "")
                 for r in rows)


@lru_cache(maxsize=1)
def context_words() -> dict[str, frozenset[int]]:
    rows = csv.DictReader(io.StringIO(_read("context_words.csv")))
    return {r["word"]: _classes(r["nice_classes"]) for r in rows}


@lru_cache(maxsize=1)
def categories() -> dict[str, frozenset[int]]:
    rows = csv.DictReader(io.StringIO(_read("categories.csv")))
    return {r["category"]: _classes(r["nice_classes"]) for r in rows}


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    words: set[str] = set()
    for line in _read("common_words.txt").splitlines():
        if not line.startswith("#"):
            words.update(line.split())
    return frozenset(words)
