"""The tree half of `canbo verify`: the Merkle tree recomputed from the leaves, compared with
every stored (or served) tile, the signed checkpoint's root, and an earlier checkpoint's root.

Only the tree's right edge (one partial tile per level) and the stored tile being compared at
each level are held, so memory stays flat in the log's size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ledger.checkpoint import Checkpoint
from ledger.merkle import EMPTY_ROOT, tree_root
from ledger.tiles import (
    HASH_SIZE,
    TILE_WIDTH,
    TileAppender,
    TileNodeReader,
    tile_path,
    tile_width_at,
)
from ledger.verify.report import Failure, b64, leaf_failure

# tile(level, index, width): the stored (or served) hashes of that tile at the checkpoint's size;
# b"" or fewer bytes when the source lacks them.
FetchStoredTile = Callable[[int, int, int], bytes]


def _tile_name(level: int, index: int) -> str:
    return tile_path(level, index).removeprefix("tile/")


class TreeCheck:
    """Recomputes the tree leaf by leaf and compares it with the stored tiles at `size` leaves."""

    def __init__(self, size: int, stored_tile: FetchStoredTile, earlier: Checkpoint | None) -> None:
        """Compare with the tiles of a tree of `size` leaves; take the root at earlier.size."""
        self.size = size
        self._stored_tile = stored_tile
        self._earlier = earlier
        self._appender = TileAppender(0, _no_tiles)
        # The right edge of the recomputed tree: level -> (tile index, hashes so far).
        self._edges: dict[int, tuple[int, bytes]] = {}
        # The stored tile being compared at each level: level -> (tile index, stored hashes).
        self._stored: dict[int, tuple[int, bytes]] = {}
        self.earlier_checked = earlier is None or earlier.size > size  # the runner refuses those

    def stored(self, level: int, index: int) -> bytes:
        """The stored hashes of tile (level, index) as of the checkpoint (cached per level)."""
        cached = self._stored.get(level)
        if cached is None or cached[0] != index:
            width = tile_width_at(level, index, self.size)
            cached = (index, bytes(self._stored_tile(level, index, width))[: width * HASH_SIZE])
            self._stored[level] = cached
        return cached[1]

    def check_leaves(self, start: int, hashes: Sequence[bytes]) -> Failure | None:
        """Compare recomputed leaf hashes of leaves start.. with the stored level-0 tiles."""
        at = 0
        while at < len(hashes):
            # One comparison per stored tile; leaf by leaf only to name a mismatch.
            tile, slot = divmod(start + at, TILE_WIDTH)
            run = min(len(hashes) - at, TILE_WIDTH - slot)
            stored = self.stored(0, tile)[slot * HASH_SIZE : (slot + run) * HASH_SIZE]
            if stored != b"".join(hashes[at : at + run]):
                for offset in range(at, at + run):
                    failure = self.check_leaf(start + offset, hashes[offset])
                    if failure is not None:
                        return failure
            at += run
        return None

    def check_leaf(self, index: int, leaf_hash: bytes) -> Failure | None:
        """Compare a recomputed leaf hash with the stored level-0 tile."""
        tile, slot = divmod(index, TILE_WIDTH)
        stored = self.stored(0, tile)
        have = stored[slot * HASH_SIZE : (slot + 1) * HASH_SIZE]
        if have == leaf_hash:
            return None
        name = _tile_name(0, tile)
        if not have:
            return leaf_failure(
                index,
                f"tile {name} has {len(stored) // HASH_SIZE} hashes, expected "
                f"{tile_width_at(0, tile, self.size)} at tree size {self.size}",
            )
        return leaf_failure(
            index,
            f"the entry hashes to {b64(leaf_hash)}, tile {name} holds {b64(have)} for this "
            "leaf: the log's leaf is not this entry",
        )

    def append(self, start: int, hashes: Sequence[bytes]) -> Failure | None:
        """Append the leaf hashes of leaves start.. and compare every tile above level 0."""
        earlier = self._earlier
        if earlier is not None and not self.earlier_checked and start + len(hashes) >= earlier.size:
            # Split the chunk where the earlier tree ends, to take its root on the way.
            split = earlier.size - start
            failure = self._append(hashes[:split]) or self._check_earlier(earlier, self.root())
            if failure is not None:
                return failure
            hashes = hashes[split:]
        return self._append(hashes) if hashes else None

    def _append(self, hashes: Sequence[bytes]) -> Failure | None:
        changed = self._appender.append(hashes)
        failure: Failure | None = None
        for (level, index), content in sorted(changed.items()):
            edge = self._edges.get(level)
            if edge is None or edge[0] <= index:
                self._edges[level] = (index, content)
            if level == 0 or failure is not None:
                continue  # level 0 was compared leaf by leaf
            failure = self._compare(level, index, content)
        return failure

    def _compare(self, level: int, index: int, content: bytes) -> Failure | None:
        stored = self.stored(level, index)
        if stored[: len(content)] == content:
            return None
        for slot in range(len(content) // HASH_SIZE):
            want = content[slot * HASH_SIZE : (slot + 1) * HASH_SIZE]
            have = stored[slot * HASH_SIZE : (slot + 1) * HASH_SIZE]
            if want != have:
                first = (index * TILE_WIDTH + slot) << (8 * level)
                last = first + (1 << (8 * level)) - 1
                found = b64(have) if have else "nothing (the tile is too short)"
                return Failure(
                    f"tile {_tile_name(level, index)}",
                    f"hash {slot} (the subtree of leaves {first}..{last}) recomputes to "
                    f"{b64(want)}, the stored tile holds {found}",
                    first,
                )
        raise AssertionError("unreachable: the contents differ")

    def root(self) -> bytes:
        """The root of the leaves appended so far, from the right edge alone."""
        size = self._appender.size
        if size == 0:
            return EMPTY_ROOT
        edges = self._edges

        def fetch(level: int, index: int) -> bytes:
            edge = edges.get(level)
            if edge is None or edge[0] != index:
                raise LookupError((level, index))
            return edge[1]

        return tree_root(size, TileNodeReader(fetch, cache_tiles=0))

    @property
    def leaves(self) -> int:
        """Leaves appended so far."""
        return self._appender.size

    def _check_earlier(self, earlier: Checkpoint, root: bytes) -> Failure | None:
        self.earlier_checked = True
        if root == earlier.root:
            return None
        return Failure(
            "earlier checkpoint",
            f"at size {earlier.size} the recomputed root is {b64(root)}, the earlier "
            f"checkpoint says {b64(earlier.root)}: the log is not an extension of it",
            None,
        )

    def check_final(self, cp: Checkpoint) -> Failure | None:
        """After all leaves: the root must be the checkpoint's."""
        if self._earlier is not None and not self.earlier_checked:
            failure = self._check_earlier(self._earlier, EMPTY_ROOT)  # an earlier size of 0
            if failure is not None:
                return failure
        root = self.root()
        if root != cp.root:
            return Failure(
                "checkpoint",
                f"the root recomputed from {cp.size} entries is {b64(root)}, "
                f"the checkpoint says {b64(cp.root)}",
            )
        return None


def _no_tiles(level: int, index: int) -> bytes:
    raise LookupError("a tree recomputed from leaf 0 needs no stored tiles")
