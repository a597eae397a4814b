"""Properties of proof generation and verification over random trees of up to 2,000 leaves."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.merkle import (
    ConsistencyProofError,
    InclusionProofError,
    consistency_proof,
    inclusion_proof,
    node_hash,
    root_from_leaf_hashes,
    tree_root,
    verify_consistency,
    verify_inclusion,
)
from tests.ledger.naive_tree import NaiveReader, complete_levels, numbered_leaves

MAX_SIZE = 2000
LEAVES = numbered_leaves(MAX_SIZE)
LEVELS = complete_levels(LEAVES)


def TreeReader(size: int) -> NaiveReader:
    """A NodeReader over the first `size` of LEAVES."""
    return NaiveReader(LEVELS, size)


@cache
def root(size: int) -> bytes:
    return root_from_leaf_hashes(LEAVES[:size])


def _split(n: int) -> int:
    """The largest power of two smaller than n (RFC 9162 section 2.1.1)."""
    return 1 << ((n - 1).bit_length() - 1)


def mth(leaves: list[bytes]) -> bytes:
    """MTH written straight from RFC 9162 section 2.1.1."""
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def rfc_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) written straight from RFC 9162 section 2.1.3.1."""
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if m < k:
        return [*rfc_path(m, leaves[:k]), mth(leaves[k:])]
    return [*rfc_path(m - k, leaves[k:]), mth(leaves[:k])]


def rfc_subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) written straight from RFC 9162 section 2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if b else [mth(leaves)]
    k = _split(n)
    if m <= k:
        return [*rfc_subproof(m, leaves[:k], b), mth(leaves[k:])]
    return [*rfc_subproof(m - k, leaves[k:], False), mth(leaves[:k])]


# What a verifier computes depends only on these shapes, not on the sizes themselves: two sizes
# with the same shape accept the same proof (the signed checkpoint, not the proof, binds the size).


def inclusion_shape(m: int, n: int) -> tuple[str, ...]:
    """Side of each proof hash, bottom up."""
    if n == 1:
        return ()
    k = _split(n)
    return (*inclusion_shape(m, k), "right") if m < k else (*inclusion_shape(m - k, n - k), "left")


def consistency_shape(m: int, n: int, b: bool = True) -> tuple[str, ...]:
    """Seed and side of each proof hash, bottom up (the size1 root skips right-hand hashes)."""
    if m == n:
        return ("root1",) if b else ("seed",)
    k = _split(n)
    if m <= k:
        return (*consistency_shape(m, k, b), "right")
    return (*consistency_shape(m - k, n - k, False), "left")


@st.composite
def size_and_index(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, MAX_SIZE))
    return size, draw(st.integers(0, size - 1))


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    size2 = draw(st.integers(2, MAX_SIZE))
    return draw(st.integers(1, size2 - 1)), size2


def flip(value: bytes, bit: int) -> bytes:
    """value with one bit inverted."""
    bit %= len(value) * 8
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


bits = st.integers(0, 255)


@given(size_and_index())
def test_inclusion_proof_verifies(case: tuple[int, int]) -> None:
    size, index = case
    proof = inclusion_proof(index, size, TreeReader(size))
    verify_inclusion(LEAVES[index], index, size, proof, root(size))
    assert tree_root(size, TreeReader(size)) == root(size)


@given(st.integers(1, 130).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_inclusion_proof_is_the_rfc_path(case: tuple[int, int]) -> None:
    size, index = case
    assert inclusion_proof(index, size, TreeReader(size)) == rfc_path(index, LEAVES[:size])
    assert root(size) == mth(LEAVES[:size])


@given(size_and_index(), st.integers(0, 10**6), bits)
def test_flipped_bit_in_inclusion_proof_fails(case: tuple[int, int], pick: int, bit: int) -> None:
    size, index = case
    proof = inclusion_proof(index, size, TreeReader(size))
    if proof:
        i = pick % len(proof)
        bad = [*proof[:i], flip(proof[i], bit), *proof[i + 1 :]]
        with pytest.raises(InclusionProofError, match="root mismatch"):
            verify_inclusion(LEAVES[index], index, size, bad, root(size))
    with pytest.raises(InclusionProofError, match="root mismatch"):
        verify_inclusion(flip(LEAVES[index], bit), index, size, proof, root(size))
    with pytest.raises(InclusionProofError, match="root mismatch"):
        verify_inclusion(LEAVES[index], index, size, proof, flip(root(size), bit))


@given(size_and_index(), st.integers(0, MAX_SIZE))
def test_inclusion_proof_for_another_index_fails(case: tuple[int, int], other: int) -> None:
    size, index = case
    other %= size
    proof = inclusion_proof(index, size, TreeReader(size))
    if other != index:
        with pytest.raises(InclusionProofError):
            verify_inclusion(LEAVES[index], other, size, proof, root(size))


@given(size_and_index(), st.integers(1, MAX_SIZE))
def test_inclusion_proof_with_wrong_size_fails_unless_same_shape(
    case: tuple[int, int], other: int
) -> None:
    size, index = case
    proof = inclusion_proof(index, size, TreeReader(size))
    if other == size:
        return
    if other > index and inclusion_shape(index, other) == inclusion_shape(index, size):
        verify_inclusion(LEAVES[index], index, other, proof, root(size))
    else:
        with pytest.raises(InclusionProofError):
            verify_inclusion(LEAVES[index], index, other, proof, root(size))


@given(two_sizes())
def test_consistency_proof_verifies(sizes: tuple[int, int]) -> None:
    size1, size2 = sizes
    proof = consistency_proof(size1, size2, TreeReader(size2))
    verify_consistency(size1, size2, proof, root(size1), root(size2))


@given(st.integers(1, MAX_SIZE))
def test_consistency_of_equal_sizes_is_the_empty_proof(size: int) -> None:
    assert consistency_proof(size, size, TreeReader(size)) == []
    verify_consistency(size, size, [], root(size), root(size))


@given(st.integers(2, 130).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))))
def test_consistency_proof_is_the_rfc_subproof(sizes: tuple[int, int]) -> None:
    size1, size2 = sizes
    expected = rfc_subproof(size1, LEAVES[:size2], True)
    assert consistency_proof(size1, size2, TreeReader(size2)) == expected


@given(two_sizes(), st.integers(0, 10**6), bits)
def test_flipped_bit_in_consistency_proof_fails(
    sizes: tuple[int, int], pick: int, bit: int
) -> None:
    size1, size2 = sizes
    proof = consistency_proof(size1, size2, TreeReader(size2))
    i = pick % len(proof)
    bad = [*proof[:i], flip(proof[i], bit), *proof[i + 1 :]]
    with pytest.raises(ConsistencyProofError, match="mismatch"):
        verify_consistency(size1, size2, bad, root(size1), root(size2))
    # When size1 is a power of two the proof starts from root1 itself, so a wrong root1 shows
    # up as a root2 mismatch.
    with pytest.raises(ConsistencyProofError, match=r"root[12] mismatch"):
        verify_consistency(size1, size2, proof, flip(root(size1), bit), root(size2))
    with pytest.raises(ConsistencyProofError, match="root2 mismatch"):
        verify_consistency(size1, size2, proof, root(size1), flip(root(size2), bit))


@given(two_sizes(), two_sizes())
def test_consistency_proof_with_wrong_sizes_fails_unless_same_shape(
    sizes: tuple[int, int], other: tuple[int, int]
) -> None:
    size1, size2 = sizes
    proof = consistency_proof(size1, size2, TreeReader(size2))
    for wrong in [(other[0], size2), (size1, other[1]), other]:
        if wrong == sizes:
            continue
        if wrong[0] < wrong[1] and consistency_shape(*wrong) == consistency_shape(*sizes):
            verify_consistency(*wrong, proof, root(size1), root(size2))
        else:
            with pytest.raises(ConsistencyProofError):
                verify_consistency(*wrong, proof, root(size1), root(size2))


def test_the_proof_does_not_bind_the_size_by_itself() -> None:
    # Examples of the shape rule above: the checkpoint's signature is what ties size to root.
    proof5 = inclusion_proof(0, 5, TreeReader(5))
    verify_inclusion(LEAVES[0], 0, 6, proof5, root(5))
    proof48 = consistency_proof(4, 8, TreeReader(8))
    verify_consistency(4, 6, proof48, root(4), root(8))


def test_generation_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"index 5 is not in \[0, 5\)"):
        inclusion_proof(5, 5, TreeReader(5))
    with pytest.raises(ValueError, match="0 <= size1 <= size2, got 6 and 5"):
        consistency_proof(6, 5, TreeReader(5))
    assert consistency_proof(0, 5, TreeReader(5)) == []


def test_every_proof_of_small_trees_is_the_rfc_one() -> None:
    # Exhaustive where random sampling could miss an edge: every index and size1 up to 64.
    for size in range(1, 65):
        leaves = LEAVES[:size]
        reader = TreeReader(size)
        for index in range(size):
            proof = inclusion_proof(index, size, reader)
            assert proof == rfc_path(index, leaves)
            verify_inclusion(LEAVES[index], index, size, proof, root(size))
        for size1 in range(1, size):
            proof = consistency_proof(size1, size, reader)
            assert proof == rfc_subproof(size1, leaves, True)
            verify_consistency(size1, size, proof, root(size1), root(size))
