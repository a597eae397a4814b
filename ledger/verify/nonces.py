"""The nonces a verifier remembers: (signer, nonce) pairs by statement time, kept compactly."""

from __future__ import annotations

import hashlib
import heapq
from array import array

BUCKET = 60_000_000  # one minute of statement time, in microseconds
_EMPTY, _GONE = 0, 1  # table slots: never used, and forgotten (a tombstone)
_MIN_SLOTS = 1024


class NonceWindow:
    """Pairs seen so far, forgetting those whose statement time falls before a moving horizon.

    A log written at full speed has every statement of the burst inside the window, so each
    pair costs about 40 bytes: its 64-bit hash in an open-addressing table (a flat array, at
    most half full) and, in its minute's arrays, beside the leaf that used it. Python sets or
    dicts of strings would cost 80 to 450 bytes a pair. Two different pairs with one hash (odds
    about n * n / 2**65 for n pairs) would be reported as a reuse, never missed.
    """

    def __init__(self) -> None:
        """An empty window."""
        self._table = array("q", bytes(8 * _MIN_SLOTS))
        self._mask = _MIN_SLOTS - 1  # slots are a power of two
        self._used = 0  # slots not empty (live or forgotten)
        self._live = 0
        self._buckets: dict[int, tuple[array[int], array[int]]] = {}  # minute -> keys, leaves
        self._minutes: list[int] = []  # heap of the buckets' minutes

    def __len__(self) -> int:
        """How many pairs are remembered."""
        return self._live

    def add(self, signer: str, nonce: str, time: int, leaf: int) -> int | None:
        """Remember a pair used at leaf; if it was already remembered, the leaf that used it."""
        # A keyed-free, unsalted digest: a collision (odds about n**2 / 2**65) then fails the
        # same way on every run, unlike Python's per-process salted hash().
        digest = hashlib.blake2b(f"{signer}\n{nonce}".encode(), digest_size=8).digest()
        key = int.from_bytes(digest, "big", signed=True)
        if key in (_EMPTY, _GONE):
            key += 2
        table, mask = self._table, self._mask
        slot, free = key & mask, -1
        while (found := table[slot]) != _EMPTY:
            if found == key:
                return self._first_leaf(key)
            if found == _GONE and free < 0:
                free = slot
            slot = (slot + 1) & mask
        if free < 0:
            free = slot
            self._used += 1
        table[free] = key
        self._live += 1
        minute = time // BUCKET
        bucket = self._buckets.get(minute)
        if bucket is None:
            bucket = self._buckets[minute] = (array("q"), array("q"))
            heapq.heappush(self._minutes, minute)
        bucket[0].append(key)
        bucket[1].append(leaf)
        if 2 * self._used > mask:
            self._rehash()
        return None

    def forget_before(self, horizon: int) -> None:
        """Forget pairs whose statement time is before horizon (a whole minute at a time)."""
        minutes = self._minutes
        while minutes and (minutes[0] + 1) * BUCKET <= horizon:
            keys, _leaves = self._buckets.pop(heapq.heappop(minutes))
            table, mask = self._table, self._mask
            for key in keys:
                slot = key & mask
                while table[slot] != key:
                    slot = (slot + 1) & mask
                table[slot] = _GONE
            self._live -= len(keys)

    def _rehash(self) -> None:
        # Grow (or, after many are forgotten, shrink) to four slots a live pair.
        size = _MIN_SLOTS
        while size < 4 * self._live:
            size *= 2
        table = array("q", bytes(8 * size))
        mask = size - 1
        for keys, _leaves in self._buckets.values():
            for key in keys:
                slot = key & mask
                while table[slot] != _EMPTY:
                    slot = (slot + 1) & mask
                table[slot] = key
        self._table, self._mask, self._used = table, mask, self._live

    def _first_leaf(self, key: int) -> int:
        # Only on a reuse, which ends the verification: a scan is fine.
        for keys, leaves in self._buckets.values():
            try:
                return leaves[keys.index(key)]
            except ValueError:
                continue
        raise AssertionError("a remembered key is in one of the buckets")
