"""API load: mixed reads and writes at a fixed arrival rate against ``bordermark serve`` on PostgreSQL.

Open-loop load (requests are sent on a fixed schedule whatever the server's speed, and latency is measured from
the scheduled time, so a slow server cannot hide its queueing: no coordinated omission). The server runs in its
own processes (uvicorn, ``--workers``), the load comes from this second process over loopback with bearer tokens.

Mix (per 100 requests): 70 reads - list marks (20), one mark (15), list products of a mark (10), listing alerts
(10), parcel queue (10), me (5); 30 writes - patch a mark (10, audited), add an alias (5, audited), patch a
product's price bands (5, audited), screen one parcel through the IPR rules (10, recorded and audited).

PostgreSQL: BORDERMARK_DATABASE_URL when it names a PostgreSQL database, otherwise a throw-away server is started
with initdb/pg_ctl (Debian's postgresql package).

Run: .venv/bin/python benchmarks/api_load.py [--rate 100 200] [--seconds 20] [--workers 2] [--cpu-only]
Writes benchmarks/results/api_load.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "api_load.md"


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


class TempPostgres:
    """A private PostgreSQL cluster in a temporary directory (as the unprivileged postgres user under root)."""

    def __init__(self) -> None:
        from bordermark.api.testing import free_port

        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            sys.exit("PostgreSQL is not installed (apt-get install postgresql) and BORDERMARK_DATABASE_URL is unset")
        self.pg_ctl, self.dir, self.port = pg_ctl, Path(tempfile.mkdtemp(prefix="bm-bench-pg-")), free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self._run([initdb, "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"])
        self._run([pg_ctl, "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-o",
                   f"-p {self.port} -k {self.dir} -h 127.0.0.1 -c max_connections=200", "start"])
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, cmd: list[str]) -> None:
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def pid(self) -> int | None:
        """The postmaster's pid (its children are the backends serving the app)."""
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        try:
            self._run([self.pg_ctl, "-D", str(self.data), "-m", "fast", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def seed(url: str, extra_marks: int) -> dict[str, object]:
    """The two test holders with users, plus ``extra_marks`` marks with a product each for holder A."""
    from bordermark.api.testing import seed_two_holders
    from bordermark.domain import Mark, PriceBand, Product
    from bordermark.registry import repository as repo
    from bordermark.store import open_store

    store = open_store(url)
    seeded = seed_two_holders(store)
    with store.session() as s:
        marks = [Mark(holder="Alpha Maison SA", text=f"ALPHA{i:04d}", nice_classes=(18,)) for i in range(extra_marks)]
        repo.upsert_marks(s, marks)
        repo.upsert_products(s, [Product(holder="Alpha Maison SA", mark=m.text, name=f"Bag {m.text}",
                                         price_bands=(PriceBand(market="CN", currency="CNY", low=900, high=1500),))
                                 for m in marks])
    store.dispose()
    from bordermark.domain import stable_id

    mark_ids = [seeded.marks["A"], *(m.id for m in marks)]
    products = [seeded.products["A"], *(stable_id("p", "Alpha Maison SA", m.text, f"Bag {m.text}") for m in marks)]
    return {"marks": mark_ids, "products": products}


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BORDERMARK_DATABASE_URL": url, "BORDERMARK_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "bordermark.api.app:app_from_settings", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--log-level", "warning", "--no-access-log", "--loop", "uvloop", "--http", "httptools"],
                            env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.3)
    proc.kill()
    sys.exit("the server did not start")


def plan(rng: random.Random, data: dict[str, list[str]], n: int) -> list[tuple[str, str, str, object]]:
    """(name, method, path, json body) for each request, drawn from the mix."""
    mix = [("list_marks", 20), ("get_mark", 15), ("list_products", 10), ("alerts", 10), ("parcel_queue", 10),
           ("me", 5), ("patch_mark", 10), ("add_alias", 5), ("patch_bands", 5), ("screen_parcel", 10)]
    names = [m for m, w in mix for _ in range(w)]
    out = []
    for i in range(n):
        name = rng.choice(names)
        mark = rng.choice(data["marks"])
        product = rng.choice(data["products"])
        if name == "list_marks":
            req = ("GET", f"/api/v1/marks?limit=20&offset={rng.randrange(0, 150)}", None)
        elif name == "get_mark":
            req = ("GET", f"/api/v1/marks/{mark}", None)
        elif name == "list_products":
            req = ("GET", f"/api/v1/products?mark_id={mark}", None)
        elif name == "alerts":
            req = ("GET", "/api/v1/alerts?limit=20", None)
        elif name == "parcel_queue":
            req = ("GET", "/api/v1/queues/parcels?limit=20", None)
        elif name == "me":
            req = ("GET", "/api/v1/me", None)
        elif name == "patch_mark":
            req = ("PATCH", f"/api/v1/marks/{mark}", {"famous": bool(i % 2), "registration_number": f"R{i}"})
        elif name == "add_alias":
            req = ("POST", f"/api/v1/marks/{mark}/aliases", {"text": f"alias-{i}", "kind": "variant"})
        elif name == "patch_bands":
            low = 800 + i % 200
            req = ("PATCH", f"/api/v1/products/{product}",
                   {"price_bands": [{"market": "CN", "currency": "CNY", "low": low, "high": low + 600}]})
        else:
            req = ("POST", "/api/v1/screen/parcels", {"explore": 0.1, "parcels": [{
                "id": f"BP-{i}", "declared_at": "2026-11-01T10:00:00Z", "mode": "9610",
                "description": rng.choice(["ALPHAMODE bag", "BRAVOTIME watch", "cotton socks", "phone case"]),
                "declared_value": rng.choice([3, 12, 40, 150]), "currency": "USD", "origin": "CN"}]})
        out.append((name, *req))
    return out


async def _http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes, body: bytes
                ) -> int:
    """One HTTP/1.1 request on a kept-alive connection; returns the status (the body is read and dropped)."""
    writer.write(head + body)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length, chunked = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def run_load(base: str, token: str, requests: list[tuple[str, str, str, object]], rate: float,
                   connections: int = 64) -> list[tuple[str, float, int]]:
    """Send ``requests`` at ``rate`` per second over ``connections`` kept-alive connections.

    Why not httpx: its async pool rescans every queued request for every request, so once a few hundred are
    waiting the load generator itself eats the CPU and stalls (earlier numbers in this file measured that).
    This client costs a few tens of microseconds per request. Latency still counts from the scheduled send
    time, so waiting for a free connection is counted as queueing (open loop, no coordinated omission).
    """
    import json

    host, port = base.removeprefix("http://").split(":")
    results: list[tuple[str, float, int]] = []
    queue: asyncio.Queue[tuple[str, bytes, bytes, float] | None] = asyncio.Queue()

    def encode(method: str, path: str, body: object) -> tuple[bytes, bytes]:
        payload = b"" if body is None else json.dumps(body).encode()
        head = (f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode()
        return head, payload

    encoded = [(name, *encode(method, path, body)) for name, method, path, body in requests]

    async def worker() -> None:
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while True:
            item = await queue.get()
            if item is None:
                break
            name, head, payload, scheduled = item
            try:
                if conn is None:
                    conn = await asyncio.open_connection(host, int(port))
                status = await asyncio.wait_for(_http(*conn, head, payload), timeout=30)
            except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
                status = 0
                if conn is not None:
                    conn[1].close()
                conn = None
            results.append((name, time.perf_counter() - scheduled, status))
        if conn is not None:
            conn[1].close()

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    start = time.perf_counter() + 0.2
    for k, (name, head, payload) in enumerate(encoded):
        scheduled = start + k / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((name, head, payload, scheduled))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return results


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (Linux /proc), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds of a process and all its descendants (the uvicorn workers, the PostgreSQL backends)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += _proc_cpu(pid)
        todo.extend(children.get(pid, ()))
    return total


def cpu_per_request(base: str, token: str, requests: list[tuple[str, str, str, object]], server_pid: int,
                    pg_pid: int | None) -> dict[str, tuple[int, float, float | None, float]]:
    """Server (and PostgreSQL) CPU ms per request by type: requests of one type sent one at a time (closed
    loop), CPU of the server's process tree read from /proc before and after. Other load on the machine does
    not inflate CPU time the way it inflates latency, so this is the comparable number on a shared machine."""
    by_type: dict[str, list[tuple[str, str, str, object]]] = defaultdict(list)
    for req in requests:
        by_type[req[0]].append(req)
    out: dict[str, tuple[int, float, float | None, float]] = {}
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for name in sorted(by_type):
            reqs = by_type[name]
            s0, p0, t0 = tree_cpu(server_pid), tree_cpu(pg_pid) if pg_pid else 0.0, time.perf_counter()
            for _name, method, path, body in reqs:
                r = client.request(method, path, json=body)
                if not 200 <= r.status_code < 300:
                    sys.exit(f"{name}: {method} {path} answered {r.status_code}: {r.text[:300]}")
            wall = time.perf_counter() - t0
            server_ms = (tree_cpu(server_pid) - s0) * 1000 / len(reqs)
            pg_ms = (tree_cpu(pg_pid) - p0) * 1000 / len(reqs) if pg_pid else None
            out[name] = (len(reqs), server_ms, pg_ms, wall * 1000 / len(reqs))
    return out


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def _section(rate: float, seconds: float, results: list[tuple[str, float, int]], wall: float,
             client_cpu: float) -> list[str]:
    lat = [r[1] * 1000 for r in results]
    errors = [r for r in results if not (200 <= r[2] < 300)]
    by_name: dict[str, list[float]] = defaultdict(list)
    for name, secs, _status in results:
        by_name[name].append(secs * 1000)
    p99 = pct(lat, 99)
    achieved = len(results) / wall
    if p99 <= 100 and not errors:
        verdict = ("meets" if achieved >= 200 * 0.98
                   else "latency and errors within bounds, but below the 200 req/s rate")
    else:
        verdict = "misses"
    lines = [
        "",
        f"## {rate:g} req/s for {seconds:g} s",
        "",
        f"{len(results)} requests, {len(results) / wall:.0f} req/s achieved over {wall:.1f} s. "
        f"**p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms, p99 {p99:.1f} ms, max {max(lat):.1f} ms; "
        f"errors {len(errors)}** - target (200 req/s, p99 <= 100 ms, no errors): {verdict}. "
        f"The load generator itself used {client_cpu * 1000 / max(1, len(results)):.2f} ms CPU per request "
        f"({client_cpu / wall * 100:.0f} % of a core).",
        "",
        "| request | n | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in sorted(by_name):
        v = by_name[name]
        lines.append(f"| {name} | {len(v)} | {pct(v, 50):.1f} | {pct(v, 95):.1f} | {pct(v, 99):.1f} |")
    if errors:
        codes: dict[int, int] = defaultdict(int)
        for e in errors:
            codes[e[2]] += 1
        lines += ["", "Errors by status (0 = client timeout or connection error): "
                  + ", ".join(f"{k}: {v}" for k, v in sorted(codes.items()))]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=float, nargs="+", default=[100.0, 200.0],
                    help="arrival rate(s), req/s; one run each")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--marks", type=int, default=300, help="extra marks seeded (each with a product)")
    ap.add_argument("--cpu-requests", type=int, default=1000,
                    help="requests sent one at a time to measure CPU ms per request by type (0: skip)")
    ap.add_argument("--cpu-only", action="store_true", help="only the CPU-per-request phase, no load runs")
    ap.add_argument("--no-write", action="store_true", help="do not write the results file")
    args = ap.parse_args()

    from bordermark.api.testing import PASSWORD, free_port

    try:  # the load generator's own CPU matters on a 2-core machine
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    env_url = os.environ.get("BORDERMARK_DATABASE_URL", "")
    pg = None if env_url.startswith("postgresql") else TempPostgres()
    url = env_url if pg is None else pg.url
    server = None
    try:
        data = seed(url, args.marks)
        port = free_port()
        server = start_server(url, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        login = {"username": "admin", "password": PASSWORD}
        token = httpx.post(f"{base}/api/v1/auth/token", json=login).json()["token"]
        rng = random.Random(7)
        warm = plan(rng, data, 200)  # type: ignore[arg-type]
        asyncio.run(run_load(base, token, warm, 50.0))
        cpu = {}
        if args.cpu_requests:
            pg_pid = pg.pid() if pg is not None else None
            cpu = cpu_per_request(base, token, plan(rng, data, args.cpu_requests), server.pid,  # type: ignore[arg-type]
                                  pg_pid)
        runs = []
        for rate in [] if args.cpu_only else args.rate:
            requests = plan(rng, data, int(rate * args.seconds))  # type: ignore[arg-type]
            t0, c0 = time.perf_counter(), time.process_time()
            results = asyncio.run(run_load(base, token, requests, rate))
            runs.append((rate, results, time.perf_counter() - t0, time.process_time() - c0))
            time.sleep(5)  # let the server drain before the next rate
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if pg is not None:
            pg.stop()

    lines = [
        "# API load (benchmarks/api_load.py)",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPU(s), Python {platform.python_version()}; "
        f"uvicorn with {args.workers} worker(s) on PostgreSQL (loopback), load from a second process. "
        f"Load average when the run ended: {os.getloadavg()[0]:.1f} (the machine is shared).",
        "Mix: 70 % reads (marks list/one, products of a mark, listing alerts, parcel queue, me), "
        "30 % writes (patch mark, add alias, patch price bands, screen one parcel), all audited.",
        "Open-loop arrivals; latency from the scheduled send time (queueing included).",
    ]
    if cpu:
        lines += [
            "",
            "## CPU per request by type",
            "",
            f"{args.cpu_requests} requests of the mix sent one at a time (closed loop) after a warm-up; CPU of the "
            "server's process tree (uvicorn master and workers) and of the PostgreSQL cluster read from /proc. "
            "CPU time is what other engineers' load disturbs least, so compare these numbers across runs.",
            "",
            "| request | n | server CPU ms | PostgreSQL CPU ms | latency ms (unloaded) |",
            "|---|---:|---:|---:|---:|",
        ]
        tot_n = tot_s = tot_p = 0.0
        for name, (n, server_ms, pg_ms, lat) in sorted(cpu.items()):
            pg_txt = f"{pg_ms:.2f}" if pg_ms is not None else "n/a"
            lines.append(f"| {name} | {n} | {server_ms:.2f} | {pg_txt} | {lat:.1f} |")
            tot_n += n
            tot_s += server_ms * n
            tot_p += (pg_ms or 0.0) * n
        lines.append(f"| **mix (weighted)** | {tot_n:.0f} | {tot_s / tot_n:.2f} | {tot_p / tot_n:.2f} | |")
        cores = os.cpu_count() or 1
        lines += ["", f"At these costs {cores} core(s) serve at most about "
                  f"{cores * 1000 / (tot_s / tot_n + tot_p / tot_n):.0f} req/s of the mix (server + database CPU "
                  "only, before the load generator's own CPU)."]
    for rate, results, wall, client_cpu in runs:
        lines += _section(rate, args.seconds, results, wall, client_cpu)
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
