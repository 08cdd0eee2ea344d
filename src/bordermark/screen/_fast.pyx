# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
# distutils: extra_compile_args = -ffp-contract=off
"""Typed twins of screening's batch loops (optional C extension, built by ``setup.py``).

Why: with detection apart, a listing's time went to interpreter work spread thinly over the per-listing loop
(price, authorisation, history, ships-from and image terms on top of the text's prepared terms, the score, the
verdict, the result object), the per-text preparation, the row checks of the reader and the writer's row dicts.
These are the same loops as the pure path (``engine.py``, ``io.py``: the reference, each use beside its twin
here) with C locals for the numbers, C-level attribute stores for the result objects and a C insertion sort for
the reasons; every feature is still computed by the same functions in ``features.py`` (called on cache misses,
as the pure path calls them). Same inputs, same order of floating-point operations (no contraction into fused
multiply-adds), same results: ``tests/screen/test_compiled.py`` checks both paths give identical output.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.object cimport PyTypeObject
from cpython.ref cimport PyObject, Py_INCREF, Py_XDECREF
from libc.math cimport exp, floor

cdef object _E = None  # bordermark.screen.engine, bound on first use (it imports this module)
cdef object _ScreenResult, _content_hash, _price_results, _terms, _weigh, _ships_result
cdef object _counterfeit_image_result, _genuine_copy_result, _COUNTERFEIT, _GENUINE, _EMPTY_HITS_JSON
cdef object _likely, _clear, _mention, _parallel, _CACHE_LIMIT
cdef object _authorisation_results, _Decimal, _NO_CUES, _band_sentence, _network_text
cdef double _SUPPORT
cdef object _dumps
cdef object _PreparedT, _Hit, _hit_key_py, _hit_results, _category_result, _kept_json, _hit_dict
cdef object _category_key, _categories_text, _model, _text_of
cdef object _new = object.__new__
cdef tuple _NO_ARGS = ()


cdef inline object _alloc(object cls):
    """``object.__new__(cls)`` for a class whose ``__new__`` is ``object.__new__`` (the caller checked): the
    class's own ``tp_new`` slot called directly, with no arguments, without the builtin's argument and safety
    checks (~700 machine instructions a call through ``object.__new__``)."""
    return (<PyTypeObject *> cls).tp_new(<type> cls, <PyObject *> _NO_ARGS, NULL)


cdef void _bind() except *:
    global _E, _ScreenResult, _content_hash, _price_results, _terms, _weigh, _ships_result
    global _counterfeit_image_result, _genuine_copy_result, _COUNTERFEIT, _GENUINE, _EMPTY_HITS_JSON
    global _likely, _clear, _mention, _parallel, _CACHE_LIMIT
    global _authorisation_results, _NO_CUES, _band_sentence, _SUPPORT, _dumps, _network_text
    global _PreparedT, _Hit, _hit_key_py, _hit_results, _category_result, _kept_json, _hit_dict, _category_key
    global _categories_text, _model, _text_of
    from bordermark.screen import engine, features, images
    _ScreenResult = engine.ScreenResult
    _content_hash = engine.content_hash
    _price_results = features.price_results
    _terms = engine._terms
    _weigh = engine.weigh
    _ships_result = features.ships_result
    _counterfeit_image_result = features.counterfeit_image_result
    _genuine_copy_result = features.genuine_copy_result
    _COUNTERFEIT, _GENUINE = images.COUNTERFEIT, images.GENUINE
    _EMPTY_HITS_JSON = engine._EMPTY_HITS_JSON
    V = engine.Verdict
    _likely, _clear, _mention, _parallel = (V.LIKELY_COUNTERFEIT, V.CLEAR, V.BRAND_MENTION_OK,
                                            V.POSSIBLE_PARALLEL_IMPORT)
    _CACHE_LIMIT = engine.CACHE_LIMIT
    _authorisation_results = features.authorisation_results
    _NO_CUES = engine._NO_CUES
    _band_sentence = features.band_sentence
    _network_text = features.network_text
    from bordermark.detect.types import CONTEXT_SUPPORT
    _SUPPORT = CONTEXT_SUPPORT
    import orjson
    _dumps = orjson.dumps
    _PreparedT, _Hit, _hit_key_py, _hit_dict = engine._Prepared, engine.Hit, engine._hit_key, engine.hit_dict
    _hit_results, _category_result, _kept_json = features.hit_results, features.category_result, engine._kept_json
    _category_key, _categories_text = features.category_key, features.categories_text
    _model, _text_of = engine._model, engine._text_of
    _E = engine
    _bind_slots()


# -- slots read and written at C level -------------------------------------------------------------------------
# The result, prepared-text, hit and detection types are slotted dataclasses: each field is a member descriptor
# at a fixed offset in the object. Reading or writing it through the attribute protocol costs ~130 machine
# instructions (type lookup, descriptor call); at the offset, a few. The offsets are read from the descriptors
# once, and used only for objects of exactly that type whose field is an object slot; anything else goes
# through the attribute protocol as before.

cdef extern from "Python.h":
    ctypedef struct PyMemberDef:
        int type
        Py_ssize_t offset
        int flags
    ctypedef struct PyMemberDescrObject:
        PyMemberDef *d_member

cdef extern from "structmember.h":
    int T_OBJECT_EX
    int READONLY

_RESULT_FIELDS = ("listing_id", "score", "verdict", "hits", "reasons", "scenario_version", "features", "content_hash",
                  "mark_id", "suppressed", "listing", "brand_hits_json", "record")
_PREPARED_FIELDS = ("detection", "brand_hits_json", "hit", "brand", "band", "values", "terms", "logit", "weak",
                    "mention_only", "import_cues")
_HIT_FIELDS = ("mark_id", "mark", "holder", "start", "end", "matched", "method", "score", "context", "ambiguous",
               "alias", "alias_kind")
_DETECTION_FIELDS = ("hits", "signals")
cdef Py_ssize_t _RO[13]
cdef Py_ssize_t _PO[11]
cdef Py_ssize_t _HO[12]
cdef Py_ssize_t _DO[2]
cdef bint _R_OK = False, _P_OK = False, _H_OK = False, _D_OK = False
cdef bint _NEW_OK = False  # results and prepared texts are made by object.__new__ (see _alloc)
_SIGNAL_FIELDS = ("code", "term", "weight", "family")
cdef Py_ssize_t _SO[4]
cdef bint _S_OK = False
cdef object _SignalT = None
_BRAND_FIELDS = ("mark_id", "authorised", "priced", "priced_by_category")
_BAND_FIELDS = ("low", "high", "sentence", "sentence_base", "name_key")
cdef Py_ssize_t _BO[4]
cdef Py_ssize_t _NO[5]
cdef bint _B_OK = False, _N_OK = False
cdef object _BrandT = None, _BandT = None
cdef object _DetectionT = None


cdef bint _offsets(object cls, tuple names, Py_ssize_t *out) except -1:
    """The slot offset of each field of ``cls``; False where one is not a writable object slot of the class."""
    import types
    cdef Py_ssize_t i
    cdef PyMemberDef *m
    for i in range(len(names)):
        d = cls.__dict__.get(names[i])
        if type(d) is not types.MemberDescriptorType:
            return False
        m = (<PyMemberDescrObject *> d).d_member
        if m.type != T_OBJECT_EX or m.flags & READONLY or m.offset <= 0:
            return False
        out[i] = m.offset
    return True


cdef void _bind_slots() except *:
    global _R_OK, _P_OK, _H_OK, _D_OK, _DetectionT, _NEW_OK, _B_OK, _N_OK, _BrandT, _BandT, _S_OK, _SignalT
    from bordermark.detect.types import Signal
    _SignalT = Signal
    _S_OK = _offsets(Signal, _SIGNAL_FIELDS, _SO)
    from bordermark.screen.features import BrandInfo, ProductBand
    _BrandT, _BandT = BrandInfo, ProductBand
    _B_OK = _offsets(BrandInfo, _BRAND_FIELDS, _BO)
    _N_OK = _offsets(ProductBand, _BAND_FIELDS, _NO)
    from bordermark.detect.types import Detection
    _DetectionT = Detection
    _R_OK = _offsets(_ScreenResult, _RESULT_FIELDS, _RO)
    _P_OK = _offsets(_PreparedT, _PREPARED_FIELDS, _PO)
    _H_OK = _offsets(_Hit, _HIT_FIELDS, _HO)
    _D_OK = _offsets(Detection, _DETECTION_FIELDS, _DO)
    _NEW_OK = _ScreenResult.__new__ is object.__new__ and _PreparedT.__new__ is object.__new__


cdef inline object _sget(object o, Py_ssize_t off):
    """The object slot at ``off`` (the caller checked the type); AttributeError as usual where it is unset."""
    cdef PyObject *v = (<PyObject **> ((<char *> <PyObject *> o) + off))[0]
    if v == NULL:
        raise AttributeError("slot not set")
    return <object> v


cdef inline void _sset(object o, Py_ssize_t off, object v) noexcept:
    """Set the object slot at ``off`` (the caller checked the type)."""
    cdef PyObject **slot = <PyObject **> ((<char *> <PyObject *> o) + off)
    cdef PyObject *old = slot[0]
    Py_INCREF(v)
    slot[0] = <PyObject *> v
    Py_XDECREF(old)


cdef inline object _pf(object prep, int i, str name):
    """Field ``i`` (``name``) of a prepared text."""
    if _P_OK and type(prep) is _PreparedT:
        return _sget(prep, _PO[i])
    return getattr(prep, name)


cdef inline object _df(object det, int i, str name):
    """Field ``i`` (``name``) of a detection."""
    if _D_OK and type(det) is _DetectionT:
        return _sget(det, _DO[i])
    return getattr(det, name)


cdef inline object _hf(object hit, int i, str name):
    """Field ``i`` (``name``, see _HIT_FIELDS) of a hit."""
    if _H_OK and type(hit) is _Hit:
        return _sget(hit, _HO[i])
    return getattr(hit, name)


cdef inline object _bf(object brand, int i, str name):
    """Field ``i`` (``name``) of a brand (``features.BrandInfo``)."""
    if _B_OK and type(brand) is _BrandT:
        return _sget(brand, _BO[i])
    return getattr(brand, name)


cdef inline object _nf(object band, int i, str name):
    """Field ``i`` (``name``) of a product band (``features.ProductBand``)."""
    if _N_OK and type(band) is _BandT:
        return _sget(band, _NO[i])
    return getattr(band, name)


cdef extern from "Python.h":
    PyObject **_PyObject_GetDictPtr(object o)


cdef inline dict _dict_of(object o):
    """``o.__dict__`` without the attribute protocol (a pydantic model's ``__getattr__`` hook makes each attribute
    read of a listing cost ~300 machine instructions); a record (``io.Record``) is its own fields."""
    if type(o) is dict:
        return <dict> o
    cdef PyObject **dp = _PyObject_GetDictPtr(o)
    if dp != NULL and dp[0] != NULL and type(<object> dp[0]) is dict:
        return <dict> dp[0]
    return o.__dict__


# the float each price Decimal the compiled reader made was made from (Decimal(repr(x)) turns back into x exactly):
# id(Decimal) -> (the Decimal, x); float(Decimal) goes through its text (~1,000 machine instructions). Bounded;
# cleared with the reader's price cache.
cdef dict _PRICE_FLOAT = {}


cdef inline double _price_float(object price) except? -1.0:
    """``float(price)``, from the float the reader parsed where it made this Decimal (a record's price is that
    float)."""
    if type(price) is float:
        return <double> price
    cdef object e = _PRICE_FLOAT.get(PyLong_FromVoidPtr(<void *> price))
    if e is not None and (<tuple> e)[0] is price:
        return (<tuple> e)[1]
    return float(price)


# -- twins of two feature helpers (``features.authorisation_results``, ``features.ships_result``): the same tests
# and sentences, as (value, sentence) tuples (all ``_terms_c`` reads of a FeatureResult); tested equal.

cdef tuple _NO_AUTH = (None, None)


cdef tuple _auth_results(object brand, object authorised_as, object seller_id, object seller_name):
    """``features.authorisation_results``."""
    if brand is None:
        return _NO_AUTH
    if authorised_as is None:
        who = seller_name or seller_id or "unknown seller"
        return (1.0, f"Seller '{who}' is not an authorised party of {brand.holder} for '{brand.text}'"), None
    return None, (1.0, f"Seller is authorised by {brand.holder}: {authorised_as}")


cdef object _ships(object b, object ships):
    """``features.ships_result``."""
    if b is None or not ships or not b.network_countries or ships in b.network_countries:
        return None
    return (1.0, f"Ships from {ships}, outside {b.holder}'s network "
                 f"({b.network_text or _network_text(b.network_countries)})")


def auth_results(brand: object, authorised_as: object, seller_id: object, seller_name: object) -> tuple:
    """:func:`_auth_results` (for the tests)."""
    if _E is None:
        _bind()
    return _auth_results(brand, authorised_as, seller_id, seller_name)


cdef object _category(object b, object cat):
    """``features.category_result``."""
    if b is None or not cat or not b.categories:
        return None
    if _category_key(cat) in b.categories:
        return None
    return (1.0, f"Category '{cat}' is unlike any product of '{b.text}' "
                 f"({b.categories_text or _categories_text(b.categories)})")


# the sentence of each signal family's feature (features.counterfeit_terms, factory_origin, contact_cues)
cdef dict _FAMILY_SENTENCES = {"counterfeit_terms": "Uses counterfeit trade terms",
                               "factory_origin": "Claims factory origin",
                               "contact_cues": "Steers buyers off the platform"}


cdef str _quote(object terms):
    """``features._quote``."""
    return ", ".join([f"'{t}'" for t in list(dict.fromkeys(terms))[:5]])


cdef object _signal_results(dict signals, dict weights, bint has_hit, list group):
    """The signal group's results (``features._family`` for the three signal families, ``import_channel_cues``),
    as (value, sentence) tuples in the order of ``group`` (the group's weights: index, name, ...); the same tests,
    numbers (Python's own ``or``, ``min`` and ``round``) and sentences. ``None`` where the group holds a feature
    this twin does not know."""
    cdef list out = []
    cdef object w, name, found, sentence, strength
    for w in group:
        name = (<tuple> w)[1]
        found = signals.get(name)
        if name == "import_channel_cues":
            out.append(None if not found or not has_hit else (1.0, f"Describes an import channel: {_quote(found)}"))
            continue
        sentence = _FAMILY_SENTENCES.get(name)
        if sentence is None:
            return None
        if not found:
            out.append(None)
            continue
        strength = weights.get(name, 0.0) or 0.6 + 0.2 * (len(found) - 1)
        out.append((round(min(1.0, strength), 3), f"{sentence}: {_quote(found)}"))
    return tuple(out)


def signal_results(signals: dict, weights: dict, has_hit: bool, group: list) -> object:
    """:func:`_signal_results` (for the tests)."""
    return _signal_results(signals, weights, has_hit, group)


cdef str _norm_name(str value):
    """``engine.norm_name``: the casefolded name's alphanumeric characters."""
    cdef str low = value.casefold()
    cdef Py_UCS4 ch
    if low.isalnum():
        return low
    return "".join([ch for ch in low if ch.isalnum()])


def category(brand: object, cat: object) -> object:
    """:func:`_category` (for the tests)."""
    if _E is None:
        _bind()
    return _category(brand, cat)


def norm_name(str value) -> str:
    """:func:`_norm_name` (for the tests)."""
    return _norm_name(value)


def ships(brand: object, ships_from: object) -> object:
    """:func:`_ships` (for the tests)."""
    if _E is None:
        _bind()
    return _ships(brand, ships_from)


cdef tuple _NO_HIT4 = (None, None, None, None)


cdef tuple _hits4(object hit, object brand, object plain_methods):
    """``features.hit_results`` for the detector's own hit type (every attribute there, ``method`` text): the
    same tests and sentences, as (value, sentence) tuples."""
    cdef object first, disguised, weak, matched, method
    cdef bint ambiguous
    if hit is None:
        return _NO_HIT4
    ambiguous = _hf(hit, 9, "ambiguous")
    matched, method = _hf(hit, 5, "matched"), _hf(hit, 6, "method")
    if brand is None:
        first = disguised = None
    else:
        first = (1.0, f"Names the mark '{brand.text}' of {brand.holder} ({brand.mark_id}) as '{matched}'")
        if str(method) in plain_methods and _hf(hit, 11, "alias_kind") != "observed":
            disguised = None
        else:
            disguised = (1.0, f"'{matched}' is a disguised form of '{brand.text}' (matched by {method})")
    if not ambiguous:
        return first, disguised, None, None
    weak = None if hit.supported else (
        1.0, f"'{matched}' is an ordinary or short word and its context supports the brand "
             f"only weakly ({hit.context:.2f})")
    return first, disguised, (1.0, f"'{matched}' is also an ordinary or very short word (matched by {method})"), weak


def hits4(hit: object, brand: object, plain_methods: object) -> tuple:
    """:func:`_hits4` (for the tests)."""
    if _E is None:
        _bind()
    return _hits4(hit, brand, plain_methods)


cdef object _round3(double x):
    """``round(x, 3)`` without CPython's decimal string round trip (~2,700 machine instructions): round() gives the
    double nearest to k / 10**3, k the exact value's nearest integer multiple of 10**-3 (ties to even); away from a
    tie, k is floor(|x| * 1000 + 0.5) whatever the product's rounding, and k / 1000.0 is that nearest double (a
    correctly rounded division). Within 1e-6 of a tie, at zero (its sign), for |x| >= 2**20 or not finite, round()
    decides (as ``engine._round4`` does for scores). Why 2**20: there the rounding error of |x| * 1000 + 0.5 (half
    an ulp, at most 2**-24 ~ 6e-8 below 2**30) is plainly under the 1e-6 margin; near 2**41 it reaches 2**-12
    (~2.4e-4). (Up to 2**31 the float grid still kept it exact, no value found that differs, but that argument is
    subtler than the bound is worth: contributions are small.)"""
    cdef double a = -x if x < 0.0 else x
    cdef double y, k
    if not (a < 1048576.0):  # large (2**20 and above), infinite or NaN
        return round(<object> x, 3)
    y = a * 1000.0 + 0.5
    k = floor(y)
    if k != 0.0 and 1e-6 < y - k < 0.999999:
        return -(k / 1000.0) if x < 0.0 else k / 1000.0
    return round(<object> x, 3)


def round3(double x) -> float:
    """:func:`_round3` (for the tests)."""
    return _round3(x)


cdef extern from "float.h":
    int LDBL_MANT_DIG

cdef extern from "math.h":
    long double nearbyintl(long double x) nogil
    double nearbyint(double x) nogil


cdef inline Py_ssize_t _digits(char *out, long long v, bint grouped) noexcept:
    """Write the decimal digits of v >= 0 (with a comma between groups of three when ``grouped``); returns the
    length."""
    cdef char tmp[32]
    cdef Py_ssize_t n = 0, j = 0, i
    if v == 0:
        tmp[0] = 48
        n = 1
    while v > 0:
        tmp[n] = 48 + <char> (v % 10)
        v //= 10
        n += 1
    for i in range(n - 1, -1, -1):
        out[j] = tmp[i]
        j += 1
        if grouped and i and i % 3 == 0:
            out[j] = 44  # ","
            j += 1
    return j


cdef str _money2(double x):
    """``f"{x:,.2f}"``: x * 100 is exact in the 64-bit mantissa of x87's long double (53 + 7 bits), so rounding
    it to an integer (ties to even, the default rounding mode) rounds the exact binary value as CPython's float
    formatting does; then the digits, a comma between each group of three integer digits, and the cents.
    format() outside 0 < x < 1e15 or where long double has no such mantissa."""
    cdef char out[64]
    cdef long long cents
    cdef Py_ssize_t j
    if not (x > 0.0 and x < 1e15) or LDBL_MANT_DIG < 64:
        return format(x, ",.2f")
    cents = <long long> nearbyintl(<long double> x * 100.0)
    j = _digits(out, cents // 100, True)
    out[j] = 46  # "."
    out[j + 1] = 48 + <char> ((cents % 100) // 10)
    out[j + 2] = 48 + <char> (cents % 10)
    return out[:j + 3].decode("ascii")


cdef str _pct0(double x):
    """``f"{x:.0%}"``: CPython multiplies by 100 (in double), then formats as "%.0f", i.e. rounds that double to
    an integer, ties to even (the default rounding mode), and adds a per cent sign; format() outside
    0 < x * 100 < 1e15."""
    cdef char out[40]
    cdef Py_ssize_t j
    cdef double y = x * 100.0
    if not (y > 0.0 and y < 1e15):
        return format(x, ".0%")
    j = _digits(out, <long long> nearbyint(y), False)
    out[j] = 37  # "%"
    return out[:j + 1].decode("ascii")


def money2(double x) -> str:
    """:func:`_money2` (for the tests)."""
    return _money2(x)


def pct0(double x) -> str:
    """:func:`_pct0` (for the tests)."""
    return _pct0(x)


cdef object _round4(double p):
    """``engine._round4``: ``round(p, 4)`` as k / 10**4 where that is the same float, else round()."""
    cdef double y = p * 10000.0 + 0.5
    cdef double k = floor(y)
    if k != 0.0 and 1e-6 < y - k < 0.999999:
        return k / 10000.0
    return round(<object> p, 4)


cdef list _terms_c(tuple results, list weights):
    """``engine._terms``: the terms of a feature group's results (in feature order), as tuples."""
    cdef list terms = []
    cdef Py_ssize_t i, n = len(results)
    cdef object res, value, w, weight
    cdef double c
    if n != len(weights):
        raise ValueError("a result per weighted feature")
    for i in range(n):
        res = results[i]
        if res is not None:
            w = weights[i]
            weight = (<tuple> w)[2]
            value = (<tuple> res)[0]
            if value == 1.0:
                terms.append((-abs(weight), (<tuple> w)[0], {"code": (<tuple> w)[1], "detail": (<tuple> res)[1],
                                                          "contribution": (<tuple> w)[3]},
                              (<tuple> w)[1], value, weight))
            elif value:
                c = <double> weight * <double> value
                terms.append((-abs(c), (<tuple> w)[0], {"code": (<tuple> w)[1], "detail": (<tuple> res)[1],
                                                     "contribution": _round3(c)}, (<tuple> w)[1], value, c))
    return terms


cdef object _result(object lid, object score, object verdict, object hits, object reasons, object version,
                    object values, object chash, object mark_id, object suppressed, object listing,
                    object hits_json):
    """A ``ScreenResult`` with its slots set at C level (the dataclass ``__init__`` runs as Python code); a record
    (``io.Record``) goes to ``record``, a model to ``listing``."""
    cdef object r = _alloc(_ScreenResult) if _NEW_OK else _new(_ScreenResult)
    cdef object record = None
    if type(listing) is dict:
        record = listing
        listing = None
    if _R_OK:
        _sset(r, _RO[0], lid)
        _sset(r, _RO[1], score)
        _sset(r, _RO[2], verdict)
        _sset(r, _RO[3], hits)
        _sset(r, _RO[4], reasons)
        _sset(r, _RO[5], version)
        _sset(r, _RO[6], values)
        _sset(r, _RO[7], chash)
        _sset(r, _RO[8], mark_id)
        _sset(r, _RO[9], suppressed)
        _sset(r, _RO[10], listing)
        _sset(r, _RO[11], hits_json)
        _sset(r, _RO[12], record)
        return r
    r.listing_id = lid
    r.score = score
    r.verdict = verdict
    r.hits = hits
    r.reasons = reasons
    r.scenario_version = version
    r.features = values
    r.content_hash = chash
    r.mark_id = mark_id
    r.suppressed = suppressed
    r.listing = listing
    r.brand_hits_json = hits_json
    r.record = record
    return r


cdef object _image_match(object index, dict by_source, object paths, object kind, object max_distance):
    """``ImageIndex.match``: the first path known by reference (``by_source``: the index's matches of the kind by
    source, ``ImageIndex.ref_matches``) gives its match at once; remote images are never fetched, so only a local
    file (before any known reference) needs the index's own search."""
    cdef object path, m
    for path in paths:
        if by_source:
            m = by_source.get(path)
            if m is not None:
                return m
        if "://" not in path:
            return index.match(paths, kind, max_distance)
    return None


cdef object _genuine_copy(object m, object authorised_as, object price_base, object band):
    """``features.genuine_copy_result`` (the same tests, number and sentence)."""
    cdef double ratio
    if m is None or authorised_as is not None:
        return None
    if band is None or price_base is None or band.low <= 0:
        return None
    ratio = <double> price_base / <double> band.low
    if ratio >= 1.0:
        return None
    return (1.0 - ratio, f"Image {m.path} copies genuine catalogue photo {m.source} "
                         f"(distance {m.distance}) at {_pct0(1.0 - ratio)} below the genuine price")


cdef list _sorted_reasons(list terms):
    """The reason dicts of ``sorted(terms)``: terms are (-|contribution|, feature index, reason, ...) with the
    index unique within a listing, so (key, index) orders them as the tuples do. At most one term per feature,
    so a C insertion sort; a NaN key falls back to the tuples' own order."""
    cdef Py_ssize_t n = len(terms), i, j
    cdef double keys[64]
    cdef long idx[64]
    cdef Py_ssize_t order[64]
    cdef double k
    cdef long x
    cdef Py_ssize_t o
    if n > 64:
        return [t[2] for t in sorted(terms)]
    for i in range(n):
        t = terms[i]
        k = <double> t[0]
        if k != k:
            return [t[2] for t in sorted(terms)]
        keys[i] = k
        idx[i] = <long> t[1]
        order[i] = i
    for i in range(1, n):
        o = order[i]
        k = keys[o]
        x = idx[o]
        j = i - 1
        while j >= 0 and (keys[order[j]] > k or (keys[order[j]] == k and idx[order[j]] > x)):
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = o
    return [(<tuple> terms[order[i]])[2] for i in range(n)]


def screen_prepared_many(object scr, object listings, object preps):
    """``Screener._screen_prepared_many`` (the pure twin, same order of operations)."""
    if _E is None:
        _bind()
    cdef dict cleared = scr.cleared
    cdef dict sellers = scr.sellers
    cdef object index = scr.images
    cdef object max_distance = scr._max_distance
    cdef dict per_base = scr._per_base
    cdef object to_base = scr.rates.to_base
    cdef object base_currency = scr._base_currency
    cdef object min_ratio = scr._min_ratio
    price_terms = scr._price_terms
    below_idx, below_name, below_weight = price_terms[0]
    near_idx, near_name, near_weight = price_terms[1]
    cdef double below_w = below_weight, near_w = near_weight
    cdef object near_key = scr._near_key, near_rounded = scr._near_rounded
    cdef dict auth_terms = scr._auth_terms
    cdef dict ships_terms = scr._ships_terms
    cdef dict history_terms = scr._history_terms
    cdef list ships_weights = scr._gw["ships_from"]
    cdef list image_weights = scr._gw["images"]
    cdef list auth_weights = scr._gw["authorisation"]
    cdef dict norm_cache = scr._norm_cache
    cdef dict fake_refs = index.ref_matches[_COUNTERFEIT] if index is not None else {}
    cdef dict genuine_refs = index.ref_matches[_GENUINE] if index is not None else {}
    cdef object norm = scr._norm
    cdef object history_group = scr._group["history"]
    cdef double bias = scr._bias, thr = scr._threshold, thr_logit = scr._threshold_logit, spread = 0.0
    cdef bint has_spread = scr._spread is not None
    if has_spread:
        spread = scr._spread
    cdef object version = scr._version, base_rounded = scr._base_rounded
    cdef object listing_evidence = scr._listing_evidence
    cdef object likely = _likely, clear = _clear, mention = _mention, parallel = _parallel
    cdef object EMPTY = _EMPTY_HITS_JSON
    cdef Py_ssize_t limit = _CACHE_LIMIT
    cdef list out = []
    cdef Py_ssize_t n = len(listings), i
    cdef dict d
    cdef list extra, ptl
    cdef dict values
    cdef double logit, p, c, pb, low_v, ratio, bv
    cdef double min_ratio_v = scr._min_ratio
    cdef bint is_below, is_near
    cdef object ptext, genuine_text
    cdef bint below_near, has_brand, has_price
    cdef object lid, seller_id, seller_name, paths, price, currency, ships_from, chash, seller, detection, brand
    cdef object image_cf, image_gen, price_base, authorised_as, rate, below, near, key, auth, known, found
    cdef object verdict, reasons, prep, listing, band, path, t, authorised, k, party, value, dhits, nk
    cdef object mark_id = None
    if len(preps) != n:
        raise ValueError("a prepared text per listing")
    for i in range(n):
        listing = listings[i]
        prep = preps[i]
        d = _dict_of(listing)
        lid = d["id"]
        seller_id = d["seller_id"]
        seller_name = d["seller_name"]
        paths = d["images"]
        price = d["price"]
        currency = d["currency"]
        ships_from = d["ships_from"]
        chash = _content_hash(_model(listing)) if cleared and lid in cleared else ""
        seller = sellers.get(seller_id) if seller_id and sellers else None
        if index is None:
            paths = ()
        detection = _pf(prep, 0, "detection")
        brand = _pf(prep, 3, "brand")
        has_brand = brand is not None
        dhits = _df(detection, 0, "hits")
        if seller is None and not paths and not dhits and not _df(detection, 1, "signals"):
            out.append(_result(lid, base_rounded, clear, [], [], version, {}, chash, None, False, listing, EMPTY))
            continue
        extra = []
        image_cf = image_gen = None
        if paths and index is not None:
            image_cf = _image_match(index, fake_refs, paths, _COUNTERFEIT, max_distance)
            if has_brand:
                image_gen = _image_match(index, genuine_refs, paths, _GENUINE, max_distance)
        price_base = None
        authorised_as = None
        below_near = False
        band = _pf(prep, 4, "band")
        if has_brand:
            if price is not None and currency:
                rate = per_base.get(currency)
                if rate:
                    pb = _price_float(price)
                    pb = pb / <double> rate
                    price_base = pb
                else:
                    price_base = to_base(price, currency)
                # features.price_results (the same tests, numbers and sentences)
                below = near = None
                if band is not None and price_base is not None and not _nf(band, 0, "low") <= 0:
                    pb = price_base
                    low_v = _nf(band, 0, "low")
                    ratio = pb / low_v
                    is_below = ratio < 1.0
                    is_near = not (ratio < min_ratio_v or pb > <double> _nf(band, 1, "high") * 1.5)
                    if is_below or is_near:
                        ptext = _money2(pb)
                        genuine_text = _nf(band, 2, "sentence")
                        if not (genuine_text and _nf(band, 3, "sentence_base") == base_currency):
                            genuine_text = _band_sentence(band, base_currency)
                        # (each sentence joined once, not built by successive concatenations)
                        if is_below:
                            bv = 1.0 - ratio
                            below = (bv, f"Price {ptext} {base_currency} is {_pct0(bv)} below {genuine_text}")
                        if is_near:
                            near = (1.0, f"Price {ptext} {base_currency} is near {genuine_text}")
                if below is not None and (<tuple> below)[0]:
                    value = (<tuple> below)[0]
                    c = below_w * <double> value
                    extra.append((-abs(c), below_idx, {"code": below_name, "detail": (<tuple> below)[1],
                                                       "contribution": _round3(c)}, below_name, value, c))
                    if near is not None and (<tuple> near)[0]:
                        below_near = True
                if near is not None and (<tuple> near)[0]:
                    value = (<tuple> near)[0]
                    if value == 1.0:
                        extra.append((near_key, near_idx, {"code": near_name, "detail": (<tuple> near)[1],
                                                           "contribution": near_rounded}, near_name, 1.0,
                                      near_weight))
                    else:
                        c = near_w * <double> value
                        extra.append((-abs(c), near_idx, {"code": near_name, "detail": (<tuple> near)[1],
                                                          "contribution": _round3(c)}, near_name, value, c))
            mark_id = _bf(brand, 0, "mark_id")
            key = (mark_id, seller_id, seller_name)
            auth = auth_terms.get(key)
            if auth is None:  # Screener._authorisation
                authorised = _bf(brand, 1, "authorised")
                if authorised:
                    for k in (seller_id, seller_name):
                        if k:
                            nk = norm_cache.get(k)
                            if nk is None:  # Screener._norm
                                nk = _norm_name(k) if type(k) is str else norm(k)
                                if len(norm_cache) < 200_000:
                                    norm_cache[k] = nk
                            party = authorised.get(nk)
                            if party:
                                authorised_as = party
                                break
                if len(auth_terms) >= limit:
                    auth_terms.clear()
                auth = auth_terms[key] = (authorised_as, _terms_c(
                    _auth_results(brand, authorised_as, seller_id, seller_name), auth_weights))
            authorised_as = (<tuple> auth)[0]
            extra += <list> (<tuple> auth)[1]
        if seller is not None:
            known = history_terms.get(seller.seller_id)
            if known is None or (<tuple> known)[0] is not seller:
                ev = listing_evidence(listing, prep, seller, price_base)
                if len(history_terms) >= limit:
                    history_terms.clear()
                known = history_terms[seller.seller_id] = (seller, _weigh(ev, history_group))
            extra += <list> (<tuple> known)[1]
        if has_brand:
            key = (mark_id, ships_from)
            found = ships_terms.get(key)
            if found is None:
                if len(ships_terms) >= limit:
                    ships_terms.clear()
                found = ships_terms[key] = _terms_c((_ships(brand, ships_from),), ships_weights)
            if found:
                extra += found
        if image_cf is not None or image_gen is not None:
            extra += _terms_c((_counterfeit_image_result(image_cf) if image_cf is not None else None,
                               _genuine_copy(image_gen, authorised_as, price_base, band)), image_weights)
        logit = bias + <double> _pf(prep, 7, "logit")
        values = (<dict> _pf(prep, 5, "values")).copy()
        ptl = _pf(prep, 6, "terms")
        if extra:
            for t in extra:
                logit += <double> (<tuple> t)[5]
                values[(<tuple> t)[3]] = (<tuple> t)[4]
            if ptl or len(extra) > 1:
                reasons = _sorted_reasons(ptl + extra)
            else:
                reasons = [(<tuple> t)[2] for t in extra]
        else:
            reasons = [(<tuple> t)[2] for t in ptl]
        if logit >= 0:
            p = 1.0 / (1.0 + exp(-logit))
        else:
            p = exp(logit) / (1.0 + exp(logit))
        if has_spread and p >= thr:
            p = thr + (1 - thr) * (1 - exp(-(logit - thr_logit) / spread))
        if not has_brand:
            verdict = likely if p >= thr else clear
        elif authorised_as is not None or _pf(prep, 9, "mention_only"):
            verdict = mention
        elif p >= thr:
            verdict = likely
        elif not _pf(prep, 8, "weak") and (_pf(prep, 10, "import_cues") or below_near):
            verdict = parallel
        else:
            verdict = mention
        out.append(_result(lid, _round4(p), verdict, dhits, reasons, version, values, chash,
                           mark_id if has_brand else None,
                           cleared.get(lid) == chash if chash else False, listing, _pf(prep, 1, "brand_hits_json")))
    return out


cdef object _prepared(object detection, object hits_json, object hit, object brand, object band, object values,
                      object terms, double logit, bint weak, bint mention_only, bint import_cues):
    """A ``_Prepared`` with its slots set at C level."""
    cdef object r = _alloc(_PreparedT) if _NEW_OK else _new(_PreparedT)
    if _P_OK:
        _sset(r, _PO[0], detection)
        _sset(r, _PO[1], hits_json)
        _sset(r, _PO[2], hit)
        _sset(r, _PO[3], brand)
        _sset(r, _PO[4], band)
        _sset(r, _PO[5], values)
        _sset(r, _PO[6], terms)
        _sset(r, _PO[7], logit)
        _sset(r, _PO[8], weak)
        _sset(r, _PO[9], mention_only)
        _sset(r, _PO[10], import_cues)
        return r
    r.detection = detection
    r.brand_hits_json = hits_json
    r.hit = hit
    r.brand = brand
    r.band = band
    r.values = values
    r.terms = terms
    r.logit = logit
    r.weak = weak
    r.mention_only = mention_only
    r.import_cues = import_cues
    return r


cdef object _primary(object scr, list hits, dict famous):
    """``Screener._primary``: the first hit with the largest (not ambiguous, supported, score, famous)."""
    cdef object best = None, h
    cdef bint bn = False, bs = False, bf = False, n, s, f
    cdef double bsc = 0.0, sc
    for h in hits:
        if type(h) is not _Hit:
            return scr._primary(hits)
    for h in hits:
        n = not _hf(h, 9, "ambiguous")
        s = n or <double> _hf(h, 8, "context") >= _SUPPORT  # Hit.supported
        sc = _hf(h, 7, "score")
        f = famous[_hf(h, 0, "mark_id")]
        if best is None or (n > bn if n != bn else s > bs if s != bs else sc > bsc if sc != bsc else f > bf):
            best, bn, bs, bsc, bf = h, n, s, sc, f
    return best


cdef dict _hit_as_dict(object h):
    """``Hit.to_dict`` (the same keys in the same order), read at C level (at the slot offsets where it can)."""
    if _H_OK:  # (the caller checked the type)
        return {"mark_id": _sget(h, _HO[0]), "mark": _sget(h, _HO[1]), "holder": _sget(h, _HO[2]),
                "start": _sget(h, _HO[3]), "end": _sget(h, _HO[4]), "matched": _sget(h, _HO[5]),
                "method": _sget(h, _HO[6]), "score": _sget(h, _HO[7]), "context": _sget(h, _HO[8]),
                "ambiguous": _sget(h, _HO[9]), "alias": _sget(h, _HO[10]), "alias_kind": _sget(h, _HO[11])}
    return {"mark_id": h.mark_id, "mark": h.mark, "holder": h.holder, "start": h.start, "end": h.end,
            "matched": h.matched, "method": h.method, "score": h.score, "context": h.context,
            "ambiguous": h.ambiguous, "alias": h.alias, "alias_kind": h.alias_kind}


def lookup(object listings, dict cache):
    """``Screener.screen_many``'s first pass: each listing's (title, description, category) key, its prepared text
    where already known (``preps``: None where not) and, per new (text, category), the listings that need it
    (``missing``)."""
    if _E is None:
        _bind()
    cdef Py_ssize_t i, n = len(listings)
    cdef list keys = [], preps = [None] * n
    cdef dict batch = {}, missing = {}
    cdef dict d
    cdef object lst, k, known, title, description, text, mk, idxs
    for i in range(n):
        lst = listings[i]
        d = _dict_of(lst)
        title = d["title"]
        description = d["description"]
        k = (title, description, d["category"])
        keys.append(k)
        known = batch.get(k)
        if known is None:
            known = cache.get(k)
            if known is not None:
                batch[k] = known
        if known is not None:
            preps[i] = known
            continue
        if type(title) is str and type(description) is str:  # Listing.text
            text = f"{title}\n{description}" if description else title  # (one join, not two concatenations)
        else:
            text = _text_of(lst)
        mk = (text, k[2])
        idxs = missing.get(mk)
        if idxs is None:
            missing[mk] = [i]
        else:
            (<list> idxs).append(i)
    return keys, preps, missing


def settle(object scr, object listings, list keys, list preps, dict cache, dict missing, object found,
           object cues):
    """The rest of ``Screener.screen_many`` once the new texts are detected: one prepared text per new key (the
    first listing of each), stored in ``cache`` and in ``preps`` (each listing's prepared text, from ``lookup``)
    for every listing that needs it; returns ``preps``."""
    cdef dict new = {}
    cdef list firsts = [], dets = [], cue_list = [], made, slots = []
    cdef Py_ssize_t m = 0, i, j
    cdef object idxs, det, k, c, at
    cdef bint with_cues = cues is not None
    if len(found) != len(missing):
        raise ValueError("a detection per new text")
    for idxs in missing.values():
        det = found[m]
        c = cues[m] if with_cues else None
        for i in <list> idxs:
            k = keys[i]
            at = new.get(k)
            if at is None:
                at = new[k] = len(firsts)
                firsts.append(listings[i])
                dets.append(det)
                if with_cues:
                    cue_list.append(c or _NO_CUES)
            slots.append((i, at))
        m += 1
    if new:
        made = scr._prepare_many(firsts, dets, cue_list if with_cues else None)
        j = 0
        for k in new:
            cache[k] = made[j]
            j += 1
        for at in slots:
            preps[<Py_ssize_t> (<tuple> at)[0]] = made[<Py_ssize_t> (<tuple> at)[1]]
    return preps


cdef object _hit_key(object h):
    """``engine._hit_key`` for the detector's own hit type; the pure function otherwise."""
    if type(h) is not _Hit:
        return _hit_key_py(h)
    mark_id, matched, method, alias_kind = _hf(h, 0, "mark_id"), _hf(h, 5, "matched"), _hf(h, 6, "method"), \
        _hf(h, 11, "alias_kind")
    if not _hf(h, 9, "ambiguous"):
        return (mark_id, matched, method, alias_kind)
    context = _hf(h, 8, "context")
    supported = context >= _SUPPORT  # Hit.supported of an ambiguous hit
    return (mark_id, matched, method, alias_kind, True, None if supported else context, supported)


def prepare_many(object scr, object listings, object detections, object cues_of):
    """``Screener._prepare_many`` with the import-channel phrases read for the batch (``cues_of``), or none
    configured (the pure twin, same order of operations)."""
    if _E is None:
        _bind()
    cdef dict brands = scr.brands
    cdef dict hit_terms = scr._hit_terms, category_terms = scr._category_terms
    cdef dict signal_terms = scr._signal_terms, families = scr._signal_family
    cdef dict famous = scr._famous
    cdef list hit_weights = scr._gw["hit"], category_weights = scr._gw["category"]
    cdef list signal_weights = scr._gw["signals"]
    cdef object plain = scr._plain
    cdef object priced_one
    cdef object band_of = scr._band_of, text_evidence = scr._text_evidence, cached = scr._cached
    cdef object category_key = _category_key
    cdef object family = scr._family
    cdef Py_ssize_t limit = _CACHE_LIMIT
    cdef list out = []
    cdef Py_ssize_t n = len(listings), i
    cdef list hits, terms, lst
    cdef dict signals, weights, values, d
    cdef double logit
    cdef bint weak, cued
    cdef object listing, detection, dhits, dsigs, title, category, hit, brand, key, found, sig, fkey, fam, band
    cdef object cues, skey, ev, t, hits_json, h, priced, low, same, results, term, sweight
    if len(detections) != n:
        raise ValueError("a detection per listing")
    if cues_of is None and scr._import_re is not None:
        raise ValueError("import-channel phrases are read for the batch first")
    for i in range(n):
        listing = listings[i]
        detection = detections[i]
        dhits = _df(detection, 0, "hits")
        dsigs = _df(detection, 1, "signals")
        if not dhits and not dsigs:
            out.append(_prepared(detection, _EMPTY_HITS_JSON, None, None, None, {}, [], 0.0, False, False, False))
            continue
        d = _dict_of(listing)
        title = d["title"]
        category = d["category"]
        hits = [h for h in dhits if _hf(h, 0, "mark_id") in brands]
        hit = None
        if len(hits) == 1:
            hit = hits[0]
        elif hits:
            hit = _primary(scr, hits, famous)
        brand = brands[hit.mark_id] if hit is not None else None
        terms = []
        if hit is not None:
            key = _hit_key(hit)
            found = hit_terms.get(key)
            if found is None:
                if len(hit_terms) >= limit:
                    hit_terms.clear()
                found = hit_terms[key] = _terms_c(_hits4(hit, brand, plain) if type(hit) is _Hit
                                                  else _hit_results(hit, brand, plain), hit_weights)
            terms += found
        signals = {}
        weights = {}
        if dsigs:
            for sig in dsigs:
                if _S_OK and type(sig) is _SignalT:  # the detector's own signals: slots read at their offsets
                    fkey = (_sget(sig, _SO[0]), _sget(sig, _SO[3]))
                else:
                    fkey = (sig.code, getattr(sig, "family", ""))
                fam = families.get(fkey, "?")
                if fam == "?":
                    fam = families[fkey] = family(f"{fkey[0]} {fkey[1]}")
                if fam is not None:
                    if _S_OK and type(sig) is _SignalT:
                        term, sweight = _sget(sig, _SO[1]), _sget(sig, _SO[2])
                    else:
                        term, sweight = sig.term, getattr(sig, "weight", 0.6)
                    if fam in signals:
                        (<list> signals[fam]).append(str(term))
                        weights[fam] += float(sweight)
                    else:
                        signals[fam] = [str(term)]
                        weights[fam] = 0.0 + float(sweight)
        band = None
        if brand is not None:
            if cues_of is not None:
                cues = cues_of[i]
                if cues:
                    signals["import_channel_cues"] = cues
            priced = _bf(brand, 2, "priced")
            same = _bf(brand, 3, "priced_by_category")
            if type(priced) is not tuple or type(same) is not dict:  # odd values (BrandInfo derives a tuple and a dict)
                band = band_of(brand, title, category)
            else:  # Screener._band_of
                if len(priced) > 1 and category:
                    same = (<dict> same).get(category_key(category))
                    if same:
                        priced = same
                if len(priced) > 1:  # the first (cheapest) product named in the title, else the cheapest
                    low = title.casefold()
                    band = None
                    for priced_one in priced:
                        if _nf(priced_one, 4, "name_key") in low:
                            band = priced_one
                            break
                    if band is None:
                        band = priced[0]
                else:
                    band = priced[0] if priced else None
        if signals:
            skey = (hit is not None, tuple([(f, tuple(lst), weights.get(f)) for f, lst in signals.items()]))
            found = signal_terms.get(skey)
            if found is None:
                results = _signal_results(signals, weights, hit is not None, signal_weights)
                if results is None:  # a feature of the group without a twin here: the features themselves
                    ev = text_evidence(listing, hit, brand)
                    ev.signals, ev.signal_weight = signals, weights
                    found = cached(signal_terms, skey, "signals", ev)
                else:  # Screener._cached
                    if len(signal_terms) >= limit:
                        signal_terms.clear()
                    found = signal_terms[skey] = _terms_c(results, signal_weights)
            terms += found
        if brand is not None:
            key = (_bf(brand, 0, "mark_id"), category)
            found = category_terms.get(key)
            if found is None:
                if len(category_terms) >= limit:
                    category_terms.clear()
                found = category_terms[key] = _terms_c((_category(brand, category),), category_weights)
            terms += found
        logit = 0.0
        values = {}
        for t in terms:
            logit += <double> (<tuple> t)[5]
            values[(<tuple> t)[3]] = (<tuple> t)[4]
        if len(terms) > 1:
            terms.sort()
        if dhits:
            # engine._kept_json: orjson's output copied to a right-sized bytes object
            hits_json = _dumps([_hit_as_dict(h) if type(h) is _Hit else _hit_dict(h) for h in dhits])
            hits_json = PyBytes_FromStringAndSize(PyBytes_AS_STRING(hits_json), PyBytes_GET_SIZE(hits_json))
        else:
            hits_json = _EMPTY_HITS_JSON
        weak = bool(values.get("category_unrelated") or values.get("brand_context_weak"))
        cued = bool(values.get("counterfeit_terms") or values.get("factory_origin") or (
            values.get("brand_disguised") and not values.get("brand_context_weak")))
        out.append(_prepared(detection, hits_json, hit, brand, band, values, terms, logit, weak, weak and not cued,
                             bool(values.get("import_channel_cues"))))
    return out


# -- import-channel phrases (``Screener._import_cues_many``) ---------------------------------------------------

cdef extern from *:
    """
    /* Positions i where one of the phrases (code points flat in pc, phrase j at po[j] .. po[j + 1]) starts, written
       to out (room for n); returns how many. A position is compared only when its two characters (c0, c1) have
       (c0 * 31 + c1) & 4095 set in the 4,096-bit table of the phrases' first two. One loop per string kind,
       reading the characters in place. */
    #define BM_PHRASE_LOOP(T) { const T *d = (const T *) data; \
        for (Py_ssize_t i = 0; i + 1 < n; i++) { \
            unsigned int h = ((unsigned int) d[i] * 31u + (unsigned int) d[i + 1]) & 4095u; \
            if (!((table[h >> 6] >> (h & 63)) & 1)) continue; \
            for (int j = 0; j < count; j++) { \
                Py_ssize_t a = po[j], len = po[j + 1] - a, k = 0; \
                if (i + len > n) continue; \
                while (k < len && (Py_UCS4) d[i + k] == pc[a + k]) k++; \
                if (k == len) { out[m++] = i; break; } } } }
    static Py_ssize_t bm_phrase_scan(int kind, const void *data, Py_ssize_t n, const unsigned long long *table,
                                     const Py_UCS4 *pc, const Py_ssize_t *po, int count, Py_ssize_t *out) {
        Py_ssize_t m = 0;
        if (kind == PyUnicode_1BYTE_KIND) BM_PHRASE_LOOP(Py_UCS1)
        else if (kind == PyUnicode_2BYTE_KIND) BM_PHRASE_LOOP(Py_UCS2)
        else BM_PHRASE_LOOP(Py_UCS4)
        return m;
    }
    """
    Py_ssize_t _phrase_scan "bm_phrase_scan"(int kind, const void *data, Py_ssize_t n,
                                             const unsigned long long *table, const Py_UCS4 *pc,
                                             const Py_ssize_t *po, int count, Py_ssize_t *out) noexcept
    int PyUnicode_KIND(object o)
    char *PyUnicode_DATA(object o)


def phrase_starts(str low, tuple phrases):
    """Every position of ``low`` where one of ``phrases`` starts, overlapping occurrences included: the set
    ``str.find`` per phrase finds (``Screener._import_cues_many``), in one pass in C over the string's own
    characters. Each position's first two characters are looked up in a small table of the phrases' first two
    (a bitset of their hash); only there are the phrases compared. ``None`` (the caller then finds per phrase)
    for more than 64 phrases, one shorter than two characters or 4,096 characters in all."""
    cdef Py_ssize_t n = len(low), i, j, k, count = len(phrases), hits, total = 0
    cdef Py_ssize_t po[65]
    cdef Py_UCS4 pc[4096]
    cdef unsigned long long table[64]  # 4,096 bits
    cdef unsigned int h
    cdef str ph
    cdef set found = set()
    cdef Py_ssize_t *cand
    if count > 64:
        return None
    for j in range(64):
        table[j] = 0
    for j in range(count):
        ph = phrases[j]
        if len(ph) < 2 or total + len(ph) > 4096:
            return None
        po[j] = total
        for k in range(len(ph)):
            pc[total + k] = ph[k]
        total += len(ph)
        h = (<unsigned int> ph[0] * 31u + <unsigned int> ph[1]) & 4095u
        table[h >> 6] |= 1ULL << (h & 63)
    po[count] = total
    if n < 2:
        return found
    cand = <Py_ssize_t *> PyMem_Malloc(n * sizeof(Py_ssize_t))
    if cand == NULL:
        raise MemoryError()
    try:
        hits = _phrase_scan(PyUnicode_KIND(low), PyUnicode_DATA(low), n, table, pc, po, <int> count, cand)
        for i in range(hits):
            found.add(cand[i])
    finally:
        PyMem_Free(cand)
    return found


# -- reading and writing (``io.py``) ---------------------------------------------------------------------------

cdef object _IO = None  # bordermark.screen.io, bound on first use
cdef object _Listing, _FIELDS_SET, _parse_listing, _fromiso
cdef dict _PRICE_CACHE, _CURRENCY_CACHE, _COUNTRY_CACHE
cdef object _RowError, _parse_line, _loads, _bad_json
cdef double _INF = float("inf")

cdef extern from "Python.h":
    int PyObject_GenericSetAttr(object o, object name, object value) except -1


_LISTING_SLOTS = ("__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
cdef Py_ssize_t _LO[3]
cdef bint _L_OK = False
cdef bint _LNEW_OK = False  # a Listing is made by object.__new__ (see _alloc)


cdef bint _inherited_offsets(object cls, tuple names, Py_ssize_t *out) except -1:
    """:func:`_offsets` for slots a base class declares (pydantic's ``BaseModel``): each name's descriptor is
    the one attribute lookup finds first along ``cls.__mro__``."""
    cdef Py_ssize_t i
    cdef Py_ssize_t one[1]
    for i in range(len(names)):
        owner = next((c for c in cls.__mro__ if names[i] in c.__dict__), None)
        if owner is None or not _offsets(owner, (names[i],), one):
            return False
        out[i] = one[0]
    return True


cdef void _bind_io() except *:
    global _IO, _Listing, _FIELDS_SET, _PRICE_CACHE, _CURRENCY_CACHE, _COUNTRY_CACHE, _parse_listing, _fromiso
    global _RowError, _parse_line, _loads, _bad_json, _Decimal, _L_OK, _LNEW_OK
    import orjson
    from bordermark.ingest.errors import RowError
    from bordermark.ingest.jsonl import parse_line
    from bordermark.screen import io
    _Listing, _FIELDS_SET = io.Listing, io._FIELDS_SET
    _PRICE_CACHE, _CURRENCY_CACHE, _COUNTRY_CACHE = io._PRICE_CACHE, io._CURRENCY_CACHE, io._COUNTRY_CACHE
    _parse_listing, _fromiso = io.parse_listing, io._fromiso
    _Decimal = io._decimal
    _RowError, _parse_line, _loads, _bad_json = RowError, parse_line, orjson.loads, orjson.JSONDecodeError
    _L_OK = _inherited_offsets(io.Listing, _LISTING_SLOTS, _LO)
    _LNEW_OK = io.Listing.__new__ is object.__new__
    _IO = io



cdef tuple _FIELD_NAMES = ("id", "title", "description", "price", "currency", "seller_id", "seller_name", "platform",
                           "category", "url", "ships_from", "images", "listed_at")  # io.LISTING_FIELDS


cdef list _ROW_KEYS = [None] * 13  # the key objects of the last usual row (see _parse)


cdef inline bint _text_or_none(object v):
    return v is None or type(v) is str


cdef object _parse(dict obj, object rates, object name, Py_ssize_t line, bint records):
    """``io.parse_listing`` for the usual row (every field present and plainly typed, its price, currency and
    country seen before in this run); any other row goes to ``parse_listing`` itself, which decides. With
    ``records``, the usual row is handed over as its fields (``io.Record``: the price the float read), not as a
    ``Listing``."""
    cdef object lid = None, title = None, description = None, raw_price = None, raw_currency = None
    cdef object seller_id = None, seller_name = None, platform = None, category = None, url = None, ships = None
    cdef object raw_images = None, listed = None, k, v
    cdef object price = None, currency = None, images, listing, x
    cdef dict fields
    cdef double p
    cdef int i = 0
    if len(obj) == 13:  # the usual row: every field, in the usual order, read in one pass over the dict
        for k, v in obj.items():
            # orjson hands out the same key objects row after row (its key cache): compared by identity with the
            # ones the last row had, by value otherwise
            if k is not _ROW_KEYS[i]:
                if not (k is _FIELD_NAMES[i] or k == _FIELD_NAMES[i]):
                    break
                _ROW_KEYS[i] = k
            if i == 0:
                lid = v
            elif i == 1:
                title = v
            elif i == 2:
                description = v
            elif i == 3:
                raw_price = v
            elif i == 4:
                raw_currency = v
            elif i == 5:
                seller_id = v
            elif i == 6:
                seller_name = v
            elif i == 7:
                platform = v
            elif i == 8:
                category = v
            elif i == 9:
                url = v
            elif i == 10:
                ships = v
            elif i == 11:
                raw_images = v
            else:
                listed = v
            i += 1
    if i != 13:
        lid, title, description = obj.get("id"), obj.get("title"), obj.get("description")
        raw_price, raw_currency, seller_id = obj.get("price"), obj.get("currency"), obj.get("seller_id")
        seller_name, platform, category = obj.get("seller_name"), obj.get("platform"), obj.get("category")
        url, ships, raw_images, listed = obj.get("url"), obj.get("ships_from"), obj.get("images"), obj.get("listed_at")
    # (a field left out reads None, as parse_listing reads it)
    if type(lid) is not str or type(raw_images) is not list:
        return _parse_listing(obj, rates, path=name, line=line)
    if not (_text_or_none(title) and _text_or_none(description) and _text_or_none(seller_id)
            and _text_or_none(seller_name) and _text_or_none(platform) and _text_or_none(category)
            and _text_or_none(url)):
        return _parse_listing(obj, rates, path=name, line=line)
    lid = lid.strip()
    if not lid:
        return _parse_listing(obj, rates, path=name, line=line)
    if raw_price is not None:
        if type(raw_price) is not float:  # ("" and every other type: parse_listing decides)
            return _parse_listing(obj, rates, path=name, line=line)
        p = raw_price
        if not (0.0 < p < _INF):  # (0.0 is not kept in the price cache)
            return _parse_listing(obj, rates, path=name, line=line)
        if records:  # the float as read (record_listing gives the Decimal parse_listing would)
            price = raw_price
        else:
            price = _PRICE_CACHE.get(raw_price)
        if price is None:  # as parse_listing keeps it
            price = _Decimal(repr(raw_price))
            if len(_PRICE_CACHE) >= 100_000:
                _PRICE_CACHE.clear()
            _PRICE_CACHE[raw_price] = price
            if len(_PRICE_FLOAT) >= 100_000:
                _PRICE_FLOAT.clear()
            _PRICE_FLOAT[PyLong_FromVoidPtr(<void *> price)] = (price, raw_price)
    if raw_currency:
        currency = _CURRENCY_CACHE.get(raw_currency) if type(raw_currency) is str else None
        if currency is None or currency not in <dict> rates.per_base:
            return _parse_listing(obj, rates, path=name, line=line)
    elif price is not None:
        return _parse_listing(obj, rates, path=name, line=line)
    if not ships:
        ships = None
    else:
        ships = _COUNTRY_CACHE.get(ships) if type(ships) is str else None
        if ships is None:
            return _parse_listing(obj, rates, path=name, line=line)
    for x in raw_images:
        if type(x) is not str:
            return _parse_listing(obj, rates, path=name, line=line)
    images = tuple(raw_images)
    if not listed:
        listed = None
    elif type(listed) is str:
        try:
            listed = _fromiso(listed)
        except ValueError:
            return _parse_listing(obj, rates, path=name, line=line)
    else:
        return _parse_listing(obj, rates, path=name, line=line)
    fields = {
        "id": lid, "title": title or "", "description": description or "", "price": price, "currency": currency,
        "seller_id": seller_id, "seller_name": seller_name, "platform": platform, "category": category, "url": url,
        "ships_from": ships, "images": images, "listed_at": listed,
    }
    if records:
        return fields
    listing = _alloc(_Listing) if _LNEW_OK else _new(_Listing)
    PyObject_GenericSetAttr(listing, "__dict__", fields)
    if _L_OK:  # pydantic's own slots, written at their offsets (see _sget)
        _sset(listing, _LO[0], _FIELDS_SET)
        _sset(listing, _LO[1], None)
        _sset(listing, _LO[2], None)
        return listing
    PyObject_GenericSetAttr(listing, "__pydantic_fields_set__", _FIELDS_SET)
    PyObject_GenericSetAttr(listing, "__pydantic_extra__", None)
    PyObject_GenericSetAttr(listing, "__pydantic_private__", None)
    return listing


def read_lines(list lines, Py_ssize_t start, Py_ssize_t n, object name, object rates, list out,
               Py_ssize_t size, bint records=False):
    """The inner loop of ``io.read_batches`` over a block of lines from ``start`` (``n``: lines read so far),
    appending to ``out`` until it holds ``size`` items or the block ends; returns (next start, n). ``records``:
    usual rows as their fields (see ``_parse``)."""
    if _IO is None:
        _bind_io()
    cdef Py_ssize_t i = start, m = len(lines)
    cdef object line, obj
    while i < m:
        line = lines[i]
        i += 1
        n += 1
        if n == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        try:
            obj = _loads(line)
        except _bad_json:
            if not line.strip():
                continue
            obj = _parse_line(line)
            if isinstance(obj, str):
                obj = _RowError(name, n, "line", obj)
        if type(obj) is dict and type((<dict> obj).get("id")) is float:  # maybe an integer beyond 64 bits,
            obj = _parse_line(line)  # which orjson reads as a float: parse_line keeps it exact
        if type(obj) is dict:
            out.append(_parse(<dict> obj, rates, name, n, records))
        elif type(obj) is _RowError:
            out.append(obj)
        else:
            out.append(_RowError(name, n, "line", "expected a JSON object"))
        if len(out) >= size:
            break
    return i, n


cdef extern from "Python.h":
    object PyLong_FromVoidPtr(void *p)


def clear_caches() -> None:
    """Forget the float kept per price Decimal the reader made (benchmarks start each timed run cold)."""
    _PRICE_FLOAT.clear()


def write_rows(object results, object write):
    """``ResultWriter.write_results``' JSON Lines loop: every result as its row, encoded and handed to ``write``."""
    if _IO is None:
        _bind_io()
    import orjson
    cdef object dumps = orjson.dumps, opt = orjson.OPT_APPEND_NEWLINE, frag = orjson.Fragment
    cdef object r, hj
    if _E is None:
        _bind()
    for r in results:
        if _R_OK and type(r) is _ScreenResult:  # the result's slots read at their offsets (see _sget)
            hj = _sget(r, _RO[11])
            write(dumps({"id": _sget(r, _RO[0]), "score": _sget(r, _RO[1]), "verdict": _sget(r, _RO[2]),
                         "brand_hits": r.brand_hits if hj is None else frag(hj),
                         "reasons": _sget(r, _RO[4]), "scenario_version": _sget(r, _RO[5]),
                         "suppressed": _sget(r, _RO[9])},
                        option=opt))
            continue
        hj = r.brand_hits_json
        write(dumps({"id": r.listing_id, "score": r.score, "verdict": r.verdict,
                     "brand_hits": r.brand_hits if hj is None else frag(hj),
                     "reasons": r.reasons, "scenario_version": r.scenario_version, "suppressed": r.suppressed},
                    option=opt))
