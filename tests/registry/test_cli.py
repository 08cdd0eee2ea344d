"""The registry CLI as a user runs it: real subprocesses against a private SQLite store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SAMPLE = sorted((Path(__file__).parents[2] / "src" / "bordermark" / "registry" / "data").glob("*.csv"))


def run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BORDERMARK_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    env.pop("BORDERMARK_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "bordermark.cli.main", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_import_list_show_export(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(["init"], data).returncode == 0
    res = run(["registry", "import", *map(str, SAMPLE)], data)
    assert res.returncode == 0, res.stderr
    assert "imported 27 mark(s)" in res.stdout

    listed = json.loads(run(["registry", "list", "--format", "json"], data).stdout)
    assert len(listed) == 27
    assert {"CHANEL", "MUJI", "JORDAN"} <= {row["mark"] for row in listed}

    shown = json.loads(run(["registry", "show", "香奈儿", "--format", "json"], data).stdout)
    assert shown[0]["mark"] == "CHANEL"
    assert any(p["product"] == "Classic Flap Bag" and p["currency"] == "USD" for p in shown[0]["products"])

    table = run(["registry", "list"], data)
    assert table.returncode == 0 and "CHANEL" in table.stdout

    csv_out = run(["registry", "list", "--format", "csv"], data).stdout.splitlines()
    assert csv_out[0].startswith("id,holder,mark,aliases") and len(csv_out) == 28

    out = tmp_path / "export.json"
    assert run(["registry", "export", "--format", "json", "--out", str(out)], data).returncode == 0
    again = run(["registry", "import", str(out)], data)
    assert again.returncode == 0
    assert run(["registry", "export", "--format", "json"], data).stdout == out.read_text(encoding="utf-8")


def test_bad_input_exits_2_with_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    bad = tmp_path / "bad.csv"
    bad.write_text("holder,mark,nice_classes,colour\nA,X,99,red\nB,Y,3,\n", encoding="utf-8")
    res = run(["registry", "import", str(bad)], data)
    assert res.returncode == 2
    assert f"{bad}:2: colour: unknown column" in res.stderr
    assert f"{bad}:2: nice_classes: Nice class 99 is out of range" in res.stderr.replace("\n", " ")
    assert "nothing was imported" in res.stderr
    assert json.loads(run(["registry", "list", "--format", "json"], data).stdout) == []


def test_help_everywhere(tmp_path: Path) -> None:
    for args in (["--help"], ["registry", "--help"], ["registry", "import", "--help"], ["version"]):
        res = run(args, tmp_path)
        assert res.returncode == 0, (args, res.stderr)
