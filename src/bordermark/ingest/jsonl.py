"""JSON Lines reading shared by every file reader: one object per line, bad lines reported, never raised.

Why orjson with the standard parser behind it: orjson is several times faster, which matters on
multi-million-line files; what orjson refuses (NaN) goes to ``json``, so what counts as malformed, and the
message that says why, are the standard library's. orjson (3.13) reads an integer beyond 64 bits as a float rather
than refusing it, so a line whose id came back a float is read again by ``json``, which keeps such an id exact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from bordermark.ingest.errors import RowError


def parse_line(raw: bytes | str) -> dict[str, Any] | str:
    """The object on one line, or the reason it is not one."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:
            obj = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            msg = (f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError)
                   else "not UTF-8 text")
            return f"malformed JSON: {msg}"
    if not isinstance(obj, dict):
        return "expected a JSON object"
    if type(obj.get("id")) is float:  # orjson reads an integer beyond 64 bits as a float: keep such an id exact
        obj = json.loads(raw)
    return obj


def iter_objects(path: Path) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """``(line, object)`` for every non-blank line of a JSON Lines file, a :class:`RowError` in place of a bad
    one; line numbers count every line, as an editor does (a leading byte-order mark is ignored)."""
    name = str(path)
    with path.open("rb") as fh:
        for n, line in enumerate(fh, 1):
            if n == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.strip():
                continue
            obj = parse_line(line)
            yield n, obj if isinstance(obj, dict) else RowError(name, n, "line", obj)
