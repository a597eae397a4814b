"""The log's witnesses: their keys, and the cosigned checkpoint the log publishes.

With witnesses configured, the log publishes (at /log/checkpoint and /v1/log/checkpoint) the
largest checkpoint its witnesses have cosigned, with their cosignature lines appended, rather
than its newest one: a client that trusts only cosigned checkpoints can use it as served.
Until a first cosignature arrives, those endpoints answer 503.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import LedgerDep
from ledger.bootstrap import Ledger
from ledger.errors import LogUnavailable
from ledger.witness.cosignatures import CosignatureStore

router = APIRouter(prefix="/v1/log", tags=["witnesses"])


@dataclass(frozen=True)
class ServedCheckpoint:
    """The checkpoint a client is given: note (with any cosignatures), size, root, cosigners."""

    note: str
    size: int
    root: bytes
    cosigners: tuple[str, ...]


def served_checkpoint(ledger: Ledger) -> ServedCheckpoint:
    """The latest checkpoint, or with witnesses configured the latest cosigned one."""
    witnesses = ledger.settings.witnesses
    if not witnesses:
        head = ledger.log.require_head()
        return ServedCheckpoint(head.checkpoint, head.size, head.root, ())
    published = CosignatureStore(ledger.log.engine).published([w.key for w in witnesses])
    if published is None:
        raise LogUnavailable(
            "no checkpoint of this log is cosigned by its witnesses yet; retry shortly "
            f"(witnesses: {', '.join(w.key.name for w in witnesses)})",
            "chưa có checkpoint nào được bên chứng kiến ký xác nhận; hãy thử lại sau",
        )
    cp = published.checkpoint
    return ServedCheckpoint(published.note, cp.size, cp.root, published.cosigners)


class Witness(BaseModel):
    """A configured witness: its cosignature verifier key and what it cosigned last."""

    name: str
    vkey: str
    cosigned_size: int | None


class Witnesses(BaseModel):
    """The log's witnesses."""

    witnesses: list[Witness]


@router.get("/witnesses", response_model=Witnesses)
def witnesses(ledger: LedgerDep) -> Witnesses:
    """The witnesses this log submits its checkpoints to (C2SP vkeys, type 0x04)."""
    records = CosignatureStore(ledger.log.engine).load()
    return Witnesses(
        witnesses=[
            Witness(
                name=w.key.name,
                vkey=w.vkey,
                cosigned_size=records[w.vkey].cosigned_size if w.vkey in records else None,
            )
            for w in ledger.settings.witnesses
        ]
    )
