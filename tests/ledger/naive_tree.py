"""A Merkle tree computed naively from its leaves, to hold the real code to in tests."""

from __future__ import annotations

from ledger.merkle import leaf_hash, node_hash


def numbered_leaves(count: int) -> list[bytes]:
    """Leaf hashes of the entries 0, 1, 2, ... as 4-byte big-endian numbers."""
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(count)]


def complete_levels(leaves: list[bytes]) -> list[list[bytes]]:
    """levels[h][i]: hash of the complete subtree of 2**h leaves starting at leaf i * 2**h."""
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    return levels


class NaiveReader:
    """A NodeReader over the first `size` leaves that refuses anything outside them."""

    def __init__(self, levels: list[list[bytes]], size: int) -> None:
        self.levels = levels
        self.size = size

    def node(self, height: int, index: int) -> bytes:
        """The complete subtree's hash, only if it lies inside the tree."""
        assert height >= 0 and index >= 0
        assert (index + 1) << height <= self.size, f"node ({height}, {index}) not in {self.size}"
        return self.levels[height][index]
