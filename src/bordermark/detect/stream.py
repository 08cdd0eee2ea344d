"""JSON Lines in, JSON Lines out: the record shape of ``bordermark detect``, kept apart from file handling.

Input line: an object with ``id`` and ``text``, or a listing with ``title`` and ``description`` (joined by a newline;
offsets then index that joined text) and optionally ``category``. Output line: ``{"id", "hits", "signals"}``. Offsets
count Unicode code points, as Python does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import orjson

from bordermark.detect.engine import Detector, _no_cyclic_gc
from bordermark.ingest.jsonl import parse_line

try:  # the compiled line reader (``_fast.pyx``), when built
    from bordermark.detect import _fast
except ImportError:
    _fast = None  # type: ignore[assignment]


def _dumps(obj: Any) -> str:
    try:
        return orjson.dumps(obj).decode("utf-8")
    except TypeError:  # an integer id beyond 64 bits
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    field: str
    reason: str


def record_text(obj: dict[str, Any]) -> tuple[str, str | None]:
    """The text to scan and the listing category; raises ``ValueError(field, reason)`` on a record without text."""
    text = obj.get("text")
    if text is None:
        title, desc = obj.get("title"), obj.get("description")
        if title is None and desc is None:
            raise ValueError("text", "needs 'text', or 'title' and/or 'description'")
        # plain tests, not all() over a generator: this runs once per input line
        if (title is not None and not isinstance(title, str)) or (desc is not None and not isinstance(desc, str)):
            raise ValueError("title", "'title' and 'description' must be strings")
        text = cast(str, title if desc is None else desc if title is None else f"{title}\n{desc}")
    elif not isinstance(text, str):
        raise ValueError("text", "'text' must be a string")
    cat = obj.get("category")
    return text, cat if isinstance(cat, str) else None


def process_lines(detector: Detector, lines: Iterable[str], batch: int = 2048) -> Iterator[str | BadLine]:
    """Yield one output line (without newline) per good input line and a :class:`BadLine` per bad one.

    Works ``batch`` good lines at a time; the cycle collector is paused while a batch is read, detected and
    written (never across a ``yield``): parsing allocates ~10^5 acyclic objects per batch, whose collection passes
    also walk the detector's large caches."""
    numbered = enumerate(lines, start=1)
    while True:
        buf: list[tuple[Any, str, str | None]] = []
        bad: list[BadLine] = []
        with _no_cyclic_gc():
            done = _read(numbered, batch, buf, bad)
            out = _write(detector, buf)
        yield from bad
        yield from out
        if done:
            return


def _read(numbered: Iterator[tuple[int, str]], batch: int, buf: list[tuple[Any, str, str | None]],
          bad: list[BadLine]) -> bool:
    """Records from the next lines into ``buf`` (until it holds ``batch``), bad lines into ``bad``; True at the end
    of the input. ``_fast.read_batch`` does the same (this function's :func:`_read_line` for the unusual lines)."""
    if _fast is not None:
        return bool(_fast.read_batch(numbered, batch, buf, bad, orjson.loads, _read_line))
    for n, line in numbered:
        if not line or line.isspace():
            continue
        _read_line(n, line, buf, bad)
        if len(buf) >= batch:
            return False
    return True


def record_of(obj: dict[str, Any]) -> tuple[Any, str, str | None]:
    """``(id, text, category)`` of one parsed input object; raises ``ValueError(field, reason)`` when it has no id
    or no text. The checks every reader of detection input makes (this module, the Spark job)."""
    if "id" not in obj:
        raise ValueError("id", "missing 'id'")
    text, cat = record_text(obj)
    return obj["id"], text, cat


def _read_line(n: int, line: str, buf: list[tuple[Any, str, str | None]], bad: list[BadLine]) -> None:
    """One non-blank input line: its record into ``buf``, or why not into ``bad``. The line is parsed as every
    JSON Lines reader parses (:func:`bordermark.ingest.jsonl.parse_line`: orjson, the standard parser deciding
    what orjson refuses, ids beyond 64 bits kept exact)."""
    obj = parse_line(line)
    if isinstance(obj, str):
        bad.append(BadLine(n, "line", obj))
        return
    try:
        buf.append(record_of(obj))
    except ValueError as exc:
        field, reason = exc.args
        bad.append(BadLine(n, field, reason))


def _write(detector: Detector, buf: list[tuple[Any, str, str | None]]) -> list[str]:
    """The output lines of a batch of records."""
    out: list[str] = []
    dets = detector.detect_many([t for _, t, _ in buf], categories=[c for _, _, c in buf])
    if _fast is not None:  # the same loop, compiled
        return _fast.write_lines(buf, dets, orjson.dumps, _dumps)
    for (rid, _, _), d in zip(buf, dets, strict=True):
        if not d.hits and not d.signals:
            out.append(f'{{"id":{_dumps(rid)},"hits":[],"signals":[]}}')
        else:
            # plain dicts (the keys of ``to_dict``): orjson writes a slotted dataclass only after a failed
            # ``__dict__`` lookup per object (an exception raised and cleared), several times the cost
            obj = (_fast.line_dict(rid, d) if _fast is not None
                   else {"id": rid, "hits": [h.to_dict() for h in d.hits],
                         "signals": [s.to_dict() for s in d.signals]})
            try:
                out.append(orjson.dumps(obj).decode("utf-8"))
            except TypeError:  # an integer id beyond 64 bits
                out.append(_dumps({"id": rid, **d.to_dict()}))
    return out
