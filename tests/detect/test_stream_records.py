"""What ``bordermark detect`` says about a bad line is what every JSON Lines reader says (``ingest.jsonl.parse_line``
parses, ``stream.record_of`` checks the record), on the compiled and the pure reading path alike."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bordermark.detect import Detector, stream
from bordermark.detect.stream import BadLine, process_lines, record_of
from bordermark.domain import Holder, Mark, Registry
from bordermark.ingest.jsonl import parse_line

LINES = [
    '{"id": 1, "text": "Gucci bag"}',
    "{bad json",
    '{"id": 2, "text": NaN}',
    "[1, 2]",
    '"text"',
    '{"text": "no id"}',
    '{"id": 3}',
    '{"id": 4, "title": 5}',
    '{"id": 5, "text": ["x"]}',
    '{"id": 6, "title": "Gucci", "description": null, "category": "bags"}',
    '{"id": 123456789012345678901234567890, "description": "plain socks"}',
    "   ",
]


def _expected() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for n, line in enumerate(LINES, 1):
        if not line.strip():
            continue
        obj = parse_line(line)
        if isinstance(obj, str):
            out.append(("bad", (n, "line", obj)))
            continue
        try:
            out.append(("ok", record_of(obj)[0]))
        except ValueError as exc:
            out.append(("bad", (n, *exc.args)))
    return out


@pytest.mark.parametrize("compiled", [True, False])
def test_bad_lines_are_reported_as_every_reader_reports_them(monkeypatch: pytest.MonkeyPatch,
                                                            compiled: bool) -> None:
    if not compiled:
        monkeypatch.setattr(stream, "_fast", None)
    elif stream._fast is None:
        pytest.skip("the compiled reader is not built")
    holder = Holder(name="Gucci SpA")
    det = Detector.from_registry(Registry(holders=(holder,), marks=(Mark(holder=holder.name, text="Gucci"),)))
    got: list[tuple[str, Any]] = []
    for item in process_lines(det, LINES, batch=2):
        if isinstance(item, BadLine):
            got.append(("bad", (item.line, item.field, item.reason)))
        else:
            got.append(("ok", json.loads(item)["id"]))
    key = {"ok": 1, "bad": 0}  # within a batch the bad lines come first: compare as sets of outcomes
    assert sorted(got, key=lambda g: (key[g[0]], str(g[1]))) == sorted(_expected(),
                                                                       key=lambda g: (key[g[0]], str(g[1])))
    reasons = {g[1][1:] for g in got if g[0] == "bad"}
    assert ("id", "missing 'id'") in reasons and ("line", "expected a JSON object") in reasons
    assert any(r[0] == "line" and r[1].startswith("malformed JSON: ") for r in reasons)
    assert {g[1] for g in got if g[0] == "ok"} == {1, 6, 123456789012345678901234567890}
