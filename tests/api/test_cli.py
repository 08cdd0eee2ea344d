"""``bordermark users`` and ``bordermark serve`` on a private data directory."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
from typer.testing import CliRunner

from bordermark.api.testing import free_port
from bordermark.cli.main import app

runner = CliRunner()


def test_users_commands_create_accounts_and_tokens(cli_env) -> None:
    r = runner.invoke(app, ["registry", "import", *_sample()])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "add", "chanel-counsel", "--role", "right_holder", "--holder", "Chanel SARL",
                            "--password-stdin"], input="a long enough password\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "add", "nobody", "--role", "right_holder", "--password-stdin"],
                      input="a long enough password\n")
    assert r.exit_code == 2 and "holder" in r.output
    r = runner.invoke(app, ["users", "add", "x", "--role", "admin", "--password-stdin"], input="short\n")
    assert r.exit_code == 2
    r = runner.invoke(app, ["users", "add", "boss", "--role", "admin"])
    assert r.exit_code == 0 and "password:" in r.output
    r = runner.invoke(app, ["users", "list", "--format", "json"])
    assert '"chanel-counsel"' in r.output and '"right_holder"' in r.output
    r = runner.invoke(app, ["users", "token", "boss", "--name", "ci"])
    assert r.exit_code == 0 and r.output.strip().startswith("bmk_")
    r = runner.invoke(app, ["users", "demo"])
    assert r.exit_code == 0 and "holder1" in r.output and "officer" in r.output


def test_serve_answers_over_http(cli_env) -> None:
    port = free_port()
    env = {**os.environ, "BORDERMARK_DATA_DIR": str(cli_env)}
    proc = subprocess.Popen([sys.executable, "-m", "bordermark.cli.main", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None, "server did not start"
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["info"]["title"] == "Bordermark"
        assert httpx.get(f"http://127.0.0.1:{port}/login").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _sample() -> list[str]:
    from bordermark.cli.demo import sample_registry_files

    return [str(p) for p in sample_registry_files()]
