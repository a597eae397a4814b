"""The witness's own small database: the latest checkpoint per log, and kept evidence.

Each log's row moves forward only by compare-and-set (UPDATE ... WHERE size and root are still
what the check saw), one transaction per update: of two requests checked against the same
state, exactly one is stored and cosigned. The store works on SQLite (the default, one file in
the witness's data directory, synchronous=FULL so a cosigned size survives a power cut) and on
PostgreSQL.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

metadata = MetaData()

# One row per log (origin): the latest checkpoint this witness verified and cosigned.
witness_logs = Table(
    "witness_logs",
    metadata,
    Column("origin", Text, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary, nullable=False),
    Column("checkpoint", Text, nullable=False),  # the log-signed note, verbatim
    Column("updated_at", BigInteger, nullable=False),  # POSIX seconds
)

# A signed checkpoint that does not extend the stored one: kept for anyone to examine.
witness_evidence = Table(
    "witness_evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("old_size", BigInteger, nullable=False),
    Column("stored_checkpoint", Text, nullable=False),
    Column("submitted_checkpoint", Text, nullable=False),
    Column("proof", Text, nullable=False),  # base64 hashes, one per line
    Column("received_at", BigInteger, nullable=False),
)


@dataclass(frozen=True)
class LatestCheckpoint:
    """What the witness holds for one log."""

    origin: str
    size: int
    root: bytes
    checkpoint: str
    updated_at: int


@dataclass(frozen=True)
class Evidence:
    """Two signed checkpoints of one log that the witness could not reconcile, and the proof."""

    id: int
    origin: str
    kind: str  # "inconsistent_proof" or "same_size_different_root"
    reason: str
    old_size: int
    stored_checkpoint: str
    submitted_checkpoint: str
    proof: tuple[bytes, ...]
    received_at: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (hashes in base64)."""
        return {
            "id": self.id,
            "origin": self.origin,
            "kind": self.kind,
            "reason": self.reason,
            "old_size": self.old_size,
            "stored_checkpoint": self.stored_checkpoint,
            "submitted_checkpoint": self.submitted_checkpoint,
            "proof": [base64.b64encode(h).decode("ascii") for h in self.proof],
            "received_at": self.received_at,
        }


def make_engine(url: str) -> Engine:
    """An engine for the witness store; SQLite in WAL mode with full fsync."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # a cosigned size must never roll back
        cursor.close()

    return engine


class WitnessStore:
    """The latest checkpoint per origin and the evidence kept; safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    def latest(self, origin: str) -> LatestCheckpoint | None:
        """The stored checkpoint of a log, or None if the witness never cosigned one."""
        with self.engine.connect() as conn:
            row = conn.execute(select(witness_logs).where(witness_logs.c.origin == origin)).first()
        if row is None:
            return None
        return LatestCheckpoint(
            row.origin, int(row.size), bytes(row.root), row.checkpoint, int(row.updated_at)
        )

    def all_latest(self) -> list[LatestCheckpoint]:
        """Every log's stored checkpoint, by origin."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(witness_logs).order_by(witness_logs.c.origin)).all()
        return [
            LatestCheckpoint(r.origin, int(r.size), bytes(r.root), r.checkpoint, int(r.updated_at))
            for r in rows
        ]

    def advance(
        self,
        origin: str,
        expected: LatestCheckpoint | None,
        size: int,
        root: bytes,
        checkpoint: str,
        now: int,
    ) -> bool:
        """Store a new checkpoint if the stored one is still `expected`; False if it moved."""
        values = {"size": size, "root": root, "checkpoint": checkpoint, "updated_at": now}
        if expected is None:
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(witness_logs).values(origin=origin, **values))
            except IntegrityError:
                return False  # another request stored the first checkpoint meanwhile
            return True
        with self.engine.begin() as conn:
            result = conn.execute(
                update(witness_logs)
                .where(
                    witness_logs.c.origin == origin,
                    witness_logs.c.size == expected.size,
                    witness_logs.c.root == expected.root,
                )
                .values(**values)
            )
            return result.rowcount == 1

    def keep_evidence(
        self,
        *,
        origin: str,
        kind: str,
        reason: str,
        old_size: int,
        stored_checkpoint: str,
        submitted_checkpoint: str,
        proof: Sequence[bytes],
        now: int,
    ) -> int:
        """Record evidence of an inconsistency; return its id."""
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(witness_evidence).values(
                    origin=origin,
                    kind=kind,
                    reason=reason,
                    old_size=old_size,
                    stored_checkpoint=stored_checkpoint,
                    submitted_checkpoint=submitted_checkpoint,
                    proof="\n".join(base64.b64encode(h).decode("ascii") for h in proof),
                    received_at=now,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def evidence(self, origin: str | None = None) -> list[Evidence]:
        """All kept evidence, oldest first (of one log, if origin is given)."""
        query = select(witness_evidence).order_by(witness_evidence.c.id)
        if origin is not None:
            query = query.where(witness_evidence.c.origin == origin)
        with self.engine.connect() as conn:
            return [_evidence(row) for row in conn.execute(query).all()]

    def evidence_by_id(self, evidence_id: int) -> Evidence | None:
        """One piece of evidence, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(witness_evidence).where(witness_evidence.c.id == evidence_id)
            ).first()
        return _evidence(row) if row is not None else None

    def close(self) -> None:
        """Release connections."""
        self.engine.dispose()


def _evidence(row: Any) -> Evidence:
    proof = tuple(base64.b64decode(line) for line in row.proof.split("\n") if line)
    return Evidence(
        id=int(row.id),
        origin=row.origin,
        kind=row.kind,
        reason=row.reason,
        old_size=int(row.old_size),
        stored_checkpoint=row.stored_checkpoint,
        submitted_checkpoint=row.submitted_checkpoint,
        proof=proof,
        received_at=int(row.received_at),
    )
