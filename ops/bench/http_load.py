"""The load generator: `concurrency` threads, each with one keep-alive connection, sending
bodies prepared before the clock starts; run as its own process, it prints one JSON line."""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit


def run_load(url: str, path: str, bodies: list[bytes], concurrency: int) -> dict[str, object]:
    """POST every body to url+path, `concurrency` at a time; rate and per-request latencies."""
    target = urlsplit(url)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    shares = [bodies[i::concurrency] for i in range(concurrency)]
    start = threading.Barrier(concurrency + 1)

    def worker(share: list[bytes]) -> None:
        connection = http.client.HTTPConnection(
            target.hostname or "127.0.0.1", target.port, timeout=60
        )
        mine: list[float] = []
        start.wait()
        try:
            for body in share:
                began = time.perf_counter()
                connection.request("POST", path, body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                answer = response.read()
                mine.append(time.perf_counter() - began)
                if response.status != 201:
                    with lock:
                        failures.append(f"{response.status} {answer[:200]!r}")
        except OSError as exc:  # the server went away: the run fails, and says why
            with lock:
                failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(s,)) for s in shares]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    return {
        "count": len(latencies),
        "seconds": seconds,
        "latencies": latencies,
        "failures": failures[:5],
        "failed": len(failures),
    }


def main(argv: list[str]) -> int:
    """`python -m ops.bench.http_load URL PATH BODIES_FILE CONCURRENCY` (one body a line)."""
    url, path, bodies_file, concurrency = argv[0], argv[1], Path(argv[2]), int(argv[3])
    bodies = bodies_file.read_bytes().splitlines()
    print(json.dumps(run_load(url, path, bodies, concurrency)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
