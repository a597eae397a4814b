"""Running `canbo serve` and `canbo sequencer` as child processes on loopback.

Shared by the fault tests and the PostgreSQL benchmark: both need the real processes (so a
kill -9 is a real kill), on free ports, with their logs in files for the post-mortem.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# Reads are rate-limited per client address by default; a test or benchmark reads from one
# address far faster than any member of the public would.
CHILD_ENV = {"CANBO_API_ANONYMOUS_RATE_PER_SECOND": "0"}


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Child:
    """One child process and the file its output goes to."""

    name: str
    process: subprocess.Popen[bytes]
    log_file: Path
    url: str = ""
    env: dict[str, str] = field(default_factory=dict)

    def alive(self) -> bool:
        """True while the process runs."""
        return self.process.poll() is None

    def kill9(self) -> None:
        """SIGKILL: no clean-up of any kind runs in the child."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not stop within 10 s."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill9()

    def log_tail(self, lines: int = 30) -> str:
        """The end of the child's output, for assertion messages."""
        text = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _spawn(name: str, args: list[str], log_file: Path, env: dict[str, str]) -> Child:
    root = Path(__file__).resolve().parents[1]
    full_env = {**os.environ, **CHILD_ENV, **env}
    full_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(root), full_env.get("PYTHONPATH", "")) if p
    )
    # The child keeps its own copy of the descriptor, so ours is closed at once.
    with log_file.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=full_env,
        )
    return Child(name, process, log_file, env=env)


def start_api(
    data_dir: Path,
    log_file: Path,
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
    workers: int = 1,
) -> Child:
    """`canbo serve` on a free port (or the given one); returns once /readyz answers 200."""
    port = port or free_port()
    args = ["serve", "--data-dir", str(data_dir), "--port", str(port), "--workers", str(workers)]
    child = _spawn("api", args, log_file, env or {})
    child.url = f"http://127.0.0.1:{port}"
    wait_ready(child)
    return child


def start_sequencer(
    data_dir: Path, log_file: Path, *, poll: float = 0.02, env: dict[str, str] | None = None
) -> Child:
    """`canbo sequencer`; returns once it says it leads."""
    args = ["sequencer", "--data-dir", str(data_dir), "--poll-interval", str(poll)]
    child = _spawn("sequencer", args, log_file, env or {})
    wait_for_log(child, "sequencer leading")
    return child


def wait_ready(child: Child, timeout: float = 60.0) -> None:
    """Wait until the API's /readyz answers 200 (database reachable, checkpoint present)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited:\n{child.log_tail()}")
        try:
            if httpx.get(f"{child.url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{child.name} not ready within {timeout} s:\n{child.log_tail()}")


def wait_for_log(child: Child, text: str, timeout: float = 60.0, after: int = 0) -> None:
    """Wait until text appears in the child's output past byte offset `after`."""
    deadline = time.monotonic() + timeout
    needle = text.encode()
    while time.monotonic() < deadline:
        if child.log_file.exists() and needle in child.log_file.read_bytes()[after:]:
            return
        if not child.alive():
            raise RuntimeError(f"{child.name} exited:\n{child.log_tail()}")
        time.sleep(0.05)
    raise RuntimeError(f"{child.name} did not log {text!r} in {timeout} s:\n{child.log_tail()}")
