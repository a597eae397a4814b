"""Limits and switches of the HTTP layer, with defaults that are safe to expose.

The ledger's own settings live in DATA_DIR/ledger.json (ledger.settings); these belong to one API
process and are read from CANBO_API_* environment variables, so two servers of one log may differ
(say, a CORS origin on the public one only).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace


class ApiConfigError(ValueError):
    """An environment variable of the API has a wrong value."""


@dataclass(frozen=True)
class ApiConfig:
    """Everything the API's middleware, sessions and limits need."""

    session_ttl_seconds: int = 900  # a session token lives 15 minutes; log in again after
    challenge_ttl_seconds: int = 60
    # Per client address, on endpoints open to anyone (reads, login): a token bucket.
    anonymous_rate_per_second: float = 20.0
    anonymous_burst: int = 100
    # Signed statements prove who sent them; 0 leaves them unlimited (officials' batch tools).
    signed_rate_per_second: float = 0.0
    signed_burst: int = 200
    # Bodies of endpoints other than statement submission (which set their own limits).
    max_body_bytes: int = 16 * 1024
    request_timeout_seconds: float = 30.0
    cors_origins: tuple[str, ...] = ()  # closed unless origins are named
    # Reporting: receipt-code tries per client per 10 minutes, reports filed per client per
    # hour (0: unlimited). A receipt has 100 bits; the limit keeps guessing from even trying.
    receipt_tries: int = 10
    report_filings_per_hour: int = 20

    def __post_init__(self) -> None:
        if self.session_ttl_seconds < 1 or self.challenge_ttl_seconds < 1:
            raise ApiConfigError("session and challenge lifetimes must be positive")
        if self.anonymous_rate_per_second < 0 or self.signed_rate_per_second < 0:
            raise ApiConfigError("rates must be 0 (unlimited) or positive")
        if self.max_body_bytes < 1024 or self.request_timeout_seconds <= 0:
            raise ApiConfigError("max_body_bytes must be >= 1024 and the timeout positive")
        if "*" in self.cors_origins:
            raise ApiConfigError("CORS origins must be named; '*' would open the API to any site")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ApiConfig:
        """Defaults overridden by CANBO_API_<FIELD> variables (CORS: comma-separated)."""
        env = os.environ if env is None else env
        given: dict[str, object] = {}
        for field in fields(cls):
            raw = env.get(f"CANBO_API_{field.name.upper()}")
            if raw is None:
                continue
            try:
                if field.name == "cors_origins":
                    given[field.name] = tuple(o.strip() for o in raw.split(",") if o.strip())
                elif field.type in ("int", int):
                    given[field.name] = int(raw)
                else:
                    given[field.name] = float(raw)
            except ValueError:
                raise ApiConfigError(
                    f"CANBO_API_{field.name.upper()}={raw!r} is not a number"
                ) from None
        return replace(cls(), **given)  # type: ignore[arg-type]
