"""Reading a log from its server, through the C2SP tlog-tiles read API only (GET {url}/log/...)."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import httpx

from ledger.checkpoint import Checkpoint
from ledger.note import VerifierKey, VerifierKeyError
from ledger.settings import Settings
from ledger.tiles import TILE_WIDTH, entries_path, tile_path
from ledger.verify.facts import Item
from ledger.verify.report import Failure
from ledger.verify.sources import Chunk, Head, SourceError

MAX_RESPONSE_BYTES = 256 * (2 + 65_535)


class HttpSource:
    """A log server's C2SP tlog-tiles read API (GET {url}/log/...)."""

    def __init__(self, url: str, client: httpx.Client | None = None) -> None:
        """Read from url; client lets tests route requests to an in-process app."""
        self.url = url.rstrip("/")
        self._own_client = client is None
        self.client = client or httpx.Client(timeout=30.0, follow_redirects=True)

    def _get(self, path: str, *, missing_ok: bool = False) -> bytes | None:
        url = f"{self.url}/{path}"
        try:
            with self.client.stream("GET", url) as response:
                if response.status_code == 404 and missing_ok:
                    return None
                if response.status_code != 200:
                    raise SourceError(f"GET {url}: HTTP {response.status_code}, expected 200")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    # The largest answer is a full bundle of 256 entries of at most 64 KiB each.
                    if len(body) > MAX_RESPONSE_BYTES:
                        raise SourceError(f"GET {url}: more than {MAX_RESPONSE_BYTES} bytes")
                return bytes(body)
        except httpx.HTTPError as exc:
            raise SourceError(f"cannot reach {url}: {exc}") from None

    @property
    def event_store(self) -> Settings | None:
        """A server serves entries, not stored events."""
        return None

    def log_key(self) -> VerifierKey | None:
        """A server names no trusted key: the caller must give one."""
        return None

    def server_vkey(self) -> VerifierKey:
        """The verifier key the server publishes about itself (GET /v1/log/vkey)."""
        body = self._get("v1/log/vkey") or b""
        text = body.decode("utf-8", errors="replace").strip()
        try:
            return VerifierKey.parse(text)
        except VerifierKeyError as exc:
            raise SourceError(f"the server's /v1/log/vkey is not a verifier key: {exc}") from None

    def head(self) -> Head:
        """GET /log/checkpoint."""
        body = self._get("log/checkpoint") or b""
        return Head(body.decode("utf-8", errors="replace"))

    def tile(self, level: int, index: int, width: int) -> bytes:
        """GET /log/tile/<L>/<N>[.p/<W>]; b"" if the server has no such tile."""
        return self._get(f"log/{tile_path(level, index, width)}", missing_ok=True) or b""

    def chunks(self, size: int, sizes: Iterator[int]) -> Iterator[Chunk]:
        """Entry bundles of 256 entries, as many per chunk as fit in the chunk's size."""
        bundles = (size + TILE_WIDTH - 1) // TILE_WIDTH
        first = 0
        while first < bundles:
            last = min(bundles, first + max(1, next(sizes) // TILE_WIDTH))
            items: list[Item] = []
            failure = None
            for n in range(first, last):
                width = min(TILE_WIDTH, size - n * TILE_WIDTH)
                path = entries_path(n, width)
                body = self._get(f"log/{path}", missing_ok=True)
                entries, problem = split_bundle(body or b"", width)
                items.extend(entries)
                if body is None:
                    problem = "the server does not have it (HTTP 404)"
                if problem is not None:
                    index = n * TILE_WIDTH + len(entries)
                    failure = Failure(f"leaf {index}", f"entry bundle {path}: {problem}", index)
                    break
            yield Chunk(first * TILE_WIDTH, items, None, failure)
            if failure is not None:
                return
            first = last

    def finish(self, cp: Checkpoint) -> tuple[list[str], Failure | None]:
        """Nothing beyond the shared checks."""
        return [], None

    def close(self) -> None:
        """Close the HTTP client if this source made it."""
        if self._own_client:
            self.client.close()


def split_bundle(body: bytes, width: int) -> tuple[list[bytes], str | None]:
    """Entries of a tlog-tiles entry bundle (uint16 big-endian length prefixes), and a problem."""
    entries: list[bytes] = []
    at = 0
    while at < len(body) and len(entries) < width:
        if at + 2 > len(body):
            return entries, "the entry bundle ends inside a length prefix"
        (length,) = struct.unpack_from(">H", body, at)
        if at + 2 + length > len(body):
            return entries, (
                f"the entry bundle says the entry is {length} bytes, "
                f"only {len(body) - at - 2} remain"
            )
        entries.append(body[at + 2 : at + 2 + length])
        at += 2 + length
    if len(entries) < width:
        return entries, f"the entry bundle holds {len(entries)} entries, expected {width}"
    if at != len(body):
        return entries, f"the entry bundle has {len(body) - at} bytes after its {width} entries"
    return entries, None
