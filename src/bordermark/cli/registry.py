"""``bordermark registry``: import, list, show and export the rights registry."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bordermark.cli.common import EXIT_BAD_INPUT, OutputFormat, console, emit, fail, get_store, print_errors
from bordermark.domain import Mark, Registry
from bordermark.registry import service

app = typer.Typer(help="The rights registry: holders, marks and aliases, products, authorised parties.",
                  no_args_is_help=True)

MARK_LIST_COLUMNS = ["id", "holder", "mark", "aliases", "nice_classes", "jurisdictions", "famous", "recordation"]


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="CSV, JSON, JSON Lines or YAML files (marks, products, parties)")],
) -> None:
    """Import registry files in one transaction: every bad row is reported and nothing is written."""
    try:
        report = service.import_files(get_store(), files)
    except service.ImportRejected as exc:
        n = print_errors(str(e) for e in exc.errors)
        fail(f"{n} problem(s) found; nothing was imported", EXIT_BAD_INPUT)
    console.print(
        f"imported {report.marks} mark(s), {report.products} product(s), {report.parties} party(ies) "
        f"of {report.holders} holder(s) from {len(report.files)} file(s)"
    )


def _list_row(m: Mark) -> dict[str, object]:
    return {
        "id": m.id, "holder": m.holder, "mark": m.text, "aliases": [a.text for a in m.aliases],
        "nice_classes": list(m.nice_classes), "jurisdictions": list(m.jurisdictions), "famous": m.famous,
        "recordation": [r.number for r in m.recordations],
    }


def _find(reg: Registry, key: str) -> list[Mark]:
    exact = [m for m in reg.marks if key in (m.id, m.external_id)]
    if exact:
        return exact
    folded = key.casefold()
    return [m for m in reg.marks if m.text.casefold() == folded or any(a.text.casefold() == folded
                                                                        for a in m.aliases)]


@app.command("list")
def list_(
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    holder: Annotated[str | None, typer.Option(help="Only marks of this holder")] = None,
) -> None:
    """List the marks of the registry."""
    reg = service.load(get_store())
    rows = [_list_row(m) for m in reg.marks if holder is None or m.holder == holder]
    emit(rows, fmt, MARK_LIST_COLUMNS, title=f"{len(rows)} mark(s)")


@app.command()
def show(
    mark: Annotated[str, typer.Argument(help="Mark id, external id, word mark or alias")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Show one mark with its aliases, recordations, products and authorised parties."""
    reg = service.load(get_store())
    found = _find(reg, mark)
    if not found:
        fail(f"no mark matches {mark!r}")
    docs = []
    for m in found:
        docs.append({
            "id": m.id, **service.mark_row(m),
            "products": [r for p in reg.products_of(m) for r in service.product_rows(p)],
            "parties": [service.party_row(p) for p in reg.parties_of(m)],
        })
    if fmt is OutputFormat.table:
        for d in docs:
            emit([{"field": k, "value": v} for k, v in d.items() if k not in ("products", "parties")],
                 fmt, ["field", "value"], title=f"{d['mark']} ({d['id']})")
            emit(d["products"], fmt, service.PRODUCT_COLUMNS[2:], title="products")
            emit(d["parties"], fmt, service.PARTY_COLUMNS[1:], title="authorised parties")
        return
    if fmt is OutputFormat.csv:
        emit([_list_row(m) for m in found], fmt, MARK_LIST_COLUMNS)
        return
    emit(docs, fmt, [])


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json, yaml or csv")] = "json",
    out: Annotated[Path | None, typer.Option("--out", "-o",
                                             help="File (json/yaml) or directory (csv); stdout if omitted")] = None,
) -> None:
    """Export the whole registry in the import format (import -> export -> import is lossless)."""
    reg = service.load(get_store())
    if fmt == "table":
        emit([_list_row(m) for m in reg.marks], OutputFormat.table, MARK_LIST_COLUMNS)
        return
    if fmt == "csv":
        if out is None:
            sys.stdout.write(service.csv_text(service.export_document(reg)["marks"], service.MARK_COLUMNS))
            return
        try:
            paths = service.export_csv_dir(reg, out)
        except ValueError as exc:
            fail(str(exc))
        console.print("wrote " + ", ".join(str(p) for p in paths))
        return
    if fmt not in ("json", "yaml"):
        fail(f"unknown format {fmt!r}: use table, json, yaml or csv", EXIT_BAD_INPUT)
    text = service.export_json(reg) if fmt == "json" else service.export_yaml(reg)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")
