"""C2SP tlog-tiles: paths, incremental tiles against a naive recomputation, proofs from tiles."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from ledger.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_leaf_hashes,
    tree_root,
    verify_consistency,
    verify_inclusion,
)
from ledger.tiles import (
    HASH_SIZE,
    TILE_WIDTH,
    TileAddress,
    TileAppender,
    TileDataError,
    TileNodeReader,
    TilePathError,
    encode_tile_index,
    entries_path,
    parse_tile_path,
    tile_path,
    tree_root_from_tiles,
)
from tests.ledger.naive_tree import NaiveReader as NaiveTreeReader
from tests.ledger.naive_tree import complete_levels, numbered_leaves

Tiles = dict[tuple[int, int], bytes]

# 65,537 leaves reach level 2 (65,536 = 256**2); 70,000 is the spec's worked example.
BIG = 70_000
LEAVES = numbered_leaves(BIG)
LEVELS = complete_levels(LEAVES)


def NaiveReader(size: int) -> NaiveTreeReader:
    """A NodeReader computed straight from LEAVES, refusing nodes outside `size`."""
    return NaiveTreeReader(LEVELS, size)


def naive_tiles(size: int) -> Tiles:
    """Every tile of a tree of `size` leaves, straight from the spec's MTH formula."""
    tiles: Tiles = {}
    level, hashes = 0, LEAVES[:size]
    while hashes:
        for n in range(0, len(hashes), TILE_WIDTH):
            tiles[(level, n // TILE_WIDTH)] = b"".join(hashes[n : n + TILE_WIDTH])
        # Only full tiles are hashed into the level above.
        hashes = [
            root_from_leaf_hashes(hashes[n : n + TILE_WIDTH])
            for n in range(0, len(hashes) - TILE_WIDTH + 1, TILE_WIDTH)
        ]
        level += 1
    return tiles


def fetch_from(tiles: Tiles) -> Callable[[int, int], bytes]:
    def fetch(level: int, index: int) -> bytes:
        return tiles[(level, index)]

    return fetch


def build(size: int, batches: list[int] | None = None) -> Tiles:
    """Tiles of `size` leaves built by TileAppender in the given batch sizes (cycled)."""
    tiles: Tiles = {}
    appender = TileAppender(0, fetch_from(tiles))
    done, i = 0, 0
    sizes = batches or [size]
    while done < size:
        n = min(sizes[i % len(sizes)], size - done)
        tiles.update(appender.append(LEAVES[done : done + n]))
        done += n
        i += 1
    assert appender.size == size
    return tiles


FULL = build(BIG, [1000])
FULL_FETCH = fetch_from(FULL)


# Paths.


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "000"),
        (5, "005"),
        (999, "999"),
        (1000, "x001/000"),
        (1234067, "x001/x234/067"),
        (10**9, "x001/x000/x000/000"),
    ],
)
def test_tile_index_encoding(n: int, text: str) -> None:
    assert encode_tile_index(n) == text
    assert parse_tile_path(f"0/{text}").index == n


@pytest.mark.parametrize(
    ("path", "address"),
    [
        (tile_path(0, 0), TileAddress(0, 0, 256)),
        (tile_path(0, 1234067, 5), TileAddress(0, 1234067, 5)),
        (tile_path(63, 999, 255), TileAddress(63, 999, 255)),
        (tile_path(12, 1000, 1), TileAddress(12, 1000, 1)),
        (entries_path(0), TileAddress(None, 0, 256)),
        (entries_path(1000, 17), TileAddress(None, 1000, 17)),
    ],
)
def test_paths_round_trip(path: str, address: TileAddress) -> None:
    assert path.startswith("tile/")
    parsed = parse_tile_path(path.removeprefix("tile/"))
    assert parsed == address
    assert parsed.path() == path


def test_path_examples() -> None:
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(1, 5, 17) == "tile/1/005.p/17"
    assert entries_path(5, 255) == "tile/entries/005.p/255"
    assert entries_path(5, 256) == "tile/entries/005"
    address = parse_tile_path("entries/x001/000.p/3")
    assert address.is_entries and address.is_partial
    assert not parse_tile_path("2/000").is_entries
    assert not parse_tile_path("2/000").is_partial


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("0/1", "last index element '1' is not 3 digits"),
        ("0/0000", "last index element '0000' is not 3 digits"),
        ("0/x1/000", "index element 'x1' is not x and 3 digits"),
        ("0/001/000", "index element '001' is not x and 3 digits"),
        ("0/x001/x234", "last index element 'x234' is not 3 digits"),
        ("0/x000/001", "index starts with a redundant x000 element"),
        ("0/000.p/256", "partial width 256 is not in 1..255"),
        ("0/000.p/300", "partial width 300 is not in 1..255"),
        ("0/000.p/0", "partial width 0 is not in 1..255"),
        ("0/000.p/05", "width '05' has a leading zero"),
        ("0/000.p/+5", "width '+5' is not a decimal number"),
        ("0/000.p/", "empty path element"),
        ("0/000.p", "last index element '000.p' is not 3 digits"),
        ("0/000.p/5.p/5", "index element '000.p' is not x and 3 digits"),
        ("64/000", "level 64 is above 63"),
        ("99/000", "level 99 is above 63"),
        ("00/000", "level '00' has a leading zero"),
        ("01/000", "level '01' has a leading zero"),
        ("-1/000", "level '-1' is not a decimal number"),
        ("x/000", "level 'x' is not a decimal number"),
        ("Entries/000", "level 'Entries' is not a decimal number"),
        ("\u0661/000", "level '\u0661' is not a decimal number"),
        ("0/\u0660\u0660\u0660", "last index element '\u0660\u0660\u0660' is not 3 digits"),
        ("0//000", "empty path element"),
        ("/0/000", "empty path element"),
        ("0/000/", "empty path element"),
        ("0/000\n", "last index element '000\\n' is not 3 digits"),
        (" 0/000", "level ' 0' is not a decimal number"),
        ("tile/0/000", "level 'tile' is not a decimal number"),
        ("0", "not <L>/<N>[.p/<W>] or entries/<N>[.p/<W>]"),
        ("", "not <L>/<N>[.p/<W>] or entries/<N>[.p/<W>]"),
    ],
)
def test_bad_paths_are_refused(path: str, message: str) -> None:
    with pytest.raises(TilePathError) as info:
        parse_tile_path(path)
    assert str(info.value) == f"tile path {path!r}: {message}"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: encode_tile_index(-1), "tile index -1 is negative"),
        (lambda: tile_path(64, 0), "tile level 64 is not in 0..63"),
        (lambda: tile_path(-1, 0), "tile level -1 is not in 0..63"),
        (lambda: tile_path(0, 0, 0), "tile width 0 is not in 1..256"),
        (lambda: entries_path(0, 257), "tile width 257 is not in 1..256"),
    ],
)
def test_path_builders_refuse_bad_numbers(call: Callable[[], str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# TileAppender against the naive tiles.


@pytest.mark.parametrize("size", [1, 2, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, BIG])
def test_appended_tiles_equal_the_naive_tiles(size: int) -> None:
    tiles = build(size, [1000])
    assert tiles == naive_tiles(size)
    root = root_from_leaf_hashes(LEAVES[:size])
    assert tree_root_from_tiles(size, fetch_from(tiles)) == root
    # The tiles of the biggest tree answer for every smaller size too: complete subtrees
    # never change.
    assert tree_root_from_tiles(size, FULL_FETCH) == root


def test_the_spec_examples() -> None:
    # "A tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level
    # 0 tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and
    # one partial level 2 tile of width 1."
    widths = {key: len(tile) // HASH_SIZE for key, tile in FULL.items()}
    assert sorted(k for k, w in widths.items() if k[0] == 0 and w == 256) == [
        (0, n) for n in range(273)
    ]
    assert widths[(0, 273)] == 112
    assert widths[(1, 0)] == 256
    assert widths[(1, 1)] == 17
    assert widths[(2, 0)] == 1
    assert len(widths) == 273 + 1 + 1 + 1 + 1
    # "A tree of size 256 will be represented by a full level 0 tile and a partial level 1
    # tile of width 1."
    assert {k: len(v) // HASH_SIZE for k, v in build(256).items()} == {(0, 0): 256, (1, 0): 1}


def test_batch_sizes_do_not_change_the_tiles() -> None:
    size = 66_000
    one_by_one = build(size, [1])
    assert build(size, [1000]) == one_by_one
    assert build(size, [size]) == one_by_one
    assert build(size, [255, 256, 257, 1, 65536]) == one_by_one
    rng = random.Random(7)
    assert build(size, [rng.randint(1, 3000) for _ in range(50)]) == one_by_one


def test_append_reports_exactly_the_changed_tiles() -> None:
    rng = random.Random(11)
    tiles: Tiles = {}
    appender = TileAppender(0, fetch_from(tiles))
    done, step = 0, 0
    while done < 66_000:
        n = rng.choice([0, 1, 2, 255, 256, 257, rng.randint(1, 5000)])
        changed = appender.append(LEAVES[done : done + n])
        before = dict(tiles)
        tiles.update(changed)
        done += n
        step += 1
        assert appender.size == done
        assert {k for k, v in tiles.items() if before.get(k) != v} == set(changed)
        if step % 8 == 0:  # the naive tiles cost O(size): check them now and then
            assert tiles == naive_tiles(done)
    assert tiles == naive_tiles(done)


def test_appender_resumes_from_stored_tiles() -> None:
    for size in [0, 1, 255, 256, 257, 65535, 65536, 65537]:
        tiles = build(size)
        appender = TileAppender(size, fetch_from(tiles))
        assert appender.size == size
        tiles.update(appender.append(LEAVES[size : size + 3000]))
        assert tiles == naive_tiles(size + 3000)


def test_appender_cuts_back_a_tile_written_ahead_of_the_size() -> None:
    # A crash after the tiles were written but before the size was: the next append of the
    # same leaves rewrites the tile.
    tiles = build(300)
    appender = TileAppender(290, fetch_from(tiles))
    changed = appender.append(LEAVES[290:300])
    assert changed == {(0, 1): naive_tiles(300)[(0, 1)]}


def test_appender_refuses_missing_or_short_tiles() -> None:
    with pytest.raises(TileDataError, match="tile 0/001 is missing"):
        TileAppender(300, fetch_from(build(256)))
    tiles = build(300)
    with pytest.raises(
        TileDataError, match="tile 0/001 has 44 hashes, a tree of size 301 needs 45"
    ):
        TileAppender(301, fetch_from(tiles))
    tiles[(0, 1)] += b"\x00"
    with pytest.raises(
        TileDataError, match="tile 0/001 has 1409 bytes, expected a positive multiple of 32"
    ):
        TileAppender(300, fetch_from(tiles))
    with pytest.raises(ValueError, match="tree size -1 must not be negative"):
        TileAppender(-1, fetch_from(tiles))


def test_appender_refuses_a_bad_leaf_hash_without_changing() -> None:
    tiles = build(10)
    appender = TileAppender(10, fetch_from(tiles))
    with pytest.raises(ValueError, match="leaf hash 1 has 31 bytes, expected 32"):
        appender.append([LEAVES[10], LEAVES[11][:31]])
    assert appender.size == 10
    assert appender.append([]) == {}


# Proofs from tiles.


def test_every_node_of_a_small_tree_from_tiles() -> None:
    size = 1500
    reader = TileNodeReader(fetch_from(build(size)))
    for height in range(size.bit_length()):
        for index in range(size >> height):
            assert reader.node(height, index) == LEVELS[height][index], (height, index)


def test_tile_proofs_equal_naive_proofs() -> None:
    rng = random.Random(3)
    reader = TileNodeReader(FULL_FETCH, cache_tiles=8)
    sizes = [1, 2, 255, 256, 257, 65535, 65536, 65537, BIG] + [
        rng.randint(1, BIG) for _ in range(40)
    ]
    for size in sizes:
        naive = NaiveReader(size)
        root = tree_root(size, naive)
        assert tree_root(size, reader) == root
        for index in {0, size - 1, rng.randrange(size), rng.randrange(size)}:
            proof = inclusion_proof(index, size, reader)
            assert proof == inclusion_proof(index, size, naive)
            verify_inclusion(LEAVES[index], index, size, proof, root)
        for size1 in {1, size - 1, rng.randint(1, size), rng.randint(1, size)} - {0}:
            proof = consistency_proof(size1, size, reader)
            assert proof == consistency_proof(size1, size, naive)
            verify_consistency(size1, size, proof, tree_root(size1, naive), root)


class CountingFetch:
    def __init__(self, tiles: Tiles) -> None:
        self.tiles = tiles
        self.calls: list[tuple[int, int]] = []

    def __call__(self, level: int, index: int) -> bytes:
        self.calls.append((level, index))
        return self.tiles[(level, index)]


def test_a_repeated_proof_reads_no_tile() -> None:
    # Complete subtree hashes never change, so the reader keeps them.
    fetch = CountingFetch(FULL)
    reader = TileNodeReader(fetch)
    first = inclusion_proof(1000, BIG, reader)
    fetch.calls.clear()
    assert inclusion_proof(1000, BIG, reader) == first
    assert fetch.calls == []


def test_full_tiles_are_cached_and_partial_tiles_are_not() -> None:
    fetch = CountingFetch(FULL)
    reader = TileNodeReader(fetch, cache_nodes=0)
    inclusion_proof(1000, BIG, reader)
    first = list(fetch.calls)
    fetch.calls.clear()
    inclusion_proof(1000, BIG, reader)
    # Only the right-edge partial tiles (widths 112, 17 and 1) are fetched again.
    assert set(first) >= set(fetch.calls)
    assert all(len(FULL[key]) < TILE_WIDTH * HASH_SIZE for key in fetch.calls)
    assert fetch.calls


def test_the_cache_is_bounded() -> None:
    fetch = CountingFetch(FULL)
    reader = TileNodeReader(fetch, cache_tiles=2, cache_nodes=0)
    for index in [0, 256, 512, 0]:  # three full level-0 tiles through a cache of two
        reader.node(0, index)
    assert fetch.calls == [(0, 0), (0, 1), (0, 2), (0, 0)]


def test_reader_says_which_hash_is_missing() -> None:
    tiles = build(300)  # level 0: a full tile and a partial tile of 44 hashes
    reader = TileNodeReader(fetch_from(tiles))
    assert reader.node(5, 8) == LEVELS[5][8]  # hashes 0..31 of tile 0/001
    with pytest.raises(
        TileDataError,
        match=r"tile 0/001 has 44 hashes; node \(height 4, index 18\) needs hashes 32..47",
    ):
        reader.node(4, 18)
    with pytest.raises(TileDataError, match="tile 1/001 is missing"):
        reader.node(8, 256)
    tiles[(0, 2)] = b""
    with pytest.raises(TileDataError, match="tile 0/002 has 0 bytes"):
        reader.node(0, 512)
    with pytest.raises(ValueError, match=r"node \(height -1, index 0\) must not be negative"):
        reader.node(-1, 0)


def test_the_node_memo_is_bounded() -> None:
    fetch = CountingFetch(FULL)
    reader = TileNodeReader(fetch, cache_tiles=0, cache_nodes=2)
    for index in [0, 1, 2, 0]:  # three level-0 nodes through a memo of two
        reader.node(0, index)
    assert len(fetch.calls) == 4


@pytest.mark.parametrize("size", [0, 1, 2, 3, 255, 256, 257, 511, 65535, 65536, 65537, 70000])
def test_the_appender_root_is_the_rfc6962_root(size: int) -> None:
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    appender = TileAppender(0, lambda level, index: b"")
    appender.append(hashes)
    assert appender.root() == root_from_leaf_hashes(hashes)


@pytest.mark.parametrize("size", [1, 300, 65536, 69_999])
def test_a_resumed_appender_has_the_same_root(size: int) -> None:
    tiles = build(size, [777])
    resumed = TileAppender(size, fetch_from(tiles))
    assert resumed.root() == root_from_leaf_hashes(LEAVES[:size])
    resumed.append(LEAVES[size : size + 1])
    assert resumed.root() == root_from_leaf_hashes(LEAVES[: size + 1])
