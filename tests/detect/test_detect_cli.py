"""``bordermark detect`` as a user runs it: the real command against a private SQLite store.

One test runs a real subprocess (files in and out, a malformed line, exit status 3); the others use typer's
in-process runner, which exercises the same code without paying for a fresh interpreter each time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bordermark.cli.main import app

SAMPLE = sorted((Path(__file__).parents[2] / "src" / "bordermark" / "registry" / "data").glob("*.csv"))
runner = CliRunner()


def seed_registry() -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    res = runner.invoke(app, ["registry", "import", *map(str, SAMPLE)])
    assert res.exit_code == 0, res.output


def test_files_in_and_out_with_a_malformed_line(cli_env: Path, tmp_path: Path) -> None:
    seed_registry()
    src = tmp_path / "in.jsonl"
    dst = tmp_path / "out.jsonl"
    src.write_text(
        "\n".join([
            json.dumps({"id": "a", "text": "Ch@nel bag 1:1 AAA"}, ensure_ascii=False),
            "{not json",
            json.dumps({"id": 7, "title": "古池 包包", "description": "加微 abc12345"}, ensure_ascii=False),
            json.dumps({"text": "no id here"}),
            json.dumps({"id": "d", "text": "plain cotton socks"}),
            "",
        ]),
        encoding="utf-8",
    )
    env = {**os.environ, "BORDERMARK_DATA_DIR": str(cli_env)}
    env.pop("BORDERMARK_DATABASE_URL", None)
    res = subprocess.run([sys.executable, "-m", "bordermark.cli.main", "detect", "--input", str(src), "--output",
                          str(dst)], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 3, res.stderr
    assert f"{src}:2: line: malformed JSON: " in res.stderr  # the wording of every JSON Lines reader
    assert f"{src}:4: id: missing 'id'" in res.stderr
    assert "2 line(s) skipped" in res.stderr
    rows = [json.loads(x) for x in dst.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", 7, "d"]
    hit = rows[0]["hits"][0]
    assert (hit["mark"], hit["matched"], hit["method"], hit["start"], hit["end"]) == ("CHANEL", "Ch@nel", "leet", 0, 6)
    assert {"mark_id", "holder", "score"} <= set(hit)
    assert {s["code"] for s in rows[0]["signals"]} == {"TT_1TO1", "TT_GRADE"}
    joined = "古池 包包\n加微 abc12345"  # title and description joined by a newline; offsets index that text
    assert rows[1]["hits"][0]["mark"] == "GUCCI"
    for s in rows[1]["signals"]:
        assert joined[s["start"]:s["end"]] == s["matched"]
    assert rows[2] == {"id": "d", "hits": [], "signals": []}


def test_stdin_to_stdout(cli_env: Path) -> None:
    seed_registry()
    res = runner.invoke(app, ["detect"], input='{"id": 1, "text": "ＧＵＣＣＩ belt"}\n{"id": 2}\n')
    assert res.exit_code == 3
    row = json.loads(res.stdout.splitlines()[0])
    assert row["hits"][0]["matched"] == "ＧＵＣＣＩ" and row["hits"][0]["method"] == "unicode"
    assert "<stdin>:2: text: needs 'text'" in res.stderr


def test_missing_input_file_is_bad_input(cli_env: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["detect", "--input", str(tmp_path / "nope.jsonl")])
    assert res.exit_code == 2
    assert "nope.jsonl: cannot read" in res.stderr
