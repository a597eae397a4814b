"""C2SP tlog-tiles read API: checkpoint, tiles and entry bundles, for unchanged tlog clients."""

from __future__ import annotations

import struct

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response

from api.deps import LedgerDep
from api.routes.witnesses import served_checkpoint
from ledger.errors import NotFound
from ledger.tiles import TILE_WIDTH, TilePathError, parse_tile_path

router = APIRouter(prefix="/log", tags=["tlog-tiles"])

# Full tiles and bundles never change; partial ones grow, so they are cached only briefly.
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=5"


@router.get("/checkpoint", response_class=PlainTextResponse, summary="Latest signed checkpoint")
def checkpoint(ledger: LedgerDep) -> PlainTextResponse:
    """The latest checkpoint, a C2SP signed note (cosigned, if the log has witnesses)."""
    served = served_checkpoint(ledger)
    return PlainTextResponse(
        served.note, headers={"Cache-Control": "no-cache"}, media_type="text/plain"
    )


@router.get("/tile/{path:path}", summary="A hash tile or an entry bundle")
def tile(path: str, ledger: LedgerDep) -> Response:
    """`tile/<L>/<N>[.p/<W>]` (hashes) or `tile/entries/<N>[.p/<W>]` (uint16-prefixed entries)."""
    try:
        address = parse_tile_path(path)
    except TilePathError as exc:
        raise NotFound(
            f"not a tile path: {exc}", "đường dẫn ô (tile) không hợp lệ", path=path
        ) from None
    head = ledger.log.require_head()
    cache = IMMUTABLE if address.width == TILE_WIDTH else SHORT
    if address.is_entries:
        first = address.index * TILE_WIDTH
        if first + address.width > head.size:
            raise NotFound(
                f"entry bundle {address.index} has fewer than {address.width} entries "
                f"at tree size {head.size}",
                "gói bản ghi chưa có đủ số bản ghi yêu cầu",
                path=path,
            )
        entries = ledger.log.entries(first, address.width)
        body = b"".join(struct.pack(">H", len(e)) + e for e in entries)
    else:
        assert address.level is not None
        body = ledger.log.tile(address.level, address.index, address.width, head.size)
    return Response(body, media_type="application/octet-stream", headers={"Cache-Control": cache})
