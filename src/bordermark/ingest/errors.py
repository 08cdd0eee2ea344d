"""One error type for every ingest failure, so the CLI can always say which file, line and field went wrong."""

from __future__ import annotations

from dataclasses import dataclass


class IngestError(ValueError):
    """Bad input: ``file:line: field: message`` (line is 1-based as a text editor counts; header = line 1 in CSV)."""

    def __init__(self, file: str, line: int | None, field: str | None, message: str) -> None:
        self.file, self.line, self.field, self.message = file, line, field, message
        where = file + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


@dataclass(frozen=True)
class RowError:
    """One bad row of a file that is read on regardless (screening, watch, registry): reported, then skipped or
    collected so the whole import can be refused. Prints as ``file:line: field: reason``."""

    path: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.reason}"
