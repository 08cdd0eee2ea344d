"""The case, cases and audit commands as a user runs them (in-process CliRunner, private SQLite store)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bordermark.cli.main import app

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "200"})


def jrun(*args: str) -> Any:
    res = run(*args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_case_open_event_show_list_tick_export(cli_env: Path, tmp_path: Path) -> None:
    doc = jrun("case", "open", "--profile", "cn-ex-officio", "--right", "M00042", "--goods-value", "5238.31",
               "--currency", "CNY", "--declaration", "D-9", "--at", "2026-09-29T10:00+08:00", "--format", "json")
    cid = doc["id"]
    shown = jrun("case", "show", cid, "--format", "json")
    assert shown["state"] == "suspended"
    first = shown["deadlines"][0]
    assert (first["name"], first["due"]) == ("holder_reply", "2026-10-09T23:59:59.999999+08:00")
    assert set(shown["deadlines"][0]) >= {"name", "due", "basis"}
    assert shown["guarantee"]["amount"] == "5238.31" and shown["guarantee"]["currency"] == "CNY"
    assert "Art. 23" in shown["guarantee"]["basis"]
    assert shown["penalty"] is None and shown["events"][0]["name"] == "open"

    refused = run("case", "event", cid, "holder_applies", "guarantee=100", "--at", "2026-10-08T10:00+08:00")
    assert refused.exit_code == 2 and "below the required 5238.31" in refused.output
    done = jrun("case", "event", cid, "holder_applies", "guarantee=5238.31", "--at", "2026-10-08T10:00+08:00",
                "--by", "holder1", "--format", "json")
    assert done["state"] == "detained"
    done = jrun("case", "event", cid, "determine_infringing", "fine=600", "--at", "2026-10-20T10:00+08:00",
                "--format", "json")
    assert done["penalty"]["fine"] == "600.00"
    bad = run("case", "event", cid, "no_such_event")
    assert bad.exit_code == 2 and "unknown event" in bad.output
    assert run("case", "event", cid, "fine").exit_code == 2
    assert run("case", "show", "C-NOPE").exit_code == 2

    other = jrun("case", "open", "--profile", "cn-ex-officio", "--right", "M1", "--goods-value", "10",
                 "--currency", "CNY", "--parcel", "P-1", "--at", "2026-09-29T10:00+08:00", "--format", "json")
    ticked = jrun("cases", "tick", "--now", "2026-10-12T00:00+08:00", "--format", "json")
    assert [t["case_id"] for t in ticked] == [other["id"]] and ticked[0]["state"] == "released"
    listed = jrun("cases", "list", "--format", "json")
    assert {r["id"]: r["state"] for r in listed} == {cid: "infringing", other["id"]: "released"}

    files = run("case", "export", cid, "--out", str(tmp_path / "out"))
    assert files.exit_code == 0
    html = (tmp_path / "out" / f"{cid}.html").read_text()
    assert "holder_reply" in html and "determine_infringing" in html and "<script" not in html
    assert "http" not in html.split("<body>")[1]  # self-contained: no external links or assets
    exported = json.loads((tmp_path / "out" / f"{cid}.json").read_text())
    assert exported["case"]["id"] == cid and exported["audit_head"]["intact"] is True
    assert [a["action"] for a in exported["audit_trail"]][:2] == ["case.open", "case.event.holder_applies"]


def test_open_bad_input(cli_env: Path) -> None:
    res = run("case", "open", "--profile", "nope", "--right", "M1", "--goods-value", "1", "--currency", "CNY",
              "--parcel", "P")
    assert res.exit_code == 2 and "unknown profile" in res.output
    res = run("case", "open", "--profile", "eu-608", "--right", "M1", "--goods-value", "1", "--currency", "CNY",
              "--parcel", "P")
    assert res.exit_code == 2 and "works in EUR" in res.output
    res = run("case", "open", "--profile", "eu-608", "--right", "M1", "--goods-value", "1", "--currency", "EUR",
              "--parcel", "P", "--listing", "L")
    assert res.exit_code == 2 and "exactly one" in res.output
    res = run("case", "open", "--profile", "eu-608", "--right", "M1", "--goods-value", "1", "--currency", "EUR",
              "--parcel", "P", "--fact", "member_state=XX")
    assert res.exit_code == 2 and "no calendar for member state" in res.output


def test_audit_verify_passes_intact_and_fails_tampered(cli_env: Path) -> None:
    jrun("case", "open", "--profile", "us-cbp", "--right", "M1", "--goods-value", "100", "--currency", "USD",
         "--parcel", "P-2", "--at", "2026-07-01T09:00-04:00", "--format", "json")
    ok = run("audit", "verify")
    assert ok.exit_code == 0 and "intact" in ok.output
    db = sqlite3.connect(cli_env / "bordermark.db")
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
    db.commit()
    db.close()
    broken = run("audit", "verify")
    assert broken.exit_code == 1 and "entry 1" in broken.output and "edited" in broken.output
    report = runner.invoke(app, ["audit", "verify", "--format", "json"])
    assert report.exit_code == 1 and json.loads(report.stdout)["first_bad_seq"] == 1


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_sweep_proposes_and_opens_linked_cases(cli_env: Path, tmp_path: Path) -> None:
    world = tmp_path / "world"
    world.mkdir()
    _jsonl(world / "parcels.jsonl", [
        {"id": "P-1", "consignor": "Shenzhen X", "description": "bag", "declared_value": "300", "currency": "CNY",
         "mark_ids": ["M1"], "hs_code": "420221"},
        {"id": "P-2", "consignor": "Shenzhen X", "description": "bag", "declared_value": "310", "currency": "CNY",
         "mark_ids": ["M1"], "hs_code": "420221"},
        {"id": "P-5", "consignor": "Shenzhen X", "description": "Bag ", "declared_value": "305", "currency": "CNY"},
        {"id": "P-3", "consignor": "Shenzhen X", "description": "socks", "declared_value": "20", "currency": "CNY"},
        {"id": "P-4", "consignor": "Genuine Ltd", "description": "bag", "declared_value": "900", "currency": "CNY",
         "mark_ids": ["M1"]},
    ])
    _jsonl(world / "listings.jsonl", [{"id": "L-1", "seller_id": "S-7", "title": "bag", "price": "45",
                                       "currency": "USD", "mark_ids": ["M1"]}])
    _jsonl(world / "stock.jsonl", [{"id": "W-1", "consignor": "Shenzhen X", "product_id": "PR-1", "value": "1000",
                                    "currency": "CNY", "description": "warehouse lot"}])
    cid = jrun("case", "open", "--profile", "cn-ex-officio", "--right", "M1", "--goods-value", "300",
               "--currency", "CNY", "--parcel", "P-1", "--at", "2026-03-02T10:00+08:00", "--fact",
               "seller_id=S-7", "--format", "json")["id"]
    early = run("case", "sweep", cid, "--world", str(world))
    assert early.exit_code == 2 and "found infringing" in early.output
    jrun("case", "event", cid, "holder_applies", "guarantee=300", "--at", "2026-03-03T10:00+08:00", "--format",
         "json")
    jrun("case", "event", cid, "determine_infringing", "--at", "2026-03-10T10:00+08:00", "--format", "json")
    rows = jrun("case", "sweep", cid, "--world", str(world), "--format", "json")
    assert {r["id"]: r["reasons"] for r in rows} == {
        "P-2": ["same consignor Shenzhen X", "same mark M1", "same description 'bag'", "same HS code 420221"],
        "P-5": ["same consignor Shenzhen X", "same description 'Bag'"],  # brand left out of the description
        "L-1": ["same seller S-7", "same mark M1", "same description 'bag'"],
    }
    opened = jrun("case", "sweep", cid, "--world", str(world), "--open", "--format", "json")
    linked = {r["id"]: r["linked_case"] for r in opened}
    assert linked["L-1"].startswith("not opened")  # listed in USD, case in CNY
    child = jrun("case", "show", linked["P-2"], "--format", "json")
    assert child["parent_case_id"] == cid and child["state"] == "suspended"
    assert child["facts"]["swept_from"] == cid
    again = jrun("case", "sweep", cid, "--world", str(world), "--format", "json")
    assert [r["id"] for r in again] == ["L-1"]  # P-2 and P-5 now have their own cases

    (world / "parcels.jsonl").write_text('{"id": "P-9"}\nnot json\n', encoding="utf-8")
    bad = run("case", "sweep", cid, "--world", str(world))
    assert bad.exit_code == 2 and "parcels.jsonl: line 2" in bad.output
