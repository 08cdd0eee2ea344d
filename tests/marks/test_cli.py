from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bordermark.cli.main import app

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parents[2] / "src" / "bordermark" / "registry" / "data"


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_marks_compare_uses_the_store_registry_for_aliases_and_fame(tmp_path: Path, cli_env: Path) -> None:
    assert runner.invoke(app, ["registry", "import", *map(str, sorted(SAMPLE.glob("*.csv")))]).exit_code == 0
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in [
        {"id": "1", "a": "JORDAN", "b": "乔丹", "a_classes": [25], "b_classes": [25]},
        {"id": "2", "a": "MUJI", "b": "无印良品", "b_classes": [20]},
        {"id": "3", "a": "CHANEL", "b": "TESLA", "a_classes": [3], "b_classes": [3]},
    ]), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["marks", "compare", "--input", str(pairs), "--output", str(out)])
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in _jsonl(out)}
    assert set(rows["1"]) == {"id", "score", "confusing", "components", "explanation"}
    assert rows["1"]["confusing"] and rows["2"]["confusing"] and not rows["3"]["confusing"]
    assert "translation" in str(rows["2"]["explanation"])


def test_watch_filings_writes_ranked_alerts_and_serial_applicants(world: Path, tmp_path: Path, cli_env: Path) -> None:
    out, apps, notes = tmp_path / "alerts.jsonl", tmp_path / "applicants.jsonl", tmp_path / "notices.jsonl"
    res = runner.invoke(app, ["watch", "filings", "--input", str(world / "filings.jsonl"), "--output", str(out),
                              "--applicants", str(apps), "--notices", str(notes),
                              "--registry", str(world / "registry")])
    assert res.exit_code == 0, res.output
    alerts = _jsonl(out)
    assert alerts
    assert [a["score"] for a in alerts] == sorted((a["score"] for a in alerts), reverse=True)  # type: ignore[arg-type]
    first = alerts[0]
    assert {"filing_id", "score", "reasons", "candidates"} <= set(first)
    assert {"mark_id", "mark", "score"} <= set(first["candidates"][0])  # type: ignore[index]
    assert apps.exists()
    assert all(n["notice"] is True for n in _jsonl(notes)) and not any(a["notice"] for a in alerts)


def test_provenance_check_prints_verdicts_and_writes_checks(world: Path, tmp_path: Path, cli_env: Path) -> None:
    out = tmp_path / "prov.jsonl"
    res = runner.invoke(app, ["provenance", "check", "--input", str(world / "provenance.jsonl"), "--registry",
                              str(world / "registry"), "--on", "2025-06-01", "--output", str(out), "-f", "json"])
    assert res.exit_code == 0, res.output
    printed = json.loads(res.stdout)
    assert {r["verdict"] for r in printed} == {"genuine_authorised", "parallel_import", "covert_counterfeit",
                                                "counterfeit", "insufficient_evidence"}
    assert all(r["checks"] and r["reasons"] for r in _jsonl(out))


def test_bad_input_is_rejected_naming_file_line_and_field(tmp_path: Path, cli_env: Path) -> None:
    filings = tmp_path / "filings.csv"
    filings.write_text("id,mark_text,applicant,country,nice_classes,filed_on,status\n"
                       "F1,BETTA,Someone,CN,10,2024-01-01,filed\n"
                       "F2,BETTA,Someone,CN,99,2024-13-01,filed\n", encoding="utf-8")
    res = runner.invoke(app, ["watch", "filings", "--input", str(filings), "--output", str(tmp_path / "a.jsonl"),
                              "--registry", str(SAMPLE)])
    assert res.exit_code == 2
    assert f"{filings}:3: nice_classes" in res.output and f"{filings}:3: filed_on" in res.output
    assert not (tmp_path / "a.jsonl").exists()
    res = runner.invoke(app, ["marks", "compare", "--input", str(tmp_path / "missing.jsonl"), "--output",
                              str(tmp_path / "o.jsonl")])
    assert res.exit_code == 2 and "no such file" in res.output
