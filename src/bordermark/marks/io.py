"""Reading the inputs of the marks commands (JSON Lines or CSV) into validated models, all-or-nothing.

Why all-or-nothing with every problem listed: a watch over half a filing file looks complete and is not; the
officer must fix the file, and needs file, line and field for each bad value to do so.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bordermark.ingest.errors import RowError
from bordermark.ingest.jsonl import iter_objects

M = TypeVar("M", bound=BaseModel)

LIST_FIELDS = {"nice_classes", "a_classes", "b_classes"}


InputProblem = RowError  # one bad-row type for every reader: file, line, field, reason


class InputRejected(ValueError):
    """Nothing was processed; ``problems`` names file, line and field of every bad value."""

    def __init__(self, problems: list[InputProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the input")
        self.problems = problems


def _csv_value(key: str, value: str) -> Any:
    if value == "":
        return None
    if key in LIST_FIELDS:
        return [v for v in value.replace(";", "|").replace(",", "|").split("|") if v.strip()]
    if value.startswith(("{", "[")):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def iter_dicts(path: Path) -> Iterator[tuple[int, dict[str, Any] | InputProblem]]:
    """(line, row) for every record; a row that cannot be parsed comes back as a problem instead."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            for row in reader:
                yield reader.line_num, {k: _csv_value(k, v or "") for k, v in row.items() if k is not None}
        return
    yield from iter_objects(path)


def read_models(path: Path, parse: Callable[[dict[str, Any]], M]) -> list[M]:
    """Every record of ``path`` validated by ``parse`` (e.g. ``Model.model_validate``).

    Raises :class:`InputRejected` listing all problems; nothing is returned unless every record is good.
    """
    if not path.exists():
        raise InputRejected([InputProblem(str(path), 0, "file", "no such file")])
    out: list[M] = []
    problems: list[InputProblem] = []
    for no, row in iter_dicts(path):
        if isinstance(row, InputProblem):
            problems.append(row)
            continue
        try:
            out.append(parse(row))
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"]) or "record"
                problems.append(InputProblem(str(path), no, loc, err["msg"]))
        except (ValueError, TypeError, KeyError) as exc:
            problems.append(InputProblem(str(path), no, "record", str(exc)))
    if problems:
        raise InputRejected(problems)
    return out


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
