"""JSON proof endpoints of the log (DESIGN.md): inclusion, consistency, entries, verifier key."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from api.deps import LedgerDep
from api.routes.witnesses import served_checkpoint
from ledger.errors import NotFound
from ledger.merkle import leaf_hash

router = APIRouter(prefix="/v1/log", tags=["log"])

Index = Annotated[int, Query(ge=0, le=2**62, description="leaf index")]
Size = Annotated[int, Query(ge=1, le=2**62, description="tree size")]


class InclusionProof(BaseModel):
    """Hashes (base64) proving leaf `index` is in the tree of `size`."""

    index: int
    size: int
    hashes: list[str]


class ConsistencyProof(BaseModel):
    """Hashes (base64) proving the tree of `old` is a prefix of the tree of `new`."""

    old: int
    new: int
    hashes: list[str]


class Entry(BaseModel):
    """A log entry (base64 leaf bytes) and its leaf hash."""

    index: int
    entry: str
    leaf_hash: str


class Checkpoint(BaseModel):
    """The latest checkpoint: size, root (base64), the signed note and who cosigned it."""

    size: int
    root: str
    checkpoint: str
    cosigned_by: list[str] = []  # witness vkeys whose cosignature lines are on the note


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@router.get("/proof/inclusion", response_model=InclusionProof)
def inclusion(index: Index, size: Size, ledger: LedgerDep) -> InclusionProof:
    """Inclusion proof of a leaf in a tree size up to the latest checkpoint."""
    hashes = ledger.log.inclusion_proof(index, size)
    return InclusionProof(index=index, size=size, hashes=[_b64(h) for h in hashes])


@router.get("/proof/consistency", response_model=ConsistencyProof)
def consistency(
    old: Annotated[int, Query(ge=0, le=2**62)], new: Size, ledger: LedgerDep
) -> ConsistencyProof:
    """Consistency proof between two tree sizes."""
    hashes = ledger.log.consistency_proof(old, new)
    return ConsistencyProof(old=old, new=new, hashes=[_b64(h) for h in hashes])


@router.get("/entries/{index}", response_model=Entry)
def entry(index: Annotated[int, Path(ge=0, le=2**62)], ledger: LedgerDep) -> Entry:
    """One entry by leaf index."""
    head = ledger.log.require_head()
    if not 0 <= index < head.size:
        raise NotFound(
            f"leaf {index} is not in the log (size {head.size})",
            f"lá {index} không có trong nhật ký (kích thước {head.size})",
            index=index,
            size=head.size,
        )
    data = ledger.log.entries(index, 1)[0]
    return Entry(index=index, entry=_b64(data), leaf_hash=_b64(leaf_hash(data)))


@router.get("/vkey", response_class=PlainTextResponse)
def vkey(ledger: LedgerDep) -> PlainTextResponse:
    """The log's checkpoint verifier key (C2SP vkey)."""
    return PlainTextResponse(ledger.verifier_key.format() + "\n")


@router.get("/checkpoint", response_model=Checkpoint)
def checkpoint(ledger: LedgerDep) -> Checkpoint:
    """The latest checkpoint as JSON (cosigned, if the log has witnesses)."""
    served = served_checkpoint(ledger)
    return Checkpoint(
        size=served.size,
        root=_b64(served.root),
        checkpoint=served.note,
        cosigned_by=list(served.cosigners),
    )
