"""The detector: registry marks and trade vocabulary found in listing text, however disguised.

Data flow per text (retrieval apart from scoring, as in nomenklatura):

1. :func:`normalise.fast_view` builds the matching view with C-speed string operations.
2. One Aho-Corasick automaton over the view finds every mark name and alias (padded with spaces so only whole words
   match), every trade term and every context word in one pass. A second automaton over the view with spaces removed
   finds letter-spaced and hyphenated forms (``C h a n e l``, ``Guc-ci``); those count only at word edges and where the
   pieces are short or glued by punctuation.
3. Tokens that no automaton explained go to a bounded fuzzy stage: a dictionary of one-deletion variants proposes
   candidates, rapidfuzz's OSA distance verifies them; results are cached per token, so a repeated vocabulary costs
   one set difference per text.
4. Runs of Chinese characters are matched by sound (pypinyin) against Chinese names.
5. Only texts with a candidate pay for the offset map, the method classification and the context score.
"""

from __future__ import annotations

import gc
import re
import threading
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate, pairwise
from typing import Any

import ahocorasick
from rapidfuzz.distance import OSA

from bordermark.detect import chinese, lexicon
from bordermark.detect.normalise import (
    CJK_GAP_RE,
    CJK_RE,
    IndexMap,
    collapse_repeats,
    fold,
    fold_many,
    fold_table,
    is_cjk,
    key,
    offsets,
    view_of,
)
from bordermark.detect.types import CONTEXT_SUPPORT, Detection, Hit, Signal
from bordermark.domain import AliasKind, Registry

try:  # the typed finishing stage (``_fast.pyx``), when ``setup.py`` built it; :meth:`Detector._finish` otherwise
    from bordermark.detect import _fast
except ImportError:
    _fast = None  # type: ignore[assignment]

try:  # the batch scans' literal matcher when installed (the same matches as pyahocorasick's, fewer instructions)
    import hyperscan
except ImportError:
    hyperscan = None  # type: ignore[assignment]

BASE_SCORE = {
    "exact": 1.0, "alias": 0.95, "unicode": 0.93, "invisible": 0.92, "skeleton": 0.9, "leet": 0.88,
    "spaced": 0.86, "repeated": 0.85, "visual": 0.84, "phonetic": 0.8, "fuzzy": 0.72, "partial": 0.7,
}
"""Score of a hit before length and context adjustments: the more a seller had to disguise, the less certain."""

_LATIN_WORD = re.compile(r"[a-z0-9]")
# a word cut short and hidden behind stars or an ellipsis: LUXA**, HUA..., Wild Pa*
_PARTIAL_RE = re.compile(r"(?:([^\W_]+)[ ]+)?([^\W_]{2,})[ ]?[-.]?(?:\*+|\.{3,}|…)")
_ALPHA_WORD = re.compile(r"[^\W\d_]{4,}")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_TOKEN_CACHE_LIMIT = 500_000
_BATCH = 2048  # texts per batch scan in detect_many
_NEAR = 30  # view characters between a hit and a goods word that still count as "nearby"
_CLAUSE_BREAK = re.compile(r"[,;!?|\n\t，；。！？、]|(?<![.\w])\.(?!\.)|(?<=\w)\.(?=\s)")  # not "...", "2.4"
_DOUBTFUL = frozenset({"fuzzy", "repeated", "partial", "phonetic"})  # methods that can make a candidate ambiguous
_PLAIN_BREAK = re.compile(r"[,;?\n\t]")  # the clause breaks that are always separators in ASCII text
_CAPITAL = {c: c.upper() for c in "abcdefghijklmnopqrstuvwxyz"}  # the view's i is also l: I or L (RoIex)
_CJK_GAP_SEARCH = CJK_RE.search
_CJK_GAP_SUB = CJK_GAP_RE.sub
STRONG_SUPPORT = 0.65
"""Context needed by the weakest readings: a misspelling that is itself an ordinary word, a two-letter mark, a
two-character Chinese homophone."""


@dataclass(frozen=True, slots=True)
class _Entry:
    """One searchable name of a mark (the word mark itself or one alias)."""

    mark_id: str
    mark: str
    holder: str
    name: str
    key: str
    alias_kind: str | None
    classes: frozenset[int]
    product_words: frozenset[str]
    ambiguous: bool
    cjk: bool


@dataclass(slots=True)
class _Cand:  # not frozen: a frozen dataclass pays object.__setattr__ per field, and thousands are built per batch
    entry: int
    ws: int  # view span [ws, we)
    we: int
    method: str | None  # None: classify from the original text
    sim: float = 1.0


if _fast is not None:  # the same fields as a C struct (the compiled stages read them without attribute lookups)
    _Cand = _fast.Cand  # type: ignore[misc,assignment]


def _add_word_cands(w: str, word: str, res: tuple[tuple[int, str, float], ...], out: list[_Cand]) -> None:
    """A candidate per looked-up result at every whole-word occurrence of ``word`` in the padded view ``w``."""
    needle = f" {word} "
    at = w.find(needle)
    while at >= 0:
        for idx, method, sim in res:
            out.append(_Cand(idx, at + 1, at + 1 + len(word), method, sim))
        at = w.find(needle, at + 1)


def _bound(cat: float, near: float, product: float, trade: bool, holder: float, cap: float) -> float:
    """:meth:`Detector._context`'s sum, term by term in its order (so equal terms give the same float)."""
    ctx = 0.0
    ctx += cat
    ctx += near
    ctx += product
    if trade:
        ctx += 0.25
    ctx += holder
    ctx += cap
    return ctx


def _plain_breaks(text: str, f: str) -> set[int] | None:
    """For ASCII text whose only clause breaks are , ; ? newline or tab (single characters that are always
    separators, so they sit between view words): ``j`` for each break that precedes view word ``j``. None for other
    text (``.`` counts by its neighbours, ``!`` and ``|`` can be leetspeak inside a word, non-ASCII folds vary)."""
    if not text.isascii() or "." in text or "!" in text or "|" in text:
        return None
    return {len(f[:m.start()].split()) for m in _PLAIN_BREAK.finditer(text)}


def _near_plain(w: str, x: _Cand, ctx_at: list[tuple[int, int, frozenset[int]]], wanted: frozenset[int],
                brk: set[int]) -> set[int]:
    """:meth:`Detector._near_classes` for a hit on whole view words of a text :func:`_plain_breaks` accepts: a
    clause break between goods word and hit is a break before a view word between them."""
    out: set[int] = set()
    h_first = h_last = -1
    for a, b, classes in ctx_at:
        if b < x.ws - _NEAR or a > x.we + _NEAR or classes.isdisjoint(wanted):
            continue
        if brk and h_first < 0:
            h_first, h_last = w.count(" ", 0, x.ws) - 1, w.count(" ", 0, x.we - 1) - 1
        if not brk or not _broken(brk, w, a, b, h_first, h_last):
            out |= classes
    return out


def _broken(brk: set[int], w: str, a: int, b: int, h_first: int, h_last: int) -> bool:
    """A clause break between the padded view word ``w[a:b+1]`` and the hit on view words ``h_first..h_last``;
    ``brk`` holds ``j`` when a break precedes word ``j`` (see :meth:`Detector._prefilter`)."""
    g_last = w.count(" ", 0, b) - 1
    if g_last < h_first:
        return any(j in brk for j in range(g_last + 1, h_first + 1))
    g_first = w.count(" ", 0, a + 1) - 1
    if g_first > h_last:
        return any(j in brk for j in range(h_last + 1, g_first + 1))
    return False  # overlapping: nothing between them


class _HsScan:
    """A hyperscan database over literal keys whose :meth:`iter` gives what ``ahocorasick.Automaton.iter`` gives for
    the same keys and values: ``(end, value)`` per match (``end`` the index of the match's last character), ends
    ascending and, at one end, longer keys first. With the compiled module, hyperscan scans ``_fast.byte_view`` of
    the text (one byte per character; a match of a key holding a non-ASCII character is checked against the text);
    without it, or with ``utf8`` (keys that are all non-ASCII, the Chinese names: in the byte view
    Han characters share their bytes, so most positions would need that check), the text's UTF-8 bytes (a valid
    UTF-8 key matches only at character boundaries), byte ends becoming character ends by counting the characters
    between matches."""

    def __init__(self, items: Iterable[tuple[str, Any]], utf8: bool = False) -> None:
        ordered = sorted(items, key=lambda kv: -len(kv[0]))  # ids ascend as keys shorten: pyahocorasick's order
        self._keys = [k for k, _ in ordered]
        self._values = [v for _, v in ordered]
        self._want_utf8 = utf8
        self._utf8 = utf8 or _fast is None
        self._check = {i for i, k in enumerate(self._keys) if not k.isascii()} if not self._utf8 else set()
        self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._db.compile(expressions=[self._encode(k) for k in self._keys],
                         ids=list(range(len(ordered))), elements=len(ordered), flags=0, literal=True)
        self._local = threading.local()  # a scratch space per thread: one shared by two scans at once is an error

    def __getstate__(self) -> dict[str, Any]:
        """Keys and values only: hyperscan's database and scratch do not pickle (Spark broadcasts the detector); the
        receiving process compiles its own, for its own compiled module or not."""
        return {"items": list(zip(self._keys, self._values, strict=True)), "utf8": self._want_utf8}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["items"], state.get("utf8", False))  # type: ignore[misc]

    def _encode(self, text: str) -> bytes:
        return text.encode("utf-8", "surrogatepass") if self._utf8 else _fast.byte_view(text)

    def iter(self, text: str) -> list[tuple[int, Any]]:
        hits: list[tuple[int, int]] = []
        add = hits.append
        data = self._encode(text)
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._db)
        if _fast is not None:  # the match handler and what follows in C (no Python frame per match)
            got = _fast.HsMatches()
            self._db.scan(data, match_event_handler=got, scratch=scratch)
            return got.results(self._values, self._keys, self._check, text, data)
        self._db.scan(data, match_event_handler=lambda i, _f, to, _fl, _c: add((to, i)), scratch=scratch)
        hits.sort()
        values = self._values
        if len(data) == len(text):  # one byte per character
            if self._check:
                keys, check = self._keys, self._check
                return [(to - 1, values[i]) for to, i in hits
                        if i not in check or text[to - len(keys[i]):to] == keys[i]]
            return [(to - 1, values[i]) for to, i in hits]
        out = []
        prev = chars = 0
        for to, i in hits:
            if to != prev:
                chars += len(data[prev:to].decode("utf-8", "surrogatepass"))
                prev = to
            out.append((chars - 1, values[i]))
        return out


def _hs_scan(automaton: ahocorasick.Automaton, utf8: bool = False) -> _HsScan | ahocorasick.Automaton:
    """``automaton``'s keys and values as an :class:`_HsScan` when hyperscan is installed; itself otherwise (and
    when a key holds NUL, which hyperscan's Python binding would cut the key at)."""
    if hyperscan is None or automaton.kind != ahocorasick.AHOCORASICK:
        return automaton
    items = list(automaton.items())
    return automaton if any("\x00" in k for k, _ in items) else _HsScan(items, utf8)


def _scan(automaton: ahocorasick.Automaton | _HsScan, text: str) -> Iterator[tuple[int, Any]]:
    """The automaton's matches over ``text`` (none when it holds no word)."""
    if isinstance(automaton, _HsScan):
        return iter(automaton.iter(text))
    return automaton.iter(text) if automaton.kind == ahocorasick.AHOCORASICK else iter(())


_gc_lock = threading.Lock()
_gc_depth = 0  # batches in progress (in any thread) with the cycle collector paused
_gc_resume = False  # whether the collector was on when the first of them paused it


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector for one batch. A batch allocates ~10^5 short-lived, acyclic objects (reference
    counting frees them), each allocation burst triggering a collection pass over the detector's large caches: ~12 %
    of the batch time. Nothing cyclic is built here, so nothing accumulates; the collector resumes (if it was on)
    when the last concurrent batch ends."""
    global _gc_depth, _gc_resume
    with _gc_lock:
        if _gc_depth == 0:
            _gc_resume = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_resume:
                gc.enable()


class Detector:
    """Find registered marks and counterfeit-trade signals in text. Build once, reuse for many texts."""

    def __init__(self, entries: Sequence[_Entry], terms: Sequence[lexicon.Term] | None = None) -> None:
        self._entries = list(entries)
        self._terms = list(terms if terms is not None else lexicon.trade_terms())
        self._ctx_words = lexicon.context_words()
        self._categories = lexicon.categories()
        self._common = frozenset(key(w) for w in lexicon.common_words())
        self._build()

    def __getstate__(self) -> dict[str, Any]:
        """Without the compiled word pass's memo: it is a ``_fast.WordTable`` in a compiled process and a dict in
        a pure one, and Spark may unpickle the detector under the other build (a cache: it is rebuilt as it goes)."""
        state = self.__dict__.copy()
        state["_word_state"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _word_state=_fast.WordTable() if _fast is not None else {})

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_registry(cls, registry: Registry, *, terms: Sequence[lexicon.Term] | None = None) -> Detector:
        """Index every mark, alias (observed ones included) and the words of the mark's products."""
        common = frozenset(key(w) for w in lexicon.common_words())
        entries: list[_Entry] = []
        products: dict[tuple[str, str], list[str]] = defaultdict(list)
        for product in registry.products:
            products[(product.holder, product.mark)].append(product.name)
        for mark in registry.marks:
            words: set[str] = set()
            for product_name in products.get((mark.holder, mark.text), ()):
                # purely alphabetic words of 4+ letters: "100ml" or "N°5" would match any size or number
                words.update(k for k in (key(x) for x in _ALPHA_WORD.findall(product_name)) if k not in common)
            mark_key = key(mark.text)
            mark_ambiguous = mark_key in common
            for name, kind in mark.all_names():
                k = key(name)
                if not k:
                    continue
                cjk = bool(_HAN.search(k))
                compact = k.replace(" ", "")
                short = len(compact) <= (1 if cjk else 3)
                ambiguous = short or k in common or (mark_ambiguous and kind is AliasKind.TRANSLATION)
                entries.append(_Entry(mark.id, mark.text, mark.holder, name, k, kind.value if kind else None,
                                      frozenset(mark.nice_classes), frozenset(words - {k}), ambiguous, cjk))
        return cls(entries, terms)

    def _build(self) -> None:
        by_key: dict[str, list[tuple[str, int, bool]]] = defaultdict(list)

        def pad(k: str) -> str:
            return f" {k} " if not _HAN.search(k) else k

        for i, e in enumerate(self._entries):
            by_key[pad(e.key)].append(("m", i, False))
        self._regex_terms: list[tuple[lexicon.Term, re.Pattern[str]]] = []
        for j, t in enumerate(self._terms):
            if t.kind == "regex":
                self._regex_terms.append((t, re.compile(t.term, re.IGNORECASE)))
            else:
                by_key[pad(key(t.term))].append(("t", j, False))
        self._term_padded = [not _HAN.search(key(t.term)) for t in self._terms]
        self._name_f = [" ".join(e.name.casefold().split()) for e in self._entries]
        # each entry's product words as " word " (view words are single-space separated and padded), for the
        # compiled stage's substring test; a word holding a space can never be one view word
        self._product_pads = [tuple(f" {p} " for p in sorted(e.product_words) if p and " " not in p)
                              for e in self._entries]
        # literal hints (lower case, "|"-separated) found by one automaton decide which full regexes run at all
        self._hints = ahocorasick.Automaton()
        hint_terms: dict[str, set[int]] = defaultdict(set)
        for i, (t, _) in enumerate(self._regex_terms):
            for lit in (t.hint.split("|") if t.hint else []):
                hint_terms[lit.lower()].add(i)
        self._unhinted = [i for i, (t, _) in enumerate(self._regex_terms) if not t.hint]
        self._hint_list = [(lit, frozenset(idxs)) for lit, idxs in hint_terms.items() if lit]
        # the same literals by first character, for the compiled single pass (``_fast.hint_texts``)
        self._hint_ascii: list[list[tuple[str, frozenset[int]]] | None] = [None] * 128
        self._hint_other: dict[str, list[tuple[str, frozenset[int]]]] = {}
        for lit, lit_terms in self._hint_list:
            if ord(lit[0]) < 128:
                self._hint_ascii[ord(lit[0])] = [*(self._hint_ascii[ord(lit[0])] or []), (lit, lit_terms)]
            else:
                self._hint_other.setdefault(lit[0], []).append((lit, lit_terms))
        for lit, idxs in hint_terms.items():
            self._hints.add_word(lit, frozenset(idxs))
        if hint_terms:
            self._hints.make_automaton()
        self._ctx_list = list(self._ctx_words.items())
        # Each automaton comes in two: names written without a Chinese character (padded with spaces, so one root
        # transition) and the ones with one (unpadded, run only over text holding a Chinese character).
        # pyahocorasick looks a character up among a node's children one by one, and most characters of a text
        # fall back to the root: with the Chinese names' ~150 first characters there, it scanned them all per
        # character.
        self._actx = ahocorasick.Automaton()
        self._actx_han = ahocorasick.Automaton()
        ctx_keys: dict[str, frozenset[int]] = {}
        for word, classes in self._ctx_list:
            k = pad(key(word))
            ctx_keys[k] = ctx_keys.get(k, frozenset()) | classes
        for k, classes in ctx_keys.items():
            (self._actx if k.startswith(" ") else self._actx_han).add_word(k, (len(k), classes))
        self._aw = ahocorasick.Automaton()
        self._aw_han = ahocorasick.Automaton()
        for k, vals in by_key.items():
            (self._aw if k.startswith(" ") else self._aw_han).add_word(k, (len(k), tuple(vals)))
        for a in (self._actx, self._actx_han, self._aw, self._aw_han):
            if len(a):
                a.make_automaton()
        self._padded = {k for k in by_key if k.startswith(" ")}
        self._aw_batch = _hs_scan(self._aw)  # the batch scan's matcher over the same keys
        self._aw_han_batch = _hs_scan(self._aw_han, utf8=True)

        # compact automaton for spaced / hyphenated disguises
        self._ac = ahocorasick.Automaton()
        by_compact: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(self._entries):
            c = e.key.replace(" ", "")
            if not e.cjk and len(c) >= 4:
                by_compact[c].append(i)
        for c, idx in by_compact.items():
            self._ac.add_word(c, (len(c), tuple(idx)))
        self._has_compact = bool(by_compact)
        if self._has_compact:
            self._ac.make_automaton()
        self._ac_batch = _hs_scan(self._ac)

        # fuzzy stage: one-deletion index over single-word latin keys (and multi-word keys in compact form); the
        # same two indexes holding only the multi-word marks, for word pairs (which only such marks can match)
        self._compact = [e.key.replace(" ", "") for e in self._entries]
        self._del_index: dict[str, set[int]] = defaultdict(set)
        self._collapsed: dict[str, set[int]] = defaultdict(set)
        self._del_multi: dict[str, set[int]] = defaultdict(set)
        self._collapsed_multi: dict[str, set[int]] = defaultdict(set)
        self._first_words: set[str] = set()
        exact_tokens: set[str] = set()
        for i, e in enumerate(self._entries):
            if e.cjk:
                continue
            c = e.key.replace(" ", "")
            exact_tokens.update(e.key.split())
            if " " in e.key:
                self._first_words.add(e.key.split()[0])
            multi = " " in e.key
            self._collapsed[collapse_repeats(c)].add(i)
            if multi:
                self._collapsed_multi[collapse_repeats(c)].add(i)
            if len(c) >= 4 and not e.ambiguous:
                for v in (c, *(c[:p] + c[p + 1:] for p in range(len(c)))):
                    self._del_index[v].add(i)
                    if multi:
                        self._del_multi[v].add(i)
        for name in ("_del_index", "_collapsed", "_del_multi", "_collapsed_multi"):  # plain dicts from here on
            setattr(self, name, dict(getattr(self, name)))
        term_tokens = {w for t in self._terms if t.kind == "word" for w in key(t.term).split()}
        ctx_tokens = {w for w, _ in self._ctx_list for w in key(w).split()}
        self._prefixes: dict[str, set[int]] = defaultdict(set)
        for i, e in enumerate(self._entries):
            if not e.cjk and len(e.key) >= 4:
                for n in range(3, len(e.key)):
                    if e.key[n - 1] != " ":
                        self._prefixes[e.key[:n]].add(i)
        self._seed_clean = frozenset((term_tokens | ctx_tokens) - exact_tokens)
        # tokens and word pairs already looked up without a hit: a cache only, never a change of meaning (a
        # cached token must still count as unexplained for the pair stage, or results depend on history)
        self._clean: set[str] = set()
        self._tok_hits: dict[str, tuple[tuple[int, str, float], ...]] = {}
        self._pair_res: dict[tuple[str, str], tuple[tuple[int, str, float], ...]] = {}
        self._pair_hits: set[tuple[str, str]] = set()
        # the compiled word pass's memo of the three caches above, looked up by a span of the batch view
        self._word_state: Any = _fast.WordTable() if _fast is not None else {}

        # Chinese sound index: first fuzzy syllable -> (entry, syllables, fuzzy syllables)
        self._py_index: dict[tuple[str, str], list[tuple[int, tuple[str, ...], tuple[str, ...]]]] = defaultdict(list)
        self._run_cache: dict[str, tuple[tuple[int, int, int, float], ...]] = {}
        self._pair_names: dict[str, tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...]] = {}
        for i, e in enumerate(self._entries):
            if e.cjk and len(e.key) >= 2 and all(is_cjk(ch) for ch in e.key):
                syl = chinese.name_syllables(e.key)
                if syl:
                    fz = tuple(chinese.fuzzy_syllable(s) for s in syl)
                    self._py_index[(fz[0], fz[1])].append((i, syl, fz))
        # for the compiled sound stage: the names' first and second fuzzy syllables, and per Han character a byte
        # saying whether it can read as either (filled on first sight)
        self._py_first = frozenset(a for a, _ in self._py_index)
        self._py_second = frozenset(b for _, b in self._py_index)
        self._han_roles = bytearray(0xA000 - 0x3400)
        fold_table()  # warm-up so the first text does not pay for it

    # ------------------------------------------------------------------ public API
    def detect(self, text: str, *, category: str | None = None, nice_classes: Iterable[int] | None = None,
               keep_unsupported: bool = False) -> Detection:
        """Hits and signals in ``text``; ``category`` (listing category) or ``nice_classes`` sharpen the context.

        Ambiguous hits (ordinary-word or very short marks) whose context is below ``CONTEXT_SUPPORT`` are dropped
        unless ``keep_unsupported`` is set; every hit carries its ``context`` so screening can weigh it.
        """
        f = fold(text)
        w = view_of(f)
        cands: list[_Cand] = []
        term_spans: list[tuple[int, int, int]] = []
        self._main_matches(w, _scan(self._aw, w), cands, term_spans)
        if _HAN.search(w):
            self._main_matches(w, _scan(self._aw_han, w), cands, term_spans)
        if self._has_compact:
            self._compact_stage(w, cands)
        self._token_stage(w, cands)
        if _HAN.search(w):
            self._sound_stage(w, cands)
        if "*" in text or "..." in text or "…" in text:
            self._partial_stage(text, w, cands)
        regex_sigs = self._regex_signals(text)
        if not cands and not term_spans and not regex_sigs:
            return Detection()
        return self._finish(text, w, f, cands, term_spans, regex_sigs, category, nice_classes,
                            keep_unsupported)

    def _main_matches(self, w: str, matches: Iterable[tuple[int, tuple[int, tuple[tuple[str, int, bool], ...]]]],
                      cands: list[_Cand], term_spans: list[tuple[int, int, int]]) -> None:
        """Candidates and trade-term spans from the main automaton's matches (``end`` indexes ``w``)."""
        for end, (length, vals) in matches:
            start = end - length + 1
            for kind, idx, variant in vals:
                if kind == "m":
                    e = self._entries[idx]
                    ws, we = (start + 1, end) if not e.cjk else (start, end + 1)
                    if e.cjk and not self._edges_ok(w, ws, we):
                        continue
                    cands.append(_Cand(idx, ws, we, "skeleton" if variant else None))
                elif kind == "t":
                    padded = self._term_padded[idx]
                    ws, we = (start + 1, end) if padded else (start, end + 1)
                    if not padded and not self._edges_ok(w, ws, we):
                        continue
                    term_spans.append((idx, ws, we))

    def detect_many(self, texts: Iterable[str], *, categories: Iterable[str | None] | None = None,
                    keep_unsupported: bool = False) -> list[Detection]:
        """Detect over a batch; ``categories`` (same length) gives each text's listing category."""
        texts = list(texts)
        cats = list(categories) if categories is not None else [None] * len(texts)
        if len(cats) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(cats)} categories")
        # the collector stays paused over the whole call, not only over each batch scan: building the keys allocates
        # a tuple per text, and on a long list that set off full collections over the detector's caches (~40 % of
        # a 90,000-text call); nothing here is cyclic
        with _no_cyclic_gc():
            # marketplaces repeat listings verbatim: each distinct (text, category) is detected once per batch
            keys = list(zip(texts, cats, strict=True))
            distinct = list(dict.fromkeys(keys))
            memo: dict[tuple[str, str | None], Detection] = {}
            every: list[Detection] = []
            for lo in range(0, len(distinct), _BATCH):
                part = distinct[lo:lo + _BATCH]
                got = self._detect_batch(part, keep_unsupported)
                if len(distinct) == len(keys):  # no repeats: the results in order, without the memo's lookups
                    every += got
                else:
                    memo.update(zip(part, got, strict=True))
        return every if len(distinct) == len(keys) else [memo[k] for k in keys]

    def _detect_batch(self, items: list[tuple[str, str | None]], keep_unsupported: bool) -> list[Detection]:
        """:meth:`detect` for many texts at once, with the same results: the texts' views are joined by a separator
        that no name contains (NUL), so the fold, the automaton scans and the token lookups run once per batch in C,
        and only texts with something found pay for per-text Python work."""
        texts = [t for t, _ in items]
        folded = fold_many(texts)
        out: list[Detection | None] = [None] * len(texts)
        idx = [i for i, f in enumerate(folded) if f and not f.isspace()]
        if idx and len(idx) == len(texts):  # the usual batch: every view holds a word, so no copies in idx's order
            return self._scan_batch(texts, folded, [c for _, c in items], keep_unsupported)
        if len(idx) < len(texts):  # empty views would merge with their neighbours' padding
            for i in range(len(texts)):
                if not folded[i] or folded[i].isspace():
                    out[i] = self.detect(texts[i], category=items[i][1], keep_unsupported=keep_unsupported)
        if idx:
            got = self._scan_batch([texts[i] for i in idx], [folded[i] for i in idx],
                                   [items[i][1] for i in idx], keep_unsupported)
            for i, d in zip(idx, got, strict=True):
                out[i] = d
        return out  # type: ignore[return-value]

    def _scan_batch(self, texts: list[str], folded: list[str], cats: list[str | None],
                    keep_unsupported: bool) -> list[Detection]:
        n = len(texts)
        han: list[int] | None = None
        words: list[str] = []  # the batch view's words (the compiled path reads them from the view itself)
        got_starts: list[int] | None = None
        cb: str | None = None  # the view without spaces, for the compact automaton
        if _fast is not None:  # one compiled pass, the texts with a Han character, the views' starts and the
            # compact view found on the way (no split of the view into words or parts)
            bv, han, got_starts, cb = _fast.batch_view(folded, self._has_compact)
        else:
            words = " \x00 ".join(folded).split()  # NUL between texts
            bv = " " + " ".join(words) + " "
            if not bv.isascii() and _CJK_GAP_SEARCH(bv):
                bv = _CJK_GAP_SUB("", bv)
                words = bv.split()
        if got_starts is None:
            parts = bv[1:-1].split(" \x00 ")
            if len(parts) != n:  # cannot happen (no view holds NUL); stay correct rather than misplace anything
                return [self.detect(t, category=c, keep_unsupported=keep_unsupported)
                        for t, c in zip(texts, cats, strict=True)]
            starts = list(accumulate(map((3).__add__, map(len, parts)), initial=0))  # view k is bv[starts[k]:...]
        else:
            starts = got_starts

        def view(k: int) -> str:
            return bv[starts[k]:starts[k + 1] - 1]

        def part(k: int) -> str:  # view k without its pad spaces
            return bv[starts[k] + 1:starts[k + 1] - 2]

        cands: dict[int, list[_Cand]] = defaultdict(list)
        terms: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        if han is None:
            han = [k for k in range(n) if not texts[k].isascii() and _HAN.search(part(k))]
        # names without a Chinese character over the whole batch; the others over the texts holding one
        runs: list[tuple[ahocorasick.Automaton | _HsScan, str, list[int], list[int] | None]] = [
            (self._aw_batch, bv, starts, None)]
        if han and len(self._aw_han):
            han_parts = [part(k) for k in han]
            hv = " " + " \x00 ".join(han_parts) + " "
            runs.append((self._aw_han_batch, hv, list(accumulate(map((3).__add__, map(len, han_parts)), initial=0)),
                         han))
        for automaton, joined, at, ids in runs:
            if _fast is not None:
                _fast.main_matches(self, _scan(automaton, joined), joined, at, cands, terms, ids)
                continue
            raw: dict[int, list[tuple[int, tuple[int, tuple[tuple[str, int, bool], ...]]]]] = defaultdict(list)
            for end, payload in _scan(automaton, joined):
                j = bisect_right(at, end) - 1
                raw[j].append((end - at[j], payload))
            for j, matches in raw.items():
                k = ids[j] if ids is not None else j
                self._main_matches(view(k), matches, cands[k], terms[k])
        if self._has_compact:
            if cb is None:
                cb = bv.replace(" ", "")
            spaced = (self._spaced_matches(cb, words) if _fast is None
                      else _fast.spaced_matches(self._ac_batch.iter(cb), bv, len(cb)))
            if spaced:
                cstarts = list(accumulate(map((1).__add__, map(len, cb.split("\x00"))), initial=0))
                craw: dict[int, list[tuple[int, tuple[int, tuple[int, ...]]]]] = defaultdict(list)
                for end, payload in spaced:
                    k = bisect_right(cstarts, end) - 1
                    craw[k].append((end - cstarts[k], payload))
                for k, cm in craw.items():
                    self._compact_stage(view(k), cands[k], cm)
        self._token_batch(words, n, view, cands, bv, starts)
        if _fast is not None:
            return _fast.finish_batch(self, texts, bv, starts, folded, cands, terms, cats, keep_unsupported)
        for k in range(n):
            t = texts[k]
            if not t.isascii() and _HAN.search(part(k)):
                self._sound_stage(view(k), cands[k])
            if "*" in t or "..." in t or "…" in t:
                self._partial_stage(t, view(k), cands[k])
        regex = self._regex_batch(texts)
        out: list[Detection] = []
        for k in range(n):
            c, ts, rs = cands.get(k), terms.get(k), regex.get(k)
            if not c and not ts and not rs:
                out.append(Detection())
                continue
            out.append(self._finish(texts[k], view(k), folded[k], c or [], ts or [], rs or [], cats[k], None,
                                    keep_unsupported))
        return out

    def _spaced_matches(self, cb: str, words: list[str]) -> list[tuple[int, tuple[int, tuple[int, ...]]]]:
        """The compact automaton's matches over ``cb`` (the batch's words joined without spaces) that start and end
        at word edges and span two words or more: :meth:`_compact_stage`'s first tests, here once per batch, so
        only the few matches that pass reach a text."""
        out = []
        edge: dict[int, int] | None = None
        for end, payload in self._ac_batch.iter(cb):
            if edge is None:  # the word index starting at each compact position (NUL is a word of its own)
                edge = dict(zip(accumulate(map(len, words), initial=0), range(len(words) + 1), strict=True))
            first = edge.get(end - payload[0] + 1)
            if first is None:
                continue
            last = edge.get(end + 1)
            if last is not None and last - first >= 2:
                out.append((end, payload))
        return out

    def _token_batch(self, words: list[str], n: int, view: Callable[[int], str],
                     cands: dict[int, list[_Cand]], bv: str, starts: list[int]) -> None:
        """:meth:`_token_stage` and :meth:`_pair_stage` for a whole batch view of ``n`` texts (``words``: its words,
        NUL between texts; the compiled path reads them from ``bv``): each distinct token and word pair is looked
        up once (and cached), and only the texts holding one with a hit get candidates."""
        if _fast is not None:  # the same, compiled, over the batch view (view k is bv[starts[k]:starts[k+1]-1])
            hit_toks, hit_pairs, touched, twords = self._word_hits_fast(bv)
            if hit_toks or hit_pairs:
                _fast.token_cands(twords, touched, bv, starts, cands, hit_toks, hit_pairs, self._tok_hits,
                                  self._pair_res)
            return
        hit_toks, hit_pairs = self._word_hits(words)
        if not hit_toks and not hit_pairs:
            return
        # which texts hold a token or pair with a hit: per text one split and two set tests (a str.find over the
        # whole batch view per token would cost far more: the hit vocabulary is large, each text holds few)
        firsts = {a for a, _ in hit_pairs}
        for k in range(n):
            words_k = view(k).split()
            if hit_toks.isdisjoint(words_k) and firsts.isdisjoint(words_k):
                continue
            w = view(k)
            lst = cands[k]
            mine = hit_toks.intersection(words_k)
            if mine:
                covered = {w[x.ws:x.we] for x in lst}
                for t in mine:
                    if t in covered:
                        continue
                    _add_word_cands(w, t, self._tok_hits[t], lst)
            if hit_pairs:
                for a, b in pairwise(words_k):
                    if (a, b) in hit_pairs:
                        pair = f"{a} {b}"
                        at = w.find(f" {pair} ")  # the first occurrence, as the one-text path does
                        for idx, method, sim in self._pair_res[(a, b)]:
                            lst.append(_Cand(idx, at + 1, at + 1 + len(pair), method, sim))

    def _word_hits(self, words: list[str]) -> tuple[set[str], set[tuple[str, str]]]:
        """The batch's tokens and word pairs with a hit, each looked up once (and cached)."""
        toks = set(words)
        toks.discard("\x00")
        unknown = toks - self._seed_clean
        if not unknown:
            return set(), set()
        for t in unknown - self._clean:
            if t in self._tok_hits:
                continue
            self._resolve_token(t)
        # word pairs (a text's pair stage runs only when it has an unexplained word, and a pair counts only with
        # one: first words of multi-word marks are never in the clean seed, so "unexplained" is a word property)
        pairs = set(pairwise(words))
        if len(self._pair_res) > _TOKEN_CACHE_LIMIT:  # never inside the loop: this batch's hits must stay
            self._pair_res.clear()
            self._pair_hits.clear()
        for a, b in pairs.difference(self._pair_res):  # set.difference(dict) costs O(len(pairs)), '-' would not
            res: tuple[tuple[int, str, float], ...] = ()
            if a != "\x00" and b != "\x00" and (a not in self._seed_clean or b not in self._seed_clean):
                res = self._pair_lookup(a, b)
            self._pair_res[(a, b)] = res
            if res:
                self._pair_hits.add((a, b))
        tok_hits = self._tok_hits
        hit_toks = {t for t in unknown if t in tok_hits}
        return hit_toks, pairs & self._pair_hits

    def _resolve_token(self, t: str) -> bool:
        """Look a word seen for the first time up once: remembered as clean or as a hit (bounded caches)."""
        found = self._lookup_token(t)
        if not found:
            if len(self._clean) > _TOKEN_CACHE_LIMIT:
                self._clean.clear()
            self._clean.add(t)
            return False
        self._tok_hits[t] = found
        return True

    def _pair_lookup(self, a: str, b: str) -> tuple[tuple[int, str, float], ...]:
        """Multi-word marks that two adjacent words spell when run together; memoised in the token caches."""
        if _fast is not None:
            return _fast.pair_lookup(self, a, b)
        pair = f"{a} {b}"
        if pair in self._clean:
            return ()
        got = self._tok_hits.get(pair)
        if got is None:
            got = self._lookup_token(a + b, multi=True)
            if got:
                self._tok_hits[pair] = got
            else:
                self._clean.add(pair)
        return got

    def _word_hits_fast(self, bv: str) -> tuple[set[str], set[tuple[str, str]], list[int], list[str]]:
        """:meth:`_word_hits` with the pass over the batch view's words compiled (``_fast.scan_words``); also the
        texts it found touched and their words (see ``_fast.scan_words``)."""
        assert _fast is not None
        if len(self._pair_res) > _TOKEN_CACHE_LIMIT or len(self._word_state) > _TOKEN_CACHE_LIMIT:
            self._pair_res.clear()
            self._pair_hits.clear()
            self._word_state.clear()
        new_toks, hit_toks, new_pairs, hit_pairs, touched, words = _fast.scan_words(
            bv, self._seed_clean, self._tok_hits, self._clean, self._pair_res, self._word_state)
        if new_toks or new_pairs:  # :meth:`_resolve_token` and :meth:`_pair_lookup` for each, compiled
            _fast.resolve_words(self, new_toks, hit_toks, new_pairs, hit_pairs)
        return hit_toks, hit_pairs, touched, words

    def _regex_batch(self, texts: list[str]) -> dict[int, list[tuple[lexicon.Term, int, int]]]:
        """:meth:`_regex_signals` for many texts: one scan for the literal hints over the joined lower-cased texts."""
        out: dict[int, list[tuple[lexicon.Term, int, int]]] = {}
        hinted: dict[int, set[int]] = defaultdict(set)
        if self._unhinted:
            for k in range(len(texts)):
                hinted[k].update(self._unhinted)
        got = None
        if self._hints.kind == ahocorasick.AHOCORASICK and _fast is not None:  # one compiled pass, every literal
            got = _fast.hint_texts(texts, self._hint_ascii, self._hint_other)
        if got is not None:
            for k, found in got.items():
                hinted[k] |= found
        elif self._hints.kind == ahocorasick.AHOCORASICK:
            joined = "\x00".join(texts).lower()
            low = joined.split("\x00")
            if len(low) == len(texts):
                lstarts = list(accumulate(map((1).__add__, map(len, low)), initial=0))
                # str.find per literal (a few dozen, C-speed memchr) instead of the hint automaton, whose root
                # transitions are scanned one by one for every character of the batch
                for lit, idxs in self._hint_list:
                    at = joined.find(lit)
                    while at >= 0:
                        hinted[bisect_right(lstarts, at + len(lit) - 1) - 1] |= idxs
                        at = joined.find(lit, at + 1)
            else:  # a text holds NUL itself
                for k, t in enumerate(texts):
                    for _, idxs in self._hints.iter(t.lower()):
                        hinted[k] |= idxs
        for k, hs in hinted.items():
            sigs = []
            for i in sorted(hs):
                term, rx = self._regex_terms[i]
                for m in rx.finditer(texts[k]):
                    sigs.append((term, m.start(), m.end()))
            if sigs:
                out[k] = sigs
        return out

    def classes_of(self, category: str | None) -> frozenset[int]:
        """Nice classes a listing category points at (empty when unknown)."""
        if not category:
            return frozenset()
        k = key(category)
        got = self._categories.get(k) or self._ctx_words.get(k)
        if got:
            return got
        out: set[int] = set()
        for word in k.split():
            out |= self._categories.get(word, frozenset()) | self._ctx_words.get(word, frozenset())
        return frozenset(out)

    # ------------------------------------------------------------------ stages
    @staticmethod
    def _edges_ok(w: str, ws: int, we: int) -> bool:
        """A raw (unpadded) match that starts or ends with a latin character must not continue a latin word."""
        if _LATIN_WORD.match(w[ws]) and ws > 0 and _LATIN_WORD.match(w[ws - 1]):
            return False
        return not (_LATIN_WORD.match(w[we - 1]) and we < len(w) and _LATIN_WORD.match(w[we]))

    def _compact_stage(self, w: str, cands: list[_Cand],
                       raw: list[tuple[int, tuple[int, tuple[int, ...]]]] | None = None) -> None:
        """``raw``: the compact automaton's matches over ``w`` without spaces, when a batch scan already has them."""
        if raw is None:
            raw = list(self._ac.iter(w.replace(" ", "")))
        if not raw:
            return
        toks = w.split()
        ends = list(accumulate(map(len, toks)))  # compact index just after each word
        ends_set = set(ends)
        starts_set = {0, *ends}
        found = {(x.entry, x.ws) for x in cands}
        for end, (length, idxs) in raw:
            cs = end - length + 1
            if cs not in starts_set or end + 1 not in ends_set:
                continue  # must start and end at word edges
            first = bisect_right(ends, cs)  # word index where the match starts
            last = bisect_right(ends, end)
            if first == last:
                continue  # inside one word: the main automaton's business
            ws = cs + first + 1  # one pad space, plus one space per word before
            we = end + 1 + last + 1
            pieces = w[ws:we].split(" ")
            for i in idxs:
                e = self._entries[i]
                if (i, ws) in found or pieces == e.key.split(" "):
                    continue
                cands.append(_Cand(i, ws, we, "spaced?"))

    def _token_stage(self, w: str, cands: list[_Cand]) -> None:
        toks = set(w.split())
        unknown = toks - self._seed_clean
        if not unknown:
            return
        covered = {w[x.ws:x.we] for x in cands}
        for t in unknown:
            if t in self._clean:
                continue
            res = self._tok_hits.get(t)
            if res is None:
                res = self._lookup_token(t)
                if not res:
                    if len(self._clean) > _TOKEN_CACHE_LIMIT:
                        self._clean.clear()
                    self._clean.add(t)
                    continue
                self._tok_hits[t] = res
            if t in covered:
                continue
            _add_word_cands(w, t, res, cands)
        self._pair_stage(w, cands, unknown | (toks & self._first_words))

    def _pair_stage(self, w: str, cands: list[_Cand], odd: set[str]) -> None:
        """Misspelt or stretched multi-word marks (``Louis Vuiton``, ``Molsio Fondvreas``): word pairs with an
        unexplained word (or a multi-word mark's first word) against multi-word marks in compact form."""
        if not odd:
            return
        words = w.split()
        for i in range(len(words) - 1):
            a, b = words[i], words[i + 1]
            if a not in odd and b not in odd:
                continue
            res = self._pair_lookup(a, b)
            if not res:
                continue
            pair = f"{a} {b}"
            at = w.find(f" {pair} ")
            if at >= 0:
                for idx, method, sim in res:
                    cands.append(_Cand(idx, at + 1, at + 1 + len(pair), method, sim))

    def _lookup_token(self, t: str, multi: bool = False) -> tuple[tuple[int, str, float], ...]:
        """Marks ``t`` may misspell or stretch (``multi``: only marks of several words, for word pairs: the same
        answer filtered, since each mark's answer depends on ``t`` and its own name alone)."""
        if _fast is not None:
            return _fast.lookup_token(self, t, multi)
        if len(t) < 4 or not t.isascii():
            return ()
        out: dict[int, tuple[int, str, float]] = {}
        collapsed = collapse_repeats(t)
        index, coll_index = (self._del_multi, self._collapsed_multi) if multi else (self._del_index, self._collapsed)
        if collapsed != t:
            for i in coll_index.get(collapsed, ()):
                k = self._compact[i]
                if collapse_repeats(k) == collapsed and len(t) > len(k):  # stretched, not a changed letter
                    out[i] = (i, "repeated", 0.95)
        cands: set[int] = set()
        for v in {t, collapsed, *(t[:p] + t[p + 1:] for p in range(len(t)))}:
            cands |= index.get(v, set())
        for i in cands:
            if i in out:
                continue
            k = self._compact[i]
            if k == t or k[0] != t[0]:
                continue
            limit = 2 if len(k) >= 9 else 1
            d = OSA.distance(t, k, score_cutoff=limit)
            if d > limit and collapsed != t:
                d = OSA.distance(collapsed, collapse_repeats(k), score_cutoff=limit)
            # four-letter marks: only two swapped letters (Dley for Dely); anything looser is another word
            short_ok = len(k) >= 5 or (len(t) == len(k) and sorted(t) == sorted(k))
            if d <= limit and short_ok:
                out[i] = (i, "fuzzy", round(1.0 - d / max(len(k), len(t)), 3))
        return tuple(out.values())

    def _sound_stage(self, w: str, cands: list[_Cand]) -> None:
        if not self._py_index:
            return
        have = {(x.entry, x.ws) for x in cands}
        for m in chinese.HAN_RUN_RE.finditer(w):
            run = m.group()
            found = self._run_cache.get(run)
            if found is None:
                found = self._sound_run(run)
                if len(self._run_cache) > _TOKEN_CACHE_LIMIT:
                    self._run_cache.clear()
                self._run_cache[run] = found
            base = m.start()
            for off, idx, n, sim in found:
                if (idx, base + off) not in have:
                    have.add((idx, base + off))
                    cands.append(_Cand(idx, base + off, base + off + n, "phonetic", sim))

    def _sound_run(self, run: str) -> tuple[tuple[int, int, int, float], ...]:
        """Sound-alikes of Chinese names in one run of Chinese characters (cached per run: runs repeat). The names
        that may start at a position depend only on its two characters: cached per character pair, so a run pays one
        dictionary lookup per character, and names are checked only where a pair can start one."""
        if _fast is not None:
            return _fast.sound_run(self, run)
        out: list[tuple[int, int, int, float]] = []
        starts = self._pair_names
        for i in range(len(run) - 1):
            two = run[i:i + 2]
            named = starts.get(two)
            if named is None:
                if len(starts) > _TOKEN_CACHE_LIMIT:
                    starts.clear()
                fz0, fz1 = chinese.fuzzy_readings(two[0]), chinese.fuzzy_readings(two[1])
                named = starts[two] = tuple(x for f0 in fz0 for f1 in fz1 for x in self._py_index.get((f0, f1), ()))
            for idx, syl, fzs in named:
                n = len(syl)
                if i + n > len(run):
                    continue
                seg = run[i:i + n]
                if seg == self._entries[idx].key:
                    continue
                near = 0
                for j in range(n):
                    if syl[j] in chinese.readings(seg[j]):
                        continue
                    if fzs[j] in chinese.fuzzy_readings(seg[j]):
                        near += 1
                        continue
                    near = 99
                    break
                if near == 0 or (n >= 3 and near <= 1):
                    out.append((i, idx, n, 1.0 if near == 0 else 0.85))
        return tuple(out)

    def _partial_stage(self, text: str, w: str, cands: list[_Cand]) -> None:
        """A name cut short behind stars (``LUXA**``): counts only when the prefix names exactly one mark."""
        for m in _PARTIAL_RE.finditer(text):
            prev, word = m.group(1), m.group(2)
            for pre in ([f"{prev} {word}"] if prev else []) + [word]:
                p = key(pre)
                owners = self._prefixes.get(p, set())
                if len(p.replace(" ", "")) < 3 or len({self._entries[i].mark_id for i in owners}) != 1:
                    continue
                at = w.find(f" {p} ")
                if at < 0:
                    continue
                for i in owners:
                    cands.append(_Cand(i, at + 1, at + 1 + len(p), "partial",
                                       round(len(p) / len(self._entries[i].key), 3)))
                break

    def _regex_signals(self, text: str) -> list[tuple[lexicon.Term, int, int]]:
        hinted: set[int] = set(self._unhinted)
        if self._hints.kind == ahocorasick.AHOCORASICK:
            for _, idxs in self._hints.iter(text.lower()):
                hinted |= idxs
        if not hinted:
            return []
        out = []
        for i in sorted(hinted):
            t, rx = self._regex_terms[i]
            for m in rx.finditer(text):
                out.append((t, m.start(), m.end()))
        return out

    # ------------------------------------------------------------------ scoring
    def _sure_holders(self, cands: Iterable[_Cand]) -> dict[str, set[int]]:
        """Each holder's start offsets of exact, unambiguous candidates: a second sure mark of the same holder in
        the text supports an ambiguous one (the context's holder bonus)."""
        sure: dict[str, set[int]] = defaultdict(set)
        for y in cands:
            if y.method is None and not self._entries[y.entry].ambiguous:
                sure[self._entries[y.entry].holder].add(y.ws)
        return sure

    def _finish(self, text: str, w: str, f: str, cands: list[_Cand], term_spans: list[tuple[int, int, int]],
                regex_sigs: list[tuple[lexicon.Term, int, int]], category: str | None,
                nice_classes: Iterable[int] | None, keep_unsupported: bool) -> Detection:
        ctx_box: list[list[tuple[int, int, frozenset[int]]]] = []

        def ctx_at() -> list[tuple[int, int, frozenset[int]]]:
            """Goods words in the view, scanned only when a candidate's context needs them."""
            if not ctx_box:
                ctx_box.append([(end - length + 1, end, classes) for end, (length, classes) in _scan(self._actx, w)])
                if _HAN.search(w):
                    ctx_box[0] += [(end - length + 1, end, classes)
                                   for end, (length, classes) in _scan(self._actx_han, w)]
            return ctx_box[0]

        plain_box: list[set[int] | None] = []

        def plain_breaks() -> set[int] | None:
            if not plain_box:
                plain_box.append(_plain_breaks(text, f))
            return plain_box[0]

        cat_classes = frozenset(nice_classes) if nice_classes is not None else self.classes_of(category)
        if _fast is not None:
            return _fast.finish(self, text, w, f, cands, term_spans, regex_sigs, cat_classes, keep_unsupported)
        if not keep_unsupported:
            cands = self._prefilter(text, w, f, cands, ctx_at, cat_classes, bool(term_spans or regex_sigs))
            if not cands and not term_spans and not regex_sigs:
                return Detection()
        w2, st, en = offsets(text, w, f)
        if w2 != w:  # cannot happen unless the two paths diverge; fail loudly in tests rather than misplace offsets
            raise AssertionError("normalisation paths diverged")

        def span(ws: int, we: int) -> tuple[int, int]:
            return st[ws], en[we - 1]

        signals: list[Signal] = []
        seen_sig: set[tuple[str, int, int]] = set()
        for idx, ws, we in term_spans:
            t = self._terms[idx]
            a, b = span(ws, we)
            if (t.code, a, b) not in seen_sig:
                seen_sig.add((t.code, a, b))
                signals.append(Signal(t.code, t.term, a, b, t.weight, t.family, t.lang, text[a:b]))
        for t, a, b in regex_sigs:
            if (t.code, a, b) not in seen_sig:
                seen_sig.add((t.code, a, b))
                signals.append(Signal(t.code, text[a:b], a, b, t.weight, t.family, t.lang, text[a:b]))
        signals.sort(key=lambda x: (x.start, x.end))
        if len(signals) > 1 and any(sg.family == "no_brand" for sg in signals):
            # "unbranded version" is the trade's word for a copy without the logo, not a seller saying no brand:
            # a no-brand cue inside a longer trade term is not one
            longer = [(sg.start, sg.end) for sg in signals if sg.family != "no_brand"]
            signals = [sg for sg in signals if sg.family != "no_brand" or not any(
                a <= sg.start and sg.end <= b and b - a > sg.end - sg.start for a, b in longer)]

        tokens: set[str] | frozenset[str] = frozenset()  # the view's words, split only for marks with products
        has_trade = bool(signals) and any(sg.family not in ("contact", "no_brand") for sg in signals)
        no_brand = bool(signals) and any(sg.family == "no_brand" for sg in signals)
        # keep the longest candidate per view position; drop candidates inside a longer one
        # a total order (entry index and method break ties) so results never depend on set iteration order,
        # which changes with each process's hash seed
        kept = cands  # a single candidate (the common case) is its own longest
        if len(cands) > 1:
            cands.sort(key=lambda x: (x.ws, -(x.we - x.ws), x.entry, x.method or "", -x.sim))
            best: dict[tuple[int, int, int], _Cand] = {}
            for x in cands:
                k3 = (x.entry, x.ws, x.we)
                if k3 not in best or (x.method is None and best[k3].method is not None):
                    best[k3] = x
            kept = list(best.values())
            spans = [(x.ws, x.we) for x in kept]
            kept = [x for x in kept
                    if not any(a <= x.ws and x.we <= b and (b - a) > (x.we - x.ws) for a, b in spans)]
        holders_sure = self._sure_holders(kept)

        hits: list[Hit] = []
        seen: set[tuple[str, int, int]] = set()
        for x in kept:
            e = self._entries[x.entry]
            s, t_end = span(x.ws, x.we)
            matched = text[s:t_end]
            method = self._classify(matched, e, x, st, en, w)
            if method is None:
                continue
            loose = method in ("fuzzy", "repeated") and key(matched) in self._common
            ambiguous = (e.ambiguous or loose or (method == "fuzzy" and len(e.key) <= 5) or method == "partial"
                         or (method == "phonetic" and len(e.key) <= 2))
            if (method in ("phonetic", "visual") or (e.cjk and (ambiguous or x.we - x.ws <= 2))) \
                    and self._crosses_word(w, x):
                continue
            if not e.classes:
                near = set()
            elif w[x.ws - 1] == " " and w[x.we] == " " and (brk := plain_breaks()) is not None:
                near = _near_plain(w, x, ctx_at(), e.classes, brk)  # same answer, without offsets or regex
            else:
                near = self._near_classes(text, w, x, ctx_at(), st, en, e.classes)
            same_holder = bool(holders_sure.get(e.holder, set()) - {x.ws})
            if e.product_words and not tokens:
                tokens = set(w.split())
            ctx = self._context(e, matched, tokens, near, cat_classes, has_trade, same_holder)
            need = CONTEXT_SUPPORT
            if loose or len(e.key.replace(" ", "")) <= (1 if e.cjk else 2):
                need = STRONG_SUPPORT  # two kinds of evidence, not one
            if no_brand:  # the seller says the goods carry no brand: a brand name then needs strong support
                ctx = max(0.0, ctx - 0.5)
                if ambiguous and method in ("exact", "alias"):
                    # an ordinary word (boss, fossil, crown) written plainly is then most likely just that word;
                    # written in disguise (S h e l l, 0rigins) it is still the brand hidden from filters
                    need = STRONG_SUPPORT
                ambiguous = True
            if ambiguous and ctx < need and not keep_unsupported:
                continue
            dedup = (e.mark_id, s, t_end)
            if dedup in seen:
                continue
            seen.add(dedup)
            score = BASE_SCORE[method] * (x.sim if method in ("fuzzy", "phonetic", "partial") else 1.0)
            compact = len(e.key.replace(" ", ""))
            if compact <= (1 if e.cjk else 3):
                score *= 0.85
            elif compact <= (2 if e.cjk else 4):
                score *= 0.93
            score *= 0.8 + 0.2 * ctx
            hits.append(Hit(e.mark_id, e.mark, e.holder, s, t_end, matched, method, round(score, 3), round(ctx, 3),
                            ambiguous, e.name if e.alias_kind else None, e.alias_kind))
        hits.sort(key=lambda h: (h.start, -h.score, h.end, h.mark_id, h.matched, h.method))
        return Detection(hits, signals)

    def _classify(self, matched: str, e: _Entry, x: _Cand, st: IndexMap, en: IndexMap, w: str) -> str | None:
        """Name the disguise by comparing the original text with the registered name."""
        if x.method == "spaced?":
            inner = [(st[i], en[i]) for i in range(x.ws, x.we) if w[i] == " "]
            pieces = w[x.ws:x.we].split(" ")
            # A gap with punctuation in it (Guc-ci, G.U.C.C.I, Lux . ara) is deliberate; a bare space counts only
            # next to a short piece that is no ordinary word (C h a n e l, Guc ci, Graip ra).
            for g, (a, b) in enumerate(inner):
                if any(not ch.isspace() for ch in matched[a - st[x.ws]:b - st[x.ws]]):
                    continue
                short = [p for p in pieces[g:g + 2] if len(p) <= 3]
                if not short or any(p in self._common for p in short):
                    return None
            return "spaced"
        if x.method in ("fuzzy", "repeated", "phonetic", "partial"):
            return x.method
        name_f = self._name_f[x.entry]
        if " ".join(matched.casefold().split()) == name_f:
            return "exact" if e.alias_kind is None else "alias"
        return self._classify_disguise(matched, e, x, name_f)

    @staticmethod
    def _classify_disguise(matched: str, e: _Entry, x: _Cand, name_f: str) -> str:
        """The disguise of a match that is not the registered name written plainly."""
        if any(unicodedata.category(ch) == "Cf" for ch in matched):
            return "invisible"
        if e.cjk:
            return "visual"
        plain = unicodedata.normalize("NFKC", matched).casefold()
        if _strip_accents(plain) == _strip_accents(name_f):
            return "unicode"  # full-width, mathematical letters, accents
        if plain.replace("l", "i") == name_f.replace("l", "i"):
            return "skeleton"  # RoIex: capital I for l
        if any(ch.isdigit() or ch in "@$!|" for ch in plain) and not any(ch.isdigit() for ch in name_f):
            return "leet"
        if x.method == "skeleton":
            return "skeleton"
        skel = _skeleton_chars()
        if any(ch in skel and not unicodedata.normalize("NFKC", ch).isascii() for ch in matched):
            return "skeleton"
        return "unicode"

    def _prefilter(self, text: str, w: str, f: str, cands: list[_Cand],
                   ctx_at: Callable[[], list[tuple[int, int, frozenset[int]]]], cat_classes: frozenset[int],
                   signals: bool) -> list[_Cand]:
        """Drop, before any offset is computed, ambiguous candidates that no context could rescue: the most the
        context score could reach (every bonus granted that the view alone cannot rule out) is below the need.

        The bonuses are added in :meth:`_context`'s order, so a bound holding the same terms is the same float.
        For ASCII text (every character folds to one, so view words are the folded text's words) the goods-word
        test is exact without offsets when the only clause breaks are single characters that are always
        separators (, ; ? newline tab; not ``.``, whose test depends on its neighbours, nor ``!``/``|``, which can
        be leetspeak inside a word); the capital-letter bonus needs a capital that folds to the hit's first letter.
        """
        out = []
        tokens: set[str] | None = None
        sure: dict[str, set[int]] | None = None
        plain: set[int] | None = None
        for x in cands:
            e = self._entries[x.entry]
            if not e.ambiguous and x.method not in _DOUBTFUL:  # an unambiguous name read plainly: kept
                out.append(x)
                continue
            token = w[x.ws:x.we]
            loose = x.method in ("fuzzy", "repeated") and token in self._common
            if not (e.ambiguous or loose or (x.method == "fuzzy" and len(e.key) <= 5) or x.method == "partial"
                    or (x.method == "phonetic" and len(e.key) <= 2)):
                out.append(x)
                continue
            need = STRONG_SUPPORT if loose or len(e.key.replace(" ", "")) <= (1 if e.cjk else 2) else CONTEXT_SUPPORT
            cat = 0.0
            if cat_classes and e.classes:
                cat = 0.5 if cat_classes & e.classes else -0.3
            product = 0.0
            if e.product_words:
                tokens = tokens if tokens is not None else set(w.split())
                if e.product_words & tokens:
                    product = 0.4
            if sure is None:
                sure = self._sure_holders(cands)
            holder = 0.3 if sure.get(e.holder, set()) - {x.ws} else 0.0
            cap = 0.0
            if not e.cjk:
                first = _CAPITAL.get(token[:1], "")
                if not text.isascii() or (first and (first in text or (first == "I" and "L" in text))):
                    cap = 0.15
            # the goods-word test is the dear one: decided only when the other bonuses leave it open (sums in
            # _context's order, each bonus >= 0, so with it is an upper and without it a lower bound)
            if _bound(cat, 0.4, product, signals, holder, cap) < need:
                continue
            if _bound(cat, 0.0, product, signals, holder, cap) >= need:
                out.append(x)
                continue
            near = [(a, b) for a, b, c in ctx_at() if c & e.classes and b >= x.ws - _NEAR and a <= x.we + _NEAR]
            if near and w[x.ws - 1] == " " and w[x.we] == " ":
                if plain is None:
                    plain = _plain_breaks(text, f)
                if plain is not None:
                    brk = plain
                    if brk:
                        h_first, h_last = w.count(" ", 0, x.ws) - 1, w.count(" ", 0, x.we - 1) - 1
                        near = [(a, b) for a, b in near if not _broken(brk, w, a, b, h_first, h_last)]
            if near:
                out.append(x)
        return out

    @staticmethod
    def _near_classes(text: str, w: str, x: _Cand, ctx_at: list[tuple[int, int, frozenset[int]]], st: IndexMap,
                      en: IndexMap, wanted: frozenset[int]) -> set[int]:
        """Nice classes (among ``wanted``, the mark's own: no other class changes the context score) of goods words
        in the same clause as the hit and close to it (not anywhere in the text)."""
        out: set[int] = set()
        hs = he = -1
        for a, b, classes in ctx_at:
            if b < x.ws - _NEAR or a > x.we + _NEAR or classes.isdisjoint(wanted):
                continue
            if hs < 0:
                hs, he = st[x.ws], en[x.we - 1]
            if w[a] == " ":
                a, b = a + 1, b - 1  # padded word: its own characters, not the separators around it
            ca, cb = st[a], en[b]
            between = text[cb:hs] if cb <= hs else text[he:ca] if ca >= he else ""
            if not _CLAUSE_BREAK.search(between):
                out |= classes
        return out

    @staticmethod
    def _crosses_word(w: str, x: _Cand) -> bool:
        """A Chinese match whose first or last character forms a dictionary word with its neighbour is part of other
        words (小香葱 is spring onion, not 小香; 零食机械 holds no 食机)."""
        words = chinese.word_list()
        ws, we = x.ws, x.we
        for a, b in ((ws - 1, ws + 1), (ws - 2, ws + 1), (ws - 1, ws + 2), (we - 1, we + 1), (we - 2, we + 1),
                     (we - 1, we + 2)):
            if a < 0 or b > len(w) or (a >= ws and b <= we) or (a <= ws and b >= we):
                continue  # only words that split the match count (耐克鞋 holds all of 耐克)
            seg = w[a:b]
            if " " not in seg and seg in words:
                return True
        return False

    def _context(self, e: _Entry, matched: str, tokens: set[str] | frozenset[str], ctx_classes: set[int],
                 cat_classes: frozenset[int], has_trade: bool, same_holder: bool) -> float:
        """How strongly the rest of the text supports reading ``matched`` as this brand (0..1)."""
        ctx = 0.0
        if cat_classes and e.classes:
            ctx += 0.5 if cat_classes & e.classes else -0.3
        if e.classes and ctx_classes & e.classes:
            ctx += 0.4
        if e.product_words & tokens:
            ctx += 0.4
        if has_trade:
            ctx += 0.25
        if same_holder:  # another, unambiguous mark of the same holder elsewhere in the text
            ctx += 0.3
        if not e.cjk and matched[:1].isupper():
            ctx += 0.15
        return max(0.0, min(1.0, ctx))


def _skeleton_chars() -> dict[str, str]:
    from bordermark.detect.normalise import _skeleton

    return _skeleton()


def _strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
