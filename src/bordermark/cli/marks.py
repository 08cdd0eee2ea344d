"""``bordermark marks compare``, ``bordermark watch filings``, ``bordermark provenance check``: thin wrappers.

The registry comes from the store (``bordermark registry import``) unless ``--registry`` names registry files or
a folder of them, which are validated and used without being written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bordermark.cli.common import EXIT_BAD_INPUT, OutputFormat, console, emit, fail, get_store, print_errors
from bordermark.domain.codes import check_nice_class
from bordermark.domain.rights import Registry
from bordermark.marks.io import InputRejected, read_models, write_jsonl
from bordermark.marks.provenance import ProvenanceChecker, record_from_dict
from bordermark.marks.registry_files import RegistryFilesRejected, registry_from_files
from bordermark.marks.similarity import EarlierMark, compare
from bordermark.marks.text import skeleton
from bordermark.marks.watch import SquatWatch, WatchConfig, WatchedFiling

app = typer.Typer(help="Mark similarity the way examiners judge it.", no_args_is_help=True)
watch_app = typer.Typer(help="Squatting watch over trademark filings.", no_args_is_help=True)
provenance_app = typer.Typer(help="Provenance checks: genuine, parallel import, covert or plain counterfeit.",
                             no_args_is_help=True)

RegistryOpt = Annotated[list[Path] | None, typer.Option(
    "--registry", help="Registry files or a folder of them (default: the store's registry)")]


def _registry(paths: list[Path] | None) -> Registry:
    if not paths:
        from bordermark.registry import service

        return service.load(get_store())
    missing = [p for p in paths if not p.exists()]
    if missing:
        fail(f"no such registry file or folder: {missing[0]}", EXIT_BAD_INPUT)
    try:
        return registry_from_files(paths)
    except RegistryFilesRejected as exc:
        n = print_errors(exc.errors)
        fail(f"{n} problem(s) in the registry files; nothing was checked", EXIT_BAD_INPUT)


def _read(path: Path, parse: Any) -> list[Any]:
    try:
        return read_models(path, parse)
    except InputRejected as exc:
        n = print_errors(str(p) for p in exc.problems)
        fail(f"{n} problem(s) in {path}; nothing was written", EXIT_BAD_INPUT)


class Pair(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1)
    a: str = Field(min_length=1)
    b: str = Field(min_length=1)
    a_classes: tuple[int, ...] = ()
    b_classes: tuple[int, ...] = ()
    a_famous: bool | None = None

    @field_validator("a_classes", "b_classes", mode="before")
    @classmethod
    def _classes(cls, v: Any) -> tuple[int, ...]:
        return tuple(check_nice_class(c) for c in (v or ()))


@app.command("compare")
def compare_cmd(
    input: Annotated[Path, typer.Option("--input", "-i", help="JSONL or CSV of {id, a, b[, a_classes, b_classes]}")],
    output: Annotated[Path, typer.Option("--output", "-o", help="JSONL: id, score, confusing, components, "
                                                                "explanation")],
    registry: RegistryOpt = None,
) -> None:
    """Judge each pair, ``a`` as the earlier mark; a registered ``a`` brings its aliases and fame along."""
    pairs = _read(input, Pair.model_validate)
    reg = _registry(registry)
    by_name = {skeleton(n): m for m in reg.marks for n, _ in m.all_names()}
    rows = []
    for p in pairs:
        mark = by_name.get(skeleton(p.a))
        earlier = EarlierMark.of(mark) if mark is not None and skeleton(mark.text) == skeleton(p.a) \
            else EarlierMark(p.a)
        earlier = EarlierMark(earlier.text, earlier.aliases, p.a_classes or earlier.nice_classes,
                              earlier.famous if p.a_famous is None else p.a_famous)
        result = compare(earlier, p.b, p.b_classes)
        rows.append({"id": p.id, **result.to_dict()})
    write_jsonl(output, rows)
    confusing = sum(1 for r in rows if r["confusing"])
    console.print(f"compared {len(rows)} pair(s): {confusing} confusing; written to {output}")


@watch_app.command("filings")
def watch_filings(
    input: Annotated[Path, typer.Option("--input", "-i", help="Filings: JSONL or CSV (id, mark_text, applicant, "
                                                              "country, nice_classes, filed_on, status)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Alerts as JSONL, best first")],
    applicants: Annotated[Path | None, typer.Option(help="Also write flagged serial applicants (JSONL)")] = None,
    notices: Annotated[Path | None, typer.Option(help="Also write notices (JSONL): filings similar to a mark "
                                                      "but outside its scope for a squat")] = None,
    registry: RegistryOpt = None,
    candidates: Annotated[int, typer.Option(min=1, max=50, help="Candidate marks listed per alert")] = 5,
) -> None:
    """Raise ranked alerts for filings that resemble a registered or famous mark of someone else."""
    filings = _read(input, WatchedFiling.model_validate)
    reg = _registry(registry)
    if not reg.marks:
        fail("the registry holds no marks: import one first or pass --registry", EXIT_BAD_INPUT)
    report = SquatWatch(reg, WatchConfig(candidates=candidates)).run(filings)
    write_jsonl(output, [a.to_dict() for a in report.alerts])
    if applicants:
        write_jsonl(applicants, [f.to_dict() for f in report.applicants])
    if notices:
        write_jsonl(notices, [a.to_dict() for a in report.notices])
    console.print(f"{report.filings} filing(s) watched against {len(reg.marks)} mark(s): {len(report.alerts)} "
                  f"alert(s), {len(report.notices)} notice(s), {len(report.applicants)} serial applicant(s); "
                  f"alerts written to {output}")


PROVENANCE_COLUMNS = ["id", "verdict", "mark_id", "reason"]


@provenance_app.command("check")
def provenance_check(
    input: Annotated[Path, typer.Option("--input", "-i", help="Provenance records: JSONL (ours or the simulator's)")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Full results with every check (JSONL)")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    registry: RegistryOpt = None,
    on: Annotated[str | None, typer.Option(help="Check authorisation letters as of this date (YYYY-MM-DD)")] = None,
) -> None:
    """Give each consignment a verdict with reasons: genuine_authorised, parallel_import, covert_counterfeit,
    counterfeit or insufficient_evidence."""
    try:
        today = date.fromisoformat(on) if on else None
    except ValueError:
        fail(f"--on: {on!r} is not a date (YYYY-MM-DD)", EXIT_BAD_INPUT)
    records = _read(input, record_from_dict)
    checker = ProvenanceChecker(_registry(registry), today=today)
    results = [checker.check(r) for r in records]
    if output:
        write_jsonl(output, [r.to_dict() for r in results])
    rows = [{"id": r.record_id, "verdict": r.verdict.value, "mark_id": r.mark_id,
             "reason": r.reasons[0] if r.reasons else ""} for r in results]
    emit(rows, fmt, PROVENANCE_COLUMNS, title=f"{len(rows)} record(s)")
