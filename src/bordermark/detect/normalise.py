"""Normalisation of listing text into one matching view, with a map back to the original offsets.

Why this shape: the view must undo every cheap disguise at once (full-width, math alphanumerics, emoji letters,
Cyrillic/Greek look-alikes, accents, zero-width characters, punctuation, leetspeak) so that one Aho-Corasick scan finds
them all. Most texts produce no hit, so the view is built with C-speed ``str.translate`` and regexes
(:func:`fast_view`), and the offset map is computed only for texts that do hit (:func:`view_with_offsets`), by a
per-character reference path that must produce exactly the same string (a property test checks this).

The view ``W`` is: one space, then words of folded characters separated by single spaces, then one space. Spaces
between two CJK characters are removed (Chinese has no word spaces, so ``高 仿`` is a disguise of ``高仿``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from operator import add
from typing import Protocol

try:  # the compiled helpers (``_fast.pyx``), when built; the same results as the Python lines beside each use
    from bordermark.detect import _fast
except ImportError:
    _fast = None  # type: ignore[assignment]

_LEET_SYMBOLS = "@$!|"
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
                       "@": "a", "$": "s", "!": "i", "|": "i"})
# A run of digits/@/$ touching a letter is letters in disguise (L0uis, r3plica, Ch@nel, DRINS7!X); a run of only
# ! or | counts only between letters, so that "Gucci!" stays "gucci".
# Only runs that touch a letter can change, so the pattern asks for one on either side: plain numbers ("2025", "14
# inch") then cost no Python callback. A shorter piece of a run is followed by another run character, never a letter,
# so the matches are exactly the maximal runs next to a letter.
_LEET_RE = re.compile(r"(?<=[a-z])[01345789@$!|]+|[01345789@$!|]+(?=[a-z])")
_LEET_CHARS = frozenset("01345789@$!|")
_LEFTOVER = str.maketrans({c: " " for c in _LEET_SYMBOLS})  # symbols that were not letters are separators


def _leet_run(m: re.Match[str]) -> str:
    run, s, a, b = m.group(), m.string, m.start(), m.end()
    before = a > 0 and "a" <= s[a - 1] <= "z"
    after = b < len(s) and "a" <= s[b] <= "z"
    if not (before or after) or (run.strip("!|") == "" and not (before and after)):
        return run
    return run.translate(_LEET)


_WS_RE = re.compile(r"\s+")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_CJK_GAP_RE = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
CJK_RE, CJK_GAP_RE = _CJK_RE, _CJK_GAP_RE  # for the engine's batch view

# Every code point of planes 0 and 1 except the CJK ideographs, Hangul syllables, surrogates and private use (which
# all fold to themselves), plus the tag characters: anything not folded must be a letter of some script.
_RANGES = [(0x0000, 0x3400), (0xA000, 0xAC00), (0xD7B0, 0xD800), (0xF900, 0x20000), (0xE0000, 0xE0080)]


def is_cjk(ch: str) -> bool:
    return bool(_CJK_RE.match(ch))


@lru_cache(maxsize=1)
def _skeleton() -> dict[str, str]:
    """Unicode confusables (UTS #39 data shipped by ``confusable-homoglyphs``) reduced to one target per character.

    A character that looks like one ASCII letter or digit maps to it (Cyrillic ``а`` -> ``a``); a kana or symbol that
    looks like a CJK ideograph maps to the ideograph (``カ`` -> ``力``). Ideographs themselves are never remapped.
    """
    import confusable_homoglyphs

    path = resources.files(confusable_homoglyphs).joinpath("confusables.json")
    data: dict[str, list[dict[str, str]]] = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for ch, entries in data.items():
        if len(ch) != 1 or ch.isascii() or is_cjk(ch):
            continue
        targets = [e["c"].replace("\u200e", "") for e in entries]
        targets = [t for t in targets if len(t) == 1]
        ascii_t = [t for t in targets if t.isascii() and t.isalnum()]
        if ascii_t:
            letters = [t for t in ascii_t if t.isalpha()]
            out[ch] = (letters or ascii_t)[0].lower()
            continue
        cjk_t = [t for t in targets if is_cjk(t)]
        if cjk_t:
            out[ch] = cjk_t[0]
    return out


def _emoji_letter(cp: int) -> str | None:
    """Regional indicators and negative circled/squared capitals have no NFKC decomposition but read as letters."""
    for base in (0x1F1E6, 0x1F150, 0x1F170, 0x1F130):
        if base <= cp < base + 26:
            return chr(ord("a") + cp - base)
    return None


def _il(c: str) -> str:
    """``l`` and ``i`` share one prototype (as in the UTS #39 skeleton): sellers write RoIex, Ro1ex, Ro|ex."""
    return "i" if c == "l" else c


def fold_char(ch: str) -> str:
    """Fold one character: '' (ignorable), ' ' (separator) or one or more matching characters."""
    cp = ord(ch)
    if ch.isascii():
        if ch.isalnum():
            return _il(ch.lower())
        return ch if ch in _LEET_SYMBOLS else " "
    emoji = _emoji_letter(cp)
    if emoji:
        return _il(emoji)
    cat = unicodedata.category(ch)
    if cat in ("Cf", "Mn", "Me") or 0xFE00 <= cp <= 0xFE0F:
        return ""  # zero-width joiners/spaces, combining marks, variation selectors: invisible inside words
    if cat.startswith("C"):
        return " "
    skel = _skeleton()
    if ch in skel:  # before case folding: capital Greek Eta looks like H, its lowercase like n
        t = skel[ch]
        return _il(t.lower()) if t.isascii() else t
    nfkc = unicodedata.normalize("NFKC", ch)
    if nfkc in _LEET_SYMBOLS:
        return nfkc
    if cat[0] in "PSZ":
        # Circled/parenthesised letters (Ⓖ, ⒢) are letters in disguise; ™ or ℠ would glue "tm" to the brand.
        inner = nfkc.strip("()")
        return _il(inner.casefold()) if len(inner) == 1 and inner.isalnum() else " "
    out = []
    for c0 in nfkc:
        if c0 in skel:
            out.append(_il(skel[c0].lower()) if skel[c0].isascii() else skel[c0])
            continue
        for c in unicodedata.normalize("NFD", c0.casefold()):
            if unicodedata.combining(c):
                continue
            if not c.isascii():
                c = skel.get(c, c)
                c = _il(c.lower()) if c.isascii() else c
            else:
                c = _il(c)
            out.append(c if (c.isalnum() or c in _LEET_SYMBOLS) else " ")
    return "".join(out)


@lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    """Translate table for every code point in the ranges that fold to something else (built once, ~0.5 s)."""
    table: dict[int, str] = {}
    for lo, hi in _RANGES:
        for cp in range(lo, hi):
            if 0xD800 <= cp < 0xE000:
                continue
            ch = chr(cp)
            f = fold_char(ch)
            if f != ch:
                table[cp] = f
    for ch in _skeleton():
        f = fold_char(ch)
        if f != ch:
            table[ord(ch)] = f
    for ch, canon in visual_groups().items():
        table[ord(ch)] = canon
    return table


@lru_cache(maxsize=1)
def visual_groups() -> dict[str, str]:
    """Visually similar CJK characters (data file ``data/cjk_visual.txt``), each mapped to its group's first one."""
    text = resources.files("bordermark.detect").joinpath("data/cjk_visual.txt").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        chars = [c for c in line.split() if len(c) == 1]
        for c in chars[1:]:
            if c != chars[0]:
                out[c] = chars[0]
    return out


def _fold_one(ch: str, table: dict[int, str]) -> str:
    return table.get(ord(ch), ch)


# ASCII fast path of _leet: a byte table classes each character (letter "a", leet character "1", other " "), so
# C-level substring tests decide whether any leet character touches a letter before any regex runs.
_CLASS_B = bytes(ord("a") if 97 <= i <= 122 else ord("1") if chr(i) in _LEET_CHARS else ord(" ") for i in range(256))
_LEFTOVER_B = bytes(ord(" ") if chr(i) in _LEET_SYMBOLS else i for i in range(256))


def _leet(s: str) -> str:
    """Leetspeak runs to letters, then any symbol left over to a separator (length-preserving)."""
    if s.isascii():
        b = s.encode("ascii")
        cls = b.translate(_CLASS_B)
        if b"1" not in cls:
            return s
        if b"a1" not in cls and b"1a" not in cls:  # no run touches a letter: only the leftover symbols change
            return b.translate(_LEFTOVER_B).decode("ascii")
    elif _LEET_CHARS.isdisjoint(s):
        return s
    return _LEET_RE.sub(_leet_run, s).translate(_LEFTOVER)


@lru_cache(maxsize=1)
def _ascii_table() -> bytes:
    """The ASCII part of :func:`fold_table` as a byte table: ``bytes.translate`` is ~10x faster than
    ``str.translate`` with a dict, and most listing text is ASCII (every ASCII character folds to one)."""
    table = fold_table()
    return bytes(ord(table.get(i, chr(i))) for i in range(128)) + bytes(range(128, 256))


def fold(text: str) -> str:
    """Per-character fold plus leetspeak: the first half of the view, shared by :func:`fast_view` and
    :func:`offsets` so that a text with a candidate is not folded twice."""
    if _fast is not None:
        return _fast.leet(text.encode("ascii").translate(_ascii_table()).decode("ascii") if text.isascii()
                          else _fast.fold_chars(text))
    if text.isascii():
        return _leet(text.encode("ascii").translate(_ascii_table()).decode("ascii"))
    return _leet(text.translate(fold_table()))


@lru_cache(maxsize=1)
def _batch_ascii_table() -> bytes:
    """:func:`_ascii_table` with NUL kept as NUL: the separator between the texts of a batch."""
    t = bytearray(_ascii_table())
    t[0] = 0
    return bytes(t)


def fold_many(texts: list[str]) -> list[str]:
    """:func:`fold` of each text; the ASCII ones (most listings) are folded together in one C-level pass.

    The character fold runs once over the texts joined by " NUL " (a one-to-one byte table, so the pieces are
    exactly the texts' folds); leetspeak then runs per text. Compiled: one C pass per text (``_fast.fold_many``)."""
    if _fast is not None:
        return _fast.fold_many(texts)
    out = [""] * len(texts)
    asc = [i for i, t in enumerate(texts) if t.isascii() and "\x00" not in t]
    if len(asc) > 1:
        joined = " \x00 ".join([texts[i] for i in asc])
        # leetspeak per text: most texts hold no leet character next to a letter and cost two byte tests, while
        # one regex pass over the whole batch cost twice as much
        parts = joined.encode("ascii").translate(_batch_ascii_table()).decode("ascii").split(" \x00 ")
        parts = [_leet(p) for p in parts] if _fast is None else _fast.leet_many(parts)
        if len(parts) == len(asc):
            for i, p in zip(asc, parts, strict=True):
                out[i] = p
            done = set(asc)
            return [out[i] if i in done else fold(t) for i, t in enumerate(texts)]
    return [fold(t) for t in texts]


def view_of(folded: str) -> str:
    """The matching view from the output of :func:`fold` (separators collapsed, Chinese gaps removed, padded)."""
    w = " ".join(folded.split())
    if not w.isascii() and " " in w and _CJK_RE.search(w):
        w = _CJK_GAP_RE.sub("", w)
    return f" {w} "


def fast_view(text: str) -> str:
    """The matching view of ``text`` without offsets (C-speed path)."""
    return view_of(fold(text))


def view_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """The same view as :func:`fast_view` plus, per view character, its ``[start, end)`` span in ``text``.

    The padding spaces map to empty spans at the ends; a separator space spans the whole run it replaced.
    This per-character path is the reference; :func:`offsets` is the fast one.
    """
    table = fold_table()
    chars: list[str] = []
    st: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_one(ch, table):
            chars.append(c)
            st.append(i)
    f = _leet("".join(chars))
    out: list[str] = [" "]
    ost: list[int] = [0]
    oen: list[int] = [0]
    prev_sep = True  # separators at the very start are dropped
    for c, s in zip(f, st, strict=True):
        if c.isspace():
            if prev_sep:
                if len(out) > 1:
                    oen[-1] = s + 1
                continue
            out.append(" ")
            ost.append(s)
            oen.append(s + 1)
            prev_sep = True
        else:
            out.append(c)
            ost.append(s)
            oen.append(s + 1)
            prev_sep = False
    if len(out) > 1 and out[-1] == " ":  # and so are separators at the very end
        out.pop()
        ost.pop()
        oen.pop()
    w = "".join(out)
    if " " in w and _CJK_RE.search(w):
        drop = {m.start() for m in _CJK_GAP_RE.finditer(w)}
        if drop:
            keep = [i for i in range(len(w)) if i not in drop]
            w = "".join(w[i] for i in keep)
            ost = [ost[i] for i in keep]
            oen = [oen[i] for i in keep]
    n = len(text)
    return w + " ", [*ost, n], [*oen, n]


def key(name: str) -> str:
    """A registry name or lexicon term in view form, without the padding (``"Louis Vuitton"`` -> ``louis vuitton``)."""
    return fast_view(name).strip()


def collapse_repeats(s: str) -> str:
    """``guuuccci`` -> ``guci``: sellers stretch letters; applied to both sides of a comparison."""
    if _fast is not None:  # a C loop (the substitution calls a Python template function per run)
        return _fast.collapse_repeats(s)
    return _REPEAT_RE.sub(r"\1", s) if _REPEAT_RE.search(s) else s


_REPEAT_RE = re.compile(r"(.)\1+")


@lru_cache(maxsize=1)
def _odd_chars() -> frozenset[str]:
    """Characters whose fold is not exactly one character (zero-width, combining marks, ligatures, ß, ...)."""
    return frozenset(chr(cp) for cp, f in fold_table().items() if len(f) != 1)


class IndexMap(Protocol):
    def __getitem__(self, i: int, /) -> int: ...

    def __len__(self) -> int: ...


class _Spans:
    """``[i]`` -> start (or end) offset in the original text of view character ``i``, computed on demand."""

    __slots__ = ("_end", "_kind", "_n", "_seg_f", "_seg_fe", "_seg_w", "_wlen")

    def __init__(self, seg_w: list[int], seg_f: list[int], seg_fe: list[int], kind: list[bool], n: int, wlen: int,
                 end: bool) -> None:
        self._seg_w, self._seg_f, self._seg_fe, self._kind = seg_w, seg_f, seg_fe, kind
        self._n, self._wlen, self._end = n, wlen, end

    def __len__(self) -> int:
        return self._wlen

    def __getitem__(self, i: int) -> int:
        if i < 0:
            i += self._wlen
        if i == 0:
            return 0
        if i >= self._wlen - 1:
            return self._n
        k = bisect_right(self._seg_w, i) - 1
        if self._kind[k]:  # separator: the whole run
            return self._seg_fe[k] if self._end else self._seg_f[k]
        f = self._seg_f[k] + (i - self._seg_w[k])
        return f + 1 if self._end else f


class _TokenSpans:
    """Offsets for a view that is just the folded text's words joined by single spaces (no Chinese gaps): built from
    a few C-level calls (split, findall, accumulate); each lookup is one bisect."""

    __slots__ = ("_end", "_fstart", "_lens", "_n", "_rl", "_wlen", "_wstart")

    def __init__(self, wstart: list[int], fstart: list[int], lens: list[int], rl: list[int], n: int, wlen: int,
                 end: bool) -> None:
        self._wstart, self._fstart, self._lens, self._rl = wstart, fstart, lens, rl
        self._n, self._wlen, self._end = n, wlen, end

    def __len__(self) -> int:
        return self._wlen

    def __getitem__(self, i: int) -> int:
        if i < 0:
            i += self._wlen
        if i == 0:
            return 0
        if i >= self._wlen - 1:
            return self._n
        k = bisect_right(self._wstart, i) - 1
        d = i - self._wstart[k]
        if d < self._lens[k]:
            f = self._fstart[k] + d
            return f + 1 if self._end else f
        a = self._fstart[k] + self._lens[k]  # the separator run after word k
        return a + self._rl[k] if self._end else a


def offsets(text: str, view: str | None = None, folded: str | None = None) -> tuple[str, IndexMap, IndexMap]:
    """View plus start/end maps, like :func:`view_with_offsets` but in O(words) for the common case where every
    character folds to exactly one character (then only separator runs and Chinese gaps move offsets).

    ``view`` and ``folded`` (the outputs of :func:`fast_view` and :func:`fold` for this text) save redoing them."""
    if not text.isascii() and not _odd_chars().isdisjoint(text):  # every ASCII character folds to one character
        return view_with_offsets(text)
    f = folded if folded is not None else fold(text)
    n = len(f)
    if f.isascii() or not _CJK_RE.search(f):
        w = view if view is not None else fast_view(text)
        toks = f.split()
        if not toks:
            return w, [0, n], [0, n]
        runs = _WS_RE.findall(f)
        lead = len(runs[0]) if f[0].isspace() else 0
        inner = runs[1:] if lead else runs
        lens = list(map(len, toks))
        tl = list(accumulate(lens, initial=0))
        rl = list(map(len, inner[: len(toks) - 1]))
        fstart = list(map(add, accumulate(lens, initial=lead), accumulate(rl, initial=0)))
        wstart = list(map(add, tl, range(1, len(tl) + 1)))
        return (w, _TokenSpans(wstart, fstart, lens, rl, len(text), len(w), False),
                _TokenSpans(wstart, fstart, lens, rl, len(text), len(w), True))
    seg_w: list[int] = []
    seg_f: list[int] = []
    seg_fe: list[int] = []
    kind: list[bool] = []
    wpos, fpos = 1, 0
    for m in _WS_RE.finditer(f):
        a, b = m.span()
        if a == 0:  # leading separators are dropped
            fpos = b
            continue
        if a > fpos:
            seg_w.append(wpos)
            seg_f.append(fpos)
            seg_fe.append(a)
            kind.append(False)
            wpos += a - fpos
        fpos = b
        if b == n:  # and so are trailing ones
            break
        if not (_CJK_RE.match(f[a - 1]) and _CJK_RE.match(f[b])):
            seg_w.append(wpos)
            seg_f.append(a)
            seg_fe.append(b)
            kind.append(True)
            wpos += 1
    if fpos < n:
        seg_w.append(wpos)
        seg_f.append(fpos)
        seg_fe.append(n)
        kind.append(False)
        wpos += n - fpos
    w = view if view is not None else fast_view(text)
    wlen = wpos + 1
    if wlen != len(w):  # cannot happen if the two constructions agree; fall back rather than misplace offsets
        return view_with_offsets(text)
    return (w, _Spans(seg_w, seg_f, seg_fe, kind, len(text), wlen, False),
            _Spans(seg_w, seg_f, seg_fe, kind, len(text), wlen, True))
