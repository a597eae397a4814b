"""RFC 6962 / RFC 9162 Merkle tree with SHA-256: hashing, proof verification, proof generation.

Verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by step, after checking every
precondition so that a failure says what was expected and what was found. Generation works over
a `NodeReader` that only ever answers for complete subtrees (what tiles store); the incomplete
subtrees on the tree's right edge are combined from complete ones here.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from typing import Protocol

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A Merkle proof or its inputs do not verify."""


class InclusionProofError(ProofError):
    """An inclusion proof does not verify."""


class ConsistencyProofError(ProofError):
    """A consistency proof does not verify."""


class NodeReader(Protocol):
    """Source of the hashes of complete subtrees of a log's Merkle tree."""

    def node(self, height: int, index: int) -> bytes:
        """Hash of the complete subtree over leaves [index * 2**height, (index + 1) * 2**height)."""
        ...


def leaf_hash(entry: bytes) -> bytes:
    """RFC 6962 leaf hash: SHA-256(0x00 || entry)."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a whole list of leaf hashes (for tests and small trees)."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    # Pairing level by level and promoting an unpaired last node equals RFC 6962's split at
    # the largest power of two below n.
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _check_hash(value: bytes, what: str, error: type[ProofError]) -> None:
    if len(value) != HASH_SIZE:
        raise error(f"{what} has {len(value)} bytes, expected {HASH_SIZE}")


def _check_proof_hashes(proof: Sequence[bytes], error: type[ProofError]) -> None:
    for i, h in enumerate(proof):
        _check_hash(h, f"proof hash {i}", error)


def inclusion_proof_length(index: int, size: int) -> int:
    """Number of hashes in the inclusion proof of leaf index in a tree of size leaves."""
    # Below the level where the paths to `index` and `size - 1` meet, every level has a
    # sibling; above it, only the levels where `index` is a right child do.
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def consistency_proof_length(size1: int, size2: int) -> int:
    """Number of hashes in the consistency proof between trees of size1 < size2 leaves."""
    shift = (size1 & -size1).bit_length() - 1
    inner = ((size1 - 1) ^ (size2 - 1)).bit_length() - shift
    border = ((size1 - 1) >> (inner + shift)).bit_count()
    # The subtree ending at size1 is sent unless it is the whole size1 tree (root1 itself).
    seed = 0 if size1 == 1 << shift else 1
    return seed + inner + border


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that leaf_hash is leaf `index` of the tree of `size` leaves with this root."""
    err = InclusionProofError
    if index < 0 or size < 0:
        raise err(f"index {index} and size {size} must not be negative")
    if index >= size:
        raise err(f"index {index} is not below size {size}")
    _check_hash(leaf_hash, "leaf hash", err)
    _check_hash(root, "root", err)
    want = inclusion_proof_length(index, size)
    if len(proof) != want:
        raise err(
            f"proof has {len(proof)} hashes, a tree of size {size} at index {index} needs {want}"
        )
    _check_proof_hashes(proof, err)

    # RFC 9162 section 2.1.3.2.
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise err("proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise err("proof is shorter than the path to the root")
    if r != root:
        raise err(f"root mismatch: expected {_b64(root)}, computed {_b64(r)}")


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree of size1 leaves with root1 is a prefix of the tree with root2."""
    err = ConsistencyProofError
    if size1 < 0 or size2 < 0:
        raise err(f"size1 {size1} and size2 {size2} must not be negative")
    if size1 > size2:
        raise err(f"size1 {size1} is greater than size2 {size2}")
    if size1 == 0:
        # Every tree extends the empty tree, so there is nothing to prove (RFC 9162 defines
        # proofs for 0 < size1 only); callers that accept "old size 0" skip verification.
        raise err("size1 is 0: a consistency proof from the empty tree proves nothing")
    if size1 == size2:
        if proof:
            raise err(f"sizes are equal ({size1}) but the proof has {len(proof)} hashes, not 0")
        if root1 != root2:
            raise err(
                f"sizes are equal ({size1}) but roots differ: "
                f"root1 {_b64(root1)}, root2 {_b64(root2)}"
            )
        return
    _check_hash(root1, "root1", err)
    _check_hash(root2, "root2", err)
    want = consistency_proof_length(size1, size2)
    if len(proof) != want:
        raise err(f"proof has {len(proof)} hashes, sizes {size1} to {size2} need {want}")
    _check_proof_hashes(proof, err)

    # RFC 9162 section 2.1.4.2.
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise err("proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise err("proof is shorter than the path to the root")
    if fr != root1:
        raise err(f"root1 mismatch: expected {_b64(root1)}, computed {_b64(fr)}")
    if sr != root2:
        raise err(f"root2 mismatch: expected {_b64(root2)}, computed {_b64(sr)}")


def range_hash(begin: int, end: int, reader: NodeReader) -> bytes:
    """MTH of leaves [begin, end), begin aligned to the power of two covering the range."""
    if end <= begin:
        raise ValueError(f"empty or reversed range [{begin}, {end})")
    # The range is a run of complete subtrees, largest first (the set bits of its length);
    # RFC 6962 hangs each smaller one to the right of the ones before it.
    nodes: list[bytes] = []
    start = begin
    for height in range((end - begin).bit_length() - 1, -1, -1):
        if (end - begin) >> height & 1:
            if start % (1 << height):
                raise ValueError(f"range [{begin}, {end}) is not aligned to a subtree")
            nodes.append(reader.node(height, start >> height))
            start += 1 << height
    h = nodes[-1]
    for left in reversed(nodes[:-1]):
        h = node_hash(left, h)
    return h


def tree_root(size: int, reader: NodeReader) -> bytes:
    """MTH of the first `size` leaves of the tree behind reader."""
    if size < 0:
        raise ValueError(f"size {size} must not be negative")
    if size == 0:
        return EMPTY_ROOT
    return range_hash(0, size, reader)


def _subtree_path(index: int, height: int, size: int, reader: NodeReader) -> list[bytes]:
    """Audit path from the complete subtree (height, index) up to the root of `size` leaves."""
    last = (size - 1) >> height  # the right-edge node at this height
    inner = (index ^ last).bit_length()
    path: list[bytes] = []
    for level in range(inner):
        sibling = (index >> level) ^ 1
        h = height + level
        if level == inner - 1:
            # The sibling where the paths to `index` and to the last leaf meet holds the last
            # leaf, so it may be incomplete: combine it from complete subtrees.
            path.append(range_hash(sibling << h, min(size, (sibling + 1) << h), reader))
        else:
            path.append(reader.node(h, sibling))
    for level in range(inner, index.bit_length()):
        # Above the meeting point the node is on the right edge: it has a left sibling only
        # when it is a right child, and no right sibling at all.
        if index >> level & 1:
            path.append(reader.node(height + level, (index >> level) ^ 1))
    return path


def inclusion_proof(index: int, size: int, reader: NodeReader) -> list[bytes]:
    """RFC 9162 inclusion proof (audit path) of leaf index in the tree of `size` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is not in [0, {size})")
    return _subtree_path(index, 0, size, reader)


def consistency_proof(size1: int, size2: int, reader: NodeReader) -> list[bytes]:
    """RFC 9162 consistency proof between the trees of size1 and size2 leaves."""
    if not 0 <= size1 <= size2:
        raise ValueError(f"sizes must satisfy 0 <= size1 <= size2, got {size1} and {size2}")
    if size1 == 0 or size1 == size2:
        return []
    # Start from the largest complete subtree that ends exactly at size1; the rest of the proof
    # is its audit path in the size2 tree.
    height = (size1 & -size1).bit_length() - 1
    index = (size1 - 1) >> height
    path = _subtree_path(index, height, size2, reader)
    if index == 0:
        # size1 is a power of two: that subtree is the size1 root, which the verifier holds.
        return path
    return [reader.node(height, index), *path]
