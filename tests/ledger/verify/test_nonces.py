"""The nonce window remembers exactly the pairs inside it, in little memory."""

from __future__ import annotations

from ledger.verify.nonces import BUCKET, NonceWindow


def test_a_pair_is_found_again_with_its_first_leaf() -> None:
    window = NonceWindow()
    assert window.add("k1", "n1", 0, 7) is None
    assert window.add("k2", "n1", 0, 8) is None  # another signer's nonce is another pair
    assert window.add("k1", "n1", 5, 9) == 7
    assert len(window) == 2


def test_forgotten_pairs_are_gone_and_the_rest_stay() -> None:
    window = NonceWindow()
    for i in range(5000):  # through several rehashes
        assert window.add("k", f"n{i}", i * BUCKET // 100, i) is None
    window.forget_before(25 * BUCKET)  # statement times before minute 25: leaves 0..2499
    assert len(window) == 2500
    assert window.add("k", "n10", 0, 99999) is None  # forgotten, so new again
    assert window.add("k", "n4000", 0, 99999) == 4000
    window.forget_before(10**6 * BUCKET)
    assert len(window) == 0


def test_the_table_stays_small() -> None:
    window = NonceWindow()
    for i in range(100_000):
        window.add("k", f"n{i}", 0, i)
    # Slots of 8 bytes, at most four a live pair after a rehash: at most 32 bytes a pair.
    assert window._table.itemsize * len(window._table) <= 32 * 100_000 + 8 * 1024
