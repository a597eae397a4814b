"""`python -m ops.bench.http`: HTTP ingest of signed statements against a minimal baseline.

Three processes on loopback: the API over a SQLite log, a minimal FastAPI endpoint that signs
and inserts into SQLite, and the load generator (8 concurrent keep-alive connections). Rounds
alternate between the two servers so both see the same machine load; the statements are signed
before the clock starts, as officials sign on their own machines. The last line is one JSON
object: http_ingest_per_s, http_p50_ms, http_p99_ms, http_baseline_per_s, http_ratio, ...
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson

from ops.bench.ingest import median, open_bench_log, presign_notices
from ops.procs import free_port

TARGET_RATIO = 0.6
TARGET_P99_MS = 100.0


def _start(kind: str, path: Path, logs: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    # The server's JSON logs go to a file, as they would to a log collector; the child keeps
    # its own copy of the descriptor, so ours is closed at once.
    with (logs / f"{kind}.log").open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "ops.bench.http_servers", kind, str(path), str(port)],
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            env={**os.environ, "CANBO_API_ANONYMOUS_RATE_PER_SECOND": "0"},
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the {kind} server exited; see {logs / (kind + '.log')}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the {kind} server did not start within 60 s")


def _load(url: str, path: str, bodies_file: Path, concurrency: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "ops.bench.http_load", url, path]
    done = subprocess.run(
        [*command, str(bodies_file), str(concurrency)],
        capture_output=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    if result["failed"]:
        raise RuntimeError(f"{result['failed']} requests to {path} failed: {result['failures']}")
    return result


def _percentile_ms(latencies: list[float], p: float) -> float:
    ordered = sorted(latencies)
    return 1000 * ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def bench_http(
    root: Path, n: int, rounds: int, concurrency: int = 8, say: Callable[[str], None] = print
) -> dict[str, Any]:
    """Run the rounds under root; the summary figures."""
    log = open_bench_log(root / "ledger", origin="canbo.bench/http")
    origin, official = log.ledger.origin, log.official
    log.close()
    servers = []
    try:
        ledger_server, ledger_url = _start("ledger", root / "ledger", root)
        servers.append(ledger_server)
        baseline_server, baseline_url = _start("baseline", root / "baseline.sqlite3", root)
        servers.append(baseline_server)
        bodies = root / "bodies.ndjson"

        def sign(count: int) -> None:
            notices = presign_notices(official, count, origin)
            bodies.write_bytes(b"\n".join(orjson.dumps(s.envelope()) for s in notices))

        say("warm-up: 100 requests to each server")
        sign(100)
        _load(ledger_url, "/v1/statements", bodies, concurrency)
        _load(baseline_url, "/ingest", bodies, concurrency)
        ledger_runs, baseline_runs = [], []
        for i in range(rounds):
            say(f"round {i + 1}/{rounds}: {n} statements to the ledger, then to the baseline")
            sign(n)
            ledger_runs.append(_load(ledger_url, "/v1/statements", bodies, concurrency))
            baseline_runs.append(_load(baseline_url, "/ingest", bodies, concurrency))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    rates = [r["count"] / r["seconds"] for r in ledger_runs]
    base = [r["count"] / r["seconds"] for r in baseline_runs]
    latencies = [x for r in ledger_runs for x in r["latencies"]]
    base_latencies = [x for r in baseline_runs for x in r["latencies"]]
    return {
        "http_ingest_per_s": round(median(rates), 1),
        "http_p50_ms": round(_percentile_ms(latencies, 50), 2),
        "http_p99_ms": round(_percentile_ms(latencies, 99), 2),
        "http_baseline_per_s": round(median(base), 1),
        "http_baseline_p50_ms": round(_percentile_ms(base_latencies, 50), 2),
        "http_baseline_p99_ms": round(_percentile_ms(base_latencies, 99), 2),
        "http_ratio": round(median([a / b for a, b in zip(rates, base, strict=True)]), 3),
        "http_rounds_per_s": [round(r, 1) for r in rates],
        "http_baseline_rounds_per_s": [round(r, 1) for r in base],
        "http_n": n,
        "http_rounds": rounds,
        "http_concurrency": concurrency,
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse options, run, print a short table and the JSON line."""
    parser = argparse.ArgumentParser(prog="python -m ops.bench.http", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="300 statements, 2 rounds")
    parser.add_argument("--n", type=int, help="statements per round (default 3000)")
    parser.add_argument("--rounds", type=int, help="rounds per server (default 3)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json-only", action="store_true")
    args = parser.parse_args(argv)
    n = args.n or (300 if args.quick else 3000)
    rounds = args.rounds or (2 if args.quick else 3)
    root = Path(tempfile.mkdtemp(prefix="canbo-http-bench-"))

    def say(message: str) -> None:
        if not args.json_only:
            print(f"[bench http] {message}", file=sys.stderr, flush=True)

    try:
        summary = bench_http(root, n, rounds, args.concurrency, say)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if not args.json_only:
        ratio_ok = "meets" if summary["http_ratio"] >= TARGET_RATIO else "MISSES"
        p99_ok = "meets" if summary["http_p99_ms"] <= TARGET_P99_MS else "MISSES"
        print(f"HTTP ingest      {summary['http_ingest_per_s']:>9.1f} /s")
        print(f"baseline         {summary['http_baseline_per_s']:>9.1f} /s")
        print(f"ratio            {summary['http_ratio']:>9.3f}   ({ratio_ok} >= {TARGET_RATIO})")
        print(f"p50              {summary['http_p50_ms']:>9.2f} ms")
        print(f"p99              {summary['http_p99_ms']:>9.2f} ms ({p99_ok} <= {TARGET_P99_MS:g})")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
