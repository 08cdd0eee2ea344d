"""``bordermark case ...``, ``bordermark cases ...`` and ``bordermark audit verify``: thin wrappers over
:mod:`bordermark.cases.service` and :mod:`bordermark.audit`."""

from __future__ import annotations

import json
import sys

import typer

from bordermark import audit
from bordermark.cli.common import OutputFormat, console, fail, get_store

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json")) -> None:
    """Recompute the hash chain; exit 1 if any entry was edited, inserted or deleted."""
    store = get_store()
    with store.session() as s:
        report = audit.verify(s)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    elif report.ok:
        console.print(f"audit log intact: {report.entries} entries, head {report.head_seq} {report.head_hash}")
    if not report.ok:
        if fmt is not OutputFormat.json:
            for problem in report.problems:
                console.print(problem, markup=False, highlight=False)
        fail(f"audit log broken at entry {report.first_bad_seq} ({len(report.problems)} problem(s))", 1)
