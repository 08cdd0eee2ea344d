"""One error type for every ingest failure, so the CLI can always say which file, line and field went wrong."""

from __future__ import annotations


class IngestError(ValueError):
    """Bad input: ``file:line: field: message`` (line is 1-based as a text editor counts; header = line 1 in CSV)."""

    def __init__(self, file: str, line: int | None, field: str | None, message: str) -> None:
        self.file, self.line, self.field, self.message = file, line, field, message
        where = file + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")
