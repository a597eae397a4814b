"""The statement half of `canbo verify`: every statement, in log order, against the key
registry and the nonces as recorded so far (the tree half is in tree.py).

Memory stays flat in the log's size: the registry holds one record per key, and nonces are
kept only inside a sliding time window (see StatementCheck).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ledger.binding import ExpectedEvent, expected_events, mismatch
from ledger.errors import LedgerError
from ledger.handlers import NOTICE_ROLES
from ledger.registry import KEY_STATEMENT_TYPES, KeyRecord, key_changes, key_id_of, scope_covers
from ledger.statement import Statement
from ledger.verify.facts import LeafFacts, from_micros, to_micros
from ledger.verify.nonces import NonceWindow
from ledger.verify.report import Failure, b64, leaf_failure

RECEIPT_MARGIN = 1_000_000  # microseconds


@dataclass
class _Key:
    record: KeyRecord
    valid_from: int  # microseconds, for the fast path of check_valid_at
    revoked_at: int | None


class StatementCheck:
    """Checks statements in log order against the key registry and nonces recorded so far.

    Registry: key.* statements are replayed with ledger.registry.key_changes, as the server
    applies them; the log key may sign only the genesis enrolment at leaf 0. Every other
    statement needs a key enrolled earlier in the log, valid and not revoked at the
    statement's time, whose public key is the entry's.

    Nonces, with flat memory: each statement's time must lie within `window` of its event's
    recording time, recording times may not go back by more than `window` below the latest
    seen, and a (signer, nonce) pair is remembered while its statement's time is within
    2 * window of the latest recording time. An exact replay of a statement is therefore
    always caught (its time would be too old for its later recording); a signer reusing a
    nonce in a different statement is caught only within the window (the server refuses it
    for ever, with its own nonce table).
    """

    def __init__(self, log_public_key: bytes, window: timedelta) -> None:
        """Check against this log key; window is the allowed statement/recording time gap."""
        self.log_public_key = log_public_key
        self.log_key_id = key_id_of(log_public_key)
        self.window = to_micros_delta(window)
        self.keys: dict[str, _Key] = {}
        self._nonces = NonceWindow()
        self._latest = 0  # the latest recording time seen
        self._previous: bytes = b""  # statement id of the previous leaf
        # The events the current statement must still produce, and where it started.
        self._expected: list[ExpectedEvent] = []
        self._statement_leaf = 0

    def key_record(self, key_id: str) -> KeyRecord | None:
        """The registry's record of a key, as the log says so far (a registry.KeyLookup)."""
        key = self.keys.get(key_id)
        return key.record if key is not None else None

    @property
    def remembered_nonces(self) -> int:
        """How many nonces the window holds now."""
        return len(self._nonces)

    def check(self, index: int, facts: LeafFacts) -> Failure | None:
        """Check leaf `index`; facts.error must already be handled."""
        recorded = facts.recorded
        assert recorded is not None, "workers flag a missing recording time as an error"
        window = self.window
        if abs(facts.time - recorded) > window:
            return leaf_failure(
                index,
                f"the statement is dated {_iso(facts.time)}, recorded at {_iso(recorded)}: "
                f"expected within {window // 1_000_000} s of each other",
            )
        if recorded < self._latest - window:
            return leaf_failure(
                index,
                f"recorded at {_iso(recorded)}, more than {window // 1_000_000} s before "
                f"an earlier leaf's recording time {_iso(self._latest)}",
            )
        if recorded > self._latest:
            self._latest = recorded
        if facts.statement_id == self._previous:
            return self._check_event(index, facts)  # a further event of the same statement
        failure = self.finish_statement()
        if failure is not None:
            return failure
        self._previous = facts.statement_id
        self._statement_leaf = index
        failure = self._check_nonce(index, facts)
        records: list[KeyRecord] = []
        if failure is None:
            failure, records = self._check_signer(index, facts)
        if failure is not None:
            return failure
        if facts.type not in KEY_STATEMENT_TYPES:
            # Its one event was held to the statement by the worker (facts.local_binding_error).
            self._expected = []
            return None
        self._expected = expected_events(facts.type, facts.payload or {}, records)
        return self._check_event(index, facts)

    def finish_statement(self) -> Failure | None:
        """At a statement's end (a new one, or the log's end): all its events were seen."""
        if self._expected:
            missing = ", ".join(e.topic for e in self._expected)
            return leaf_failure(
                self._statement_leaf,
                f"the statement at this leaf must also produce {missing}; the log lacks it",
            )
        return None

    def _check_event(self, index: int, facts: LeafFacts) -> Failure | None:
        # The event must be exactly what the statement produces: a signature alone would let a
        # valid statement be attached to any event (a forged revocation, say).
        if not self._expected:
            return leaf_failure(
                index, f"the {facts.type} statement has produced all its events already"
            )
        want = self._expected.pop(0)
        found = (facts.topic, facts.aggregate_id, facts.version, {"record": facts.record})
        problem = mismatch([want], [found])
        return leaf_failure(index, problem) if problem else None

    def _check_nonce(self, index: int, facts: LeafFacts) -> Failure | None:
        first = self._nonces.add(facts.signer, facts.nonce, facts.time, index)
        if first is not None:
            return leaf_failure(
                index,
                f"key {facts.signer} already used nonce {facts.nonce} at leaf {first}: "
                "expected a fresh nonce (a replayed statement)",
            )
        self._nonces.forget_before(self._latest - 2 * self.window)
        return None

    def _check_signer(self, index: int, facts: LeafFacts) -> tuple[Failure | None, list[KeyRecord]]:
        """The signer's validity, then the key records a key statement makes."""
        record: KeyRecord | None = None
        if facts.signer == self.log_key_id:
            if facts.public_key != self.log_public_key:
                return leaf_failure(index, "the entry's public key is not the log key"), []
            if index != 0 or facts.type != "key.enrol":
                return leaf_failure(
                    index,
                    "the log key signs only the genesis enrolment at leaf 0; "
                    f"found a {facts.type} statement signed by it",
                ), []
        else:
            key = self.keys.get(facts.signer)
            if key is None:
                return leaf_failure(
                    index,
                    f"key {facts.signer} signed a {facts.type} statement but is not enrolled "
                    "in the log before it",
                ), []
            record = key.record
            if facts.public_key != record.public_key:
                return leaf_failure(
                    index,
                    f"the entry's public key {b64(facts.public_key)} is not the key enrolled "
                    f"as {facts.signer} ({b64(record.public_key)})",
                ), []
            if facts.time < key.valid_from or (
                key.revoked_at is not None and facts.time >= key.revoked_at
            ):
                try:
                    record.check_valid_at(from_micros(facts.time))
                except LedgerError as exc:
                    return leaf_failure(index, str(exc)), []
            recorded = facts.recorded or 0
            if key.revoked_at is not None and recorded - RECEIPT_MARGIN >= key.revoked_at:
                # The server refuses a statement that arrives after its key's revocation even
                # when it is dated just before (inside the clock-skew window); the recording
                # time comes a moment after the server's check, hence the margin.
                return leaf_failure(
                    index,
                    f"key {facts.signer} was revoked at {_iso(key.revoked_at)}; the statement "
                    f"was recorded at {_iso(recorded)}, after it",
                ), []
        if facts.type in KEY_STATEMENT_TYPES:
            return self._apply_key_statement(index, facts, record)
        return self._check_authority(index, facts, record), []

    def _check_authority(
        self, index: int, facts: LeafFacts, signer: KeyRecord | None
    ) -> Failure | None:
        # As the handlers allow it: notices are published by officials of the unit. (An
        # amendment's unit is its notice's, which a streaming check does not keep.)
        if facts.type != "notice.publish":
            return None
        unit = str((facts.payload or {}).get("unit", ""))
        allowed = signer is not None and signer.role in NOTICE_ROLES
        if signer is None or not allowed or not scope_covers(signer.unit_scope, unit):
            who = "the log key" if signer is None else f"{signer.role} of {signer.unit_scope}"
            return leaf_failure(index, f"the signer ({who}) may not publish notices for {unit}")
        return None

    def _apply_key_statement(
        self, index: int, facts: LeafFacts, signer: KeyRecord | None
    ) -> tuple[Failure | None, list[KeyRecord]]:
        statement = Statement(
            type=facts.type,
            payload=facts.payload or {},
            signer=facts.signer,
            time=from_micros(facts.time),
            nonce=facts.nonce,
        )
        try:
            changes = key_changes(statement, signer, self, log_is_empty=index == 0)
        except (LedgerError, ValueError) as exc:
            return leaf_failure(index, f"the {facts.type} statement is not valid here: {exc}"), []
        for record in changes:
            revoked = record.revoked_at
            self.keys[record.key_id] = _Key(
                record, to_micros(record.valid_from), to_micros(revoked) if revoked else None
            )
        return None, changes


def to_micros_delta(delta: timedelta) -> int:
    """Microseconds in a timedelta."""
    return delta // timedelta(microseconds=1)


def _iso(micros: int) -> str:
    return from_micros(micros).isoformat()
