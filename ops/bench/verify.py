"""Verifier throughput and memory (in a child process), and bare Ed25519 verification speed.

Run as `python -m ops.bench.verify DATA_DIR`, this module is the child: it calls
`ledger.verify.verify_log` on the data dir and prints one JSON line with the seconds taken.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from keys.ed25519 import ED25519, Ed25519SigningKey
from ledger.settings import SQLITE_FILE

SAMPLE_SECONDS = 0.02
_TICKS = os.sysconf("SC_CLK_TCK")


def ed25519_verify_rate(seconds: float = 1.0, signatures: int = 1000) -> float:
    """Single-core ED25519.verify calls per second over pre-made signatures of 900-byte messages."""
    keys = [Ed25519SigningKey.generate() for _ in range(8)]
    cases = []
    for i in range(signatures):
        key = keys[i % len(keys)]
        message = os.urandom(900)  # about the size of a signed notice statement
        cases.append((key.public_key, key.sign(message), message))
    verify = ED25519.verify
    done = 0
    start = time.perf_counter()
    while True:
        for public_key, signature, message in cases:
            if not verify(public_key, signature, message):
                raise RuntimeError("a freshly made signature did not verify")
        done += len(cases)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def tree_size(data_dir: Path) -> int:
    """The size of the log's latest checkpoint, read straight from its SQLite file."""
    with sqlite3.connect(f"file:{data_dir / SQLITE_FILE}?mode=ro", uri=True) as db:
        row = db.execute("SELECT size FROM log_state WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def verifier_available() -> bool:
    """True if ledger.verify exposes verify_log (it is being written alongside this)."""
    try:
        from ledger import verify
    except ImportError:
        return False
    return hasattr(verify, "verify_log")


@dataclass(frozen=True)
class VerifyRun:
    """One verifier run: leaves, seconds inside verify_log, and memory of its process tree."""

    leaves: int
    seconds: float
    # Bytes. Each process's own peak RSS (VmHWM, kept by the kernel, so no spike is missed between
    # samples), summed over every process of the tree: an upper bound of the tree's peak RSS.
    peak_rss: int
    peak_pss: int  # largest sampled sum of PSS (shared pages divided among their sharers)
    max_process_rss: int  # the largest single process's VmHWM
    processes: int  # most processes seen at once in the tree
    main_cpu: float  # CPU seconds of the child itself (startup and imports included)
    other_cpu: float  # CPU seconds of its descendants (the pool workers, mostly)

    @property
    def rate(self) -> float:
        """Leaves per second."""
        return self.leaves / self.seconds


@dataclass
class _Memory:
    """What sampling the child's process tree found so far."""

    hwm: dict[int, int] = field(default_factory=dict)  # pid -> its VmHWM in bytes
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> CPU seconds at the last sample
    peak_pss: int = 0
    processes: int = 0

    def sample(self, pids: list[int]) -> None:
        """Read VmHWM and PSS of each live process of the tree."""
        for pid in pids:
            self.hwm[pid] = max(self.hwm.get(pid, 0), _status_bytes(pid, "VmHWM:"))
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), _cpu_seconds(pid))
        self.peak_pss = max(self.peak_pss, sum(_pss(pid) for pid in pids))
        self.processes = max(self.processes, len(pids))


class VerifierHung(RuntimeError):
    """The verifier child did not finish in time (its process tree was killed)."""


def run_verifier(data_dir: Path, timeout: float | None = None) -> VerifyRun:
    """Verify the log in a child process, sampling its process tree's memory from /proc."""
    leaves = tree_size(data_dir)
    # Generous: a tenth of the bare single-core Ed25519 rate. multiprocessing.Pool waits forever
    # for a task whose worker died, and a benchmark must end rather than hang CI.
    deadline = time.monotonic() + (timeout or 60 + leaves / 700)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    memory = _Memory()
    # Output to files, not pipes: a child blocked on a full pipe nobody reads would hang.
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        child = subprocess.Popen(
            [sys.executable, "-m", "ops.bench.verify", str(data_dir)],
            stdout=out_file,
            stderr=err_file,
            env=env,
        )
        while child.poll() is None:
            pids = _process_tree(child.pid)
            if time.monotonic() > deadline:
                _kill(pids)
                child.wait()
                raise VerifierHung(
                    f"canbo verify of {leaves} leaves did not finish in time; killed {pids}"
                )
            memory.sample(pids)
            time.sleep(SAMPLE_SECONDS)
        out, err = _read(out_file), _read(err_file)
    if child.returncode != 0:
        last = err.strip().splitlines()[-1:] or ["(no message)"]
        raise RuntimeError(f"the verifier child exited with {child.returncode}: {last[0]}")
    report = json.loads(out.strip().splitlines()[-1])
    if not report["ok"] or report["leaves"] != leaves:
        # A rate of a verification that failed or stopped early would mean nothing.
        raise RuntimeError(
            f"canbo verify did not pass on {data_dir}: {report['leaves']} of {leaves} leaves, "
            f"{report['failure']}"
        )
    # getrusage is no use here: a child's ru_maxrss includes the RSS of the forked copy of this
    # (large) benchmark process before its exec.
    return VerifyRun(
        leaves=leaves,
        seconds=report["seconds"],
        peak_rss=sum(memory.hwm.values()),
        peak_pss=memory.peak_pss,
        max_process_rss=max(memory.hwm.values(), default=0),
        processes=memory.processes,
        main_cpu=memory.cpu.get(child.pid, 0.0),
        other_cpu=sum(t for pid, t in memory.cpu.items() if pid != child.pid),
    )


def _read(file: IO[bytes]) -> str:
    file.seek(0)
    return file.read().decode(errors="replace")


def _process_tree(root: int) -> list[int]:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue  # exited between samples
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
            except OSError:
                continue
    return pids


def _kill(pids: list[int]) -> None:
    # Leaves first: the pool workers, the forkserver, then the child itself (all started here).
    for pid in reversed(pids):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _status_bytes(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field_name):
                    return 1024 * int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    # Fields 14 and 15 of /proc/PID/stat (user and system time, in clock ticks); the command
    # name before them is in parentheses and may hold spaces.
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def _pss(pid: int) -> int:
    # PSS divides each shared page among the processes mapping it, so the sum over the tree
    # is what it really occupies (summed RSS counts the forkserver's shared pages repeatedly).
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return 1024 * int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _child(data_dir: Path) -> None:
    from ledger.verify import verify_log

    start = time.perf_counter()
    result = verify_log(data_dir=data_dir)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "ok": result.ok,
                "leaves": result.leaves_checked,
                "failure": None if result.failure is None else str(result.failure),
            }
        )
    )


if __name__ == "__main__":
    _child(Path(sys.argv[1]))
