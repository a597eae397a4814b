"""`canbo verify`: an outsider's complete check of a log, from its data directory or its server.

It recomputes the whole Merkle tree from the entries and compares every tile and the signed
checkpoint; checks every statement's signature, its key in the registry as recorded so far, and
its nonce; and, from a data directory, that the event store and the log agree leaf by leaf.

The names below are imported on first use, so that worker processes, which import only
ledger.verify.workers, start without SQLAlchemy and httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.verify.datadir import DataDirSource
    from ledger.verify.http import HttpSource
    from ledger.verify.report import Failure, ProgressPrinter, VerifyResult
    from ledger.verify.runner import verify_log, verify_source
    from ledger.verify.sources import LogSource, SourceError

_EXPORTS = {
    "Failure": "ledger.verify.report",
    "ProgressPrinter": "ledger.verify.report",
    "VerifyResult": "ledger.verify.report",
    "verify_log": "ledger.verify.runner",
    "verify_source": "ledger.verify.runner",
    "DataDirSource": "ledger.verify.datadir",
    "HttpSource": "ledger.verify.http",
    "LogSource": "ledger.verify.sources",
    "SourceError": "ledger.verify.sources",
}
__all__ = [
    "DataDirSource",
    "Failure",
    "HttpSource",
    "LogSource",
    "ProgressPrinter",
    "SourceError",
    "VerifyResult",
    "verify_log",
    "verify_source",
]


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
