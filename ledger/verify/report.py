"""What `canbo verify` found: the result object, its failure, and how both are printed."""

from __future__ import annotations

import base64
import sys
import time
from dataclasses import dataclass, field
from typing import TextIO


@dataclass(frozen=True)
class Failure:
    """The first thing that does not hold: where (a leaf, a tile, a checkpoint) and why."""

    where: str  # "leaf 17", "tile 1/000", "checkpoint", "earlier checkpoint"
    message: str  # what was expected and what was found
    index: int | None = None  # the first leaf concerned, when there is one

    def line(self) -> str:
        """The FAIL line the CLI prints."""
        return f"FAIL at {self.where}: {self.message}"


def b64(raw: bytes) -> str:
    """Base64 text of a hash, as checkpoints show it."""
    return base64.b64encode(raw).decode("ascii")


def leaf_failure(index: int, message: str) -> Failure:
    """A failure at one leaf."""
    return Failure(f"leaf {index}", message, index)


@dataclass
class VerifyResult:
    """The outcome of verifying a log: ok only if every check held."""

    size: int = 0  # the checkpoint's tree size
    leaves_checked: int = 0
    root: bytes | None = None  # the recomputed root (when the whole tree was recomputed)
    failure: Failure | None = None
    notes: list[str] = field(default_factory=list)  # true facts that are not failures
    warnings: list[str] = field(default_factory=list)  # limits on what "ok" means
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True if the log verified completely."""
        return self.failure is None and self.leaves_checked == self.size

    def summary(self) -> str:
        """One line for a verified log."""
        rate = self.leaves_checked / self.seconds if self.seconds > 0 else 0.0
        return (
            f"OK: {self.leaves_checked} leaves verified, tree size {self.size}, "
            f"{self.seconds:.1f} s ({rate:,.0f} leaves/s)"
        )


class ProgressPrinter:
    """Prints leaves done and the rate to a stream, at most every `interval` seconds."""

    def __init__(self, stream: TextIO | None = None, interval: float = 2.0) -> None:
        """Print to stream (sys.stderr when printing, by default)."""
        self._stream = stream
        self._interval = interval
        self._start = time.monotonic()
        self._last = self._start

    def __call__(self, done: int, total: int) -> None:
        """Report that `done` of `total` leaves are checked."""
        now = time.monotonic()
        if now - self._last < self._interval and done < total:
            return
        self._last = now
        elapsed = now - self._start
        rate = done / elapsed if elapsed > 0 else 0.0
        percent = 100 * done / total if total else 100.0
        print(
            f"verify: {done:,}/{total:,} leaves ({percent:.0f}%), {rate:,.0f} leaves/s",
            file=self._stream or sys.stderr,
            flush=True,
        )
