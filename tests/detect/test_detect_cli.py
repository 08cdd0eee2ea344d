"""``bordermark detect`` as a user runs it: real subprocesses against a private SQLite store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = sorted((Path(__file__).parents[2] / "src" / "bordermark" / "registry" / "data").glob("*.csv"))


def run(args: list[str], data_dir: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BORDERMARK_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    env.pop("BORDERMARK_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "bordermark.cli.main", *args], capture_output=True, text=True,
                          env=env, timeout=120, input=stdin)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("detect") / "data"
    assert run(["init"], data).returncode == 0
    res = run(["registry", "import", *map(str, SAMPLE)], data)
    assert res.returncode == 0, res.stderr
    return data


def test_files_in_and_out_with_a_malformed_line(data_dir: Path, tmp_path: Path) -> None:
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
    res = run(["detect", "--input", str(src), "--output", str(dst)], data_dir)
    assert res.returncode == 3, res.stderr
    assert f"{src}:2: json: not valid JSON" in res.stderr
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


def test_stdin_to_stdout(data_dir: Path) -> None:
    res = run(["detect"], data_dir, stdin='{"id": 1, "text": "ＧＵＣＣＩ belt"}\n')
    assert res.returncode == 0, res.stderr
    row = json.loads(res.stdout)
    assert row["hits"][0]["matched"] == "ＧＵＣＣＩ" and row["hits"][0]["method"] == "unicode"


def test_missing_input_file_is_bad_input(data_dir: Path, tmp_path: Path) -> None:
    res = run(["detect", "--input", str(tmp_path / "nope.jsonl")], data_dir)
    assert res.returncode == 2
    assert "nope.jsonl: cannot read" in res.stderr
