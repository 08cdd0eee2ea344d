"""The batch scans' hyperscan matcher gives exactly pyahocorasick's matches, in pyahocorasick's order."""

import threading

import ahocorasick
import pytest

from bordermark.detect import engine

pytestmark = pytest.mark.skipif(engine.hyperscan is None, reason="hyperscan not installed")

KEYS = [" nike ", " air max ", "airmax", "max", "ax", " копия ", " 짝퉁 ", "é", "abcabc", "bca", " ? ",
        "中文", "古驰", "驰", "古驰古"]
TEXTS = [
    "", "nike", " nike air max airmax ", " люкс копия  копия 짝퉁 \x00 nike ", "abcabcabcabc", "éé é\ud800 max",
    " 中文 nike 中 \x00 ? max\U0001F600ax ", " кипия копиa 짠퉁 к¾пия ", "a" * 50 + " air max " * 3,
    "古驰古驰古 \x00 中文中文 古驰\U00020000古驰", "丐驰 古鸵 㐀中文",
]


@pytest.mark.parametrize("utf8", [False, True])
@pytest.mark.parametrize("compiled", [True, False])
def test_hyperscan_matches_are_pyahocorasicks(compiled: bool, utf8: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not compiled:
        monkeypatch.setattr(engine, "_fast", None)
    elif engine._fast is None:
        pytest.skip("compiled module not built")
    a = ahocorasick.Automaton()
    for i, k in enumerate(KEYS):
        a.add_word(k, (len(k), i))
    a.make_automaton()
    hs = engine._HsScan(a.items(), utf8)
    for text in TEXTS:
        assert hs.iter(text) == list(a.iter(text)), text


def test_a_key_holding_nul_keeps_pyahocorasick() -> None:
    a = ahocorasick.Automaton()
    a.add_word("a\x00b", 1)
    a.make_automaton()
    assert engine._hs_scan(a) is a


def test_threads_scan_at_once() -> None:
    a = ahocorasick.Automaton()
    for i, k in enumerate(KEYS):
        a.add_word(k, (len(k), i))
    a.make_automaton()
    hs = engine._HsScan(a.items())
    text = " ".join(TEXTS) * 2000
    want = list(a.iter(text))
    got: list[bool] = []

    def run() -> None:
        got.extend(hs.iter(text) == want for _ in range(3))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [True] * 12


def test_pickles_and_scans_after() -> None:
    """Spark broadcasts the detector: the matcher must survive pickling and give the same matches after."""
    import pickle

    a = ahocorasick.Automaton()
    for i, k in enumerate(KEYS):
        a.add_word(k, (len(k), i))
    a.make_automaton()
    for utf8 in (False, True):
        back = pickle.loads(pickle.dumps(engine._HsScan(a.items(), utf8)))
        assert isinstance(back, engine._HsScan)
        assert back._want_utf8 == utf8
        for text in TEXTS:
            assert back.iter(text) == list(a.iter(text)), text
