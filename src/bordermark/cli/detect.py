"""``bordermark detect``: scan JSON Lines records for registered marks and counterfeit-trade signals."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer

from bordermark.cli.common import EXIT_BAD_INPUT, EXIT_PARTIAL, err_console, fail, get_store
from bordermark.detect import Detector
from bordermark.detect.stream import BadLine, process_lines
from bordermark.registry import service


def detect(
    input: Annotated[Path | None, typer.Option("--input", "-i", help="JSON Lines file (default: stdin)")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="JSON Lines file (default: stdout)")] = None,
) -> None:
    """Find registered marks (however disguised) and trade signals in each record (``id`` + ``text``, or a listing).

    Malformed lines are reported on stderr with their line number and skipped; the exit status is then 3.
    """
    name = str(input) if input else "<stdin>"
    try:
        src: TextIO = open(input, encoding="utf-8") if input else sys.stdin  # noqa: SIM115
    except OSError as exc:
        fail(f"{name}: cannot read ({exc.strerror})", EXIT_BAD_INPUT)
    registry = service.load(get_store())
    if not registry.marks:
        err_console.print("warning: the registry has no marks; only trade signals will be found", highlight=False)
    detector = Detector.from_registry(registry)
    dst: TextIO = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    bad = 0
    try:
        for item in process_lines(detector, src):
            if isinstance(item, BadLine):
                bad += 1
                err_console.print(f"{name}:{item.line}: {item.field}: {item.reason}", highlight=False,
                                  markup=False, soft_wrap=True)
            else:
                dst.write(item + "\n")
    except UnicodeDecodeError as exc:
        fail(f"{name}: not UTF-8 text ({exc.reason})", EXIT_BAD_INPUT)
    finally:
        if input:
            src.close()
        if output:
            dst.close()
    if bad:
        err_console.print(f"{bad} line(s) skipped", highlight=False)
        raise typer.Exit(EXIT_PARTIAL)
