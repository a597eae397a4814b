"""C2SP tlog-tiles: tile paths, a node reader over tiles, and incremental tile maintenance.

Tile (L, N) holds up to 256 hashes; entry k is the MTH of the complete subtree of 256**L leaves
numbered N * 256 + k at that level. A tile is full at 256 hashes (8,192 bytes); the right-edge
tile of each level is partial (1..255 hashes) and is never hashed into the level above.
Spec: https://c2sp.org/tlog-tiles
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ledger import merkle

TILE_WIDTH = 256
TILE_HEIGHT = 8  # log2(TILE_WIDTH): tree levels spanned by one tile
HASH_SIZE = merkle.HASH_SIZE
FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE
MAX_LEVEL = 63
MAX_INDEX_GROUPS = 7

FetchTile = Callable[[int, int], bytes]

# Byte offset of each pyramid row inside a cached full tile: row j holds 256 >> j hashes.
_ROW_OFFSETS = [sum(TILE_WIDTH >> k for k in range(j)) * HASH_SIZE for j in range(TILE_HEIGHT + 1)]


class TilePathError(ValueError):
    """A tile path is not in the canonical tlog-tiles form."""


class TileDataError(ValueError):
    """Tile content is malformed, or lacks a hash that a computation needs."""


@dataclass(frozen=True)
class TileAddress:
    """A parsed tile path: level is None for an entry bundle; width 256 means a full tile."""

    level: int | None
    index: int
    width: int = TILE_WIDTH

    @property
    def is_entries(self) -> bool:
        """True for an entry bundle (tile/entries/...)."""
        return self.level is None

    @property
    def is_partial(self) -> bool:
        """True for a partial tile or bundle (.p/W)."""
        return self.width < TILE_WIDTH

    def path(self) -> str:
        """The canonical path of this tile, including the leading "tile/"."""
        if self.level is None:
            return entries_path(self.index, self.width)
        return tile_path(self.level, self.index, self.width)


def tile_width_at(level: int, index: int, size: int) -> int:
    """How many hashes tile (level, index) holds in a tree of `size` leaves."""
    return max(0, min(TILE_WIDTH, (size >> (8 * level)) - index * TILE_WIDTH))


def encode_tile_index(n: int) -> str:
    """N as zero-padded 3-digit path elements, all but the last prefixed by "x"."""
    if n < 0:
        raise ValueError(f"tile index {n} is negative")
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


def _width_suffix(width: int) -> str:
    if not 1 <= width <= TILE_WIDTH:
        raise ValueError(f"tile width {width} is not in 1..{TILE_WIDTH}")
    return "" if width == TILE_WIDTH else f".p/{width}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """Path tile/<L>/<N>[.p/<W>] of a Merkle tree tile."""
    if not 0 <= level <= MAX_LEVEL:
        raise ValueError(f"tile level {level} is not in 0..{MAX_LEVEL}")
    return f"tile/{level}/{encode_tile_index(index)}{_width_suffix(width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """Path tile/entries/<N>[.p/<W>] of an entry bundle."""
    return f"tile/entries/{encode_tile_index(index)}{_width_suffix(width)}"


def _is_decimal(text: str) -> bool:
    # str.isdigit alone would accept non-ASCII digits such as "٣".
    return text.isascii() and text.isdigit()


def _parse_decimal(text: str, what: str, path: str) -> int:
    if not _is_decimal(text):
        raise TilePathError(f"tile path {path!r}: {what} {text!r} is not a decimal number")
    if len(text) > 1 and text[0] == "0":
        raise TilePathError(f"tile path {path!r}: {what} {text!r} has a leading zero")
    return int(text)


def parse_tile_path(path: str) -> TileAddress:
    """Parse what follows "tile/" (e.g. "0/x001/x234/067.p/5" or "entries/000"), strictly."""
    parts = path.split("/")
    if len(parts) < 2:
        raise TilePathError(f"tile path {path!r}: not <L>/<N>[.p/<W>] or entries/<N>[.p/<W>]")
    if "" in parts:
        raise TilePathError(f"tile path {path!r}: empty path element")
    level: int | None = None
    if parts[0] != "entries":
        level = _parse_decimal(parts[0], "level", path)
        if level > MAX_LEVEL:
            raise TilePathError(f"tile path {path!r}: level {level} is above {MAX_LEVEL}")
    groups = parts[1:]
    # Seven 3-digit groups hold any index below 10**21, past any tree of 2**63 leaves; more
    # would only make the server parse ever longer numbers.
    if len(groups) > MAX_INDEX_GROUPS + 2:
        raise TilePathError(f"tile path {path!r}: more than {MAX_INDEX_GROUPS} index elements")
    width = TILE_WIDTH
    if len(groups) >= 2 and groups[-2].endswith(".p"):
        width = _parse_decimal(groups[-1], "width", path)
        if not 1 <= width < TILE_WIDTH:
            raise TilePathError(
                f"tile path {path!r}: partial width {width} is not in 1..{TILE_WIDTH - 1}"
            )
        groups = [*groups[:-2], groups[-2][: -len(".p")]]
    for group in groups[:-1]:
        if len(group) != 4 or group[0] != "x" or not _is_decimal(group[1:]):
            raise TilePathError(
                f"tile path {path!r}: index element {group!r} is not x and 3 digits"
            )
    if len(groups[-1]) != 3 or not _is_decimal(groups[-1]):
        raise TilePathError(
            f"tile path {path!r}: last index element {groups[-1]!r} is not 3 digits"
        )
    if len(groups) > 1 and groups[0] == "x000":
        # A leading zero group would give a second spelling of the same index.
        raise TilePathError(f"tile path {path!r}: index starts with a redundant x000 element")
    if len(groups) > MAX_INDEX_GROUPS:
        raise TilePathError(f"tile path {path!r}: more than {MAX_INDEX_GROUPS} index elements")
    index = int("".join(g.removeprefix("x") for g in groups))
    return TileAddress(level=level, index=index, width=width)


def _hash_row(row: bytes) -> bytes:
    """Hash adjacent pairs of a row of hashes into the row above."""
    sha256 = hashlib.sha256
    return b"".join(
        sha256(merkle.NODE_PREFIX + row[i : i + 2 * HASH_SIZE]).digest()
        for i in range(0, len(row), 2 * HASH_SIZE)
    )


def _pyramid(tile: bytes) -> bytes:
    """All 511 node hashes of a full tile, rows of 256, 128, ..., 1 hashes concatenated."""
    rows = [tile]
    for _ in range(TILE_HEIGHT):
        rows.append(_hash_row(rows[-1]))
    return b"".join(rows)


@lru_cache(maxsize=256)  # keys are up to 8 KiB: about 2 MiB at most
def _mth_of_power_of_two(hashes: bytes) -> bytes:
    """MTH of 2**j consecutive hashes (a complete subtree).

    Memoised: right-edge tiles are re-read for every new root and receipt while they fill up,
    and the same complete runs of hashes recur until the tile is full.
    """
    while len(hashes) > HASH_SIZE:
        hashes = _hash_row(hashes)
    return hashes


def _check_tile(level: int, index: int, data: bytes) -> int:
    """Validate fetched tile bytes and return their width in hashes."""
    if not data or len(data) % HASH_SIZE or len(data) > FULL_TILE_BYTES:
        raise TileDataError(
            f"tile {level}/{encode_tile_index(index)} has {len(data)} bytes, "
            f"expected a positive multiple of {HASH_SIZE} up to {FULL_TILE_BYTES}"
        )
    return len(data) // HASH_SIZE


def _fetch(fetch_tile: FetchTile, level: int, index: int) -> bytes:
    try:
        return bytes(fetch_tile(level, index))
    except LookupError as exc:
        raise TileDataError(f"tile {level}/{encode_tile_index(index)} is missing") from exc


class TileNodeReader:
    """A merkle.NodeReader over stored tiles, caching the internal nodes of full tiles."""

    def __init__(
        self, fetch_tile: FetchTile, cache_tiles: int = 1024, cache_nodes: int = 65536
    ) -> None:
        """fetch_tile(level, index) returns the stored hashes of a tile (32 * width bytes)."""
        self._fetch_tile = fetch_tile
        self._cache_tiles = cache_tiles
        # Full tiles never change, so their pyramids can be kept; about 16 KiB each.
        self._cache: OrderedDict[tuple[int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()  # one reader may serve many request threads
        self._cache_nodes = cache_nodes  # about 6 MiB at the default
        self._nodes: OrderedDict[tuple[int, int], bytes] = OrderedDict()

    def node(self, height: int, index: int) -> bytes:
        """Hash of the complete subtree of 2**height leaves starting at leaf index * 2**height."""
        # A complete subtree's hash never changes, so answers are kept: receipts for a batch of
        # new leaves ask for the same right-edge nodes again and again.
        key = (height, index)
        found = self._nodes.get(key)
        if found is not None:
            return found
        value = self._node(height, index)
        if self._cache_nodes:
            with self._lock:
                self._nodes[key] = value
                if len(self._nodes) > self._cache_nodes:
                    self._nodes.popitem(last=False)
        return value

    def _node(self, height: int, index: int) -> bytes:
        if height < 0 or index < 0:
            raise ValueError(f"node (height {height}, index {index}) must not be negative")
        level, row = divmod(height, TILE_HEIGHT)
        if level > MAX_LEVEL:
            raise ValueError(f"node height {height} is above the highest tile level")
        start = index << row  # first hash of the node at tile level `level`
        tile_index, offset = divmod(start, TILE_WIDTH)
        key = (level, tile_index)
        with self._lock:
            pyramid = self._cache.get(key)
            if pyramid is not None:
                self._cache.move_to_end(key)
        if pyramid is None:
            data = _fetch(self._fetch_tile, level, tile_index)
            width = _check_tile(level, tile_index, data)
            if width < TILE_WIDTH:
                # A partial tile grows, so it is not cached; the node needs only its prefix.
                end = offset + (1 << row)
                if end > width:
                    raise TileDataError(
                        f"tile {level}/{encode_tile_index(tile_index)} has {width} hashes; "
                        f"node (height {height}, index {index}) needs hashes {offset}..{end - 1}"
                    )
                return _mth_of_power_of_two(data[offset * HASH_SIZE : end * HASH_SIZE])
            pyramid = _pyramid(data)
            with self._lock:
                self._cache[key] = pyramid
                while len(self._cache) > self._cache_tiles:
                    self._cache.popitem(last=False)
        at = _ROW_OFFSETS[row] + (offset >> row) * HASH_SIZE
        return pyramid[at : at + HASH_SIZE]


def tree_root_from_tiles(size: int, fetch_tile: FetchTile) -> bytes:
    """MTH of the first `size` leaves of the tree stored in tiles."""
    return merkle.tree_root(size, TileNodeReader(fetch_tile))


class TileAppender:
    """Keeps the right-edge tiles of each level and reports the tiles that appends change."""

    def __init__(self, size: int, fetch_tile: FetchTile) -> None:
        """Resume a tree of `size` leaves, loading its partial right-edge tiles via fetch_tile."""
        if size < 0:
            raise ValueError(f"tree size {size} must not be negative")
        self._size = size
        # Per level: hashes stored at that level so far, and the right-edge partial tile.
        self._counts: list[int] = []
        self._edges: list[bytearray] = []
        count, level = size, 0
        while count:
            width = count % TILE_WIDTH
            edge = bytearray()
            if width:
                data = _fetch(fetch_tile, level, count // TILE_WIDTH)
                have = _check_tile(level, count // TILE_WIDTH, data)
                if have < width:
                    raise TileDataError(
                        f"tile {level}/{encode_tile_index(count // TILE_WIDTH)} has {have} "
                        f"hashes, a tree of size {size} needs {width}"
                    )
                # A stored tile ahead of `size` (a crash after writing tiles but before the
                # size) is cut back; the re-appended leaves rewrite it.
                edge[:] = data[: width * HASH_SIZE]
            self._counts.append(count)
            self._edges.append(edge)
            count //= TILE_WIDTH
            level += 1

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def edge_tiles(self) -> dict[tuple[int, int], bytes]:
        """The right-edge partial tile of each level: all a root or new proof reads that is new."""
        return {
            (level, self._counts[level] // TILE_WIDTH): bytes(edge)
            for level, edge in enumerate(self._edges)
            if edge
        }

    def root(self) -> bytes:
        """The tree's root hash, from the right-edge tiles alone (RFC 6962 MTH)."""
        # Each level's partial tile holds the complete subtrees right of everything above it;
        # split its width into powers of two (largest first) and fold from the right.
        if self._size == 0:
            return merkle.EMPTY_ROOT
        subtrees: list[bytes] = []
        for level in reversed(range(len(self._edges))):
            edge = self._edges[level]
            start, width = 0, len(edge) // HASH_SIZE
            while width:
                run = 1 << (width.bit_length() - 1)
                subtrees.append(
                    _mth_of_power_of_two(bytes(edge[start * HASH_SIZE : (start + run) * HASH_SIZE]))
                )
                start += run
                width -= run
        root = subtrees[-1]
        for left in reversed(subtrees[:-1]):
            root = merkle.node_hash(left, root)
        return root

    def append(self, leaf_hashes: Sequence[bytes]) -> dict[tuple[int, int], bytes]:
        """Append leaf hashes; return each changed tile (level, index) with its full content."""
        for i, h in enumerate(leaf_hashes):
            if len(h) != HASH_SIZE:
                raise ValueError(f"leaf hash {i} has {len(h)} bytes, expected {HASH_SIZE}")
        changed: dict[tuple[int, int], bytes] = {}
        touched: set[int] = set()
        for h in leaf_hashes:
            self._push(0, h, changed, touched)
        self._size += len(leaf_hashes)
        for level in touched:
            edge = self._edges[level]
            if edge:
                changed[(level, self._counts[level] // TILE_WIDTH)] = bytes(edge)
        return changed

    def _push(
        self, level: int, h: bytes, changed: dict[tuple[int, int], bytes], touched: set[int]
    ) -> None:
        # Iterative carry: a tile that fills up emits its root one level up, and so on.
        while True:
            if level == len(self._edges):
                self._counts.append(0)
                self._edges.append(bytearray())
            edge = self._edges[level]
            edge += h
            self._counts[level] += 1
            touched.add(level)
            if len(edge) < FULL_TILE_BYTES:
                return
            tile = bytes(edge)
            changed[(level, self._counts[level] // TILE_WIDTH - 1)] = tile
            edge.clear()
            h = _mth_of_power_of_two(tile)
            level += 1
