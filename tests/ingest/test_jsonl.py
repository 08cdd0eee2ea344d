"""The shared JSON Lines reader: fast path and standard-library fallback agree on what is malformed."""

from __future__ import annotations

from pathlib import Path

from bordermark.ingest.errors import RowError
from bordermark.ingest.jsonl import iter_objects, parse_line


def test_values_orjson_refuses_still_parse() -> None:
    assert parse_line('{"id": 123456789012345678901234567890, "price": NaN}')["id"] == 123456789012345678901234567890
    assert parse_line(b'{"id": "a"}') == {"id": "a"}


def test_integer_ids_beyond_64_bits_stay_exact_where_orjson_accepts_the_line() -> None:
    # orjson 3.13 reads such an integer as a float instead of refusing the line
    assert parse_line('{"id": 123456789012345678901234567890, "price": 5}')["id"] == 123456789012345678901234567890
    assert parse_line('{"id": 2.5}')["id"] == 2.5


def test_bad_lines_say_why() -> None:
    assert parse_line("{bad") == "malformed JSON: Expecting property name enclosed in double quotes at column 2"
    assert parse_line("[1, 2]") == "expected a JSON object"
    assert parse_line(b'{"id": "\xff"}') == "malformed JSON: not UTF-8 text"


def test_iter_objects_numbers_lines_as_an_editor(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'\xef\xbb\xbf{"id": 1}\n\n   \n{oops\n"text"\n{"id": 2}\n')
    got = list(iter_objects(p))
    assert got[0] == (1, {"id": 1}) and got[-1] == (6, {"id": 2})
    assert got[1] == (4, RowError(str(p), 4, "line", "malformed JSON: Expecting property name enclosed in double "
                                                        "quotes at column 2"))
    assert str(got[2][1]) == f"{p}:5: line: expected a JSON object"
