"""The log side's record of its witnesses (table log_witnesses) and the published checkpoint.

The published checkpoint is the largest checkpoint any configured witness cosigned, with the
cosignature lines of every configured witness that cosigned that same checkpoint. It only grows:
a witness never cosigns a size below one it cosigned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, or_, select, update

from ledger.checkpoint import Checkpoint
from ledger.log_schema import log_witnesses
from ledger.note import VerifierKey, append_signature_line


@dataclass
class WitnessRecord:
    """What the log knows of one witness."""

    witness: str  # its vkey string
    known_size: int  # the size it holds: the next request's old size
    cosigned_size: int | None = None
    checkpoint: str | None = None  # the log-signed checkpoint it cosigned last
    cosignature: str | None = None  # its cosignature line on that checkpoint


@dataclass(frozen=True)
class Published:
    """The checkpoint a client should trust: the log's note with the cosignature lines."""

    note: str
    checkpoint: Checkpoint
    cosigners: tuple[str, ...]  # vkeys of the witnesses whose lines are on it


def checkpoint_text(note: str) -> str:
    """The signed text of a note (what a cosignature covers): up to its last blank line."""
    return note[: note.rfind("\n\n") + 1]


class CosignatureStore:
    """Reads and writes log_witnesses in the log's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self) -> dict[str, WitnessRecord]:
        """Every witness's record, by vkey."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(log_witnesses)).all()
        return {
            r.witness: WitnessRecord(
                r.witness,
                int(r.known_size),
                None if r.cosigned_size is None else int(r.cosigned_size),
                r.checkpoint,
                r.cosignature,
            )
            for r in rows
        }

    def save(self, records: Sequence[WitnessRecord], now: int) -> None:
        """Write a round's records in one transaction, so readers see its cosignatures together."""
        if not records:
            return
        with self.engine.begin() as conn:
            for record in records:
                values = {
                    "known_size": record.known_size,
                    "cosigned_size": record.cosigned_size,
                    "checkpoint": record.checkpoint,
                    "cosignature": record.cosignature,
                    "updated_at": now,
                }
                # A write first (not a read), so SQLite takes the write lock at once. Never
                # backwards: a sequencer that lost the lead (and still sends checkpoints) must
                # not write an older cosigned checkpoint over the leader's newer one.
                stored = log_witnesses.c.cosigned_size
                result = conn.execute(
                    update(log_witnesses)
                    .where(
                        log_witnesses.c.witness == record.witness,
                        or_(stored.is_(None), stored <= (record.cosigned_size or -1)),
                    )
                    .values(**values)
                )
                if result.rowcount == 0 and not _exists(conn, record.witness):
                    conn.execute(insert(log_witnesses).values(witness=record.witness, **values))

    def published(self, witnesses: Sequence[VerifierKey]) -> Published | None:
        """The largest checkpoint cosigned by a configured witness, with all its cosignatures."""
        records = self.load()
        cosigned = [
            (key, records[key.format()])
            for key in witnesses
            if key.format() in records and records[key.format()].cosigned_size is not None
        ]
        if not cosigned:
            return None
        size = max(r.cosigned_size or 0 for _, r in cosigned)
        at_size = [(k, r) for k, r in cosigned if r.cosigned_size == size]
        base = at_size[0][1].checkpoint
        assert base is not None
        note = base
        cosigners = []
        for key, record in at_size:
            # Ed25519 signatures are deterministic, so one checkpoint has one text.
            if record.checkpoint == base and record.cosignature:
                note = append_signature_line(note, record.cosignature)
                cosigners.append(key.format())
        return Published(note, Checkpoint.parse(checkpoint_text(note)), tuple(cosigners))


def _exists(conn: Connection, witness: str) -> bool:
    row = conn.execute(select(log_witnesses.c.witness).where(log_witnesses.c.witness == witness))
    return row.first() is not None
