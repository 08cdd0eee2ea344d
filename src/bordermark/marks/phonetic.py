"""How a mark sounds: one coarse phoneme alphabet shared by Latin spelling and Chinese pinyin.

Why a shared alphabet: a Chinese transliteration (特斯拉 te-si-la) renders a foreign name (Tesla) syllable by
syllable, adding vowels between consonants, dropping coda r, turning v into w or f and r into l. Mapping both
scripts onto the same coarse classes and aligning them with cheap costs for exactly those changes lets 乔丹 meet
Jordan without any alias in the registry.

Alphabet: consonant classes P (p b) T (t d) K (k g hard c) J (j q ch zh tch, soft g) S (s z sh x c-pinyin)
F (f v ph) W (w) M N (n ng) L R H Y; vowels a e i o u.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jellyfish
from pypinyin import Style, lazy_pinyin
from rapidfuzz.distance import Levenshtein

from bordermark.marks.text import as_letters, fold, is_han, words

VOWELS = frozenset("aeiou")
# The weak vowel of a Chinese syllable that renders a lone foreign consonant: the apical i of 斯 士 驰 (si shi
# chi) and the e of 特 克 德 勒 (te ke de le). It may match any vowel or nothing at almost no cost (Tesla 特斯拉
# te-si-la, Gucci 古驰 gu-chi, Buick 别克 bie-ke).
SCHWA = "ə"
PHONE_VOWELS = VOWELS | {SCHWA}
_SCHWA_INDEL = 0.05
_SCHWA_SUB = 0.1

# Cost of deleting/inserting one phoneme: vowels and the sounds transliteration drops are cheap.
_INDEL = {"R": 0.3, "H": 0.35, "Y": 0.2, "W": 0.5}
_VOWEL_INDEL = 0.3
CROSS_SCRIPT_CODA = 0.5  # cap on dropping a foreign coda or cluster consonant (see deletion_costs)
CROSS_VOWEL_SUB = 0.4  # across scripts a changed vowel is the transliteration's approximation
_VOWEL_SUB = 0.4
_CLOSE_VOWELS = {frozenset("ei"), frozenset("ou"), frozenset("ae"), frozenset("ao")}

_NEAR: dict[frozenset[str], float] = {
    frozenset("LR"): 0.25, frozenset("FW"): 0.3, frozenset("JS"): 0.35, frozenset("MN"): 0.4,
    frozenset("JK"): 0.5, frozenset("NL"): 0.5, frozenset("FH"): 0.5, frozenset("WY"): 0.5,
    frozenset("Wu"): 0.3, frozenset("Yi"): 0.3, frozenset("JT"): 0.6, frozenset("HK"): 0.6,
    frozenset("PF"): 0.7, frozenset("ST"): 0.5, frozenset("HS"): 0.4, frozenset("KS"): 0.7, frozenset("PM"): 0.7,
}


def indel_cost(p: str, strict: bool = False) -> float:
    if p == SCHWA:
        return _SCHWA_INDEL
    if p in VOWELS:
        return _VOWEL_INDEL * (2.0 if strict else 1.0)
    return _INDEL.get(p, 1.0)


def sub_cost(a: str, b: str, strict: bool = False, cross: bool = False) -> float:
    if a == b:
        return 0.0
    if SCHWA in (a, b) and a in PHONE_VOWELS and b in PHONE_VOWELS:
        return _SCHWA_SUB
    if a in VOWELS and b in VOWELS:
        scale = 1.75 if strict else CROSS_VOWEL_SUB if cross else 1.0
        return _VOWEL_SUB * (0.6 if frozenset((a, b)) in _CLOSE_VOWELS else 1.0) * scale
    return _NEAR.get(frozenset((a, b)), 1.0)


def deletion_costs(p: str, strict: bool = False, cross: bool = False) -> list[float]:
    """Cost of leaving each phoneme of ``p`` unmatched.

    ``cross`` (``p`` is a foreign name heard against a Chinese transliteration) caps the cost of a consonant
    that is not a plain onset: a coda (no vowel follows) or the second member of a cluster. A transliteration is
    a string of open syllables, so it drops codas and cluster members far more often than onsets (Rolex 劳力士
    keeps r-l-s and drops k; Bentley 宾利 drops t; Chloe 蔻依 drops l).
    """
    costs = [indel_cost(c, strict) for c in p]
    if cross:
        for i, c in enumerate(p):
            if c in PHONE_VOWELS:
                continue
            coda = i + 1 == len(p) or p[i + 1] not in PHONE_VOWELS
            second = i > 0 and p[i - 1] not in PHONE_VOWELS
            if coda or second:
                costs[i] = min(costs[i], CROSS_SCRIPT_CODA)
    return costs


def align_distance(a: str, b: str, tail: float = 1.0, strict: bool = False, cross: bool = False) -> float:
    """Weighted edit distance between two phoneme strings (plain dynamic programme; strings are short).

    ``tail`` < 1 makes leaving the end of ``b`` unmatched cheaper: a transliteration often renders only the
    head of a long foreign name (伊莱克斯 for Electrolux). ``strict`` makes vowels count more: within one script a
    changed vowel is a different word. ``cross``: ``a`` is Chinese, ``b`` the foreign name; vowels are the
    transliteration's approximation (Chinese offers few), and ``b``'s codas may drop (see :func:`deletion_costs`).
    """
    db = deletion_costs(b, strict, cross)
    prev = [0.0]
    for d in db:
        prev.append(prev[-1] + d)
    for ca in a:
        da = indel_cost(ca, strict)
        cur = [prev[0] + da]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + da, cur[j - 1] + db[j - 1], prev[j - 1] + sub_cost(ca, cb, strict, cross)))
        prev = cur
    if tail >= 1.0:
        return prev[-1]
    suffix = [0.0] * (len(b) + 1)
    for j in range(len(b) - 1, -1, -1):
        suffix[j] = suffix[j + 1] + db[j]
    return min(prev[j] + tail * suffix[j] for j in range(len(b) + 1))


def weight(p: str, strict: bool = False) -> float:
    return sum(indel_cost(c, strict) for c in p)


@lru_cache(maxsize=200_000)
def phoneme_similarity(a: str, b: str, tail: float = 1.0, strict: bool = False, cross: bool = False) -> float:
    """1 for the same sound, 0 for nothing in common; normalised by the heavier string."""
    if not a or not b:
        return 0.0
    denom = max(weight(a, strict), sum(deletion_costs(b, strict, cross)))
    return max(0.0, 1.0 - align_distance(a, b, tail, strict, cross) / denom)


# ---- Latin spelling -> phonemes ------------------------------------------------------------------------

_SIMPLE = {"b": "P", "p": "P", "d": "T", "t": "T", "k": "K", "f": "F", "v": "F", "m": "M", "n": "N",
           "l": "L", "r": "R", "s": "S", "z": "S", "j": "J", "w": "W", "q": "K"}


_CONTINENTAL_DIPHTHONGS = frozenset({"ou", "au", "ai", "ei", "ee", "oo", "eu"})
_VOWEL_PAIRS = {"ea": "e", "ee": "i", "oo": "u", "ou": "u", "ai": "a", "au": "o", "ie": "i", "oe": "o",
                "ei": "e", "eu": "u", "ue": "u", "ui": "i", "ia": "a", "io": "o", "oa": "o", "ay": "a"}


def latin_word_phonemes(word: str, continental: bool = False) -> str:
    """English-leaning letter-to-sound rules; good enough to meet a Chinese transliteration half-way.

    ``continental`` reads the word as Italian, French or German names are read (and transliterated): every
    vowel and the final e sounded, ce/ci as "che", h silent, w as v (Versace 范思哲, Porsche 保时捷, Chloe 蔻依).
    """
    w = "".join(c for c in word if "a" <= c <= "z")
    out: list[str] = []
    i, n = 0, len(w)
    while i < n:
        c = w[i]
        nxt = w[i + 1] if i + 1 < n else ""
        rest = w[i:]
        if c == nxt and c not in VOWELS and c != "c":  # a doubled consonant is heard once (Huggies, Hennessy)
            if c == "g":  # and a doubled g stays hard
                out.append("K")
                i += 2
                continue
            i += 1
            continue
        if rest == "que":  # French final -que is a plain k (Clinique)
            out.append("K")
            break
        if c in "aeiou":
            if nxt in VOWELS and nxt:
                pair = c + nxt
                if continental and pair not in _CONTINENTAL_DIPHTHONGS:
                    out.extend((c, nxt))
                    i += 2
                    continue
                out.append(_VOWEL_PAIRS.get(pair, c))
                i += 2
                while i < n and w[i] in VOWELS:
                    i += 1
                continue
            silent_final_e = (not continental and c == "e" and i == n - 1 and n > 3 and out
                              and out[-1] not in VOWELS)
            if not silent_final_e and not (out and out[-1] == c):
                out.append(c)
            i += 1
            continue
        if c == "y":
            glide = nxt in VOWELS and nxt and (i == 0 or w[i - 1] in VOWELS)
            out.append("Y" if glide else "i")
            i += 1
            continue
        if rest.startswith("sch") or rest.startswith("sh"):
            out.append("S")
            i += 3 if rest.startswith("sch") else 2
            continue
        if rest.startswith("tch"):
            out.append("J")
            i += 3
            continue
        if rest.startswith(("chr", "chl")):
            out.append("K")
            i += 2
            continue
        if rest.startswith("ch"):
            out.append("J")
            i += 2
            continue
        if rest.startswith("ph"):
            out.append("F")
            i += 2
            continue
        if rest.startswith("th"):
            out.append("T")
            i += 2
            continue
        if rest.startswith("gh"):
            out.append("K" if i == 0 or (i + 2 < n and w[i + 2] in VOWELS) else "")
            i += 2
            continue
        if rest.startswith("gn"):
            out.append("N")
            i += 2
            continue
        if rest.startswith("ck"):
            out.append("K")
            i += 2
            continue
        if rest.startswith("ng") and (i + 2 == n or w[i + 2] not in VOWELS):
            out.append("N")
            i += 2
            continue
        if rest.startswith("cc") and i + 2 < n and w[i + 2] in "eiy":
            out.append("J")
            i += 2
            continue
        if rest.startswith("qu"):
            out.extend(("K", "W"))
            i += 2
            continue
        if rest.startswith("wh"):
            out.append("W")
            i += 2
            continue
        if rest.startswith("tz"):
            out.append("S")
            i += 2
            continue
        if c == "c":
            soft = "J" if continental else "S"
            out.append(soft if nxt in ("e", "i", "y") and nxt else "K")
        elif c == "g":
            out.append("J" if nxt in ("e", "i", "y") and nxt else "K")
        elif c == "x":
            out.extend(("S",) if i == 0 else ("K", "S"))
        elif c == "w" and continental:
            out.append("F")
        elif c == "h":
            if continental:
                pass
            elif i == 0 or (out and out[-1] in VOWELS and nxt in VOWELS and nxt):
                out.append("H")
        elif c in _SIMPLE:
            p = _SIMPLE[c]
            if not (out and out[-1] == p):
                out.append(p)
        i += 1
    return "".join(p for p in out if p)


# ---- pinyin -> phonemes --------------------------------------------------------------------------------

_INITIALS = (("zh", "J"), ("ch", "J"), ("sh", "S"), ("b", "P"), ("p", "P"), ("m", "M"), ("f", "F"),
             ("d", "T"), ("t", "T"), ("n", "N"), ("l", "L"), ("g", "K"), ("k", "K"), ("h", "H"), ("j", "J"),
             ("q", "J"), ("x", "S"), ("r", "R"), ("z", "S"), ("c", "S"), ("s", "S"), ("y", "Y"), ("w", "W"))
_APICAL = frozenset({"zi", "ci", "si", "zhi", "chi", "shi", "ri"})
_WEAK_E_INITIALS = frozenset("TKL")  # te de ke ge le: the syllables that render a lone t, d, k, g, l


# The vowel a transliterator hears in each pinyin final (medials and off-glides dropped), and its nasal coda.
_FINALS = {
    "a": "a", "o": "o", "e": "e", "i": "i", "u": "u", "ai": "a", "ei": "e", "ao": "o", "ou": "o", "ia": "a",
    "ie": "e", "iao": "o", "iu": "u", "ua": "a", "uo": "o", "uai": "a", "ui": "i", "ue": "e", "an": "aN",
    "en": "eN", "in": "iN", "un": "uN", "ang": "aN", "eng": "eN", "ing": "iN", "ong": "oN", "ian": "eN",
    "iang": "aN", "iong": "oN", "uan": "aN", "uang": "aN", "io": "o",
}


def pinyin_syllable_phonemes(syl: str) -> str:
    syl = syl.replace("ü", "u").replace("v", "u")
    if syl in _APICAL:
        return {"zhi": "J", "chi": "J", "shi": "S", "ri": "R"}.get(syl, "S") + SCHWA
    if syl == "er":
        return SCHWA + "R"
    out = ""
    final = syl
    for ini, p in _INITIALS:
        if syl.startswith(ini):
            out = p
            final = syl[len(ini):]
            break
    if out == "H" and len(final) > 1 and final[0] == "u" and final[1] in VOWELS:
        out = "W"  # hua, hui, huo render "wa", "wi", "wo" (华纳 Warner, 惠氏 Wyeth)
    if out in ("Y", "W") and final:  # yi, ya, wu, wei: the glide is the vowel's onset, often unheard
        final = {"i": "i", "u": "u"}.get(final, final)
        if final[0] not in VOWELS:
            final = ("i" if out == "Y" else "u") + final
    if final == "e" and out in _WEAK_E_INITIALS:
        return out + SCHWA
    return out + _FINALS.get(final, "".join(c for c in final if c in VOWELS)[:1])


@lru_cache(maxsize=65536)
def han_pinyin(text: str) -> tuple[str, ...]:
    """Toneless pinyin syllables of the Han characters of ``text`` (other characters are left out)."""
    han = "".join(c for c in fold(text) if is_han(c))
    return tuple(lazy_pinyin(han, style=Style.NORMAL, errors="ignore")) if han else ()


_ELIDED_ARTICLE = re.compile(r"^\s*[ld]['’]\s*", re.IGNORECASE)  # L'Oréal, L'Occitane: the article goes unheard


@lru_cache(maxsize=65536)
def phonemes(text: str, continental: bool = False) -> str:
    """The sound of a mark in the shared alphabet, Han characters read as pinyin, Latin words by spelling."""
    out: list[str] = []
    text = _ELIDED_ARTICLE.sub("", text)
    for tok in map(as_letters, words(text)):
        run = ""
        for ch in tok + "\0":
            if ch != "\0" and not is_han(ch):
                run += ch
                continue
            if run:
                out.append(latin_word_phonemes(run, continental))
                run = ""
            if ch != "\0":
                syl = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
                out.extend(pinyin_syllable_phonemes(s) for s in syl)
    joined = "".join(out)
    # a consonant doubled across a syllable or word boundary (xiang-nai) is heard once
    return "".join(c for i, c in enumerate(joined) if i == 0 or c != joined[i - 1] or c in PHONE_VOWELS)


def consonants(p: str) -> str:
    """The consonant frame of a phoneme string: the retrieval key (vowels vary most across scripts)."""
    return "".join(c for c in p if c not in PHONE_VOWELS and c not in "HRYW")


# ---- Chinese near-homophones ---------------------------------------------------------------------------

_NEAR_HOMOPHONE_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("r", "l"), ("f", "h"))


def near_homophone(syl: str) -> str:
    """Collapse distinctions many speakers do not make: zh/z, ch/c, sh/s, n/l, r/l, f/h, -ng/-n."""
    for a, b in _NEAR_HOMOPHONE_INITIALS:
        if syl.startswith(a):
            syl = b + syl[len(a):]
            break
    if syl.endswith("ng"):
        syl = syl[:-1]
    return syl.replace("v", "u").replace("ü", "u")


def pinyin_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, bool]:
    """Similarity of two pinyin syllable sequences, and whether it took near-homophones to reach it."""
    if not a or not b:
        return 0.0, False
    exact = Levenshtein.normalized_similarity(list(a), list(b))
    near = Levenshtein.normalized_similarity([near_homophone(s) for s in a], [near_homophone(s) for s in b])
    return (near * 0.95, True) if near * 0.95 > exact else (exact, False)


def metaphone_key(text: str) -> str:
    return " ".join(jellyfish.metaphone(w) for w in map(as_letters, words(text)) if w.isascii())
