# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Typed batch stages of the detector (optional C extension, built by ``setup.py``).

Why: once the automatons have run, the time went to per-text and per-word Python work: the word and pair lookups,
placing candidates, the context prefilter, the offset map back to the original text, the goods-word clause test,
the disguise's name, the score and the result objects, plus reading the JSON Lines. This module does that work with
C loops over the strings' buffers and C arrays, where the pure path (``engine.py``, ``normalise.py``,
``stream.py``: the reference, each use beside its twin here) builds lists, closures and offset objects. Same
inputs, same order of floating-point additions, same results: ``tests/detect/test_compiled.py`` checks both paths
give byte-identical output.
"""

from cpython.unicode cimport (Py_UNICODE_ISDIGIT, Py_UNICODE_ISSPACE, PyUnicode_1BYTE_DATA, PyUnicode_1BYTE_KIND,
                              PyUnicode_4BYTE_KIND, PyUnicode_DATA,
                              PyUnicode_FromKindAndData, PyUnicode_KIND, PyUnicode_READ)
cimport cython
from libc.stdlib cimport calloc, free, malloc, qsort, realloc
from libc.string cimport memcpy
from cpython.object cimport PyTypeObject
from cpython.ref cimport PyObject, Py_INCREF, Py_XDECREF
from cpython.bytearray cimport PyByteArray_AS_STRING

import ahocorasick

cdef object _E = None  # bordermark.detect.engine, bound on first use (it imports this module)
cdef object _Hit, _Signal, _Detection, _BASE_SCORE, _CLAUSE_SEARCH, _CAPITAL, _key
cdef object _word_list, _SCAN, _HAN_SEARCH, _OSA, _READINGS, _FUZZY_READINGS
cdef double _SUPPORT, _STRONG
cdef Py_ssize_t _NEAR, _CACHE_LIMIT


cdef void _bind() except *:
    global _E, _Hit, _Signal, _Detection, _BASE_SCORE, _CLAUSE_SEARCH, _CAPITAL, _key
    global _word_list, _SUPPORT, _STRONG, _NEAR, _SCAN, _HAN_SEARCH, _CACHE_LIMIT, _OSA, _READINGS, _FUZZY_READINGS
    from bordermark.detect import chinese, engine, normalise
    from rapidfuzz.distance import OSA
    _OSA = OSA.distance
    _READINGS = chinese.readings
    _FUZZY_READINGS = chinese.fuzzy_readings
    _Hit, _Signal, _Detection = engine.Hit, engine.Signal, engine.Detection
    _BASE_SCORE = engine.BASE_SCORE
    _CLAUSE_SEARCH = engine._CLAUSE_BREAK.search
    _CAPITAL = engine._CAPITAL
    _key = normalise.key
    _word_list = chinese.word_list
    _SUPPORT = engine.CONTEXT_SUPPORT
    _STRONG = engine.STRONG_SUPPORT
    _NEAR = engine._NEAR
    _CACHE_LIMIT = engine._TOKEN_CACHE_LIMIT
    _SCAN = engine._scan
    _HAN_SEARCH = engine._HAN.search
    _slot_offsets(_Hit, _HIT_NAMES, _HIT_OFF)
    _slot_offsets(_Signal, _SIG_NAMES, _SIG_OFF)
    _slot_offsets(_Detection, ("hits", "signals"), _DET_OFF)
    _E = engine


cdef extern from "Python.h":
    bint _ascii "PyUnicode_IS_ASCII" (object s)  # str.isascii() without a method call
    int PyObject_GenericSetAttr(object o, object name, object value) except -1
    object PyObject_Vectorcall(object callable, PyObject **args, size_t nargsf, object kwnames)
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)

cdef extern from "structmember.h":
    ctypedef struct PyMemberDef:
        Py_ssize_t offset
cdef extern from "Python.h":
    ctypedef struct PyMemberDescrObject:
        PyMemberDef *d_member

cdef object _new = object.__new__
cdef tuple _NO_ARGS = ()


cdef inline object _alloc(object cls):
    """``object.__new__(cls)`` through the type's ``tp_new`` slot (``object.__new__`` itself for the result
    dataclasses: they define no ``__new__``), without a Python call."""
    return (<PyTypeObject *> cls).tp_new(cls, <PyObject *> _NO_ARGS, NULL)

# The result types are slotted dataclasses: each field is a member descriptor, i.e. an object pointer at a fixed
# offset in the instance. The compiled code reads and writes the fields there (what the descriptor does, without a
# type lookup and a descriptor call per field: ~20 per hit built and written out).
cdef tuple _HIT_NAMES = ("mark_id", "mark", "holder", "start", "end", "matched", "method", "score", "context",
                         "ambiguous", "alias", "alias_kind")
cdef tuple _SIG_NAMES = ("code", "term", "start", "end", "weight", "family", "lang", "matched")
cdef Py_ssize_t _HIT_OFF[12]
cdef Py_ssize_t _SIG_OFF[8]
cdef Py_ssize_t _DET_OFF[2]


cdef void _slot_offsets(object cls, tuple names, Py_ssize_t *out) except *:
    import types
    for i, name in enumerate(names):
        descr = cls.__dict__[name]
        if type(descr) is not types.MemberDescriptorType:
            raise TypeError(f"{cls.__name__}.{name} is not a slot")
        out[i] = (<PyMemberDescrObject *> <PyObject *> descr).d_member.offset


cdef inline void _put(object o, Py_ssize_t off, object v):
    """Set a slot of a new instance (its slots are NULL: nothing to release)."""
    Py_INCREF(v)
    (<PyObject **> ((<char *> <PyObject *> o) + off))[0] = <PyObject *> v


cdef inline object _get(object o, Py_ssize_t off):
    """A slot's value (an AttributeError where unset, as the descriptor raises)."""
    cdef PyObject *v = (<PyObject **> ((<char *> <PyObject *> o) + off))[0]
    if v == NULL:
        raise AttributeError("slot not set")
    return <object> v
cdef object _AHOCORASICK = ahocorasick.AHOCORASICK
cdef dict _ROUND3 = {}


cdef object _round3(double x):
    """``round(x, 3)``, memoised: CPython rounds through a decimal string (dtoa and printf); a batch's scores and
    contexts take few distinct values. Only positive values are memoised (0.0 and -0.0 are equal keys)."""
    cdef object r
    if not x > 0.0:
        return round(<object> x, 3)
    r = _ROUND3.get(x)
    if r is None:
        if len(_ROUND3) > 100000:
            _ROUND3.clear()
        r = _ROUND3[x] = round(<object> x, 3)
    return r


cdef object _detection(list hits, list signals):
    """``Detection(hits, signals)`` without running the frozen dataclass's Python ``__init__``: the same slots set
    the way it sets them (``object.__setattr__``)."""
    d = _alloc(_Detection)
    _put(d, _DET_OFF[0], hits)
    _put(d, _DET_OFF[1], signals)
    return d


cdef object _hit(object mark_id, object mark, object holder, object start, object end, object matched,
                 object method, object score, object context, object ambiguous, object alias, object alias_kind):
    """``Hit(...)`` likewise (12 fields: the Python ``__init__`` cost more than the rest of a hit's finishing)."""
    h = _alloc(_Hit)
    _put(h, _HIT_OFF[0], mark_id)
    _put(h, _HIT_OFF[1], mark)
    _put(h, _HIT_OFF[2], holder)
    _put(h, _HIT_OFF[3], start)
    _put(h, _HIT_OFF[4], end)
    _put(h, _HIT_OFF[5], matched)
    _put(h, _HIT_OFF[6], method)
    _put(h, _HIT_OFF[7], score)
    _put(h, _HIT_OFF[8], context)
    _put(h, _HIT_OFF[9], ambiguous)
    _put(h, _HIT_OFF[10], alias)
    _put(h, _HIT_OFF[11], alias_kind)
    return h


cdef object _signal(object code, object term, object start, object end, object weight, object family, object lang,
                    object matched):
    """``Signal(...)`` likewise (8 fields)."""
    g = _alloc(_Signal)
    _put(g, _SIG_OFF[0], code)
    _put(g, _SIG_OFF[1], term)
    _put(g, _SIG_OFF[2], start)
    _put(g, _SIG_OFF[3], end)
    _put(g, _SIG_OFF[4], weight)
    _put(g, _SIG_OFF[5], family)
    _put(g, _SIG_OFF[6], lang)
    _put(g, _SIG_OFF[7], matched)
    return g


@cython.freelist(1024)
@cython.no_gc
cdef class Cand:
    """The engine's ``_Cand`` (a candidate: entry index, view span ``[ws, we)``, method or None, similarity) as a C
    struct; ``engine._Cand`` is this class when the module is built. The finishing stage reads a candidate's fields
    a dozen times: as a slotted dataclass each read went through Python's attribute protocol, and each of the
    tens of thousands built per batch paid five generic attribute writes. Not tracked by the cycle collector: it
    holds an int-like entry, two offsets, a string or None and a float."""

    cdef public Py_ssize_t entry, ws, we
    cdef public str method  # str or None (typed: the class is not tracked by the cycle collector)
    cdef public double sim

    def __init__(self, Py_ssize_t entry, Py_ssize_t ws, Py_ssize_t we, object method, double sim=1.0):
        self.entry = entry
        self.ws = ws
        self.we = we
        self.method = method
        self.sim = sim

    def __repr__(self):
        return f"_Cand(entry={self.entry}, ws={self.ws}, we={self.we}, method={self.method!r}, sim={self.sim!r})"


cdef inline Cand _cand(Py_ssize_t entry, Py_ssize_t ws, Py_ssize_t we, object method, double sim):
    """``Cand(entry, ws, we, method, sim)`` without a Python call."""
    cdef Cand x = Cand.__new__(Cand)
    x.entry = entry
    x.ws = ws
    x.we = we
    x.method = method
    x.sim = sim
    return x


@cython.final
cdef class _Ent:
    """The fields of one ``engine._Entry`` that the finishing stage reads, typed (the dataclass's fields go through
    Python's attribute protocol at every read), plus the name's lengths."""

    cdef bint ambiguous, cjk, has_products
    cdef Py_ssize_t keylen, compact
    cdef object key, classes, holder, mark_id, mark, name, alias_kind, entry


cdef object _ENTS = None  # detector -> list of _Ent (weak keys: the detector owns nothing new, pickles as before)


cdef list _ents(object det):
    """The detector's entries as :class:`_Ent` objects, built once per detector."""
    global _ENTS
    cdef _Ent x
    if _ENTS is None:
        import weakref
        _ENTS = weakref.WeakKeyDictionary()
    got = _ENTS.get(det)
    if got is None:
        got = []
        for e in det._entries:
            x = _Ent.__new__(_Ent)
            x.ambiguous = e.ambiguous
            x.cjk = e.cjk
            x.has_products = bool(e.product_words)
            x.key = e.key
            x.keylen = len(e.key)
            x.compact = _compact_len(e.key)
            x.classes = e.classes
            x.holder = e.holder
            x.mark_id = e.mark_id
            x.mark = e.mark
            x.name = e.name
            x.alias_kind = e.alias_kind
            x.entry = e
            got.append(x)
        _ENTS[det] = got
    return <list> got


cdef inline bint _is_cjk(Py_UCS4 c) nogil:
    return (0x3400 <= c <= 0x4DBF) or (0x4E00 <= c <= 0x9FFF) or (0xF900 <= c <= 0xFAFF)


cdef inline Py_ssize_t _spaces(str w, Py_ssize_t stop):
    """``w.count(" ", 0, stop)``."""
    cdef Py_ssize_t i, n = 0
    for i in range(stop):
        if w[i] == u" ":
            n += 1
    return n


cdef inline double _bound(double cat, double near, double product, bint trade, double holder, double cap):
    """:meth:`Detector._context`'s sum, term by term in its order (so equal terms give the same float)."""
    cdef double ctx = 0.0
    ctx += cat
    ctx += near
    ctx += product
    if trade:
        ctx += 0.25
    ctx += holder
    ctx += cap
    return ctx


cdef inline Py_ssize_t _compact_len(str k):
    cdef Py_ssize_t n = 0
    cdef Py_UCS4 c
    for c in k:
        if c != u" ":
            n += 1
    return n


@cython.final
cdef class _Det:
    """What the finishing stage reads from the detector, read once per batch (each was an attribute lookup, or a
    weak-map probe for the goods table, per text)."""

    cdef object det, actx, actx_han, common, terms
    cdef WordTable goods
    cdef list ents, product_pads, name_f


cdef _Det _det_of(object det):
    cdef _Det d = _Det.__new__(_Det)
    d.det = det
    d.ents = _ents(det)
    aut = det._actx
    d.actx = aut if aut.kind == _AHOCORASICK else None  # engine._scan finds nothing otherwise
    d.goods = _goods_table(det, aut)
    aut = det._actx_han
    d.actx_han = aut if aut.kind == _AHOCORASICK else None
    d.common = det._common
    d.terms = det._terms
    d.product_pads = det._product_pads
    d.name_f = det._name_f
    return d


cdef class _Text:
    """One text under finishing: its view, offsets (C arrays) and lazily computed facts."""

    cdef str text, w, f
    cdef int *st
    cdef int *en
    cdef Py_ssize_t wlen
    cdef object ctx  # goods words in the view: list of (a, b, classes), or None before the scan
    cdef object actx, actx_han
    cdef WordTable goods  # the padded goods words by their last word (see _goods_table), or None: actx scans
    cdef bint plain_done
    cdef object plain  # set of word indices preceded by a clause break, or None (not plain ASCII text)

    def __cinit__(self):
        self.st = NULL
        self.en = NULL

    def __dealloc__(self):
        free(self.st)
        free(self.en)

    cdef list ctx_at(self):
        """The goods words in the view: ``engine._scan`` of the two goods-word automatons (each called directly
        when it holds a word: no Python frame per text)."""
        if self.ctx is None:
            if self.goods is not None:
                self.ctx = _goods_in(self.goods, self.w)
            else:
                self.ctx = [] if self.actx is None else [(end - length + 1, end, classes) for end, (length, classes)
                                                         in self.actx.iter(self.w)]
            if self.actx_han is not None and _has_han(self.w):
                self.ctx += [(end - length + 1, end, classes) for end, (length, classes) in (
                    self.actx_han.iter(self.w))]
        return self.ctx

    cdef object plain_breaks(self):
        """:func:`engine._plain_breaks`: for ASCII text whose only clause breaks are , ; ? newline or tab, ``j`` for
        each break that precedes view word ``j`` (the words of ``f`` before it); None for other text. One pass over
        the two strings' bytes (ASCII text folds to ASCII of the same length)."""
        cdef str text = self.text, f = self.f
        cdef Py_ssize_t i, n, words = 0
        cdef const unsigned char *tx
        cdef const unsigned char *fx
        cdef unsigned char c
        cdef bint prev_space = True
        if self.plain_done:
            return self.plain
        self.plain_done = True
        n = len(text)
        if not _ascii(text) or not _ascii(f) or len(f) != n:
            self.plain = None
            return None
        tx = <const unsigned char *> PyUnicode_1BYTE_DATA(text)
        fx = <const unsigned char *> PyUnicode_1BYTE_DATA(f)
        for i in range(n):
            c = tx[i]
            if c == 46 or c == 33 or c == 124:  # . ! |
                self.plain = None
                return None
        out = set()
        for i in range(n):
            c = tx[i]
            if c == 44 or c == 59 or c == 63 or c == 10 or c == 9:  # , ; ? newline tab
                out.add(words)  # words of f[:i]
            if Py_UNICODE_ISSPACE(fx[i]):
                prev_space = True
            elif prev_space:
                words += 1
                prev_space = False
        self.plain = out
        return out

    cdef int offsets(self) except -1:
        """The view's offsets into the original text (:func:`normalise.offsets`, :func:`normalise.view_with_offsets`
        for text whose characters do not all fold to one) as two C arrays; the view is built again on the way and
        must equal ``w``."""
        cdef str text = self.text, f = self.f, w = self.w
        cdef Py_ssize_t n = len(text), nf = len(f), i, k, j, m, pos
        cdef Py_UCS4 c, g
        cdef bint prev_sep = True
        cdef Py_ssize_t cap = nf + 2
        cdef int tkind = PyUnicode_KIND(text), fkind = PyUnicode_KIND(f), wkind = PyUnicode_KIND(w)
        cdef void *tdata = PyUnicode_DATA(text)
        cdef void *fdata = PyUnicode_DATA(f)
        cdef void *wdata = PyUnicode_DATA(w)
        cdef int *src = NULL  # folded character -> its character in the text (NULL: the same index)
        cdef Py_UCS4 *out = NULL
        try:
            if (not _ascii(text) and _has_odd(text)) or nf != n:
                # some characters fold to none or several: f (the text's fold) is walked with a map back to the
                # character each piece came from, as view_with_offsets does character by character
                if _FOLD == NULL:
                    _fold_init()
                src = <int *> malloc((nf + 1) * sizeof(int))
                if src == NULL:
                    raise MemoryError()
                j = 0
                for i in range(n):
                    c = PyUnicode_READ(tkind, tdata, i)
                    g = _FOLD[c] if c < _FOLD_N else _MULTI
                    if g != _MULTI:
                        m = 1
                    else:
                        got = _FOLD_DICT.get(<long> c)
                        m = 1 if got is None else len(<str> got)
                    if j + m > nf:
                        raise AssertionError("normalisation paths diverged")
                    for k in range(m):
                        src[j] = <int> i
                        j += 1
                if j != nf:
                    raise AssertionError("normalisation paths diverged")
            out = <Py_UCS4 *> malloc(cap * sizeof(Py_UCS4))
            self.st = <int *> malloc((cap + 1) * sizeof(int))
            self.en = <int *> malloc((cap + 1) * sizeof(int))
            if out == NULL or self.st == NULL or self.en == NULL:
                raise MemoryError()
            out[0] = u" "
            self.st[0] = 0
            self.en[0] = 0
            k = 1
            for i in range(nf):
                c = PyUnicode_READ(fkind, fdata, i)
                pos = src[i] if src != NULL else i
                if Py_UNICODE_ISSPACE(c):
                    if prev_sep:
                        if k > 1:
                            self.en[k - 1] = pos + 1
                        continue
                    out[k] = u" "
                    prev_sep = True
                else:
                    out[k] = c
                    prev_sep = False
                self.st[k] = pos
                self.en[k] = pos + 1
                k += 1
            if k > 1 and out[k - 1] == u" ":
                k -= 1
            # spaces between two CJK characters are removed (Chinese has no word spaces)
            j = 1
            for i in range(1, k):
                if out[i] == u" " and i + 1 < k and _is_cjk(out[i - 1]) and _is_cjk(out[i + 1]):
                    continue
                out[j] = out[i]
                self.st[j] = self.st[i]
                self.en[j] = self.en[i]
                j += 1
            out[j] = u" "
            self.st[j] = n
            self.en[j] = n
            j += 1
            if j != len(w):
                raise AssertionError("normalisation paths diverged")
            for i in range(j):
                if out[i] != PyUnicode_READ(wkind, wdata, i):
                    raise AssertionError("normalisation paths diverged")
            self.wlen = j
        finally:
            free(out)
            free(src)
        return 0


cdef bint _broken(set brk, str w, Py_ssize_t a, Py_ssize_t b, Py_ssize_t h_first, Py_ssize_t h_last):
    """:func:`engine._broken`: a clause break between the padded view word ``w[a:b+1]`` and the hit on view words
    ``h_first..h_last``."""
    cdef Py_ssize_t g_last = _spaces(w, b) - 1, g_first, j
    if g_last < h_first:
        for j in range(g_last + 1, h_first + 1):
            if j in brk:
                return True
        return False
    g_first = _spaces(w, a + 1) - 1
    if g_first > h_last:
        for j in range(h_last + 1, g_first + 1):
            if j in brk:
                return True
    return False


cdef dict _sure_holders(list cands, list ents):
    """:meth:`Detector._sure_holders`: each holder's start offsets of exact, unambiguous candidates."""
    cdef dict sure = {}
    cdef Cand y
    cdef _Ent e
    for y in cands:
        e = <_Ent> ents[y.entry]
        if y.method is None and not e.ambiguous:
            h = e.holder
            s = sure.get(h)
            if s is None:
                sure[h] = {y.ws}
            else:
                s.add(y.ws)
    return sure


cdef dict _NO_SURE = {}  # (never written)


cdef inline bint _other_sure(dict sure, object holder, Py_ssize_t ws):
    """Whether the holder has a sure candidate other than the one starting at ``ws``."""
    s = sure.get(holder)
    return s is not None and (len(s) > 1 or (len(s) == 1 and ws not in s))


cdef list _prefilter(_Det D, list ents, _Text t, list cands, frozenset cat_classes, bint signals):
    """:meth:`Detector._prefilter`: drop ambiguous candidates that no context could rescue."""
    cdef list out = []
    cdef object common = D.common
    cdef str w = t.w, text = t.text, token
    cdef object sure = None, method, brk, classes, first
    cdef _Ent e
    cdef Cand x
    cdef list product_pads = D.product_pads
    cdef Py_ssize_t ws, we, keylen, a, b, h_first, h_last = -1
    cdef bint e_amb, loose, cjk, near, text_ascii = _ascii(text)
    cdef double need, cat, product, holder, cap
    for x in cands:
        e = <_Ent> ents[x.entry]
        method = x.method
        e_amb = e.ambiguous
        if not e_amb and not (method == "fuzzy" or method == "repeated" or method == "partial"
                              or method == "phonetic"):
            out.append(x)
            continue
        ws = x.ws
        we = x.we
        token = w[ws:we]
        loose = (method == "fuzzy" or method == "repeated") and token in common
        keylen = e.keylen
        if not (e_amb or loose or (method == "fuzzy" and keylen <= 5) or method == "partial"
                or (method == "phonetic" and keylen <= 2)):
            out.append(x)
            continue
        cjk = e.cjk
        need = _STRONG if loose or e.compact <= (1 if cjk else 2) else _SUPPORT
        classes = e.classes
        cat = 0.0
        if cat_classes and classes:
            cat = -0.3 if cat_classes.isdisjoint(classes) else 0.5
        product = 0.0
        if e.has_products:
            if _has_product(product_pads[x.entry], w):
                product = 0.4
        if sure is None:
            sure = _sure_holders(cands, ents) if len(cands) > 1 else _NO_SURE
        holder = 0.3 if _other_sure(sure, e.holder, ws) else 0.0
        cap = 0.0
        if not cjk:
            first = _CAPITAL.get(token[:1], "")
            if not text_ascii or (first and (first in text or (first == "I" and "L" in text))):
                cap = 0.15
        if _bound(cat, 0.4, product, signals, holder, cap) < need:
            continue
        if _bound(cat, 0.0, product, signals, holder, cap) >= need:
            out.append(x)
            continue
        near = False
        h_first = -1
        brk = None
        padded = w[ws - 1] == u" " and w[we] == u" "
        for a, b, c in t.ctx_at():
            if c.isdisjoint(classes) or b < ws - _NEAR or a > we + _NEAR:
                continue
            if padded:
                if brk is None:
                    brk = t.plain_breaks()
                    if brk is None:
                        padded = False  # not plain text: every nearby goods word counts here
                if padded and brk:
                    if h_first < 0:
                        h_first, h_last = _spaces(w, ws) - 1, _spaces(w, we - 1) - 1
                    if _broken(brk, w, a, b, h_first, h_last):
                        continue
            near = True
            break
        if near:
            out.append(x)
    return out


cdef bint _near_plain(_Text t, Cand x, object wanted, set brk):
    """:func:`engine._near_plain`, as a yes/no (only whether a class of the mark is near counts)."""
    cdef str w = t.w
    cdef Py_ssize_t ws = x.ws, we = x.we, h_first = -1, h_last = -1, a, b
    for a, b, classes in t.ctx_at():
        if b < ws - _NEAR or a > we + _NEAR or classes.isdisjoint(wanted):
            continue
        if brk and h_first < 0:
            h_first, h_last = _spaces(w, ws) - 1, _spaces(w, we - 1) - 1
        if not brk or not _broken(brk, w, a, b, h_first, h_last):
            return True
    return False


cdef bint _near_classes(_Text t, Cand x, object wanted):
    """:meth:`Detector._near_classes`, as a yes/no: a goods word of the mark's classes in the same clause, close."""
    cdef str w = t.w, text = t.text
    cdef Py_ssize_t ws = x.ws, we = x.we, hs = -1, he = -1, a, b, ca, cb
    for a, b, classes in t.ctx_at():
        if b < ws - _NEAR or a > we + _NEAR or classes.isdisjoint(wanted):
            continue
        if hs < 0:
            hs, he = t.st[ws], t.en[we - 1]
        if w[a] == u" ":
            a, b = a + 1, b - 1
        ca, cb = t.st[a], t.en[b]
        between = text[cb:hs] if cb <= hs else text[he:ca] if ca >= he else ""
        if not _CLAUSE_SEARCH(between):
            return True
    return False


cdef bint _crosses_word(str w, Py_ssize_t ws, Py_ssize_t we):
    """:meth:`Detector._crosses_word`."""
    words = _word_list()
    cdef Py_ssize_t a, b, i, n = len(w)
    cdef Py_ssize_t pairs[12]
    pairs[:] = [ws - 1, ws + 1, ws - 2, ws + 1, ws - 1, ws + 2, we - 1, we + 1, we - 2, we + 1, we - 1, we + 2]
    for i in range(6):
        a = pairs[2 * i]
        b = pairs[2 * i + 1]
        if a < 0 or b > n or (a >= ws and b <= we) or (a <= ws and b >= we):
            continue
        seg = w[a:b]
        if u" " not in seg and seg in words:
            return True
    return False


cdef object _classify(_Det D, str matched, _Ent e, Cand x, _Text t):
    """:meth:`Detector._classify`: name the disguise by comparing the original text with the registered name."""
    cdef str w = t.w
    cdef Py_ssize_t i, g, ws = x.ws, we = x.we, base, a, b
    method = x.method
    if method == "spaced?":
        inner = [(t.st[i], t.en[i]) for i in range(ws, we) if w[i] == u" "]
        pieces = w[ws:we].split(" ")
        base = t.st[ws]
        common = D.common
        for g in range(len(inner)):
            a, b = inner[g]
            if any(not ch.isspace() for ch in matched[a - base:b - base]):
                continue
            short = [p for p in pieces[g:g + 2] if len(p) <= 3]
            if not short or any(p in common for p in short):
                return None
        return "spaced"
    if method == "fuzzy" or method == "repeated" or method == "phonetic" or method == "partial":
        return method
    name_f = <str> D.name_f[x.entry]
    if (_plain_eq(matched, name_f) if _ascii(matched) else " ".join(matched.casefold().split()) == name_f):
        return "exact" if e.alias_kind is None else "alias"
    return _disguise(matched, e, x, name_f)


cdef bint _plain_eq(str matched, str name_f):
    """``" ".join(matched.casefold().split()) == name_f`` for ASCII ``matched`` without the three strings: ASCII
    case folding is lower-casing, and ``str.split``'s ASCII whitespace is ``Py_UNICODE_ISSPACE``'s."""
    cdef Py_ssize_t i, j = 0, n = len(matched), nf = len(name_f)
    cdef const unsigned char *m = PyUnicode_1BYTE_DATA(matched)
    cdef const unsigned char *q
    cdef unsigned char c
    cdef bint gap = False
    if not _ascii(name_f):
        return False  # (an ASCII string folds to ASCII)
    q = PyUnicode_1BYTE_DATA(name_f)
    for i in range(n):
        c = m[i]
        if Py_UNICODE_ISSPACE(c):
            gap = j > 0
            continue
        if gap:
            if j >= nf or q[j] != 32:
                return False
            j += 1
            gap = False
        if 65 <= c <= 90:
            c += 32
        if j >= nf or q[j] != c:
            return False
        j += 1
    return j == nf


cdef object _UD = None  # unicodedata, bound on first use
cdef object _SKEL = None  # normalise._skeleton(): the confusables' characters


cdef str _strip_accents(str s):
    """``engine._strip_accents``: NFD, combining marks dropped (ASCII text has neither)."""
    if _ascii(s):
        return s
    d = _UD.normalize("NFD", s)
    cdef list keep = []
    combining = _UD.combining
    for ch in <str> d:
        if ord(ch) < 128 or not combining(ch):
            keep.append(ch)
    return u"".join(keep)


cdef bint _has_digit(str s):
    cdef Py_UCS4 c
    for c in s:
        if Py_UNICODE_ISDIGIT(c):
            return True
    return False


cdef str _disguise(str matched, _Ent e, Cand x, str name_f):
    """:meth:`Detector._classify_disguise`: the disguise of a match that is not the registered name written plainly
    (the same tests in the same order; ASCII characters skip the Unicode database calls that cannot change their
    answer: none is a format character, a combining mark, or normalises to non-ASCII)."""
    global _UD, _SKEL
    cdef Py_UCS4 c
    if _UD is None:
        import unicodedata
        from bordermark.detect.normalise import _skeleton
        _SKEL = _skeleton()  # before _UD, which other threads test: they must never see _UD set and _SKEL None
        _UD = unicodedata
    category = _UD.category
    for c in matched:
        if c >= 128 and category(c) == u"Cf":
            return "invisible"
    if e.cjk:
        return "visual"
    cdef str plain = (<str> _UD.normalize("NFKC", matched)).casefold()
    if _strip_accents(plain) == _strip_accents(name_f):
        return "unicode"  # full-width, mathematical letters, accents
    if plain.replace(u"l", u"i") == name_f.replace(u"l", u"i"):
        return "skeleton"  # RoIex: capital I for l
    cdef bint leet = False
    for c in plain:
        if Py_UNICODE_ISDIGIT(c) or c == u"@" or c == u"$" or c == u"!" or c == u"|":
            leet = True
            break
    if leet and not _has_digit(name_f):
        return "leet"
    if x.method == "skeleton":
        return "skeleton"
    normalize = _UD.normalize
    for c in matched:
        if c in _SKEL and (c >= 128 and not (<str> normalize("NFKC", c)).isascii()):
            return "skeleton"
    return "unicode"


cdef bint _has_product(tuple pads, str w):
    """A word of the mark's registered products among the view's words: ``" word " in w`` (the view is its words
    joined by single spaces, padded), without splitting the view into a set."""
    for pad in pads:
        if pad in w:
            return True
    return False


cdef double _context(_Ent e, str matched, bint product, bint near, frozenset cat_classes, bint has_trade,
                     bint same_holder):
    """:meth:`Detector._context`."""
    cdef double ctx = 0.0
    classes = e.classes
    if cat_classes and classes:
        ctx += -0.3 if cat_classes.isdisjoint(classes) else 0.5
    if classes and near:
        ctx += 0.4
    if product:
        ctx += 0.4
    if has_trade:
        ctx += 0.25
    if same_holder:
        ctx += 0.3
    if not e.cjk and matched[:1].isupper():
        ctx += 0.15
    if not ctx < 1.0:  # max(0.0, min(1.0, ctx)) as Python computes it
        ctx = 1.0
    if not ctx > 0.0:
        ctx = 0.0
    return ctx


cdef Py_ssize_t _SMALL_SORT = 24  # lists up to this long are sorted in place here; longer ones by list.sort


cdef inline bint _cand_lt(Cand a, Cand b):
    """``_cand_order(a) < _cand_order(b)``, read from the C fields (the tuple comparison, component by component)."""
    cdef Py_ssize_t la, lb
    if a.ws != b.ws:
        return a.ws < b.ws
    la = a.we - a.ws
    lb = b.we - b.ws
    if la != lb:
        return la > lb
    if a.entry != b.entry:
        return a.entry < b.entry
    ma = a.method if a.method is not None else u""
    mb = b.method if b.method is not None else u""
    if ma != mb:
        return <str> ma < <str> mb
    return -a.sim < -b.sim


cdef inline bint _obj_lt(object a, object b, bint *decided) except -1:
    """One component of a tuple comparison: sets ``decided`` where ``a`` and ``b`` differ (``==`` first, as tuples
    compare), and returns ``a < b`` then."""
    if a is b or a == b:
        decided[0] = False
        return False
    decided[0] = True
    return bool(a < b)


cdef bint _hit_lt(object a, object b) except -1:
    """``_hit_order(a) < _hit_order(b)`` for two detector hits, their slots read at their offsets."""
    cdef bint decided = False, lt
    cdef double sa, sb
    cdef int k
    lt = _obj_lt(_get(a, _HIT_OFF[3]), _get(b, _HIT_OFF[3]), &decided)  # start
    if decided:
        return lt
    sa = <double> _get(a, _HIT_OFF[7])  # -score
    sb = <double> _get(b, _HIT_OFF[7])
    if not (-sa == -sb):
        return -sa < -sb
    for k in (4, 0, 5, 6):  # end, mark_id, matched, method
        lt = _obj_lt(_get(a, _HIT_OFF[k]), _get(b, _HIT_OFF[k]), &decided)
        if decided:
            return lt
    return False


cdef int _sort_small(list xs, bint hits) except -1:
    """``xs.sort(key=_hit_order if hits else _cand_order)`` for a text's hits or candidates: a stable insertion
    sort for the usual handful (no key tuple and no Python call per element); list.sort for long lists."""
    cdef Py_ssize_t n = len(xs), i, j
    if n > _SMALL_SORT:
        xs.sort(key=_hit_order if hits else _cand_order)
        return 0
    for i in range(1, n):
        x = xs[i]
        j = i - 1
        while j >= 0 and (_hit_lt(x, xs[j]) if hits else _cand_lt(<Cand> x, <Cand> xs[j])):
            j -= 1
        if j + 1 != i:
            del xs[i]
            xs.insert(j + 1, x)
    return 0


def _cand_order(x):
    return (x.ws, -(x.we - x.ws), x.entry, x.method or "", -x.sim)


def _sig_order(x):
    return (x.start, x.end)


def _hit_order(h):
    return (h.start, -h.score, h.end, h.mark_id, h.matched, h.method)


def finish(object det, str text, str w, str f, list cands, list term_spans, list regex_sigs, frozenset cat_classes,
           bint keep_unsupported):
    """:meth:`Detector._finish` after the category's classes are known; same result."""
    if _E is None:
        _bind()
    return _finish(_det_of(det), text, w, f, cands, term_spans, regex_sigs, cat_classes, keep_unsupported)


cdef object _finish(_Det D, str text, str w, str f, list cands, list term_spans, list regex_sigs,
                    frozenset cat_classes, bint keep_unsupported):
    """:func:`finish`, callable from C without a Python call per text."""
    cdef _Text t = _Text.__new__(_Text)
    cdef list ents = D.ents
    t.text, t.w, t.f = text, w, f
    t.actx = D.actx
    t.goods = D.goods
    t.actx_han = D.actx_han
    cdef Py_ssize_t ws, we, s, t_end, a, b, compact
    cdef _Ent e
    cdef Cand x, y
    cdef double ctx, need, score
    cdef bint has_trade, no_brand, loose, ambiguous, near, cjk
    if not keep_unsupported:
        cands = _prefilter(D, ents, t, cands, cat_classes, bool(term_spans or regex_sigs))
        if not cands and not term_spans and not regex_sigs:
            return _detection([], [])
    t.offsets()

    cdef list signals = []
    cdef bint sig_dedup = len(term_spans) + len(regex_sigs) > 1  # (one signal needs no duplicate test)
    seen_sig = set() if sig_dedup else None
    terms = D.terms
    for idx, ws, we in term_spans:
        tm = terms[idx]
        a, b = t.st[ws], t.en[we - 1]
        if sig_dedup:
            k3 = (tm.code, a, b)
            if k3 in seen_sig:
                continue
            seen_sig.add(k3)
        signals.append(_signal(tm.code, tm.term, a, b, tm.weight, tm.family, tm.lang, text[a:b]))
    for tm, a, b in regex_sigs:
        if sig_dedup:
            k3 = (tm.code, a, b)
            if k3 in seen_sig:
                continue
            seen_sig.add(k3)
        signals.append(_signal(tm.code, text[a:b], a, b, tm.weight, tm.family, tm.lang, text[a:b]))
    if len(signals) > 1:
        signals.sort(key=_sig_order)
    has_trade = False
    no_brand = False
    for sg in signals:
        if sg.family == "no_brand":
            no_brand = True
        elif sg.family != "contact":
            has_trade = True
    if no_brand and len(signals) > 1:
        longer = [(sg.start, sg.end) for sg in signals if sg.family != "no_brand"]
        signals = [sg for sg in signals if sg.family != "no_brand" or not any(
            a <= sg.start and sg.end <= b and b - a > sg.end - sg.start for a, b in longer)]
        no_brand = any(sg.family == "no_brand" for sg in signals)
        has_trade = any(sg.family not in ("contact", "no_brand") for sg in signals)

    cdef list product_pads = D.product_pads
    kept = cands
    if len(cands) > 1:
        _sort_small(cands, False)
        best = {}
        for x in cands:
            k3 = (x.entry, x.ws, x.we)
            y = best.get(k3)
            if y is None or (x.method is None and y.method is not None):
                best[k3] = x
        kept = list(best.values())
        spans = [(x.ws, x.we) for x in kept]
        kept = [x for x in kept
                if not any(a <= x.ws and x.we <= b and (b - a) > (x.we - x.ws) for a, b in spans)]
    # one candidate has no other of its holder: the same-holder bonus is 0 without building the map
    cdef dict holders_sure = _sure_holders(kept, ents) if len(kept) > 1 else _NO_SURE

    cdef list hits = []
    seen = set() if len(kept) > 1 else None
    common = D.common
    for x in kept:
        e = <_Ent> ents[x.entry]
        ws, we = x.ws, x.we
        s, t_end = t.st[ws], t.en[we - 1]
        matched = text[s:t_end]
        method = _classify(D, matched, e, x, t)
        if method is None:
            continue
        cjk = e.cjk
        loose = (method == "fuzzy" or method == "repeated") and _key(matched) in common
        ambiguous = (e.ambiguous or loose or (method == "fuzzy" and e.keylen <= 5) or method == "partial"
                     or (method == "phonetic" and e.keylen <= 2))
        if (method == "phonetic" or method == "visual" or (cjk and (ambiguous or we - ws <= 2))) \
                and _crosses_word(w, ws, we):
            continue
        classes = e.classes
        if not classes:
            near = False
        elif w[ws - 1] == u" " and w[we] == u" " and (brk := t.plain_breaks()) is not None:
            near = _near_plain(t, x, classes, brk)
        else:
            near = _near_classes(t, x, classes)
        same_holder = _other_sure(holders_sure, e.holder, ws)
        ctx = _context(e, matched, e.has_products and _has_product(product_pads[x.entry], w), near,
                       cat_classes, has_trade, same_holder)
        need = _SUPPORT
        compact = e.compact
        if loose or compact <= (1 if cjk else 2):
            need = _STRONG
        if no_brand:
            ctx = ctx - 0.5
            if not ctx > 0.0:  # max(0.0, ctx - 0.5)
                ctx = 0.0
            if ambiguous and (method == "exact" or method == "alias"):
                need = _STRONG
            ambiguous = True
        if ambiguous and ctx < need and not keep_unsupported:
            continue
        if len(kept) > 1:  # (one candidate gives no duplicate)
            dedup = (e.mark_id, s, t_end)
            if dedup in seen:
                continue
            seen.add(dedup)
        score = <double> _BASE_SCORE[method] * (<double> x.sim if (method == "fuzzy" or method == "phonetic"
                                                                  or method == "partial") else 1.0)
        if compact <= (1 if cjk else 3):
            score *= 0.85
        elif compact <= (2 if cjk else 4):
            score *= 0.93
        score *= 0.8 + 0.2 * ctx
        hits.append(_hit(e.mark_id, e.mark, e.holder, s, t_end, matched, method, _round3(score), _round3(ctx),
                         ambiguous, e.name if e.alias_kind else None, e.alias_kind))
    if len(hits) > 1:
        _sort_small(hits, True)
    return _detection(hits, signals)


# ---------------------------------------------------------------------------------------------- batch front helpers
cdef inline bint _latin(Py_UCS4 c):
    return (u"a" <= c <= u"z") or (u"0" <= c <= u"9")


def main_matches(object det, object matches, str bv, list starts, object cands, object terms, list ids=None):
    """:meth:`Detector._main_matches` for a whole batch view: the main automaton's matches over ``bv`` (ascending
    ends) go to their text's candidates and trade-term spans (text ``k`` owns ``bv[starts[k]:starts[k+1]-1]``), view
    offsets local to the text; ``cands`` and ``terms`` map a text (``ids[k]`` where given) to its lists."""
    cdef list ents = _ents(det), term_padded = det._term_padded
    cdef Py_ssize_t k = 0, last = len(starts) - 2, end, length, start, ws, we, lo, hi, idx
    cdef bint ok
    cdef list lst
    cdef object key
    for end, payload in matches:
        while k < last and starts[k + 1] <= end:
            k += 1
        while k > 0 and starts[k] > end:  # never: ends ascend; kept correct all the same
            k -= 1
        key = k if ids is None else ids[k]
        lo = starts[k]
        hi = <Py_ssize_t> starts[k + 1] - 1  # the view's end (exclusive), in bv
        length = payload[0]
        start = end - length + 1
        for kind, idx, variant in payload[1]:
            if kind == "m":
                if not (<_Ent> ents[idx]).cjk:
                    ws, we = start + 1, end
                else:
                    ws, we = start, end + 1
                    if not _edges_ok(bv, ws, we, lo, hi):
                        continue
                lst = (<dict> cands).get(key)
                if lst is None:
                    lst = []
                    (<dict> cands)[key] = lst
                lst.append(_cand(idx, ws - lo, we - lo, "skeleton" if variant else None, 1.0))
            elif kind == "t":
                if term_padded[idx]:
                    ws, we = start + 1, end
                else:
                    ws, we = start, end + 1
                    if not _edges_ok(bv, ws, we, lo, hi):
                        continue
                lst = (<dict> terms).get(key)
                if lst is None:
                    lst = []
                    (<dict> terms)[key] = lst
                lst.append((idx, ws - lo, we - lo))


cdef inline bint _edges_ok(str bv, Py_ssize_t ws, Py_ssize_t we, Py_ssize_t lo, Py_ssize_t hi):
    """:meth:`Detector._edges_ok` on the text's view ``bv[lo:hi]``, with offsets into ``bv``."""
    if _latin(bv[ws]) and ws > lo and _latin(bv[ws - 1]):
        return False
    return not (_latin(bv[we - 1]) and we < hi and _latin(bv[we]))


def spaced_matches(object matches, str bv, Py_ssize_t size):
    """The compact automaton's matches over the batch view's words joined without spaces (``size`` characters)
    that start and end at word edges and span two words or more (the first tests of
    :meth:`Detector._compact_stage`). The word edges are read from the view (single spaces between words, NUL a
    word of its own), so its words need no strings."""
    cdef Py_ssize_t i = 0, pos = 0, n = len(bv), nw = 0, end, first, last
    cdef int kind = PyUnicode_KIND(bv)
    cdef const void *data = PyUnicode_DATA(bv)
    cdef int *at = <int *> malloc((size + 2) * sizeof(int))
    if at == NULL:
        raise MemoryError()
    out = []
    try:
        for i in range(size + 2):
            at[i] = -1
        i = 0
        while i < n:
            if PyUnicode_READ(kind, data, i) == u" ":
                i += 1
                continue
            at[pos] = nw
            nw += 1
            while i < n and PyUnicode_READ(kind, data, i) != u" ":
                pos += 1
                i += 1
        at[pos] = nw
        for end, payload in matches:
            first = end - <Py_ssize_t> payload[0] + 1
            if first < 0 or end + 1 > size:
                continue
            first = at[first]
            last = at[end + 1]
            if first < 0 or last < 0 or last - first < 2:
                continue
            out.append((end, payload))
    finally:
        free(at)
    return out


cdef inline Py_UCS4 _leet_letter(Py_UCS4 c):
    """``normalise._LEET``: the letter a leetspeak character stands for (0 when ``c`` is none)."""
    if c == u"0":
        return u"o"
    if c == u"1" or c == u"!" or c == u"|":
        return u"i"
    if c == u"3":
        return u"e"
    if c == u"4" or c == u"@":
        return u"a"
    if c == u"5" or c == u"$":
        return u"s"
    if c == u"7":
        return u"t"
    if c == u"8":
        return u"b"
    if c == u"9":
        return u"g"
    return 0


cdef inline bint _az(Py_UCS4 c):
    return u"a" <= c <= u"z"


cdef object _leet1(str s, Py_ssize_t n, const unsigned char *data):
    """:func:`leet` for a one-byte string (most listing text): the same passes over its bytes, the result built in a
    byte buffer (its characters are the text's own, letters and spaces: none beyond the text's widest)."""
    cdef Py_ssize_t i, j, k
    cdef Py_UCS4 c, g
    cdef bint changed = False, before, after, bang_only
    cdef unsigned char *buf
    for i in range(n):
        if _leet_letter(data[i]):
            changed = True
            break
    if not changed:
        return s
    buf = <unsigned char *> malloc(n + 1)
    if buf == NULL:
        raise MemoryError()
    changed = False
    try:
        i = 0
        while i < n:
            c = data[i]
            if not _leet_letter(c):
                buf[i] = <unsigned char> c
                i += 1
                continue
            j = i
            bang_only = True
            while j < n:
                g = data[j]
                if not _leet_letter(g):
                    break
                if g != u"!" and g != u"|":
                    bang_only = False
                j += 1
            before = i > 0 and _az(data[i - 1])
            after = j < n and _az(data[j])
            if (before or after) and not (bang_only and not (before and after)):
                for k in range(i, j):
                    buf[k] = <unsigned char> _leet_letter(data[k])
                changed = True
            else:
                for k in range(i, j):
                    g = data[k]
                    if g == u"@" or g == u"$" or g == u"!" or g == u"|":
                        buf[k] = 32
                        changed = True
                    else:
                        buf[k] = <unsigned char> g
            i = j
        if not changed:
            return s
        return PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, buf, n)
    finally:
        free(buf)


def leet(str s):
    """:func:`normalise._leet` without its regex: each maximal run of leetspeak characters (``01345789@$!|``) that
    touches a letter ``a-z`` becomes letters, unless it is only ``!``/``|`` with a letter on one side alone
    (``Gucci!``); the symbols ``@$!|`` left over become spaces. Length-preserving; ``s`` itself when unchanged."""
    cdef Py_ssize_t n = len(s), i, j, k
    cdef int kind = PyUnicode_KIND(s)
    cdef void *data = PyUnicode_DATA(s)
    cdef Py_UCS4 c, g
    cdef bint changed = False, before, after, bang_only
    cdef Py_UCS4 *buf
    if kind == 1:
        return _leet1(s, n, <const unsigned char *> data)
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if _leet_letter(c):
            changed = True
            break
    if not changed:
        return s
    buf = <Py_UCS4 *> malloc((n + 1) * sizeof(Py_UCS4))
    if buf == NULL:
        raise MemoryError()
    changed = False
    try:
        i = 0
        while i < n:
            c = PyUnicode_READ(kind, data, i)
            if not _leet_letter(c):
                buf[i] = c
                i += 1
                continue
            j = i
            bang_only = True
            while j < n:
                g = PyUnicode_READ(kind, data, j)
                if not _leet_letter(g):
                    break
                if g != u"!" and g != u"|":
                    bang_only = False
                j += 1
            before = i > 0 and _az(PyUnicode_READ(kind, data, i - 1))
            after = j < n and _az(PyUnicode_READ(kind, data, j))
            if (before or after) and not (bang_only and not (before and after)):
                for k in range(i, j):
                    buf[k] = _leet_letter(PyUnicode_READ(kind, data, k))
                changed = True
            else:
                for k in range(i, j):
                    g = PyUnicode_READ(kind, data, k)
                    if g == u"@" or g == u"$" or g == u"!" or g == u"|":
                        buf[k] = u" "
                        changed = True
                    else:
                        buf[k] = g
            i = j
        if not changed:
            return s
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, n)
    finally:
        free(buf)


def leet_many(list parts):
    """``[leet(p) for p in parts]``."""
    return [leet(p) for p in parts]


@cython.no_gc
cdef class _Word:
    """What the batch passes know of one word: explained by the clean seed, its lookup result (empty: no hit), and
    the results of the word pairs it starts (next word -> result), so that a word costs one table lookup and a
    pair one more, without building a tuple. Not tracked by the cycle collector (``no_gc``): it holds the word, a
    lookup result and a dict of them, never itself, and a long-running detector keeps hundreds of thousands, which
    every full collection walked."""

    cdef bint known
    cdef object res
    cdef dict nxt
    cdef str word


cdef inline unsigned long long _fnv(unsigned long long h, Py_UCS4 c):
    return (h ^ <unsigned long long> c) * 1099511628211ULL


cdef extern from *:
    """
    #define BM_FNV0 14695981039346656037ULL  /* FNV-1a offset basis */
    #define BM_POLY 1099511628211ULL  /* odd: the key filter's polynomial hash, h = h * BM_POLY + c */
    """
    unsigned long long _FNV0 "BM_FNV0"
    unsigned long long _POLY "BM_POLY"


cdef inline Py_ssize_t _next_word(int kind, const void *data, Py_ssize_t i, Py_ssize_t n, Py_ssize_t *a,
                                  unsigned long long *h) noexcept:
    """The view's next word from ``i`` on: its start into ``a`` (``n`` when none is left), its :func:`_fnv` hash
    into ``h``, and its end (the next space, or ``n``) returned. The word passes of :func:`scan_words` and
    :func:`_goods_in` read words this one way."""
    cdef unsigned long long x = _FNV0
    cdef Py_UCS4 c
    while i < n and PyUnicode_READ(kind, data, i) == u" ":
        i += 1
    a[0] = i
    while i < n:
        c = PyUnicode_READ(kind, data, i)
        if c == u" ":
            break
        x = _fnv(x, c)
        i += 1
    h[0] = x
    return i


cdef inline bint _spells(str key, int kind, const void *data, Py_ssize_t a) noexcept:
    """Whether the view's characters from ``a`` on are ``key``'s, compared by code point (a span of the view and a
    string can differ in storage kind); the caller has checked that the span is long enough."""
    cdef int kk = PyUnicode_KIND(key)
    cdef const void *kd = PyUnicode_DATA(key)
    cdef Py_ssize_t m
    for m in range(len(key)):
        if PyUnicode_READ(kk, kd, m) != PyUnicode_READ(kind, data, a + m):
            return False
    return True


cdef class WordTable:
    """The word pass's memo (word -> :class:`_Word`) as an open-addressing table looked up by a span of the batch
    view's characters, so that a word already seen costs no string object: ``str.split`` of the batch view built
    ~14 strings per text (~35,000 per batch), each hashed once and freed at the end of the batch, for a lookup that
    mostly finds a word the table holds (perf: the split, the hashing and the frees were ~15 % of the time).

    Keys are compared by code point (a span of the view and the word's own string can differ in storage kind). It
    is a cache of answers that never change, so it is emptied rather than evicted when it grows past the token
    caches' limit, and it pickles empty (Spark broadcasts the detector)."""

    cdef Py_ssize_t cap, n
    cdef unsigned long long *hashes
    cdef PyObject **slots  # owned references to _Word; NULL: empty

    def __cinit__(self):
        self.cap = 0
        self.n = 0
        self.hashes = NULL
        self.slots = NULL

    def __dealloc__(self):
        self._release()

    cdef void _release(self):
        cdef Py_ssize_t i
        if self.slots != NULL:
            for i in range(self.cap):
                Py_XDECREF(self.slots[i])
        free(self.slots)
        free(self.hashes)
        self.slots = NULL
        self.hashes = NULL
        self.cap = 0
        self.n = 0

    def clear(self):
        self._release()

    def __len__(self):
        return self.n

    def __reduce__(self):
        return (WordTable, ())

    cdef int _grow(self) except -1:
        cdef Py_ssize_t cap = self.cap * 2 if self.cap else 4096, i, j
        cdef unsigned long long *hashes = <unsigned long long *> malloc(cap * sizeof(unsigned long long))
        cdef PyObject **slots = <PyObject **> malloc(cap * sizeof(PyObject *))
        if hashes == NULL or slots == NULL:
            free(hashes)
            free(slots)
            raise MemoryError()
        for i in range(cap):
            slots[i] = NULL
        for i in range(self.cap):
            if self.slots[i] != NULL:
                j = <Py_ssize_t> (self.hashes[i] & <unsigned long long> (cap - 1))
                while slots[j] != NULL:
                    j = (j + 1) & (cap - 1)
                slots[j] = self.slots[i]
                hashes[j] = self.hashes[i]
        free(self.slots)
        free(self.hashes)
        self.slots = slots
        self.hashes = hashes
        self.cap = cap
        return 0

    cdef _Word find(self, int kind, const void *data, Py_ssize_t a, Py_ssize_t b, unsigned long long h):
        """The entry of the word ``view[a:b]`` (``h``: its :func:`_fnv` hash), or None."""
        cdef Py_ssize_t j, size = b - a
        cdef PyObject *o
        cdef str key
        if self.cap == 0:
            return None
        j = <Py_ssize_t> (h & <unsigned long long> (self.cap - 1))
        while True:
            o = self.slots[j]
            if o == NULL:
                return None
            if self.hashes[j] == h:
                key = (<_Word> o).word
                if len(key) == size and _spells(key, kind, data, a):
                    return <_Word> o
            j = (j + 1) & (self.cap - 1)

    cdef int add(self, _Word w, unsigned long long h) except -1:
        """Insert ``w`` (not yet in the table) under hash ``h``."""
        cdef Py_ssize_t j
        if (self.n + 1) * 2 > self.cap:
            self._grow()
        j = <Py_ssize_t> (h & <unsigned long long> (self.cap - 1))
        while self.slots[j] != NULL:
            j = (j + 1) & (self.cap - 1)
        Py_INCREF(w)
        self.slots[j] = <PyObject *> w
        self.hashes[j] = h
        self.n += 1
        return 0


def scan_words(str bv, frozenset seed_clean, dict tok_hits, set clean, dict pair_res, WordTable state):
    """One pass over the batch view's words (NUL between texts) for :meth:`Detector._token_batch`: the tokens not
    yet looked up, the tokens with a hit, the word pairs not yet looked up and the pairs with a hit. Tokens of the
    clean seed are explained; a pair counts only with an unexplained word and never across texts. ``state``
    memoises the caches' answers per word: a lookup result never changes, so a stale entry is still right. The
    words are read from the view's buffer (what ``bv.split()`` gives: the view holds single spaces only, and NUL
    is a word of its own); a string is built only for a word the table does not hold yet.
    Also the texts that may get a token or pair candidate (one holding a token or pair with a hit or not yet looked
    up) as ``[k, lo, hi, ...]`` with their words: text ``k``'s words are ``words[lo:hi]`` (only touched texts'
    words are listed); :func:`token_cands` visits only those."""
    new_toks, hit_toks, new_pairs, hit_pairs = set(), set(), set(), set()
    cdef object prev_word = None, res
    cdef str word
    cdef _Word cur, prev = None
    cdef bint known, prev_known = False, touch = False
    cdef Py_ssize_t i = 0, k = 0, a, lo, n = len(bv)
    cdef list touched = [], words = [], fresh = []
    cdef Py_ssize_t nmine = 0, cap = 64, j
    cdef PyObject **grown
    cdef int kind = PyUnicode_KIND(bv)
    cdef const void *data = PyUnicode_DATA(bv)
    cdef unsigned long long h = 0
    # the current text's words, borrowed: each is a table entry's word or held by ``fresh`` until the end
    cdef PyObject **mine = <PyObject **> malloc(cap * sizeof(PyObject *))
    if mine == NULL:
        raise MemoryError()
    try:
        while True:
            i = _next_word(kind, data, i, n, &a, &h)
            if a == n:
                break
            if i - a == 1 and PyUnicode_READ(kind, data, a) == 0:  # NUL: the next text
                if touch:
                    lo = len(words)
                    for j in range(nmine):
                        words.append(<object> mine[j])
                    touched += [k, lo, len(words)]
                    touch = False
                nmine = 0
                k += 1
                prev_word = None
                prev = None
                continue
            cur = state.find(kind, data, a, i, h)
            if cur is None:
                word = bv[a:i]
                fresh.append(word)
                res = None
                if word in seed_clean:
                    res = ()
                else:
                    res = tok_hits.get(word)
                    if res is None and word in clean:
                        res = ()
                if res is not None:
                    cur = _Word()
                    cur.known = word in seed_clean
                    cur.res = res
                    cur.nxt = {}
                    cur.word = word
                    state.add(cur, h)
            else:
                word = cur.word
            if nmine == cap:
                cap *= 2
                grown = <PyObject **> realloc(mine, cap * sizeof(PyObject *))
                if grown == NULL:
                    raise MemoryError()
                mine = grown
            mine[nmine] = <PyObject *> word
            nmine += 1
            if cur is not None:
                known = cur.known
                if not known and cur.res:
                    hit_toks.add(word)
                    touch = True
            else:
                known = False
                new_toks.add(word)
                touch = True
            if prev_word is not None and not (known and prev_known):
                res = prev.nxt.get(word) if prev is not None else None
                if res is None:
                    pair = (prev_word, word)
                    res = pair_res.get(pair)  # in pair_hits exactly when its result is not empty
                    if res is None:
                        new_pairs.add(pair)
                        touch = True
                    else:
                        if prev is not None:
                            prev.nxt[word] = res
                        if res:
                            hit_pairs.add(pair)
                            touch = True
                elif res:
                    hit_pairs.add((prev_word, word))
                    touch = True
            prev_word = word
            prev = cur
            prev_known = known
        if touch:
            lo = len(words)
            for j in range(nmine):
                words.append(<object> mine[j])
            touched += [k, lo, len(words)]
    finally:
        free(mine)
    return new_toks, hit_toks, new_pairs, hit_pairs, touched, words


@cython.final
@cython.no_gc
cdef class _Goods(_Word):
    """A word of the padded goods-word keys (``Detector._actx``), as the last word of its keys: ``classes`` of the
    one-word key (None if it is none), ``multi`` the longer keys ending with it, longest first, as
    ``(padded key, its length, classes)``."""

    cdef object classes
    cdef list multi


cdef object _GOODS = None  # detector -> WordTable of _Goods, or False (keys the word walk cannot mirror)
cdef tuple _LAST_GOODS = None  # (weakref to the detector, its table): one global, set in one store


cdef WordTable _goods_table(object det, object aut):
    """The detector's padded goods-word keys as a table of their last words, built once per detector: finding
    them is then one walk over a view's words (one hash and one probe per word), where the automaton's iterator
    built an object per call and a tuple per match. None when the automaton is not built or a key is not
    " word[ word...] " with single spaces (the walk would not find what the automaton finds)."""
    global _GOODS, _LAST_GOODS
    cdef tuple last = _LAST_GOODS
    cdef WordTable table
    cdef _Goods g
    cdef str k, inner, lw
    if last is not None and last[0]() is det:
        return <WordTable> last[1]
    import weakref
    if _GOODS is None:
        _GOODS = weakref.WeakKeyDictionary()
    got = _GOODS.get(det)
    if got is None:
        got = False
        if aut.kind == _AHOCORASICK:
            table = WordTable()
            by_last = {}
            for key, value in aut.items():
                k = <str> key
                inner = k[1:len(k) - 1]
                if len(k) < 3 or k[0] != u" " or k[len(k) - 1] != u" " or not inner or inner != u" ".join(inner.split()) \
                        or any(Py_UNICODE_ISSPACE(c) and c != u" " for c in inner) or value[0] != len(k):
                    table = None
                    break
                lw = inner[inner.rfind(u" ") + 1:]
                g = by_last.get(lw)
                if g is None:
                    g = _Goods()
                    g.word = lw
                    g.multi = []
                    by_last[lw] = g
                if u" " in inner:
                    g.multi.append((k, len(k), value[1]))
                else:
                    g.classes = value[1]
            if table is not None:
                for lw, g in by_last.items():
                    g.multi.sort(key=_neg_len)
                    table.add(g, _fnv_str(lw))
                got = table
        _GOODS[det] = got
    _LAST_GOODS = (weakref.ref(det), None if got is False else got)
    return None if got is False else <WordTable> got


def _neg_len(item):
    return -item[1]


cdef unsigned long long _fnv_str(str s):
    cdef unsigned long long h = _FNV0
    cdef Py_ssize_t i
    cdef int kind = PyUnicode_KIND(s)
    cdef const void *data = PyUnicode_DATA(s)
    for i in range(len(s)):
        h = _fnv(h, PyUnicode_READ(kind, data, i))
    return h


cdef list _goods_in(WordTable table, str w):
    """What the padded goods-word automaton finds in the view ``w`` (``(start, end, classes)`` per match, ends
    ascending, longer keys first at one end): a key " x " matches exactly where ``w`` holds the word x with a
    space on each side, " x y " where x and y follow one another (the view's words are single-spaced)."""
    cdef list out = []
    cdef Py_ssize_t i = 0, a, n = len(w), size, j
    cdef int kind = PyUnicode_KIND(w)
    cdef const void *data = PyUnicode_DATA(w)
    cdef unsigned long long h = 0
    cdef _Goods g
    cdef str k
    while True:
        i = _next_word(kind, data, i, n, &a, &h)
        if a == n:
            break
        if i >= n or a == 0:  # no space after (or before) the word: no padded key ends (or starts) there
            continue
        g = <_Goods> table.find(kind, data, a, i, h)
        if g is None:
            continue
        for item in g.multi:
            k = <str> (<tuple> item)[0]
            size = (<tuple> item)[1]
            j = i - size + 1  # the key's first character (a space) would be w[j]
            if j < 0:
                continue
            if _spells(k, kind, data, j):
                out.append((j, i, (<tuple> item)[2]))
        if g.classes is not None:
            out.append((a - 1, i, g.classes))
    return out


def goods_in(object det, str w):
    """:func:`_goods_in` with the detector's table (None when the walk cannot stand for the automaton); tests."""
    table = _goods_table(det, det._actx)
    return None if table is None else _goods_in(table, w)


# ------------------------------------------------------------------------------------ first-sight lookups
# A word, word pair or Chinese run met for the first time pays a lookup (then cached). Sellers' vocabulary is open and
# word pairs are combinations, so a long-running process keeps meeting new ones: these lookups are a large part of
# the time (40 % of a fresh detector's first pass), and in Python they built a set of deletion strings, a set union
# per variant and a regex substitution with a Python callback per repeated letter.

cdef str _collapse(str s):
    """``normalise.collapse_repeats``: each run of one character becomes one (the regex's ``.`` skips newlines);
    ``s`` itself when it holds no run."""
    cdef Py_ssize_t n = len(s), i, j = 0
    cdef int kind = PyUnicode_KIND(s)
    cdef void *data = PyUnicode_DATA(s)
    cdef Py_UCS4 c, prev
    cdef Py_UCS4 *buf
    for i in range(1, n):
        c = PyUnicode_READ(kind, data, i)
        if c == PyUnicode_READ(kind, data, i - 1) and c != u"\n":
            break
    else:
        return s
    buf = <Py_UCS4 *> malloc(n * sizeof(Py_UCS4))
    if buf == NULL:
        raise MemoryError()
    try:
        prev = PyUnicode_READ(kind, data, 0)
        buf[0] = prev
        j = 1
        for i in range(1, n):
            c = PyUnicode_READ(kind, data, i)
            if c == prev and c != u"\n":
                continue
            buf[j] = c
            j += 1
            prev = c
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, j)
    finally:
        free(buf)


def collapse_repeats(str s):
    """``normalise.collapse_repeats`` (``_collapse``)."""
    return _collapse(s)


cdef tuple _CUTOFF_KW = ("score_cutoff",)
cdef object _ONE = 1, _TWO = 2


cdef inline Py_ssize_t _osa(str a, str b, bint two) except -1:
    """``OSA.distance(a, b, score_cutoff=2 if two else 1)`` (rapidfuzz), called with a keyword-names tuple made
    once: the call with a keyword argument built a dict per call, several times the cost of the distance itself."""
    cdef PyObject *args[3]
    args[0] = <PyObject *> a
    args[1] = <PyObject *> b
    args[2] = <PyObject *> (_TWO if two else _ONE)
    return PyObject_Vectorcall(_OSA, args, 2, _CUTOFF_KW)


cdef inline object _union(object acc, dict index, object v):
    """``acc | index.get(v, set())`` without building anything when ``v`` is not in the index (the common case)."""
    got = index.get(v)
    if got is None:
        return acc
    if acc is None:
        return set(<set> got)
    (<set> acc).update(<set> got)
    return acc


cdef enum:
    _FILTER_BITS = 1 << 20


cdef inline unsigned long long _poly(str s):
    cdef unsigned long long h = 0
    cdef Py_ssize_t i, n = len(s)
    cdef int kind = PyUnicode_KIND(s)
    cdef const void *data = PyUnicode_DATA(s)
    for i in range(n):
        h = h * _POLY + <unsigned long long> PyUnicode_READ(kind, data, i)
    return h


cdef inline Py_ssize_t _bit(unsigned long long h, Py_ssize_t size):
    h = (h ^ (<unsigned long long> size * 0x9E3779B97F4A7C15ULL)) * 0xFF51AFD7ED558CCDULL
    return <Py_ssize_t> ((h >> 40) & <unsigned long long> (_FILTER_BITS - 1))


@cython.final
cdef class _KeyFilter:
    """A one-hash Bloom filter over the keys of a one-deletion index (``Detector._del_index`` / ``_del_multi``): a
    word seen for the first time (and a word pair: ~18,000 per 50,000 listings, of which ~1 in 10,000 names a
    mark) then learns that none of its one-letter deletions is a key from one polynomial hash per deletion (each
    got from the word's prefix and suffix hashes in O(1)), without building and hashing a string per deletion and
    looking it up. A set bit says only "maybe": the full lookup then runs as before, so the answer is unchanged."""

    cdef unsigned char *bits
    cdef Py_ssize_t size  # len() of the index it was built from

    def __cinit__(self):
        self.bits = NULL

    def __dealloc__(self):
        free(self.bits)

    cdef int build(self, dict index) except -1:
        cdef Py_ssize_t j
        self.bits = <unsigned char *> calloc(_FILTER_BITS // 8, 1)
        if self.bits == NULL:
            raise MemoryError()
        for key in index:
            j = _bit(_poly(<str> key), len(<str> key))
            self.bits[j >> 3] |= <unsigned char> (1 << (j & 7))
        self.size = len(index)
        return 0

    cdef inline bint has(self, unsigned long long h, Py_ssize_t size):
        cdef Py_ssize_t j = _bit(h, size)
        return (self.bits[j >> 3] >> (j & 7)) & 1

    cdef bint maybe(self, str t, str collapsed, bint stretched):
        """Whether ``t`` (ASCII), its collapsed form (when ``stretched``) or ``t`` less one letter can be a key."""
        cdef Py_ssize_t n = len(t), p
        cdef const unsigned char *s = <const unsigned char *> PyUnicode_1BYTE_DATA(t)
        cdef unsigned long long pre[66]
        cdef unsigned long long suf[66]
        cdef unsigned long long pw[66]
        if n > 64:
            return True
        if stretched and self.has(_poly(collapsed), len(collapsed)):
            return True
        pre[0] = 0  # pre[p]: hash of t[:p]; suf[p]: hash of t[p:]; pw[j]: _POLY ** j
        pw[0] = 1
        for p in range(n):
            pre[p + 1] = pre[p] * _POLY + s[p]
            pw[p + 1] = pw[p] * _POLY
        if self.has(pre[n], n):
            return True
        suf[n] = 0
        for p in range(n - 1, -1, -1):
            suf[p] = suf[p + 1] + s[p] * pw[n - 1 - p]
        for p in range(n):  # t less letter p: t[:p] shifted past the n - 1 - p letters after p, then those
            if self.has(pre[p] * pw[n - 1 - p] + suf[p + 1], n - 1):
                return True
        return False


cdef object _FILTERS = None  # detector -> (single-word filter, multi-word filter); weak keys, like _ENTS
cdef tuple _LAST_FILTERS = None  # (weakref to the detector, its two filters): one global, set in one store


cdef _KeyFilter _key_filter(object det, bint multi):
    """The detector's key filter of the index ``_lookup`` reads (built once per detector, again if the index
    changed size)."""
    global _FILTERS, _LAST_FILTERS
    cdef tuple last = _LAST_FILTERS
    cdef _KeyFilter f
    cdef dict index = det._del_multi if multi else det._del_index
    if last is not None and last[0]() is det:
        f = <_KeyFilter> last[2 if multi else 1]
        if f.size == len(index):
            return f
    import weakref
    if _FILTERS is None:
        _FILTERS = weakref.WeakKeyDictionary()
    got = _FILTERS.get(det)
    if got is None or (<_KeyFilter> got[0]).size != len(det._del_index) \
            or (<_KeyFilter> got[1]).size != len(det._del_multi):
        single = _KeyFilter()
        single.build(det._del_index)
        multi_f = _KeyFilter()
        multi_f.build(det._del_multi)
        got = (single, multi_f)
        _FILTERS[det] = got
    _LAST_FILTERS = (weakref.ref(det), got[0], got[1])
    return <_KeyFilter> got[1 if multi else 0]


cdef tuple _lookup(object det, str t, bint multi):
    """:meth:`Detector._lookup_token` (``multi``: only marks of several words, through the indexes holding only
    them; each mark's answer depends on ``t`` and its own name alone, so this is the full answer filtered)."""
    cdef Py_ssize_t n = len(t), kl, p, limit, d
    cdef list compact = det._compact
    cdef dict index = det._del_multi if multi else det._del_index
    cdef dict coll_index = det._collapsed_multi if multi else det._collapsed
    cdef str collapsed, k, v
    cdef const unsigned char *src
    cdef unsigned char *dst
    cdef object out = None, cands = None, got
    cdef bint stretched
    if n < 4 or not _ascii(t):
        return ()
    collapsed = _collapse(t)
    stretched = collapsed is not t
    if stretched:
        got = coll_index.get(collapsed)
        if got:
            for i in <set> got:
                k = <str> compact[i]
                if _collapse(k) == collapsed and n > len(k):  # stretched, not a changed letter
                    if out is None:
                        out = {}
                    out[i] = (i, "repeated", 0.95)
    if not _key_filter(det, multi).maybe(t, collapsed, stretched):  # no variant can be a key: no candidate
        return () if out is None else tuple(out.values())
    # the candidates of the one-deletion index: t, its collapsed form and t less one letter (ASCII: bytes copied)
    cands = _union(cands, index, t)
    if stretched:
        cands = _union(cands, index, collapsed)
    src = <const unsigned char *> PyUnicode_1BYTE_DATA(t)
    for p in range(n):
        v = <str> PyUnicode_New(n - 1, 127)
        dst = <unsigned char *> PyUnicode_1BYTE_DATA(v)
        if p:
            memcpy(dst, src, p)
        if p < n - 1:
            memcpy(dst + p, src + p + 1, n - 1 - p)
        cands = _union(cands, index, v)
    if cands is None:
        return () if out is None else tuple(out.values())
    for i in <set> cands:
        if out is not None and i in out:
            continue
        k = <str> compact[i]
        if k == t or k[0] != t[0]:
            continue
        kl = len(k)
        limit = 2 if kl >= 9 else 1
        if not stretched and (kl - n > limit or n - kl > limit):
            continue  # OSA distance is at least the length difference
        d = _osa(t, k, limit == 2)
        if d > limit and stretched:
            d = _osa(collapsed, _collapse(k), limit == 2)
        # four-letter marks: only two swapped letters (Dley for Dely); anything looser is another word
        if d <= limit and (kl >= 5 or (n == kl and sorted(t) == sorted(k))):
            if out is None:
                out = {}
            out[i] = (i, "fuzzy", _round3(1.0 - <double> d / <double> (kl if kl > n else n)))
    return () if out is None else tuple(out.values())


def lookup_token(object det, str t, bint multi=False):
    """:meth:`Detector._lookup_token`: marks a word may be a misspelling or a stretched spelling of."""
    if _E is None:
        _bind()
    return _lookup(det, t, multi)


cdef tuple _pair_lookup(object det, str a, str b):
    """:meth:`Detector._pair_lookup`: multi-word marks two adjacent words spell when run together (memoised in the
    token caches)."""
    cdef str pair = a + u" " + b
    cdef set clean = det._clean
    cdef dict tok_hits = det._tok_hits
    if pair in clean:
        return ()
    got = tok_hits.get(pair)
    if got is None:
        got = _lookup(det, a + b, True)
        if got:
            tok_hits[pair] = got
        else:
            clean.add(pair)
    return <tuple> got


def pair_lookup(object det, str a, str b):
    if _E is None:
        _bind()
    return _pair_lookup(det, a, b)


def resolve_words(object det, set new_toks, set hit_toks, set new_pairs, set hit_pairs):
    """The lookups of :meth:`Detector._word_hits_fast` for the words and word pairs :func:`scan_words` found new:
    each remembered as clean or as a hit (bounded caches), the hits added to ``hit_toks`` / ``hit_pairs``."""
    if _E is None:
        _bind()
    cdef set clean = det._clean, pair_hits = det._pair_hits
    cdef dict tok_hits = det._tok_hits, pair_res = det._pair_res
    cdef tuple found
    for t in new_toks:
        found = _lookup(det, <str> t, False)
        if not found:
            if len(clean) > _CACHE_LIMIT:
                clean.clear()
            clean.add(t)
        else:
            tok_hits[t] = found
            hit_toks.add(t)
    for pair in new_pairs:  # each has an unexplained word and no NUL
        found = _pair_lookup(det, <str> (<tuple> pair)[0], <str> (<tuple> pair)[1])
        pair_res[pair] = found
        if found:
            pair_hits.add(pair)
            hit_pairs.add(pair)


cdef enum:
    _HAN_LO = 0x3400  # Han characters the sound stage reads (``chinese.HAN_RUN_RE``: U+3400-U+4DBF, U+4E00-U+9FFF)
    _HAN_N = 0xA000 - 0x3400
cdef PyObject *_READ_ARR[_HAN_N]  # chinese.readings / fuzzy_readings per Han character, filled on first sight
cdef PyObject *_FUZZY_ARR[_HAN_N]


cdef inline object _han_readings(Py_UCS4 c, bint fuzzy):
    """``chinese.readings(c)`` (``fuzzy``: ``fuzzy_readings``) from a C array per code point: the same frozensets
    (the functions are memoised), without a call through their cache per character."""
    cdef Py_ssize_t i = <Py_ssize_t> c - _HAN_LO
    cdef PyObject **arr = &_READ_ARR[0]
    if fuzzy:
        arr = &_FUZZY_ARR[0]
    if i < 0 or i >= _HAN_N:
        return (_FUZZY_READINGS if fuzzy else _READINGS)(chr(c))
    if arr[i] == NULL:
        v = (_FUZZY_READINGS if fuzzy else _READINGS)(chr(c))
        Py_INCREF(v)
        arr[i] = <PyObject *> v
    return <object> arr[i]


cdef inline int _han_role(unsigned char *roles, object first, object second, Py_UCS4 c) except -1:
    """Whether a fuzzy reading of ``c`` is the first syllable of a Chinese name (2) and whether one is a second
    syllable (4), plus 1; remembered per detector (``roles``: one byte per Han character, 0 not yet known)."""
    cdef Py_ssize_t i = <Py_ssize_t> c - _HAN_LO
    cdef int r
    if 0 <= i < _HAN_N and roles[i]:
        return roles[i]
    fz = _han_readings(c, True)
    r = 1
    if not first.isdisjoint(fz):
        r |= 2
    if not second.isdisjoint(fz):
        r |= 4
    if 0 <= i < _HAN_N:
        roles[i] = <unsigned char> r
    return r


cdef tuple _sound_run(object det, str run):
    """:meth:`Detector._sound_run`: sound-alikes of Chinese names in one run of Chinese characters. The names that
    may start at a position depend on its two characters only (cached per pair, :attr:`Detector._pair_names`); a
    pair whose first character reads as no name's first syllable, or whose second as no name's second, starts none
    (tested per character from a byte table, without building the pair)."""
    cdef Py_ssize_t L = len(run), i, j, n, near
    cdef int kind = PyUnicode_KIND(run), kkind
    cdef void *data = PyUnicode_DATA(run)
    cdef void *kdata
    cdef dict starts = det._pair_names
    cdef object py_index = det._py_index  # a defaultdict (never indexed here)
    cdef object first = det._py_first, second = det._py_second
    cdef list compact = det._compact
    cdef unsigned char *roles = <unsigned char *> PyByteArray_AS_STRING(det._han_roles)
    cdef list out = []
    cdef object named, syl, fzs
    cdef Py_ssize_t idx
    cdef str k
    cdef Py_UCS4 c0, c1, c
    for i in range(L - 1):
        c0 = PyUnicode_READ(kind, data, i)
        if not (_han_role(roles, first, second, c0) & 2):
            continue
        c1 = PyUnicode_READ(kind, data, i + 1)
        if not (_han_role(roles, first, second, c1) & 4):
            continue
        two = run[i:i + 2]
        named = starts.get(two)
        if named is None:
            if len(starts) > _CACHE_LIMIT:
                starts.clear()
            named = tuple([x for f0 in _han_readings(c0, True) for f1 in _han_readings(c1, True)
                           for x in py_index.get((f0, f1), ())])
            starts[two] = named
        if not named:
            continue
        for idx, syl, fzs in <tuple> named:
            n = len(<tuple> syl)
            if i + n > L:
                continue
            k = <str> compact[idx]  # the name (a Chinese name holds no space)
            if len(k) == n:  # the run's n characters from i written as the name itself: not a sound-alike
                kkind = PyUnicode_KIND(k)
                kdata = PyUnicode_DATA(k)
                for j in range(n):
                    if PyUnicode_READ(kind, data, i + j) != PyUnicode_READ(kkind, kdata, j):
                        break
                else:
                    continue
            near = 0
            for j in range(n):
                c = PyUnicode_READ(kind, data, i + j)
                if (<tuple> syl)[j] in <frozenset> _han_readings(c, False):
                    continue
                if (<tuple> fzs)[j] in <frozenset> _han_readings(c, True):
                    near += 1
                    continue
                near = 99
                break
            if near == 0 or (n >= 3 and near <= 1):
                out.append((i, idx, n, 1.0 if near == 0 else 0.85))
    return tuple(out)


def sound_run(object det, str run):
    if _E is None:
        _bind()
    return _sound_run(det, run)


cdef struct _Lits:
    Py_UCS4 *chars  # every literal starting with an ASCII character, by first character
    int *off  # literal j is chars[off[j]:off[j] + size[j]]
    int *size
    int gstart[129]  # literals starting with ASCII character c: gstart[c] <= j < gstart[c + 1]
    unsigned char second[128 * 128]  # [c0 * 128 + c1]: c0 then ASCII c1 may start a literal
    unsigned char start[256]  # an ASCII byte whose lower case starts a literal
    Py_UCS4 other[64]  # the first characters of the other literals (n_other of them; -1: too many, ask the dict)
    int n_other


cdef object _hints_in(str s, bint fold_ascii, _Lits *lits, list lit_idxs, dict other_first):
    """The regex-term indices hinted by the literals occurring in ``s`` (lower-cased; ``fold_ascii``: ``s`` is
    ASCII and lower-cased here, character by character), or None."""
    cdef Py_ssize_t n = len(s), i, j, m, q, at, ci
    cdef int kind = PyUnicode_KIND(s), lkind
    cdef void *data = PyUnicode_DATA(s)
    cdef const unsigned char *b = <const unsigned char *> data
    cdef void *ldata
    cdef Py_UCS4 c, d
    cdef object group, out = None
    cdef str lit
    cdef bint has_other = len(other_first) > 0
    for i in range(n):
        if fold_ascii:
            if not lits.start[b[i]]:
                continue
            c = <Py_UCS4> (b[i] + 32 if 65 <= b[i] <= 90 else b[i])
        else:
            c = PyUnicode_READ(kind, data, i)
        if c < 128:
            ci = <Py_ssize_t> c
            if lits.gstart[ci] == lits.gstart[ci + 1]:
                continue
            if i + 1 < n:  # the next character, where it is ASCII, must be able to continue a literal
                if fold_ascii:
                    d = <Py_UCS4> (b[i + 1] + 32 if 65 <= b[i + 1] <= 90 else b[i + 1])
                else:
                    d = PyUnicode_READ(kind, data, i + 1)
                if d < 128 and not lits.second[ci * 128 + <Py_ssize_t> d]:
                    continue
            for q in range(lits.gstart[ci], lits.gstart[ci + 1]):
                m = lits.size[q]
                if i + m > n:
                    continue
                at = lits.off[q]
                for j in range(1, m):
                    if fold_ascii:
                        d = <Py_UCS4> (b[i + j] + 32 if 65 <= b[i + j] <= 90 else b[i + j])
                    else:
                        d = PyUnicode_READ(kind, data, i + j)
                    if d != lits.chars[at + j]:
                        break
                else:
                    if out is None:
                        out = set(lit_idxs[q])
                    else:
                        out |= lit_idxs[q]
            continue
        if not has_other:
            continue
        if lits.n_other >= 0:
            for q in range(lits.n_other):
                if lits.other[q] == c:
                    break
            else:
                continue
        group = other_first.get(chr(c))
        if group is None:
            continue
        for lit, idxs in group:
            m = len(lit)
            if i + m > n:
                continue
            lkind = PyUnicode_KIND(lit)
            ldata = PyUnicode_DATA(lit)
            for j in range(1, m):
                if PyUnicode_READ(kind, data, i + j) != PyUnicode_READ(lkind, ldata, j):
                    break
            else:
                if out is None:
                    out = set(idxs)
                else:
                    out |= idxs
    return out


def hint_texts(list texts, list ascii_first, dict other_first):
    """:meth:`Detector._regex_batch`'s literal hints (lower case) in one pass over the texts: text index -> union
    of the regex-term indices hinted by a literal occurring in the lower-cased text. ``ascii_first[c]`` (and
    ``other_first`` for other first characters) holds the ``(literal, indices)`` pairs starting with character
    ``c``. ASCII text is lower-cased on the fly (no lower-cased copy of the batch); other text by ``str.lower``.
    The literals starting with an ASCII character are compared from C arrays, after a test of the first two
    characters."""
    cdef Py_ssize_t i, j, k, q = 0, total = 0, n = len(texts)
    cdef str t, lit
    cdef dict out = {}
    cdef _Lits lits
    cdef list lit_idxs = []
    for i in range(128):
        if ascii_first[i] is not None:
            for lit, _ in ascii_first[i]:
                total += len(lit)
                q += 1
    lits.chars = <Py_UCS4 *> malloc((total + 1) * sizeof(Py_UCS4))
    lits.off = <int *> malloc((q + 1) * sizeof(int))
    lits.size = <int *> malloc((q + 1) * sizeof(int))
    try:
        if lits.chars == NULL or lits.off == NULL or lits.size == NULL:
            raise MemoryError()
        for i in range(128 * 128):
            lits.second[i] = 0
        q = 0
        total = 0
        for i in range(128):
            lits.gstart[i] = <int> q
            if ascii_first[i] is None:
                continue
            for lit, idxs in ascii_first[i]:
                lits.off[q] = <int> total
                lits.size[q] = <int> len(lit)
                for j in range(len(lit)):
                    lits.chars[total] = lit[j]
                    total += 1
                lit_idxs.append(idxs)
                q += 1
                if len(lit) == 1:  # anything may follow
                    for j in range(128):
                        lits.second[i * 128 + j] = 1
                elif ord(lit[1]) < 128:
                    lits.second[i * 128 + ord(lit[1])] = 1
        lits.gstart[128] = <int> q
        lits.n_other = <int> len(other_first) if len(other_first) <= 64 else -1
        if lits.n_other > 0:
            for j, lit in enumerate(other_first):
                lits.other[j] = ord(lit)
        for i in range(256):
            j = i + 32 if 65 <= i <= 90 else i
            lits.start[i] = j < 128 and lits.gstart[j] != lits.gstart[j + 1]
        for k in range(n):
            t = texts[k]
            if _ascii(t):
                got = _hints_in(t, True, &lits, lit_idxs, other_first)
            else:
                got = _hints_in(t.lower(), False, &lits, lit_idxs, other_first)
            if got is not None:
                out[k] = got
    finally:
        free(lits.chars)
        free(lits.off)
        free(lits.size)
    return out


cdef inline bint _has_han(str s):
    """``engine._HAN.search(s)``: a character of the CJK unified ideographs (extension A included)."""
    cdef Py_ssize_t i, n = len(s)
    cdef int kind = PyUnicode_KIND(s)
    cdef void *data = PyUnicode_DATA(s)
    cdef Py_UCS4 c
    if kind == 1:
        return False
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if (0x3400 <= c <= 0x4DBF) or (0x4E00 <= c <= 0x9FFF):
            return True
    return False


cdef bint _elided(str s):
    """``"*" in s or "..." in s or "\u2026" in s`` in one pass."""
    cdef Py_ssize_t i, n = len(s), dots = 0
    cdef int kind = PyUnicode_KIND(s)
    cdef void *data = PyUnicode_DATA(s)
    cdef Py_UCS4 c
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if c == u".":
            dots += 1
            if dots == 3:
                return True
            continue
        dots = 0
        if c == u"*" or c == 0x2026:
            return True
    return False


cdef void _sound_stage(object det, str w, list cands) except *:
    """:meth:`Detector._sound_stage`: each run of two or more Han characters (``chinese.HAN_RUN_RE``) found in C,
    its sound-alikes from the detector's run cache (:meth:`Detector._sound_run` for a run not seen before)."""
    cdef Py_ssize_t n = len(w), i = 0, a, off, size
    cdef int kind = PyUnicode_KIND(w)
    cdef void *data = PyUnicode_DATA(w)
    cdef Py_UCS4 c
    cdef dict cache
    cdef object have = None, found
    if not det._py_index or kind == 1:
        return
    cache = det._run_cache
    while i < n:
        c = PyUnicode_READ(kind, data, i)
        if not ((0x3400 <= c <= 0x4DBF) or (0x4E00 <= c <= 0x9FFF)):
            i += 1
            continue
        a = i
        i += 1
        while i < n:
            c = PyUnicode_READ(kind, data, i)
            if not ((0x3400 <= c <= 0x4DBF) or (0x4E00 <= c <= 0x9FFF)):
                break
            i += 1
        if i - a < 2:
            continue
        run = w[a:i]
        found = cache.get(run)
        if found is None:
            found = _sound_run(det, run)
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            cache[run] = found
        for off, idx, size, sim in found:
            if have is None:
                have = {((<Cand> x).entry, (<Cand> x).ws) for x in cands}
            k2 = (idx, a + off)
            if k2 not in have:
                have.add(k2)
                cands.append(_cand(idx, a + off, a + off + size, "phonetic", sim))


def finish_batch(object det, list texts, str bv, list starts, list folded, object cands, object terms,
                 list cats, bint keep_unsupported):
    """The tail of :meth:`Detector._scan_batch`: the sound and partial-name stages of the texts that need them,
    the regex signals, then :func:`finish` per text holding anything (categories' classes looked up once per
    batch), an empty :class:`Detection` for the others."""
    if _E is None:
        _bind()
    cdef Py_ssize_t k, n = len(texts)
    cdef str t, w
    cdef list out = []
    cdef dict cat_classes = {}
    cdef object c, ts, rs, cc, lst
    partial = det._partial_stage
    cdef _Det D = None
    for k in range(n):
        t = texts[k]
        if not _ascii(t):  # (kana fold to Han look-alikes: the view, not the text, decides)
            w = bv[<Py_ssize_t> starts[k]:<Py_ssize_t> starts[k + 1] - 1]
            if _has_han(w):
                lst = (<dict> cands).get(k)
                if lst is None:
                    lst = []
                    (<dict> cands)[k] = lst
                _sound_stage(det, w, lst)
        if _elided(t):
            lst = (<dict> cands).get(k)
            if lst is None:
                lst = []
                (<dict> cands)[k] = lst
            partial(t, bv[<Py_ssize_t> starts[k]:<Py_ssize_t> starts[k + 1] - 1], lst)
    regex = det._regex_batch(texts)
    # the texts holding anything, flagged from the three maps' keys (most texts hold nothing: no lookups for them)
    cdef bytearray any_flags = bytearray(n)
    cdef unsigned char *flags = <unsigned char *> PyByteArray_AS_STRING(any_flags)
    cdef Py_ssize_t j
    for m in (cands, terms, regex):
        for key in <dict> m:
            if isinstance(key, int) and 0 <= key < n:  # (other keys are never looked up)
                flags[<Py_ssize_t> key] = 1
    for k in range(n):
        if not flags[k]:
            out.append(_detection([], []))
            continue
        c = (<dict> cands).get(k)
        ts = (<dict> terms).get(k)
        rs = (<dict> regex).get(k)
        if not c and not ts and not rs:
            out.append(_detection([], []))
            continue
        cc = cat_classes.get(cats[k])
        if cc is None:
            cc = cat_classes[cats[k]] = det.classes_of(cats[k])
        if D is None:
            D = _det_of(det)
        out.append(_finish(D, texts[k], bv[<Py_ssize_t> starts[k]:<Py_ssize_t> starts[k + 1] - 1], folded[k],
                           c or [], ts or [], rs or [], cc, keep_unsupported))
    return out



# ------------------------------------------------------------------------------------------- character fold table
cdef enum:
    _FOLD_N = 0x30000  # planes 0-2 in a C array; the rest (tag characters) through the dict
cdef Py_UCS4 *_FOLD = NULL  # code point -> its one-character fold (itself when unchanged); _MULTI: see the dict
cdef dict _FOLD_DICT = None
cdef Py_UCS4 _MULTI = 0xFFFFFFFF


cdef int _fold_init() except -1:
    global _FOLD, _FOLD_DICT
    from bordermark.detect import normalise
    table = normalise.fold_table()
    cdef Py_UCS4 *arr = <Py_UCS4 *> malloc(_FOLD_N * sizeof(Py_UCS4))
    cdef Py_ssize_t i
    if arr == NULL:
        raise MemoryError()
    for i in range(_FOLD_N):
        arr[i] = <Py_UCS4> i
    for cp, v in table.items():
        if cp < _FOLD_N:
            arr[<Py_ssize_t> cp] = ord(v) if len(v) == 1 else _MULTI
    _FOLD_DICT = table
    _FOLD = arr
    return 0


cdef bint _has_odd(str s) except -1:
    """``not normalise._odd_chars().isdisjoint(s)``: a character whose fold is not exactly one character."""
    if _FOLD == NULL:
        _fold_init()
    cdef Py_ssize_t n = len(s), i
    cdef int kind = PyUnicode_KIND(s)
    cdef void *data = PyUnicode_DATA(s)
    cdef Py_UCS4 c
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if c < _FOLD_N:
            if _FOLD[c] == _MULTI:
                return True
        else:
            got = _FOLD_DICT.get(<long> c)
            if got is not None and len(<str> got) != 1:
                return True
    return False


def fold_chars(str s):
    """``s.translate(normalise.fold_table())``: most characters fold to one character, read from a C array (the
    dict-driven ``str.translate`` boxes every code point); the few that fold to none or several (zero-width, ``ß``,
    ligatures) and those beyond plane 2 go through the dict."""
    if _FOLD == NULL:
        _fold_init()
    cdef Py_ssize_t n = len(s), i, size = 0, j = 0, m
    cdef int kind = PyUnicode_KIND(s)
    cdef void *data = PyUnicode_DATA(s)
    cdef Py_UCS4 c, g
    cdef str v
    for i in range(n):  # the output's length
        c = PyUnicode_READ(kind, data, i)
        g = _FOLD[c] if c < _FOLD_N else _MULTI
        if g != _MULTI:
            size += 1
        else:
            got = _FOLD_DICT.get(<long> c)
            size += 1 if got is None else len(<str> got)
    cdef Py_UCS4 *buf = <Py_UCS4 *> malloc((size + 1) * sizeof(Py_UCS4))
    if buf == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            g = _FOLD[c] if c < _FOLD_N else _MULTI
            if g != _MULTI:
                buf[j] = g
                j += 1
                continue
            got = _FOLD_DICT.get(<long> c)
            if got is None:
                buf[j] = c
                j += 1
                continue
            v = <str> got
            for m in range(len(v)):
                buf[j] = v[m]
                j += 1
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, j)
    finally:
        free(buf)


def fold_many(list texts):
    """``normalise.fold_many``: :func:`leet` of each text's character fold, without joining and splitting the batch.
    An ASCII text folds to ASCII of the same length (``normalise._ascii_table``), so it is folded byte by byte from
    the fold array into a new one-byte string; any other text through :func:`fold_chars`."""
    if _FOLD == NULL:
        _fold_init()
    cdef list out = []
    cdef str s, f
    cdef Py_ssize_t i, n
    cdef const unsigned char *src
    cdef unsigned char *dst
    cdef Py_UCS4 g
    for t in texts:
        s = <str> t
        if not _ascii(s):
            out.append(leet(fold_chars(s)))
            continue
        n = len(s)
        f = <str> PyUnicode_New(n, 127)
        src = <const unsigned char *> PyUnicode_1BYTE_DATA(s)
        dst = <unsigned char *> PyUnicode_1BYTE_DATA(f)
        for i in range(n):
            g = _FOLD[src[i]]
            if g >= 128:  # cannot happen (the ASCII fold is ASCII); the general path stays right
                break
            dst[i] = <unsigned char> g
        else:
            out.append(_leet1(f, n, dst))
            continue
        out.append(leet(fold_chars(s)))
    return out


def batch_view(list folded, bint compact=False):
    """The batch view of :meth:`Detector._scan_batch` in one pass over the texts' folds: each fold's words (split
    at Unicode whitespace, as ``str.split``) joined by single spaces, without the space between two CJK characters,
    the texts joined by ``" NUL "``, one pad space at each end; with the indices of the texts whose view holds a Han
    character (CJK unified ideographs, extension A included), and where each text's view starts (view ``k`` is
    ``bv[starts[k]:starts[k + 1] - 1]``, pad spaces included; what splitting the view at ``" NUL "`` gives, without
    the strings), or None for ``starts`` if a fold holds NUL (which would make more parts than texts); with
    ``compact``, also the view without its spaces (``bv.replace(" ", "")``, what the compact automaton scans),
    written on the same pass (else None). Every fold holds a word (empty ones are detected one by one)."""
    cdef Py_ssize_t total = 0, k, i, n, j = 0, nt = len(folded)
    cdef str f
    cdef int kind
    cdef void *data
    cdef Py_UCS4 c, last
    cdef bint pending, han, written, nul = False
    for f in folded:
        total += len(f) + 3
    cdef Py_ssize_t m = 0
    cdef Py_UCS4 *buf = <Py_UCS4 *> malloc((total + 2) * sizeof(Py_UCS4))
    cdef Py_UCS4 *cbuf = <Py_UCS4 *> malloc((total + 2) * sizeof(Py_UCS4)) if compact else NULL
    if buf == NULL or (compact and cbuf == NULL):
        free(buf)
        free(cbuf)
        raise MemoryError()
    hans = []
    cdef list starts = [0]
    try:
        buf[j] = u" "
        j += 1
        for k in range(nt):
            f = folded[k]
            if k:
                buf[j] = u"\x00"
                buf[j + 1] = u" "
                starts.append(j + 1)
                j += 2
                if compact:
                    cbuf[m] = u"\x00"
                    m += 1
            n = len(f)
            kind = PyUnicode_KIND(f)
            data = PyUnicode_DATA(f)
            pending = False
            han = False
            last = 0
            written = False
            for i in range(n):
                c = PyUnicode_READ(kind, data, i)
                if Py_UNICODE_ISSPACE(c):
                    if written:
                        pending = True
                    continue
                if pending and not (_is_cjk(last) and _is_cjk(c)):
                    buf[j] = u" "
                    j += 1
                pending = False
                buf[j] = c
                j += 1
                if compact:
                    cbuf[m] = c
                    m += 1
                last = c
                written = True
                if (0x3400 <= c <= 0x4DBF) or (0x4E00 <= c <= 0x9FFF):
                    han = True
                elif c == 0:
                    nul = True
            buf[j] = u" "
            j += 1
            if han:
                hans.append(k)
        starts.append(j + 1)
        cb = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, cbuf, m) if compact else None
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, j), hans, None if nul else starts, cb
    finally:
        free(buf)
        free(cbuf)


cdef void _text_token_cands(list words, Py_ssize_t lo, Py_ssize_t hi, str w, list lst, set hit_toks,
                            set hit_pairs, dict tok_hits, dict pair_res) except *:
    """One text's part of :meth:`Detector._token_batch`: its words are ``words[lo:hi]``, its view ``w``."""
    cdef Py_ssize_t j, at, size
    cdef str t, needle, a, b
    mine = None
    for j in range(lo, hi):
        t = words[j]
        if t in hit_toks:
            if mine is None:
                mine = set()
            mine.add(t)
    if mine is not None:
        covered = {w[(<Cand> x).ws:(<Cand> x).we] for x in lst}
        for t in mine:
            if t in covered:
                continue
            res = tok_hits[t]
            needle = u" " + t + u" "
            size = len(t)
            at = w.find(needle)
            while at >= 0:
                for idx, method, sim in res:
                    lst.append(_cand(idx, at + 1, at + 1 + size, method, sim))
                at = w.find(needle, at + 1)
    if hit_pairs:
        for j in range(lo, hi - 1):
            a = words[j]
            b = words[j + 1]
            if (a, b) in hit_pairs:
                pair = a + u" " + b
                at = w.find(u" " + pair + u" ")  # the first occurrence, as the one-text path does
                size = len(pair)
                for idx, method, sim in pair_res[(a, b)]:
                    lst.append(_cand(idx, at + 1, at + 1 + size, method, sim))


def token_cands(list words, list touched, str bv, list starts, object cands, set hit_toks, set hit_pairs,
                dict tok_hits, dict pair_res):
    """:meth:`Detector._token_batch` after the lookups: candidates, in the texts holding a token or the first word
    of a word pair with a hit, at each whole-word occurrence of such a token (unless a candidate already covers
    it) and at the first occurrence of such a pair. Only the texts :func:`scan_words` found touched are visited
    (``[k, lo, hi, ...]``: text ``k``'s words are ``words[lo:hi]``, a slice of the batch's): no text is split
    again."""
    cdef Py_ssize_t i, j, n = len(touched), k, lo, hi
    cdef bint flagged
    cdef str word
    cdef list lst
    firsts = {a for a, _ in hit_pairs}
    for j in range(0, n, 3):
        k = touched[j]
        lo = touched[j + 1]
        hi = touched[j + 2]
        flagged = False
        for i in range(lo, hi):
            word = words[i]
            if word in hit_toks or word in firsts:
                flagged = True
                break
        if flagged:
            lst = (<dict> cands).get(k)
            if lst is None:
                lst = []
                (<dict> cands)[k] = lst
            _text_token_cands(words, lo, hi, bv[<Py_ssize_t> starts[k]:<Py_ssize_t> starts[k + 1] - 1], lst,
                              hit_toks, hit_pairs, tok_hits, pair_res)


def line_dict(object rid, object d):
    """``{"id": rid, **d.to_dict()}`` built in C: orjson writes a slotted dataclass only after its ``__dict__``
    lookup has raised and been cleared (an exception per hit), and a plain dict it writes directly; same keys in the
    same order, so the same bytes. The fields of the result types are read from their slots."""
    if _E is None:
        _bind()
    if type(d) is _Detection:
        return _line_dict(rid, _get(d, _DET_OFF[0]), _get(d, _DET_OFF[1]))
    return _line_dict(rid, d.hits, d.signals)


cdef dict _line_dict(object rid, object hs, object gs):
    cdef list hits = [], signals = []
    cdef Py_ssize_t *o = _HIT_OFF
    for h in hs:
        if type(h) is _Hit:
            hits.append({"mark_id": _get(h, o[0]), "mark": _get(h, o[1]), "holder": _get(h, o[2]),
                         "start": _get(h, o[3]), "end": _get(h, o[4]), "matched": _get(h, o[5]),
                         "method": _get(h, o[6]), "score": _get(h, o[7]), "context": _get(h, o[8]),
                         "ambiguous": _get(h, o[9]), "alias": _get(h, o[10]), "alias_kind": _get(h, o[11])})
        else:
            hits.append({"mark_id": h.mark_id, "mark": h.mark, "holder": h.holder, "start": h.start, "end": h.end,
                         "matched": h.matched, "method": h.method, "score": h.score, "context": h.context,
                         "ambiguous": h.ambiguous, "alias": h.alias, "alias_kind": h.alias_kind})
    o = _SIG_OFF
    for g in gs:
        if type(g) is _Signal:
            signals.append({"code": _get(g, o[0]), "term": _get(g, o[1]), "start": _get(g, o[2]),
                            "end": _get(g, o[3]), "weight": _get(g, o[4]), "family": _get(g, o[5]),
                            "lang": _get(g, o[6]), "matched": _get(g, o[7])})
        else:
            signals.append({"code": g.code, "term": g.term, "start": g.start, "end": g.end, "weight": g.weight,
                            "family": g.family, "lang": g.lang, "matched": g.matched})
    return {"id": rid, "hits": hits, "signals": signals}


cdef bint _plain_json(str s):
    """Whether orjson writes ``s`` as itself in quotes: no control character (< U+0020), quote or backslash (which
    it escapes) and no surrogate (which it refuses); every other character it writes as is (checked over all code
    points up to U+2FFFF in the tests)."""
    cdef Py_ssize_t i, n = len(s)
    cdef int kind = PyUnicode_KIND(s)
    cdef const void *data = PyUnicode_DATA(s)
    cdef Py_UCS4 c
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if c < 0x20 or c == 0x22 or c == 0x5C or 0xD800 <= c <= 0xDFFF:
            return False
    return True


def write_lines(list buf, list dets, object dumps, object dumps_any):
    """:func:`stream._write`'s loop after detection: one output line per record (``buf`` holds ``(id, text,
    category)``, ``dets`` their detections), written by orjson (``dumps``) exactly as the Python loop writes them,
    ``dumps_any`` (``stream._dumps``) where orjson refuses (an integer id beyond 64 bits)."""
    cdef list out = []
    cdef Py_ssize_t j, n = len(buf)
    if _E is None:
        _bind()
    for j in range(n):
        rid = (<tuple> buf[j])[0]
        d = dets[j]
        if type(d) is _Detection:
            hs, gs = _get(d, _DET_OFF[0]), _get(d, _DET_OFF[1])
        else:
            hs, gs = d.hits, d.signals
        if not hs and not gs:
            if type(rid) is str and _plain_json(<str> rid):  # what orjson writes for it: the text in quotes
                out.append(u'{"id":"' + <str> rid + u'","hits":[],"signals":[]}')
                continue
            try:
                ident = (<bytes> dumps(rid)).decode("utf-8")
            except TypeError:
                ident = dumps_any(rid)
            out.append(u'{"id":' + ident + u',"hits":[],"signals":[]}')
        else:
            try:
                out.append((<bytes> dumps(_line_dict(rid, hs, gs))).decode("utf-8"))
            except TypeError:  # an integer id beyond 64 bits
                out.append(dumps_any({"id": rid, **d.to_dict()}))
    return out


def read_batch(object numbered, Py_ssize_t batch, list buf, list bad, object loads, object slow):
    """:func:`stream._read`: records from the next numbered lines into ``buf`` (until it holds ``batch``); True at
    the end of the input. The common line (a JSON object with an ``id`` and a string ``text``, or string
    ``title``/``description``) is read here; any other goes to ``slow(n, line, buf, bad)``, the Python reading, so
    that errors and their messages are exactly its own."""
    cdef object line, obj, text, title, desc, cat
    for n, line in numbered:
        # a line starting with a non-space character is not blank (no ``isspace`` method call for it)
        if not (type(line) is str and len(<str> line) > 0 and not Py_UNICODE_ISSPACE((<str> line)[0])) and (
                not line or line.isspace()):
            continue
        try:
            obj = loads(line)
        except Exception:
            slow(n, line, buf, bad)
        else:
            if type(obj) is not dict or "id" not in obj or type((<dict> obj)["id"]) is float:
                slow(n, line, buf, bad)  # (a float id may be an integer beyond 64 bits, which orjson reads as float)
            else:
                text = (<dict> obj).get("text")
                if text is None:
                    title = (<dict> obj).get("title")
                    desc = (<dict> obj).get("description")
                    if type(title) is str and type(desc) is str:
                        text = f"{title}\n{desc}"
                    elif type(title) is str and desc is None:
                        text = title
                    elif title is None and type(desc) is str:
                        text = desc
                if type(text) is not str:
                    slow(n, line, buf, bad)
                else:
                    cat = (<dict> obj).get("category")
                    buf.append(((<dict> obj)["id"], text, cat if isinstance(cat, str) else None))
        if len(buf) >= batch:
            return False
    return True


cdef int _cmp_u64(const void *a, const void *b) noexcept nogil:
    cdef unsigned long long x = (<const unsigned long long *> a)[0], y = (<const unsigned long long *> b)[0]
    return (x > y) - (x < y)


@cython.final
cdef class HsMatches:
    """hyperscan's match handler for ``engine._HsScan.iter``: each match kept as one integer (its end, then its id),
    without a Python frame per match (the handler runs for every match of every batch scan); :meth:`results` then
    gives what the Python twin gives."""

    cdef unsigned long long *packed
    cdef Py_ssize_t n, cap

    def __cinit__(self):
        self.packed = NULL
        self.n = 0
        self.cap = 0

    def __dealloc__(self):
        free(self.packed)

    def __call__(self, unsigned int i, unsigned long long start, unsigned long long to, unsigned int flags,
                 object context):
        cdef unsigned long long *grown
        if to >> 32:
            raise ValueError("text too long for the match handler (4 GiB)")
        if self.n == self.cap:
            self.cap = self.cap * 2 if self.cap else 1024
            grown = <unsigned long long *> realloc(self.packed, self.cap * sizeof(unsigned long long))
            if grown == NULL:
                raise MemoryError()
            self.packed = grown
        self.packed[self.n] = (to << 32) | i
        self.n += 1
        return None

    def results(self, list values, list keys, set check, str text, bytes data):
        """``(end, value)`` per match, ends ascending and ids ascending at one end (longer keys first): ``end`` the
        index of the match's last character in ``text``. ``data`` is what was scanned: one byte per character
        (a match of a key in ``check`` must then equal the text), or UTF-8 (a byte end becomes a character end by
        counting the bytes that start a character: a valid UTF-8 key matches only at character boundaries)."""
        cdef list out = []
        cdef unsigned long long p
        cdef Py_ssize_t to, i, m, j, pos = 0, chars = 0, n = len(data)
        cdef const unsigned char *b = <const unsigned char *> data
        cdef bint onebyte = n == len(text), checking = len(check) > 0
        cdef str k
        if self.n > 1:
            qsort(self.packed, self.n, sizeof(unsigned long long), _cmp_u64)
        for j in range(self.n):
            p = self.packed[j]
            to = <Py_ssize_t> (p >> 32)
            i = <Py_ssize_t> (p & 0xFFFFFFFF)
            if onebyte:
                if checking and i in check:
                    k = <str> keys[i]
                    m = len(k)
                    if text[to - m:to] != k:
                        continue
                out.append((to - 1, values[i]))
            else:
                while pos < to:
                    if (b[pos] & 0xC0) != 0x80:
                        chars += 1
                    pos += 1
                out.append((chars - 1, values[i]))
        return out


def byte_view(str s):
    """``s`` one byte per character, for hyperscan (character offsets stay byte offsets): ASCII as is, any other
    character as ``0x80 | (c & 0x7F)``; a match of a key holding a non-ASCII character must be checked against
    ``s`` (several characters share a byte)."""
    cdef Py_ssize_t i, n = len(s)
    cdef int kind = PyUnicode_KIND(s)
    cdef void *data = PyUnicode_DATA(s)
    cdef unsigned int c
    if _ascii(s):
        return s.encode("ascii")
    out = bytearray(n)
    cdef unsigned char *p = <unsigned char *> PyByteArray_AS_STRING(out)
    cdef const unsigned short *d2
    cdef const Py_UCS4 *d4
    cdef const unsigned char *d1
    if kind == 2:
        d2 = <const unsigned short *> data
        for i in range(n):
            c = d2[i]
            p[i] = <unsigned char> c if c < 128 else <unsigned char> (0x80 | (c & 0x7F))
    elif kind == 4:
        d4 = <const Py_UCS4 *> data
        for i in range(n):
            c = d4[i]
            p[i] = <unsigned char> c if c < 128 else <unsigned char> (0x80 | (c & 0x7F))
    else:
        d1 = <const unsigned char *> data
        for i in range(n):
            c = d1[i]
            p[i] = <unsigned char> c if c < 128 else <unsigned char> (0x80 | (c & 0x7F))
    return bytes(out)
