"""Known-answer tests: every RFC 6962 probe of tests/vectors/rfc6962 and the README's constants."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from ledger.merkle import (
    EMPTY_ROOT,
    ConsistencyProofError,
    InclusionProofError,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "rfc6962"
INCLUSION = sorted(VECTORS.glob("inclusion/**/*.json"))
CONSISTENCY = sorted(VECTORS.glob("consistency/**/*.json"))

# The eight entries of the Go and C++ CT test suites; the probes' trees are built from them.
ENTRIES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
LEAVES = [leaf_hash(e) for e in ENTRIES]
# MTH of the first n entries (the probes carry the roots of sizes 1, 2, 3, 5, 6, 7 and 8).
ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _proof(probe: dict[str, Any]) -> list[bytes]:
    # Probes write an empty proof as null, [] or absent.
    return [_b64(h) for h in probe.get("proof") or []]


def _load(path: Path) -> dict[str, Any]:
    probe: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return probe


def _id(path: Path) -> str:
    return path.relative_to(VECTORS).as_posix()


class EntriesReader:
    """Complete subtrees of the tree over ENTRIES."""

    def node(self, height: int, index: int) -> bytes:
        assert (index + 1) << height <= len(LEAVES)
        return root_from_leaf_hashes(LEAVES[index << height : (index + 1) << height])


def test_the_directory_holds_the_probes() -> None:
    # A missing copy must fail loudly, not parametrise over nothing.
    assert len(INCLUSION) == 98
    assert len(CONSISTENCY) == 98


def test_readme_constants() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    assert tree_root(0, EntriesReader()) == EMPTY_ROOT


def test_hashes_are_domain_separated() -> None:
    left, right = leaf_hash(b"a"), leaf_hash(b"b")
    assert leaf_hash(b"a") == hashlib.sha256(b"\x00a").digest()
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    # A node is never the leaf hash of its children's concatenation.
    assert node_hash(left, right) != leaf_hash(left + right)


@pytest.mark.parametrize("size", sorted(ROOTS))
def test_roots_of_the_ct_test_tree(size: int) -> None:
    assert root_from_leaf_hashes(LEAVES[:size]).hex() == ROOTS[size]
    assert tree_root(size, EntriesReader()).hex() == ROOTS[size]


@pytest.mark.parametrize("path", INCLUSION, ids=_id)
def test_inclusion_probe(path: Path) -> None:
    probe = _load(path)
    args = (
        _b64(probe["leafHash"]),
        probe["leafIdx"],
        probe["treeSize"],
        _proof(probe),
        _b64(probe["root"]),
    )
    if probe["wantErr"]:
        with pytest.raises(InclusionProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("path", CONSISTENCY, ids=_id)
def test_consistency_probe(path: Path) -> None:
    probe = _load(path)
    args = (
        probe["size1"],
        probe["size2"],
        _proof(probe),
        _b64(probe["root1"]),
        _b64(probe["root2"]),
    )
    if probe["wantErr"]:
        with pytest.raises(ConsistencyProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


HAPPY_INCLUSION = [
    p for p in INCLUSION if p.name == "happy-path.json" and _load(p)["treeSize"] <= len(ENTRIES)
]
HAPPY_CONSISTENCY = [
    p for p in CONSISTENCY if p.name == "happy-path.json" and _load(p)["size2"] <= len(ENTRIES)
]


@pytest.mark.parametrize("path", HAPPY_INCLUSION, ids=_id)
def test_generated_inclusion_proof_equals_probe(path: Path) -> None:
    probe = _load(path)
    assert _b64(probe["leafHash"]) == LEAVES[probe["leafIdx"]]
    assert _b64(probe["root"]).hex() == ROOTS[probe["treeSize"]]
    assert inclusion_proof(probe["leafIdx"], probe["treeSize"], EntriesReader()) == _proof(probe)


@pytest.mark.parametrize("path", HAPPY_CONSISTENCY, ids=_id)
def test_generated_consistency_proof_equals_probe(path: Path) -> None:
    probe = _load(path)
    assert _b64(probe["root1"]).hex() == ROOTS[probe["size1"]]
    assert _b64(probe["root2"]).hex() == ROOTS[probe["size2"]]
    assert consistency_proof(probe["size1"], probe["size2"], EntriesReader()) == _proof(probe)


def test_every_happy_path_was_generated() -> None:
    assert len(HAPPY_INCLUSION) == 5
    assert len(HAPPY_CONSISTENCY) == 5


# Negative paths: each error says what was expected and what was found.

ROOT7 = bytes.fromhex(ROOTS[7])
PROOF_2_7 = inclusion_proof(2, 7, EntriesReader())


def _b(value: bytes) -> str:
    return base64.b64encode(value).decode()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((LEAVES[2], 7, 7, PROOF_2_7, ROOT7), "index 7 is not below size 7"),
        ((LEAVES[2], 8, 8, PROOF_2_7, ROOT7), "index 8 is not below size 8"),
        ((LEAVES[2], -1, 7, PROOF_2_7, ROOT7), "index -1 and size 7 must not be negative"),
        ((LEAVES[2][:31], 2, 7, PROOF_2_7, ROOT7), "leaf hash has 31 bytes, expected 32"),
        ((LEAVES[2], 2, 7, PROOF_2_7, ROOT7 + b"\x00"), "root has 33 bytes, expected 32"),
        (
            (LEAVES[2], 2, 7, PROOF_2_7[:2], ROOT7),
            "proof has 2 hashes, a tree of size 7 at index 2 needs 3",
        ),
        (
            (LEAVES[2], 2, 7, [*PROOF_2_7, LEAVES[0]], ROOT7),
            "proof has 4 hashes, a tree of size 7 at index 2 needs 3",
        ),
        (
            (LEAVES[2], 2, 7, [PROOF_2_7[0], b"", PROOF_2_7[2]], ROOT7),
            "proof hash 1 has 0 bytes, expected 32",
        ),
        (
            (LEAVES[3], 2, 7, PROOF_2_7, ROOT7),
            f"root mismatch: expected {_b(ROOT7)}, computed ",
        ),
    ],
)
def test_inclusion_errors_say_what_is_wrong(
    args: tuple[bytes, int, int, list[bytes], bytes], message: str
) -> None:
    with pytest.raises(InclusionProofError) as info:
        verify_inclusion(*args)
    assert str(info.value).startswith(message)
    assert isinstance(info.value, ProofError)
    assert isinstance(info.value, ValueError)


ROOT3 = bytes.fromhex(ROOTS[3])
PROOF_3_7 = consistency_proof(3, 7, EntriesReader())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((7, 3, PROOF_3_7, ROOT3, ROOT7), "size1 7 is greater than size2 3"),
        ((-1, 3, PROOF_3_7, ROOT3, ROOT7), "size1 -1 and size2 3 must not be negative"),
        (
            (0, 7, [], EMPTY_ROOT, ROOT7),
            "size1 is 0: a consistency proof from the empty tree proves nothing",
        ),
        ((7, 7, [ROOT7], ROOT7, ROOT7), "sizes are equal (7) but the proof has 1 hashes, not 0"),
        (
            (7, 7, [], ROOT3, ROOT7),
            f"sizes are equal (7) but roots differ: root1 {_b(ROOT3)}, root2 {_b(ROOT7)}",
        ),
        ((3, 7, [], ROOT3, ROOT7), "proof has 0 hashes, sizes 3 to 7 need 4"),
        ((3, 7, PROOF_3_7[:3], ROOT3, ROOT7), "proof has 3 hashes, sizes 3 to 7 need 4"),
        ((3, 7, PROOF_3_7, ROOT3[:9], ROOT7), "root1 has 9 bytes, expected 32"),
        ((3, 7, PROOF_3_7, ROOT3, ROOT7[:9]), "root2 has 9 bytes, expected 32"),
        (
            (3, 7, [*PROOF_3_7[:3], PROOF_3_7[3] + b"\x00"], ROOT3, ROOT7),
            "proof hash 3 has 33 bytes, expected 32",
        ),
        ((3, 7, PROOF_3_7, ROOT7, ROOT7), f"root1 mismatch: expected {_b(ROOT7)}, computed "),
        ((3, 7, PROOF_3_7, ROOT3, ROOT3), f"root2 mismatch: expected {_b(ROOT3)}, computed "),
    ],
)
def test_consistency_errors_say_what_is_wrong(
    args: tuple[int, int, list[bytes], bytes, bytes], message: str
) -> None:
    with pytest.raises(ConsistencyProofError) as info:
        verify_consistency(*args)
    assert str(info.value).startswith(message)


def test_the_error_names_the_computed_root() -> None:
    with pytest.raises(InclusionProofError) as info:
        verify_inclusion(LEAVES[3], 2, 7, PROOF_2_7, ROOT7)
    # The computed value is the root of a tree with leaf 3 in place of leaf 2.
    forged = root_from_leaf_hashes([*LEAVES[:2], LEAVES[3], *LEAVES[3:7]])
    assert str(info.value) == f"root mismatch: expected {_b(ROOT7)}, computed {_b(forged)}"
