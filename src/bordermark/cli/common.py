"""Helpers shared by the CLI command modules: store access, output formats, exit codes.

Exit status convention: 0 success, 1 failure of the job itself, 2 bad input (nothing written),
3 partial success (some input lines skipped and reported).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from bordermark.store import Store, open_store

EXIT_BAD_INPUT = 2
EXIT_PARTIAL = 3

console = Console()
err_console = Console(stderr=True)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def get_store() -> Store:
    return open_store()


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def emit(rows: Sequence[dict[str, Any]], fmt: OutputFormat, columns: Sequence[str], title: str = "") -> None:
    """Print rows as a rich table, JSON, or CSV, with the same columns in every format."""
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(list(rows), ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if fmt is OutputFormat.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in columns})
        sys.stdout.write(buf.getvalue())
        return
    table = Table(title=title or None)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "|".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def print_errors(errors: Iterable[str]) -> int:
    count = 0
    for line in errors:
        err_console.print(line, highlight=False, markup=False, soft_wrap=True)
        count += 1
    return count
