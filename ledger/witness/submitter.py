"""Sending each new checkpoint to the log's witnesses, in the background.

One thread per log process that signs checkpoints (the embedded server, or `canbo sequencer` on
PostgreSQL). Each round reads the latest checkpoint and sends it, in parallel, to every witness
that has not cosigned it and is not waiting out a back-off; the round's answers are written in
one transaction, so the published checkpoint gains its cosignatures together. A witness that is
down or refuses is retried with exponential back-off (1 s doubling to 60 s) and logged; it never
holds up ingestion, which does not wait for witnesses at all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from ledger.log_store import LogHead, LogStore
from ledger.protocols import SignatureVerifier
from ledger.witness.client import CosignedBy, Refused, add_checkpoint
from ledger.witness.cosignatures import CosignatureStore, WitnessRecord
from ledger.witness.log_config import LogWitness

log = logging.getLogger("canbo.witnessing")


@dataclass
class _Witness:
    config: LogWitness
    record: WitnessRecord
    failures: int = 0
    retry_at: float = 0.0  # monotonic seconds

    @property
    def label(self) -> str:
        return f"{self.config.key.name} ({self.config.url})"


class WitnessSubmitter:
    """Submits the log's latest checkpoint to its witnesses until each has cosigned it."""

    def __init__(
        self,
        witnesses: Sequence[LogWitness],
        log_store: LogStore,
        cosignatures: CosignatureStore,
        verifier: SignatureVerifier,
        *,
        http: httpx.Client | None = None,
        poll_interval: float = 0.25,
        timeout: float = 5.0,
        min_backoff: float = 1.0,
        max_backoff: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.log_store = log_store
        self.cosignatures = cosignatures
        self.verifier = verifier
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.monotonic = monotonic
        self.wall_clock = wall_clock
        self._own_http = http is None
        self.http = http or httpx.Client()
        stored = cosignatures.load()
        self.witnesses = [
            _Witness(w, stored.get(w.vkey) or WitnessRecord(w.vkey, known_size=0))
            for w in witnesses
        ]
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, len(self.witnesses)), thread_name_prefix="canbo-witness"
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run rounds in a background thread until stop()."""
        self._thread = threading.Thread(target=self._run, name="canbo-witnessing", daemon=True)
        self._thread.start()
        log.info(
            "sending checkpoints to %d witness(es): %s",
            len(self.witnesses),
            ", ".join(w.label for w in self.witnesses),
        )

    def stop(self) -> None:
        """Stop the thread (after its current round) and release the HTTP client."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 5)
        self._pool.shutdown(wait=True)
        if self._own_http:
            self.http.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_round()
            except Exception:  # the thread must outlive a database hiccup; say so and go on
                log.exception("witnessing round failed; retrying")
                self._stop.wait(self.min_backoff)
            self._stop.wait(self.poll_interval)

    def run_round(self) -> int:
        """Send the latest checkpoint to every due witness; return how many cosigned it."""
        head = self.log_store.head()
        if head is None:
            return 0
        now = self.monotonic()
        due = [
            w
            for w in self.witnesses
            if w.record.checkpoint != head.checkpoint and now >= w.retry_at
        ]
        if not due:
            return 0
        outcomes = list(self._pool.map(lambda w: self._submit(w, head), due))
        self.cosignatures.save([w.record for w, _ in outcomes], int(self.wall_clock()))
        return sum(1 for _, ok in outcomes if ok)

    def _submit(self, witness: _Witness, head: LogHead) -> tuple[_Witness, bool]:
        outcome, old = add_checkpoint(
            self.http,
            witness.config,
            old_size=witness.record.known_size,
            size=head.size,
            note=head.checkpoint,
            proof=self.log_store.consistency_proof,
            verifier=self.verifier,
            timeout=self.timeout,
        )
        if isinstance(outcome, CosignedBy):
            self._cosigned(witness, head, outcome)
            return witness, True
        self._refused(witness, outcome, old)
        return witness, False

    def _cosigned(self, witness: _Witness, head: LogHead, outcome: CosignedBy) -> None:
        if witness.failures:
            log.info(
                "witness %s is back after %d failed attempt(s): cosigned size %d",
                witness.label,
                witness.failures,
                head.size,
            )
        elif witness.record.cosigned_size is None:
            log.info("witness %s cosigned size %d", witness.label, head.size)
        else:
            log.debug("witness %s cosigned size %d", witness.label, head.size)
        witness.record = WitnessRecord(
            witness.config.vkey, head.size, head.size, head.checkpoint, outcome.line
        )
        witness.failures = 0
        witness.retry_at = 0.0

    def _refused(self, witness: _Witness, outcome: Refused, old: int) -> None:
        if outcome.known_size is not None:
            witness.record.known_size = outcome.known_size
        witness.failures += 1
        delay = min(self.max_backoff, self.min_backoff * 2 ** (witness.failures - 1))
        witness.retry_at = self.monotonic() + delay
        log.warning(
            "witness %s did not cosign (sent old size %d): %s; retrying in %.0f s (attempt %d)",
            witness.label,
            old,
            outcome.message,
            delay,
            witness.failures,
        )


def start_witnessing(
    witnesses: Sequence[LogWitness],
    log_store: LogStore,
    verifier: SignatureVerifier,
    *,
    poll_interval: float = 0.25,
    timeout: float = 5.0,
) -> WitnessSubmitter | None:
    """Start sending checkpoints to these witnesses (None if there are none)."""
    if not witnesses:
        return None
    submitter = WitnessSubmitter(
        witnesses,
        log_store,
        CosignatureStore(log_store.engine),
        verifier,
        poll_interval=poll_interval,
        timeout=timeout,
    )
    submitter.start()
    return submitter
