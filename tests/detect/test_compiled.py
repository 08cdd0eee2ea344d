"""The compiled finishing stage (``_fast.pyx``, built by ``setup.py``) and the pure Python path give byte-identical
output.

Why: ``pip install -e .`` compiles the stage when it can, and the engine then uses it; screening, the CLI and the
Spark path must not change their results with the machine they were installed on. Each path runs in its own
interpreter (a fresh process, so no cache is shared) over a generated world's listings, the same listings with
disguise noise added (non-ASCII, invisible, leetspeak, Chinese, partial names, clause breaks, ordinary-word marks),
with and without categories and ``keep_unsupported``, one by one and through the JSON Lines stream."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from itertools import accumulate
from pathlib import Path

import pytest

import bordermark.detect
from bordermark.sim import SimParams, generate

RUNNER = r'''
import json, sys
from pathlib import Path

if sys.argv[1] == "pure":  # the compiled finishing stage cannot be imported: the pure Python path runs
    sys.modules["bordermark.detect._fast"] = None

import bordermark.detect
from bordermark.detect import Detector
from bordermark.detect.stream import process_lines
from bordermark.domain import Registry
from bordermark.registry.service import parse_files

world, texts_file, out = Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
parsed = parse_files(sorted((world / "registry").glob("*.csv")))
registry = Registry(holders=tuple(parsed.holders.values()), marks=tuple(m for _, m in parsed.marks.values()),
                    products=tuple(p for _, p in parsed.products.values()),
                    parties=tuple(p for _, p in parsed.parties.values()))
items = json.loads(texts_file.read_text(encoding="utf-8"))
texts = [t for t, _ in items]
cats = [c for _, c in items]
lines = [json.dumps(bordermark.detect.COMPILED)]
det = Detector.from_registry(registry)
lines += [json.dumps(d.to_dict(), ensure_ascii=False) for d in det.detect_many(texts, categories=cats)]
det = Detector.from_registry(registry)
lines += [json.dumps(d.to_dict(), ensure_ascii=False)
          for d in det.detect_many(texts[::-1], categories=cats[::-1], keep_unsupported=True)]
det = Detector.from_registry(registry)
lines += [json.dumps(det.detect(t, category=c).to_dict(), ensure_ascii=False) for t, c in items[:300]]
records = (world / "listings.jsonl").read_text(encoding="utf-8").splitlines()
odd = ["{bad", '{"id": 1}', "[1, 2]", '"text"', "   ", '{"text": "x"}', '{"id": 2, "text": 5}',
       '{"id": 3, "title": 5, "description": "x"}', '{"id": 4, "title": "Chanel bag", "description": null}',
       '{"id": 5, "title": null, "description": "Rolex watch"}', '{"id": 6, "title": null, "description": null}',
       '{"id": 7, "text": NaN}', '{"id": 8, "text": "Gucci", "category": 5}',
       '{"id": 9, "text": null, "title": "Dior"}', '{"id": 123456789012345678901234567890, "text": "Gucci"}',
       '{"id": 2.5, "text": "Gucci"}']
lines += [str(x) for x in process_lines(Detector.from_registry(registry), records[:50] + odd + records[50:], batch=37)]
out.write_text("\n".join(lines) + "\n", encoding="utf-8")
'''

NOISE = ["\u200b", "\u0301", "ｇ", "Ｕ", "𝐆", "а", "о", "С", "高仿", "香奈儿", "古池", "**", "...", "…", "🅶", "Ⓖ", "0",
         "3", "@", "$", "!", "|", " ", "-", ".", "ß", "ﬁ", "\t", "微信", "wa.me/", "+86 138 0013 8000", "1:1", "A货",
         "Ch@nel", "C h a n e l", "劳カ士", ",", ";", "?", "\n", "Apple", "coach", "GAP", "。", "，", "no brand"]


def _noisy(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 5)):
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(NOISE))
    return "".join(chars)


def _run(mode: str, world: Path, texts_file: Path, out: Path) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", RUNNER, mode, str(world), str(texts_file), str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out.read_text(encoding="utf-8").splitlines()


@pytest.mark.skipif(not bordermark.detect.COMPILED, reason="compiled detection core not built (pure Python only)")
def test_compiled_and_pure_give_identical_output(tmp_path: Path) -> None:
    world = tmp_path / "w"
    generate(world, seed=5, params=SimParams())
    rows = [json.loads(x) for x in (world / "listings.jsonl").read_text(encoding="utf-8").splitlines()]
    rng = random.Random(5)
    items = [(f"{r['title']}\n{r['description']}", r.get("category")) for r in rows]
    items += [(_noisy(rng, t), c) for t, c in items[:3000]]
    # long texts (many listings run together): more candidates and hits than the compiled stage sorts by insertion
    items += [(" ".join(t for t, _ in items[i:i + 60]), None) for i in range(0, 1200, 60)]
    texts_file = tmp_path / "texts.json"
    texts_file.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")

    compiled = _run("default", world, texts_file, tmp_path / "compiled.txt")
    pure = _run("pure", world, texts_file, tmp_path / "pure.txt")
    assert json.loads(compiled[0]) == list(bordermark.detect.COMPILED)
    assert json.loads(pure[0]) == []
    assert len(compiled) == len(pure) > 2 * len(items)
    assert sum(1 for x in compiled if '"mark_id"' in x) > 1000  # the comparison covers many hits, not empty output
    assert max(x.count('"mark_id"') for x in compiled) > 24  # and texts whose hits list.sort orders
    differ = [i for i, (a, b) in enumerate(zip(compiled[1:], pure[1:], strict=True), start=1) if a != b]
    assert not differ, f"{len(differ)} line(s) differ, first: {compiled[differ[0]][:300]} vs {pure[differ[0]][:300]}"


@pytest.mark.skipif(not bordermark.detect.COMPILED, reason="compiled detection core not built (pure Python only)")
def test_compiled_fold_and_batch_view_match_python() -> None:
    """The compiled character fold equals ``str.translate`` with the fold table, and the compiled batch view equals
    the Python construction (whitespace collapsed, CJK gaps dropped, NUL between texts), on random text."""
    import re

    from bordermark.detect import engine
    from bordermark.detect.normalise import CJK_GAP_RE, fold_table

    fast = engine._fast
    assert fast is not None
    table = fold_table()
    rng = random.Random(7)
    points = [*table, *range(0x4E00, 0x4E40), 0x1F170, 0xE0041, 0x10FFFF, 0xD800, 0x20000, 0x2FFFF, 0x30000]
    for _ in range(3000):
        s = "".join(chr(rng.choice(points)) for _ in range(rng.randint(0, 25)))
        assert fast.fold_chars(s) == s.translate(table)
    alphabet = ["a", "b", " ", "\n", "\t", "\u3000", "高", "仿", "\u3400", "\uf900", "1", "\x1c", "\u2028", "é"]
    for _ in range(3000):
        folded = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) + "x"
                  for _ in range(rng.randint(1, 5))]
        bv = CJK_GAP_RE.sub("", " " + " ".join(" \x00 ".join(folded).split()) + " ")
        parts = bv[1:-1].split(" \x00 ")
        han = [k for k, p in enumerate(parts) if re.search(r"[\u3400-\u4dbf\u4e00-\u9fff]", p)]
        starts = list(accumulate(map((3).__add__, map(len, parts)), initial=0))
        assert fast.batch_view(folded) == (bv, han, starts, None)
        assert fast.batch_view(folded, True) == (bv, han, starts, bv.replace(" ", ""))
    assert fast.batch_view(["a\x00b", "c"])[2] is None  # a fold holding NUL: the caller splits (and falls back)
    # the batch fold: each text's fold (ASCII ones byte by byte, with leetspeak; others through fold_chars)
    from bordermark.detect.normalise import fold

    pieces = ["G", "u", "c", "1", "0", "@", "$", "!", "|", " ", "\x00", "\t", "é", "高", "Ａ", "ß", "\u200b", "7", "x"]
    for _ in range(500):
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 15))) for _ in range(rng.randint(0, 6))]
        assert fast.fold_many(texts) == [fold(t) for t in texts]


def _scan_words_reference(words: list[str], seed: frozenset[str], tok_hits: dict[str, tuple[int, ...]],
                          clean: set[str], pair_res: dict[tuple[str, str], tuple[int, ...]]) -> tuple[object, ...]:
    """What ``_fast.scan_words`` must find, written plainly over the view's words (NUL between texts)."""
    new_toks, hit_toks, new_pairs, hit_pairs = set(), set(), set(), set()
    touched: list[tuple[int, list[str]]] = []
    texts: list[list[str]] = [[]]
    for t in words:
        if t == "\x00":
            texts.append([])
        else:
            texts[-1].append(t)
    for k, ws in enumerate(texts):
        touch = False
        prev: str | None = None
        prev_known = False
        for t in ws:
            known = t in seed
            res = () if known else tok_hits.get(t, () if t in clean else None)
            if res is None:
                new_toks.add(t)
                touch = True
            elif not known and res:
                hit_toks.add(t)
                touch = True
            if prev is not None and not (known and prev_known):
                got = pair_res.get((prev, t))
                if got is None:
                    new_pairs.add((prev, t))
                    touch = True
                elif got:
                    hit_pairs.add((prev, t))
                    touch = True
            prev, prev_known = t, known
        if touch:
            touched.append((k, ws))
    return new_toks, hit_toks, new_pairs, hit_pairs, touched


@pytest.mark.skipif(not bordermark.detect.COMPILED, reason="compiled detection core not built (pure Python only)")
def test_compiled_word_pass_reads_the_view_like_split() -> None:
    """``_fast.scan_words`` reads the words from the batch view's buffer through its own hash table
    (``WordTable``); on random views (short words, so many repeats and pairs; non-BMP and Chinese characters, so
    the view and the table's words differ in storage kind) it finds what the plain reference over ``bv.split()``
    finds, batch after batch with the table growing, after a clear, and after a pickle (which empties it).
    ``spaced_matches`` finds the word edges from the view as it did from the words."""
    import pickle

    from bordermark.detect import engine

    fast = engine._fast
    assert fast is not None
    rng = random.Random(11)
    letters = ["a", "b", "c", "é", "高", "仿", "\U0001d400", "x"]
    vocab = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(1, 4))) for _ in range(400)})
    seed = frozenset(vocab[::3])
    tok_hits = {t: ((1, "fuzzy", 0.9),) for t in vocab[1::7]}
    clean = set(vocab[2::5])
    pair_res: dict[tuple[str, str], tuple[int, ...]] = {}
    for _ in range(300):
        pair_res[(rng.choice(vocab), rng.choice(vocab))] = rng.choice([(), ((2, "fuzzy", 0.8),)])
    table = fast.WordTable()
    for batch in range(40):
        if batch == 20:
            table.clear()
        if batch == 30:
            table = pickle.loads(pickle.dumps(table))
            assert len(table) == 0
        texts = [[rng.choice(vocab) for _ in range(rng.randint(1, 9))] for _ in range(rng.randint(1, 60))]
        bv = " " + " \x00 ".join(" ".join(ws) for ws in texts) + " "
        words = bv.split()
        want = _scan_words_reference(words, seed, tok_hits, clean, pair_res)
        new_toks, hit_toks, new_pairs, hit_pairs, touched, twords = fast.scan_words(
            bv, seed, tok_hits, clean, pair_res, table)
        assert (new_toks, hit_toks, new_pairs, hit_pairs) == want[:4]
        got = [(touched[j], twords[touched[j + 1]:touched[j + 2]]) for j in range(0, len(touched), 3)]
        assert got == want[4]
        # what the lookups would remember before the next batch
        for t in sorted(new_toks):
            if rng.random() < 0.5:
                clean.add(t)
            else:
                tok_hits[t] = ((3, "fuzzy", 0.7),)
        for pr in sorted(new_pairs):
            pair_res[pr] = rng.choice([(), ((4, "fuzzy", 0.6),)])
        assert 0 < len(table) <= len(vocab)  # each distinct word once, however often met
        cb = bv.replace(" ", "")
        edges = list(accumulate(map(len, words), initial=0))
        matches = [(end, (size,)) for end in range(len(cb)) for size in (1, 3, 7) if end - size + 1 >= 0]
        want_sp = [(end, p) for end, p in matches
                   if end - p[0] + 1 in edges and end + 1 in edges
                   and edges.index(end + 1) - edges.index(end - p[0] + 1) >= 2]
        assert fast.spaced_matches(iter(matches), bv, len(cb)) == want_sp


@pytest.mark.skipif(not bordermark.detect.COMPILED, reason="compiled detection core not built (pure Python only)")
def test_compiled_goods_words_walk_finds_what_the_automaton_finds() -> None:
    """The finishing finds the padded goods words (context) by a walk over the view's words through a table of the
    keys' last words instead of the automaton; on views made of goods words (multi-word ones, overlapping ones),
    their pieces, other words and non-ASCII words, with and without pad spaces, both give the same matches in the
    same order."""
    from bordermark.detect import Detector, engine
    from bordermark.domain import Holder, Mark, Registry

    fast = engine._fast
    assert fast is not None
    det = Detector.from_registry(Registry(holders=(Holder(name="H"),), marks=(Mark(holder="H", text="Zorvex"),)))
    keys = [k for k, _ in det._actx.items()]
    assert any(" " in k.strip() for k in keys)  # multi-word goods words are covered
    pieces = [*sorted({p for k in keys for p in k.split()}), "zorvex", "bagx", "高仿", "été", "\U0001d400b", "x"]
    rng = random.Random(5)
    for _ in range(3000):
        words = [rng.choice(pieces) for _ in range(rng.randint(0, 12))]
        w = " ".join(words)
        if rng.random() < 0.8:
            w = " " + w + " "
        want = [(end - size + 1, end, classes) for end, (size, classes) in det._actx.iter(w)]
        assert fast.goods_in(det, w) == want, w


@pytest.mark.skipif(not bordermark.detect.COMPILED, reason="compiled detection core not built (pure Python only)")
def test_compiled_leetspeak_matches_python() -> None:
    """The compiled leetspeak pass (no regex) equals :func:`normalise._leet` on random text: runs touching a letter
    on one side or both, ``!``/``|`` alone, leftover symbols, digits that are no leetspeak, non-ASCII."""
    from bordermark.detect import engine
    from bordermark.detect.normalise import _leet

    fast = engine._fast
    assert fast is not None
    rng = random.Random(5)
    alphabet = list("abz0123456789@$!|- A.\u00e9\u9ad8\u0430")
    for _ in range(20000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert fast.leet(s) == _leet(s), s
    assert fast.leet_many(["r3plica", "Gucci!", "l0uis"]) == [_leet("r3plica"), _leet("Gucci!"), _leet("l0uis")]


@pytest.mark.skipif(not bordermark.detect.COMPILED, reason="compiled detection core not built (pure Python only)")
def test_compiled_regex_hints_match_the_hint_automaton() -> None:
    """The compiled hint pass (ASCII lower-cased on the fly, a two-character prefilter) finds, per text, exactly the
    regex terms whose literal hints the hint automaton finds in the lower-cased text."""
    from bordermark.detect import Detector, engine
    from bordermark.domain import Registry

    fast = engine._fast
    assert fast is not None
    det = Detector.from_registry(Registry())
    rng = random.Random(2)
    literals = [lit for lit, _ in det._hint_list]
    alphabet = list("aAbWwXxVvTt.mMe:\uff1a+ 1234567890\u4e00\u6bd4\u5fae\u4fe1\u52a0\u0130\u03a3")
    texts = []
    for _ in range(20000):
        parts = [rng.choice(literals + alphabet + alphabet) for _ in range(rng.randint(0, 8))]
        texts.append("".join(p.upper() if rng.random() < 0.3 else p for p in parts))
    expected: dict[int, set[int]] = {}
    for k, t in enumerate(texts):
        for _, idxs in det._hints.iter(t.lower()):
            expected.setdefault(k, set()).update(idxs)
    assert len(expected) > 10000
    assert fast.hint_texts(texts, det._hint_ascii, det._hint_other) == expected


@pytest.mark.skipif(not bordermark.detect.COMPILED, reason="compiled detection core not built (pure Python only)")
def test_compiled_line_dict_is_the_records_dict() -> None:
    """The compiled output record equals ``{"id": ..., **detection.to_dict()}`` key for key, in the same order (so
    orjson writes the same bytes)."""
    from bordermark.detect import Detector, engine
    from bordermark.domain import Alias, AliasKind, Holder, Mark, Registry

    fast = engine._fast
    assert fast is not None
    marks = (Mark(holder="H", text="CHANEL", nice_classes=(18,),
                  aliases=(Alias(text="香奈儿", kind=AliasKind.TRANSLITERATION),)),)
    det = Detector.from_registry(Registry(holders=(Holder(name="H"),), marks=marks))
    texts = ["Ch@nel bag 1:1 replica", "香奈儿 高仿 包包 微信 abc12345", "nothing here", "C h a n e l tote"]
    found = 0
    for i, d in enumerate(det.detect_many(texts)):
        got = fast.line_dict(i, d)
        assert list(got.items()) == list({"id": i, **d.to_dict()}.items())
        assert [list(h) for h in got["hits"]] == [list(h.to_dict()) for h in d.hits]
        found += len(d.hits) + len(d.signals)
    assert found >= 6


@pytest.mark.skipif(not bordermark.detect.COMPILED, reason="compiled detection core not built (pure Python only)")
def test_compiled_empty_lines_write_ids_as_orjson_does() -> None:
    """A record with nothing found is written without orjson when its id is a plain string (quoted as is); for every
    code point up to U+2FFFF as an id (control characters, quote, backslash, surrogates included), for longer
    strings and for ids of other types, the line is the one the pure loop writes."""
    import orjson

    from bordermark.detect import Detection, engine, stream

    fast = engine._fast
    assert fast is not None
    ids: list[object] = [chr(c) for c in range(0x30000)]
    ids += ["L0000001", "a\"b", "a\\b", "tab\there", "été 高仿", "\U0001f600x", "x\ud800", 7, -3, 1.5, None, True,
            123456789012345678901234567890, ""]
    buf = [(i, "t", None) for i in ids]
    got = fast.write_lines(buf, [Detection() for _ in ids], orjson.dumps, stream._dumps)
    assert got == [f'{{"id":{stream._dumps(i)},"hits":[],"signals":[]}}' for i in ids]


@pytest.mark.skipif(not bordermark.detect.COMPILED, reason="compiled detection core not built (pure Python only)")
def test_compiled_first_sight_lookups_match_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled lookups of words, word pairs and Chinese runs met for the first time (C repeat collapse,
    deletion strings, the key filter that skips them, pair lookups through the multi-word indexes, the sound
    stage's per-character filter) give
    the pure Python answers, on misspellings, stretched spellings and run-together pairs of the registered names."""
    from bordermark.detect import Detector, engine
    from bordermark.detect.normalise import _REPEAT_RE
    from bordermark.domain import Alias, AliasKind, Holder, Mark, Registry

    fast = engine._fast
    assert fast is not None
    names = ["Chanel", "Louis Vuitton", "Rolex", "Gucci", "Dely", "Hermes", "Molsio Fondvreas", "Patek Philippe",
             "Zanotti", "Yves Saint Laurent", "Bvlgari", "Coach", "Ferragamo", "Moncler", "Dolce Gabbana"]
    zh = ["香奈儿", "古驰", "劳力士", "爱马仕", "路易威登", "宝格丽"]
    marks = tuple(Mark(holder="H", text=n, nice_classes=(18,),
                       aliases=(Alias(text=zh[i], kind=AliasKind.TRANSLITERATION),) if i < len(zh) else ())
                  for i, n in enumerate(names))
    det = Detector.from_registry(Registry(holders=(Holder(name="H"),), marks=marks))
    rng = random.Random(3)
    words: set[str] = set()
    for n in names:
        k = n.lower().replace(" ", "")
        for _ in range(60):
            c = list(k)
            for _ in range(rng.randint(0, 3)):
                op, p = rng.randrange(4), rng.randrange(len(c))
                if op == 0 and len(c) > 1:
                    del c[p]
                elif op == 1:
                    c.insert(p, rng.choice("aeioulnrs"))
                elif op == 2 and p + 1 < len(c):
                    c[p], c[p + 1] = c[p + 1], c[p]
                else:
                    c.insert(p, c[p] * rng.randint(1, 3))
            words.add("".join(c))
    words |= {"", "abc", "aaaa", "a\n\nb", "ééé", "gu\u00e7\u00e7i", "louisvuiton" * 6, "xlouisvuiton" + "a" * 60}
    han = "香奈儿尔古驰池劳力士爱马仕路易威登宝格丽新款包邮高仿"
    runs = ["".join(rng.choice(han) for _ in range(rng.randint(2, 12))) for _ in range(1000)]
    runs += ["新款古池包", "香奈尔高仿", "劳力是", "爱马士包邮", "路易威灯", "宝格力", "古驰", "包邮香奈儿"]
    got_words = {w: fast.collapse_repeats(w) for w in words}
    got_tok = {w: set(det._lookup_token(w)) for w in words}
    got_multi = {w: set(det._lookup_token(w, multi=True)) for w in words}
    got_runs = {r: set(det._sound_run(r)) for r in runs}
    assert sum(1 for v in got_tok.values() if v) > 50 and sum(1 for v in got_multi.values() if v) > 5
    assert sum(1 for v in got_runs.values() if v) > 10
    monkeypatch.setattr(engine, "_fast", None)
    pure = Detector.from_registry(Registry(holders=(Holder(name="H"),), marks=marks))
    for w in words:
        assert got_words[w] == _REPEAT_RE.sub(r"\1", w), w
        assert got_tok[w] == set(pure._lookup_token(w)), w
        assert got_multi[w] == {r for r in pure._lookup_token(w) if " " in pure._entries[r[0]].key}, w
    for r in runs:
        assert got_runs[r] == set(pure._sound_run(r)), r


@pytest.mark.skipif(not bordermark.detect.COMPILED, reason="compiled detection core not built (pure Python only)")
def test_compiled_result_slots_and_exact_names_match_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled stage writes and reads the result dataclasses' fields at their slots, and tests an ASCII match
    against the registered name without building strings: results built by the Python constructors write out
    like ``to_dict``, and names written with runs of ASCII whitespace (str.split's, \\x1c-\\x1f included), mixed
    case or elisions get the method and hits the pure path gives."""
    from bordermark.detect import Detection, Detector, Hit, Signal, engine
    from bordermark.domain import Holder, Mark, Registry

    fast = engine._fast
    assert fast is not None
    h = Hit("M1", "GUCCI", "H", 0, 5, "Gucci", "exact", 0.9, context=0.4, ambiguous=True, alias="g", alias_kind="x")
    g = Signal("T1", "replica", 6, 13, 0.5, family="trade_term", lang="en", matched="replica")
    for d in (Detection([h, h], [g]), Detection([], [g]), Detection([h], [])):
        assert list(fast.line_dict(7, d).items()) == list({"id": 7, **d.to_dict()}.items())
    assert fast.write_lines([(7, "", None)], [Detection([h], [g])], __import__("orjson").dumps, str) == [
        __import__("orjson").dumps({"id": 7, **Detection([h], [g]).to_dict()}).decode()]
    marks = (Mark(holder="H", text="LOUIS VUITTON", nice_classes=(18,)), Mark(holder="G", text="GUCCI"),
             Mark(holder="C", text="COACH", nice_classes=(18,)))
    reg = Registry(holders=tuple(Holder(name=n) for n in ("H", "G", "C")), marks=marks)
    texts = ["louis  vuitton bag", "LOUIS\tVUITTON", "Louis\x1c\x1dVuitton belt", "louis\x1fvuitton", "LoUiS vUiTtOn",
             "Louis Vuittonx", "Gucci", "gucci replica", "GUCCI...", "Gu*ci bag", "Guc\u2026 bag", "Gucc1 1:1",
             "coach wallet", "Coach", "louis vuitton, coach bag", "G u c c i", "gucci\u00a0bag", "GUCCİ"]
    got = [d.to_dict() for d in Detector.from_registry(reg).detect_many(texts)]
    assert sum(len(d["hits"]) for d in got) >= 10
    monkeypatch.setattr(engine, "_fast", None)
    assert got == [d.to_dict() for d in Detector.from_registry(reg).detect_many(texts)]
