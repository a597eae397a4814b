"""Per-client token buckets, in memory (each API process limits on its own)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from ledger.errors import LedgerError

# Past this many clients, buckets that have refilled are dropped: a full bucket holds no
# information, so forgetting it changes nothing for that client.
MAX_TRACKED_CLIENTS = 50_000


class RateLimited(LedgerError):
    """Too many requests from one client; `retry_after` seconds until the next one is allowed."""

    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many requests from this client; retry in {retry_after} s",
            f"quá nhiều yêu cầu từ máy này; hãy thử lại sau {retry_after} giây",
            retry_after_seconds=retry_after,
        )
        self.retry_after = retry_after


class TokenBuckets:
    """`rate` requests a second per client, in bursts of up to `burst`; rate 0: no limit."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client: (tokens, at)
        self._lock = threading.Lock()

    def take(self, client: str) -> None:
        """Spend one request of client's allowance, or raise RateLimited."""
        if self.rate <= 0:
            return
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                raise RateLimited(math.ceil((1 - tokens) / self.rate))
            self._buckets[client] = (tokens - 1, now)
            if len(self._buckets) > MAX_TRACKED_CLIENTS:
                self._forget_full(now)

    def _forget_full(self, now: float) -> None:
        for client, (tokens, at) in list(self._buckets.items()):
            if tokens + (now - at) * self.rate >= self.burst:
                del self._buckets[client]


class TryLimiter:
    """At most `tries` per client in `window` seconds (in memory, per process): for costly,
    guessable things (receipt codes, report filings), where a token bucket's refill is too kind.
    """

    def __init__(self, tries: int, window: float) -> None:
        # tries 0: no limit (tests, or a deployment limiting at its proxy)
        self.tries, self.window = tries, window
        self.seen: dict[str, deque[float]] = {}

    def check(self, client: str) -> None:
        """Count one try; RateLimited past the limit."""
        if self.tries <= 0:
            return
        now = time.monotonic()
        recent = self.seen.setdefault(client, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) >= self.tries:
            wait = int(recent[0] + self.window - now) + 1
            raise RateLimited(wait)
        recent.append(now)
        if len(self.seen) > 100_000:  # forget idle clients rather than grow without bound
            self.seen = {k: v for k, v in self.seen.items() if v and v[-1] > now - self.window}
