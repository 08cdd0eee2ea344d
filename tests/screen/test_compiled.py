"""The compiled batch loops (``_fast.pyx``, built by ``setup.py``) and the pure Python path give identical output.

Why: ``pip install -e .`` compiles the loops when it can, and screening then uses them; results must not change
with the machine Bordermark was installed on. Both paths run here on the same inputs (the pure one with the
compiled module switched off in ``engine`` and ``io``): every result field, the JSON Lines bytes ``screen_file``
writes, and the reader's items on odd lines and odd fields (bad rows, absent fields, numbers as text, str
subclasses, prices not seen before, zero prices, BOM, blanks, non-objects)."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bordermark.screen
from bordermark.domain import Listing, Registry
from bordermark.screen import engine, io
from bordermark.screen.engine import Screener, content_hash
from bordermark.screen.features import SellerRecord
from bordermark.screen.images import COUNTERFEIT, GENUINE, ImageIndex, KnownImage
from bordermark.screen.io import RowError, clear_read_caches, read_batches
from bordermark.screen.money import Rates
from bordermark.screen.service import screen_file

from .conftest import KeywordDetector
from .test_fast_path import CATALOGUE, FAKE_PHOTO, SCENARIOS, _AmbiguousDetector, _listings

pytestmark = pytest.mark.skipif(not bordermark.screen.COMPILED, reason="the compiled loops are not built")


@pytest.fixture
def pure(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Switch the compiled loops off (and on again) within one test."""
    fast = engine._fast

    def use(compiled: bool) -> None:
        monkeypatch.setattr(engine, "_fast", fast if compiled else None)
        monkeypatch.setattr(io, "_fast", fast if compiled else None)

    yield use


def _result_fields(r: Any) -> tuple[Any, ...]:
    return (r.listing_id, r.score, r.verdict, r.hits, r.reasons, r.scenario_version, r.features, r.content_hash,
            r.mark_id, r.suppressed, r.listing, r.brand_hits_json, json.dumps(r.to_row()))


def _screener(registry: Registry, rates: Rates, scenario: Any, ambiguous: bool) -> Screener:
    detector = (_AmbiguousDetector if ambiguous else KeywordDetector)(registry)
    sellers = {"S-FAKE": SellerRecord("S-FAKE", confirmed_fakes=2, takedowns=1),
               "S-OK": SellerRecord("S-OK", cleared=3)}
    images = ImageIndex([KnownImage(1, GENUINE, CATALOGUE, "M1"), KnownImage(2, COUNTERFEIT, FAKE_PHOTO, "M1")])
    return Screener.build(registry, detector, scenario, rates, sellers=sellers, images=images,
                          cleared={"L3": "stale", "L5": ""})


@pytest.mark.parametrize("ambiguous", [False, True])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=["builtin", "trained"])
def test_compiled_scoring_equals_pure(registry: Registry, rates: Rates, pure: Any, scenario: Any,
                                      ambiguous: bool) -> None:
    items = _listings(500, seed=11)
    got: dict[bool, list[tuple[Any, ...]]] = {}
    for compiled in (True, False):
        pure(compiled)
        s = _screener(registry, rates, scenario, ambiguous)
        s.cleared["L7"] = content_hash(items[7])
        results = s.screen_many(items[:170]) + s.screen_many(items[170:]) + [s.screen(items[3])]
        got[compiled] = [_result_fields(r) for r in results]
    assert got[True] == got[False]
    verdicts = {f[2].value for f in got[True]}
    assert len(verdicts) >= 3 and any(f[9] for f in got[True])  # several verdicts, a suppressed one


def test_int_weights_give_the_same_bytes_on_both_paths(registry: Registry, rates: Rates, pure: Any) -> None:
    """A scenario built without validation (``model_construct``) can hold int weights; the compiled signal group
    kept such a weight as given where the pure path multiplied it by 1.0 (``2`` against ``2.0`` in the reasons)."""
    from bordermark.screen.scenario import BUILTIN, Scenario, ScenarioConfig

    weights = {k: round(v) or 1 for k, v in BUILTIN.config.weights.items()}
    scenario = Scenario(version=9, config=ScenarioConfig.model_construct(**(BUILTIN.config.__dict__ | {
        "weights": weights})))
    items = _listings(300, seed=5)
    rows: dict[bool, list[Any]] = {}
    for compiled in (True, False):
        pure(compiled)
        s = _screener(registry, rates, scenario, False)
        rows[compiled] = [json.dumps(r.to_row()) for r in s.screen_many(items)]
    assert rows[True] == rows[False]
    assert any('"contribution": 2.0' in r or '"contribution": 1.0' in r for r in rows[True])


def _odd_lines(n: int, seed: int) -> list[str]:
    """Listing rows as a platform export might give them: most plain, some odd in every field the reader checks."""
    rnd = random.Random(seed)
    titles = ["ACME Runner One", "acm3 replica shoes whatsapp", "ZEPHYR Classic 海外代购", "a c m e OEM sneakers",
              "plain socks", "zephir aaa watch", "ACME imported from Japan", "Runner One by ACME oem"]
    odd: list[Any] = [
        ("price", 0.0), ("price", -1.0), ("price", "12.50"), ("price", 7), ("price", "x"), ("price", float("inf")),
        ("currency", "usd"), ("currency", "XXX"), ("currency", ""), ("currency", 5), ("ships_from", "zz"),
        ("ships_from", "Cn"), ("ships_from", ""), ("images", "a.jpg|b.jpg"), ("images", None), ("images", [1]),
        ("images", '["x.jpg"]'), ("listed_at", "yesterday"), ("listed_at", ""), ("listed_at", 5),
        ("title", 42), ("title", None), ("title", ["x"]), ("description", 1.5), ("id", ""), ("id", 77),
        ("id", None), ("id", "  L-pad  "), ("seller_id", 9), ("category", None), ("url", {"a": 1}),
    ]
    out = ['\ufeff{"id": "B0", "title": "ACME replica", "price": 3.5, "currency": "USD"}']
    for i in range(n):
        row: dict[str, Any] = {
            "id": f"R{i}", "title": rnd.choice(titles), "description": rnd.choice(["", "fast shipping"]),
            "price": rnd.choice([5.0, 60.0, 95.5, 140.0, 1000.0, 19.99, rnd.uniform(1, 300)]),
            "currency": rnd.choice(["USD", "EUR", "CHF"]), "seller_id": rnd.choice(["S9", "S-FAKE", "S-OK"]),
            "seller_name": rnd.choice([None, "Shop 9"]), "platform": "p", "category": rnd.choice(["shoes", "toys"]),
            "url": f"https://x/{i}", "ships_from": rnd.choice(["CN", "US", "VN"]),
            "images": rnd.choice([[], [CATALOGUE], [FAKE_PHOTO]]), "listed_at": "2024-10-05T15:24:50Z",
        }
        r = rnd.random()
        if r < 0.25:
            key, value = rnd.choice(odd)
            row[key] = value
        elif r < 0.3:
            del row[rnd.choice(list(row))]
        out.append(json.dumps(row, ensure_ascii=rnd.random() < 0.5))
        if r > 0.97:
            out.append(rnd.choice(["", "   ", "{bad json", "null", "[1]", '"text"', '{"id": "n", "price": NaN}']))
    return out


@pytest.mark.parametrize("size", [1, 7, 2000])
def test_compiled_reader_equals_pure(tmp_path: Path, rates: Rates, pure: Any, size: int) -> None:
    p = tmp_path / "odd.jsonl"
    p.write_text("\n".join(_odd_lines(400, seed=size)) + "\n", encoding="utf-8")
    got: dict[bool, list[list[Any]]] = {}
    for compiled in (True, False):
        pure(compiled)
        clear_read_caches()
        got[compiled] = [[str(x) if isinstance(x, RowError) else (x, x.model_dump()) for x in batch]
                         for batch in read_batches(p, rates, size)]
    assert got[True] == got[False]
    items = [x for b in got[True] for x in b]
    assert sum(isinstance(x, str) for x in items) >= 20 and sum(not isinstance(x, str) for x in items) >= 300


def test_compiled_screen_file_writes_the_same_bytes(tmp_path: Path, registry: Registry, rates: Rates,
                                                    pure: Any) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(_odd_lines(600, seed=5)) + "\n", encoding="utf-8")
    out: dict[bool, bytes] = {}
    errors: dict[bool, list[str]] = {}
    for compiled in (True, False):
        pure(compiled)
        clear_read_caches()
        s = _screener(registry, rates, SCENARIOS[0], True)
        bad: list[RowError] = []
        rep = screen_file(src, tmp_path / f"out{compiled}.jsonl", s, batch_size=64, on_error=bad.append)
        out[compiled] = (tmp_path / f"out{compiled}.jsonl").read_bytes()
        errors[compiled] = [str(e) for e in bad]
        assert rep.screened > 500
    assert out[True] == out[False] and errors[True] == errors[False]


def test_listings_read_by_either_path_are_models(tmp_path: Path, rates: Rates) -> None:
    p = tmp_path / "one.jsonl"
    p.write_text(json.dumps({"id": "L1", "title": "t", "price": 2.5, "currency": "USD", "images": ["a"],
                             "listed_at": "2024-01-02T03:04:05Z", "ships_from": "CN"}) + "\n", encoding="utf-8")
    clear_read_caches()
    first = [x for b in read_batches(p, rates) for x in b]  # the price is new: parse_listing reads it
    second = [x for b in read_batches(p, rates) for x in b]  # seen before: the compiled reader's own row
    assert first == second and isinstance(second[0], Listing)
    assert second[0] == Listing.model_validate(second[0].model_dump())


def test_compiled_reader_builds_the_same_models(tmp_path: Path, rates: Rates, pure: Any) -> None:
    """The compiled reader's usual row (its keys compared by identity, pydantic's slots written at their
    offsets): the fields in Listing's order, pydantic's slots set, the same JSON as the pure reader's listing."""
    p = tmp_path / "rows.jsonl"
    row = {"id": " L1 ", "title": None, "description": "d", "price": 12.5, "currency": "usd", "seller_id": "S1",
           "seller_name": None, "platform": "shop", "category": "bags", "url": "u", "ships_from": "cn",
           "images": ["a", "b"], "listed_at": "2024-01-02T03:04:05Z"}
    p.write_text("".join(json.dumps({**row, "id": f" L{i} "}) + "\n" for i in range(3)), encoding="utf-8")
    got: dict[bool, list[Any]] = {}
    for compiled in (True, False):
        pure(compiled)
        clear_read_caches()
        read_batches(p, rates).__next__()  # every price, currency and country seen once: the usual row follows
        got[compiled] = [x for b in read_batches(p, rates) for x in b]
    for a, b in zip(got[True], got[False], strict=True):
        assert isinstance(a, Listing) and list(vars(a)) == list(Listing.model_fields) == list(vars(b))
        assert a.model_dump_json() == b.model_dump_json() and a == b
        assert a.model_fields_set == b.model_fields_set and a.__pydantic_extra__ is None
        assert a.id.startswith("L") and a.title == "" and a.images == ("a", "b")


def test_records_stand_for_the_listings_the_plain_reader_gives(tmp_path: Path, rates: Rates, pure: Any) -> None:
    """``read_batches(records=True)``: the compiled reader hands a usual row over as its fields, the price the float
    read; each record stands for exactly the ``Listing`` the plain reader gives (``record_listing``: the same
    fields, the price the same Decimal, so the same JSON), on odd lines; the pure path hands over models."""
    p = tmp_path / "odd.jsonl"
    p.write_text("\n".join(_odd_lines(400, seed=3)) + "\n", encoding="utf-8")
    want = [str(x) if isinstance(x, RowError) else x for x in io.read_listings(p, rates)]
    for compiled in (True, False):
        pure(compiled)
        clear_read_caches()
        got = [x for b in read_batches(p, rates, 64, records=True) for x in b]
        records = [x for x in got if type(x) is dict]
        assert len(records) > 200 if compiled else not records
        assert all(list(r) == list(Listing.model_fields) and type(r["price"]) in (float, type(None)) for r in records)
        models = [str(x) if isinstance(x, RowError) else io.record_listing(x) if type(x) is dict else x for x in got]
        assert models == want
        assert [m if isinstance(m, str) else (m.model_dump_json(), str(m.price)) for m in models] == \
            [m if isinstance(m, str) else (m.model_dump_json(), str(m.price)) for m in want]


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=["builtin", "trained"])
def test_screening_a_record_equals_screening_its_listing(registry: Registry, rates: Rates, pure: Any,
                                                          compiled: bool, scenario: Any) -> None:
    """A listing given as a record (fields, the price a float) scores exactly as the model it stands for, on
    either path: every result field, the content hash of a cleared listing, seller history and images included;
    the result carries the record (``listing`` None) and ``model()`` gives the model."""
    pure(compiled)
    records = [{**x.__dict__, "price": None if x.price is None else float(x.price) + 0.5} for x in
               _listings(400, seed=21)]
    models = [io.record_listing(r) for r in records]
    got = []
    for items in (records, models):
        s = _screener(registry, rates, scenario, True)
        s.cleared["L7"] = content_hash(models[7])
        got.append(s.screen_many(items[:150]) + s.screen_many(items[150:]))
    for a, b, rec, model in zip(got[0], got[1], records, models, strict=True):
        assert a.listing is None and a.record is rec and b.listing is model and b.record is None
        assert a.model() == model and b.model() is model
        assert _result_fields(a)[:10] + _result_fields(a)[11:] == _result_fields(b)[:10] + _result_fields(b)[11:]
    assert any(r.suppressed for r in got[0]) and len({r.verdict for r in got[0]}) >= 3
    assert any(r.content_hash for r in got[0])


def test_compiled_price_formatting_equals_format() -> None:
    """The compiled price sentences format the price (",.2f") and the share below the band (".0%") in C; both
    must round as CPython does (ties to even on the exact binary value), group thousands alike, and hand odd values
    (zero, negative, huge, not finite) to format() itself."""
    from bordermark.screen import _fast

    rnd = random.Random(3)
    values = [0.125, 0.375, 2.675, 999.995, 1234567.005, 0.005, 0.015, 1e14 + 0.125, 5e-324, 1e-7, 0.5, 1.5, 2.5,
              0.0, -0.0, -3.2, 1e15, 1e16, float("inf"), float("nan"), 3496.08, 8.65, 1000.0, 999999.995]
    values += [rnd.uniform(0, 1e6) for _ in range(20_000)] + [rnd.random() for _ in range(20_000)]
    values += [round(rnd.uniform(0, 1e4), 2) + 0.005 for _ in range(20_000)] + [k / 1000 for k in range(20_000)]
    assert [_fast.money2(v) for v in values] == [format(v, ",.2f") for v in values]
    assert [_fast.pct0(v) for v in values] == [format(v, ".0%") for v in values]


def test_compiled_round3_equals_round() -> None:
    """Contributions are rounded to 3 places in C away from ties; round() itself near a tie, at zero and for huge
    or non-finite values: the same float, sign of zero included."""
    from bordermark.screen import _fast

    rnd = random.Random(4)
    values = [0.0005, 0.0015, 0.0025, -0.0005, -0.0015, 2.675, -2.675, 1e-4, -1e-4, 0.0, -0.0, 2.0**31, -(2.0**31),
              1e300, float("inf"), float("-inf"), float("nan"), 5e-324, 0.1 + 0.2, 1.2345, -1.2345]
    values += [k / 2000 for k in range(-40_000, 40_000)] + [rnd.uniform(-50, 50) for _ in range(40_000)]
    values += [rnd.uniform(-1, 1) * 10 ** rnd.randint(-6, 12) for _ in range(20_000)]
    # large values a few ulps either side of a tie (x * 1000 + 0.5 rounds by more than the tie margin there)
    for tie in (123456789.0125, 123456789.0135, 16777216.0005, 1048575.9995, 1048576.0005, 2147483647.9995,
                *((rnd.randint(2**20 * 1000, 2**31 * 1000) + 0.5) / 1000 for _ in range(2000))):
        x = tie
        for _ in range(4):
            x = math.nextafter(x, 0.0)
        for _ in range(9):
            values += [x, -x]
            x = math.nextafter(x, math.inf)
    for v in values:
        got, want = _fast.round3(v), round(v, 3)
        assert repr(got) == repr(want), v


def test_compiled_phrase_starts_equal_find_per_phrase() -> None:
    """The import-channel phrases are located in one compiled pass over the batch: the positions str.find per
    phrase gives (overlapping occurrences, CJK and astral text, NUL separators); None where it cannot apply."""
    from bordermark.screen import _fast
    from bordermark.screen.scenario import IMPORT_CHANNEL_PHRASES

    phrases = tuple(sorted({p.casefold() for p in IMPORT_CHANNEL_PHRASES}, key=len, reverse=True))
    rnd = random.Random(8)
    alphabet = [*"abcdefghijklmnopqrstuvwxyz -\x00", "海", "外", "代", "购", "直", "邮", "港", "版", "日", "欧", "😀"]

    def find_all(low: str) -> set[int]:
        found: set[int] = set()
        for phrase in phrases:
            at = low.find(phrase)
            while at >= 0:
                found.add(at)
                at = low.find(phrase, at + 1)
        return found

    for _ in range(2000):
        low = "".join(rnd.choice(phrases) if rnd.random() < 0.2 else
                      "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 6)))
                      for _ in range(rnd.randint(0, 30)))
        assert _fast.phrase_starts(low, phrases) == find_all(low)
    assert _fast.phrase_starts("代购代购购", ("代购", "购代")) == {0, 1, 2}
    assert _fast.phrase_starts("abc", ("a", "bc")) is None
    assert _fast.phrase_starts("abc", tuple(f"p{i}" for i in range(65))) is None


def test_compiled_authorisation_and_ships_sentences_equal_features() -> None:
    """The compiled twin writes the authorisation and ships-from results itself: the values and sentences of
    features.authorisation_results and features.ships_result, for every branch (no brand, authorised, not
    authorised by id, name or neither; inside and outside the network, no network, no precomputed text)."""
    from bordermark.screen import _fast
    from bordermark.screen.features import BrandInfo, authorisation_results, network_text, ships_result

    countries = frozenset({"FR", "IT"})
    brands = [None, BrandInfo("M1", "Acme", "Acme 株式会社 'Ltd'", None, False, (), frozenset(), {}, countries,
                              network_text(countries)),
              BrandInfo("M2", "Bé", "B Holder", "R1", True, (), frozenset(), {}, countries, ""),
              BrandInfo("M3", "C", "C", None, False, (), frozenset(), {}, frozenset(), "")]

    def plain(r: Any) -> Any:
        return None if r is None else (r.value, r.detail)

    for brand in brands:
        for party in (None, "Acme Distribution (distributor)"):
            for sid, name in (("S1", "Shop '1'"), ("S1", None), (None, None), ("", ""), (None, "名店")):
                want = tuple(plain(r) for r in authorisation_results(brand, party, sid, name))
                assert _fast.auth_results(brand, party, sid, name) == want
        for ships in ("FR", "CN", None, "", "US"):
            assert _fast.ships(brand, ships) == plain(ships_result(brand, ships))


def test_compiled_category_sentences_and_names_equal_features() -> None:
    """The compiled twin writes the category result and normalises seller names itself: the value and sentence
    of features.category_result on every branch (no brand, no category, no categories, related after
    normalising, unrelated with and without a precomputed text), and engine.norm_name on odd names."""
    from bordermark.screen import _fast
    from bordermark.screen.engine import norm_name
    from bordermark.screen.features import BrandInfo, categories_text, category_result

    cats = frozenset({"running shoes", "bags"})
    brands = [None, BrandInfo("M1", "Acme", "Acme 'Ltd'", None, False, (), cats, {}, frozenset(), "",
                              categories_text(cats)),
              BrandInfo("M2", "Bé", "B", None, False, (), cats, {}, frozenset(), "", ""),
              BrandInfo("M3", "C", "C", None, False, (), frozenset(), {}, frozenset())]
    for brand in brands:
        for cat in (None, "", "bags", " Running_Shoes ", "running-shoes", "Toys 'R'", "玩具", "BAGS"):
            r = category_result(brand, cat)
            assert _fast.category(brand, cat) == (None if r is None else (r.value, r.detail))
    names = ["Acme Trading Co., Ltd.", "S000828", "", "_", "ÉLAN_Store-01", "深圳 福佳 实业", "Straße ǅ", "a\u0301b",
             "x²³ ½ Ⅻ", "\u00a0tab\there\n", "١٢٣ store", "🙂 shop", "İstanbul ﬁ"]
    assert [_fast.norm_name(n) for n in names] == [norm_name(n) for n in names]


def test_compiled_signal_results_equal_features(registry: Registry, rates: Rates) -> None:
    """The compiled twin writes the signal group's results itself (the three signal families and the import
    channel): the values and sentences of the feature functions on every branch (no terms, repeated terms, more
    than five, a summed weight or none, above 1, with and without a hit); an unknown feature of the group hands
    the group back to the feature functions."""
    from bordermark.screen import _fast
    from bordermark.screen.features import FEATURES, Evidence

    screener = Screener.build(registry, KeywordDetector(registry), SCENARIOS[0], rates)
    group = screener._gw["signals"]
    names = [w[1] for w in group]
    assert names == ["counterfeit_terms", "factory_origin", "contact_cues", "import_channel_cues"]
    term_sets = [None, [], ["replica"], ["AAA", "1:1", "AAA"], ["a", "b", "c", "d", "e", "f", "g"], ["高仿", "O'Neil"]]
    for i, terms in enumerate(term_sets):
        for weight in (None, 0.0, 0.35, 0.6, 1.25, 2.0):
            for has_hit in (True, False):
                signals = {n: list(terms) for n in names[(i % 2):] if terms is not None}
                weights = {n: weight for n in signals if weight is not None}
                ev = Evidence(listing=Listing(id="L1"), hit=object() if has_hit else None, brand=None,
                              signals=signals, signal_weight=weights)
                want = tuple(None if r is None else (r.value, r.detail) for r in (FEATURES[n](ev) for n in names))
                assert _fast.signal_results(signals, weights, has_hit, group) == want
    assert _fast.signal_results({}, {}, True, [*group, (99, "new_signal_feature", 1.0, 1.0)]) is None


def test_compiled_hit_sentences_equal_features() -> None:
    """The compiled twin writes the four hit results itself for the detector's Hit: the values and sentences of
    features.hit_results on every branch (no hit, no brand, plain or disguised method, observed alias, ambiguous
    with strong and weak context)."""
    from bordermark.detect.types import Hit
    from bordermark.screen import _fast
    from bordermark.screen.features import BrandInfo, hit_results

    brand = BrandInfo("M1", "Acme", "Acme 株式会社", None, False, (), frozenset(), {}, frozenset())
    plain = frozenset({"exact", "alias"})

    def as_tuples(rs: Any) -> tuple[Any, ...]:
        return tuple(None if r is None else (r.value, r.detail) for r in rs)

    for method in ("exact", "alias", "leet", "phonetic"):
        for alias_kind in (None, "observed", "transliteration"):
            for ambiguous, context in ((False, 0.0), (True, 0.9), (True, 0.123), (True, 0.4)):
                hit = Hit("M1", "Acme", "Acme 株式会社", 0, 4, "Ac'me", method, 0.8, context, ambiguous, None,
                          alias_kind)
                for b in (brand, None):
                    assert _fast.hits4(hit, b, plain) == as_tuples(hit_results(hit, b, plain))
    assert _fast.hits4(None, brand, plain) == (None, None, None, None)
