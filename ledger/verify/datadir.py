"""Reading a log from its data directory: the event store through eventsourcing's recorder (in
the workers), the log tables with SQLAlchemy. Beyond the shared checks, this shows that the event
store and the log agree: leaf i is the i-th stored event, in notification order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from sqlalchemy import Engine, create_engine, select
from sqlalchemy.exc import SQLAlchemyError

from keys.keyfile import KeyFileError, read_public_key
from ledger.checkpoint import Checkpoint
from ledger.log_schema import log_leaves, log_state
from ledger.log_store import LogStore
from ledger.note import VerifierKey, VerifierKeyError
from ledger.settings import Settings, SettingsError
from ledger.tiles import HASH_SIZE
from ledger.verify.eventstore import EventReader, EventStoreError
from ledger.verify.report import Failure
from ledger.verify.sources import Chunk, Head, SourceError
from ledger.witness.cosignatures import CosignatureStore


class DataDirSource:
    """A log's data directory: the event store through eventsourcing, the log tables by SQL."""

    def __init__(self, data_dir: Path, witnessed: Sequence[VerifierKey] | None = None) -> None:
        """Open the database of data_dir (nothing is written to it).

        With witnessed keys, the head is the log's published checkpoint: the largest one these
        witnesses cosigned, with their lines (ledger/witness/cosignatures.py).
        """
        self.witnessed = witnessed
        try:
            self.settings = Settings.load(data_dir)
        except SettingsError as exc:
            raise SourceError(str(exc)) from None
        if not self.settings.is_postgres and not self.settings.sqlite_path.is_file():
            # Opening a missing SQLite file would create an empty one.
            raise SourceError(f"{self.settings.sqlite_path} does not exist: no log database")
        self.engine: Engine = create_engine(self.settings.sqlalchemy_url())
        self._tiles = LogStore(self.engine, None)
        self._last_id = 0  # notification id of the last leaf, once all leaves are listed

    @property
    def event_store(self) -> Settings | None:
        """Workers read the stored events themselves."""
        return self.settings

    def log_key(self) -> VerifierKey | None:
        """The log key from keys/log.pub, named by the log's origin."""
        path = self.settings.data_dir / (self.settings.log_key_file.removesuffix(".key") + ".pub")
        try:
            public_key, _label = read_public_key(path)
            return VerifierKey.from_public_key(self.settings.origin, public_key)
        except (KeyFileError, OSError, VerifierKeyError) as exc:
            raise SourceError(f"cannot read the log key: {exc}") from None

    def head(self) -> Head:
        """log_state's checkpoint, size and root (or the published cosigned checkpoint)."""
        if self.witnessed is not None:
            return self._published_head(self.witnessed)
        return self._state_head()

    def _state_head(self) -> Head:
        try:
            with self.engine.connect() as conn:
                row = conn.execute(select(log_state).where(log_state.c.id == 1)).first()
        except SQLAlchemyError as exc:
            raise SourceError(f"cannot read the log tables: {exc}") from None
        if row is None:
            raise SourceError("the log has no checkpoint yet (nothing sequenced)")
        return Head(row.checkpoint, int(row.size), bytes(row.root))

    def _published_head(self, witnesses: Sequence[VerifierKey]) -> Head:
        try:
            published = CosignatureStore(self.engine).published(witnesses)
        except SQLAlchemyError as exc:
            raise SourceError(f"cannot read the log's cosignatures: {exc}") from None
        if published is None:
            raise SourceError("no checkpoint of the log is cosigned by the given witnesses")
        return Head(published.note)

    def tile(self, level: int, index: int, width: int) -> bytes:
        """The stored tile, cut to width (it may have grown since the checkpoint)."""
        # LogStore knows where each tile lives (the growing level-0 tile is kept as leaf rows).
        return self._tiles.tile_hashes(level, index)[: width * HASH_SIZE]

    def chunks(self, size: int, sizes: Iterator[int]) -> Iterator[Chunk]:
        """Runs of leaves as listed in log_leaves; workers read the matching stored events."""
        start, after = 0, 0
        while start < size:
            want = min(next(sizes), size - start)
            expected, failure = self._listed(start, want)
            # Reading after the previous run's last listed event leaves no stored event unread:
            # an extra or missing one shifts the ids the worker finds.
            yield Chunk(start, (after, len(expected)), expected, failure)
            if failure is not None:
                return
            after = expected[-1]
            start += want
        self._last_id = after

    def _listed(self, start: int, want: int) -> tuple[list[int], Failure | None]:
        """The notification ids log_leaves lists for leaves start.., up to the first missing."""
        leaf_index = log_leaves.c.leaf_index
        with self.engine.connect() as conn:
            expected = list(
                conn.execute(
                    select(log_leaves.c.notification_id)
                    .where(leaf_index >= start, leaf_index < start + want)
                    .order_by(leaf_index)
                )
                .scalars()
                .all()
            )
            if len(expected) == want:
                return expected, None  # leaf_index is the key: every one of them is listed
            # Some leaf is missing: find the first, to name it.
            rows = conn.execute(
                select(leaf_index, log_leaves.c.notification_id)
                .where(leaf_index >= start)
                .order_by(leaf_index)
                .limit(want)
            ).all()
        expected = []
        for offset, row in enumerate(rows):
            if row.leaf_index != start + offset:
                break
            expected.append(row.notification_id)
        if len(expected) == want:
            return expected, None  # the missing row was written in between
        index = start + len(expected)
        later = rows[len(expected) :]
        found = f"; the next row is leaf {later[0].leaf_index}" if later else ""
        return expected, Failure(
            f"leaf {index}", f"log_leaves has no row for leaf {index}{found}", index
        )

    def finish(self, cp: Checkpoint) -> tuple[list[str], Failure | None]:
        """The tracking position is the last leaf's event; count events not yet sequenced."""
        head = self._state_head()
        failure = None
        if head.size == cp.size and cp.size and self._position() != self._last_id:
            failure = Failure(
                "checkpoint",
                f"log_state's position is stored event {self._position()}, "
                f"the last leaf ({cp.size - 1}) is stored event {self._last_id}",
            )
        try:
            reader = EventReader(self.settings)
        except EventStoreError as exc:
            raise SourceError(str(exc)) from None
        try:
            pending = reader.count_after(self._last_id)
        finally:
            reader.close()
        if not pending:
            return [], failure
        if head.size == cp.size:
            return [f"{pending} events stored but not yet sequenced"], failure
        # The sequencer went on while we read: some of these are in its newer checkpoints.
        return [
            f"{pending} events stored after the verified tree of {cp.size} leaves "
            f"(the log has grown to {head.size} since)"
        ], failure

    def _position(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(select(log_state.c.position).where(log_state.c.id == 1)).scalar()
        return int(value or 0)

    def close(self) -> None:
        """Release the database."""
        self.engine.dispose()
