"""What `canbo verify` reads a log through: the source protocol and its records.

Every source gives the same things (the signed checkpoint, tiles at the checkpoint's size, and
the leaves in order, in chunks), so every check is shared. The sources themselves are in
datadir.py (a log's data directory) and http.py (a server's tlog-tiles API), imported only when
used: SQLAlchemy and httpx weigh 25 and 15 MiB.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from ledger.checkpoint import Checkpoint
from ledger.note import VerifierKey
from ledger.settings import Settings
from ledger.verify.report import Failure
from ledger.verify.workers import Work


class SourceError(Exception):
    """The log cannot be read at all (bad usage, missing directory, unreachable server)."""


@dataclass
class Chunk:
    """A run of consecutive leaves from `start`, as a worker task."""

    start: int
    task: Work
    # Data-directory mode: the notification ids log_leaves lists for these leaves, which the
    # events the worker reads must have.
    expected_ids: list[int] | None = None
    # A problem the source found at the leaf after the task's: checked after them.
    failure: Failure | None = None


@dataclass
class Head:
    """The log's latest signed checkpoint as the source holds it."""

    note: str
    # Data-directory mode: what log_state says beside the note, to cross-check it.
    size: int | None = None
    root: bytes | None = None


class LogSource(Protocol):
    """A log to verify, read in order with flat memory."""

    @property
    def event_store(self) -> Settings | None:
        """Settings of the event store that workers read stored events from, if any."""
        ...

    def log_key(self) -> VerifierKey | None:
        """The log key the source itself knows (keys/log.pub), if any."""
        ...

    def head(self) -> Head:
        """The latest signed checkpoint."""
        ...

    def tile(self, level: int, index: int, width: int) -> bytes:
        """The first `width` hashes of tile (level, index); fewer bytes if they are missing."""
        ...

    def chunks(self, size: int, sizes: Iterator[int]) -> Iterator[Chunk]:
        """The first `size` leaves in order, each chunk at most the next of `sizes` leaves."""
        ...

    def finish(self, cp: Checkpoint) -> tuple[list[str], Failure | None]:
        """Checks that need the whole tree read: notes and a failure, if any."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def ids_failure(chunk: Chunk, ids: Sequence[int]) -> Failure | None:
    """Leaf i must be the i-th stored event: the ids read must be those log_leaves lists."""
    expected = chunk.expected_ids or []
    for offset, listed in enumerate(expected):
        index = chunk.start + offset
        if offset >= len(ids):
            return Failure(
                f"leaf {index}",
                f"log_leaves says leaf {index} is stored event {listed}, "
                "the event store has no further event",
                index,
            )
        if ids[offset] != listed:
            return Failure(
                f"leaf {index}",
                f"log_leaves says leaf {index} is stored event {listed}, the next stored event "
                f"in notification order is {ids[offset]}",
                index,
            )
    return None
