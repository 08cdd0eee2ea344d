"""Reading tabular rows from CSV, JSON, JSON Lines and YAML files, each row with its source line.

Why line numbers everywhere: a right holder fixing a 5,000-row file needs ``FILE:LINE: field: reason``
for every bad row, whatever the format.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SECTIONS = ("holders", "marks", "products", "parties")


@dataclass(frozen=True)
class SourceRow:
    path: str
    line: int
    section: str | None  # set when the file names it (a document with sections); else guessed later
    data: dict[str, Any]


class FileFormatError(ValueError):
    """The file as a whole cannot be read; carries the line where reading stopped."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: file: {reason}")
        self.path, self.line, self.reason = path, line, reason


def read_rows(path: Path) -> list[SourceRow]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(name, 1, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise FileFormatError(name, 0, f"cannot read: {exc.strerror}") from None
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return list(_csv_rows(name, text, "\t" if suffix == ".tsv" else ","))
    if suffix in (".jsonl", ".ndjson"):
        return list(_jsonl_rows(name, text))
    if suffix == ".json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FileFormatError(name, exc.lineno, f"malformed JSON: {exc.msg}") from None
        return _document_rows(name, doc, _yaml_lines(text))
    if suffix in (".yaml", ".yml"):
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            raise FileFormatError(name, line, f"malformed YAML: {getattr(exc, 'problem', exc)}") from None
        return _document_rows(name, doc, _yaml_lines(text))
    raise FileFormatError(name, 0, f"unknown file type {suffix or '(none)'}: use .csv, .json, .jsonl or .yaml")


def _csv_rows(name: str, text: str, delimiter: str) -> Iterator[SourceRow]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise FileFormatError(name, 1, "empty file: a header row is required") from None
    except csv.Error as exc:
        raise FileFormatError(name, 1, f"malformed CSV: {exc}") from None
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        raise FileFormatError(name, 1, "duplicate column names in the header")
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileFormatError(name, reader.line_num, f"malformed CSV: {exc}") from None
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield SourceRow(name, line, None, {"__error__": f"has {len(values)} fields, header has {len(header)}"})
            continue
        yield SourceRow(name, line, None, {k: v for k, v in zip(header, values, strict=True) if v.strip() != ""})


def _jsonl_rows(name: str, text: str) -> Iterator[SourceRow]:
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield SourceRow(name, number, None, {"__error__": f"malformed JSON: {exc.msg}"})
            continue
        if not isinstance(obj, dict):
            yield SourceRow(name, number, None, {"__error__": "each line must be a JSON object"})
            continue
        yield SourceRow(name, number, obj.pop("section", None), obj)


def _yaml_lines(text: str) -> dict[tuple[str | None, int], int]:
    """Map (section, index) -> 1-based line of each list item, using YAML's node marks (JSON is YAML)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return {}
    out: dict[tuple[str | None, int], int] = {}
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[(None, i)] = item.start_mark.line + 1
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(value, yaml.SequenceNode):
                for i, item in enumerate(value.value):
                    out[(str(key.value), i)] = item.start_mark.line + 1
    return out


def _document_rows(name: str, doc: Any, lines: dict[tuple[str | None, int], int]) -> list[SourceRow]:
    rows: list[SourceRow] = []
    if isinstance(doc, list):
        parts: list[tuple[str | None, list[Any]]] = [(None, doc)]
    elif isinstance(doc, dict) and set(doc) <= {*SECTIONS, "format", "version"}:
        parts = [(s, doc.get(s) or []) for s in SECTIONS]
        for section, items in parts:
            if not isinstance(items, list):
                raise FileFormatError(name, 1, f"section {section!r} must be a list")
    else:
        raise FileFormatError(name, 1, f"expected a list of rows or an object with keys {', '.join(SECTIONS)}")
    for section, items in parts:
        for i, item in enumerate(items):
            line = lines.get((section, i), i + 1)
            if not isinstance(item, dict):
                rows.append(SourceRow(name, line, section, {"__error__": "each row must be an object"}))
            else:
                rows.append(SourceRow(name, line, section, dict(item)))
    return rows
