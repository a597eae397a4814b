"""The application service: checks signed statements and saves their events, all or nothing."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import IntegrityError, Recording

from ledger.domain.keys import OfficialKey, key_aggregate_id
from ledger.domain.signed import make_signed
from ledger.entry import MAX_ENTRY_BYTES, entry_bytes
from ledger.errors import (
    ClockSkew,
    InvalidPayload,
    KeyNotYetValid,
    LogUnavailable,
    NotAuthorised,
    ReplayedNonce,
    RevokedKey,
    StatementTooLarge,
    UnknownStatementType,
    VersionConflict,
)
from ledger.handlers import HANDLERS, Verified
from ledger.personnel.view import PersonnelView
from ledger.personnel.work import PersonnelWork
from ledger.precheck import BatchPrechecker
from ledger.protocols import PersonalDataVault, SealingKeys, SignatureVerifier
from ledger.recorders import StaleKeyRecord, StalePersonnelState
from ledger.registry import KeyRecord, authenticate, key_id_of
from ledger.statement import SignedStatement, signing_message

log = logging.getLogger("canbo.ledger.application")

# What the same signed statement, sent again after it was recorded, may be refused with first.
_REFUSALS_OF_A_RESEND = (
    ClockSkew,
    RevokedKey,
    KeyNotYetValid,
    NotAuthorised,
    InvalidPayload,
    VersionConflict,
)


@dataclass(frozen=True)
class RecordedEvent:
    """One stored event of an accepted statement."""

    notification_id: int
    aggregate_id: UUID
    aggregate_version: int


@dataclass(frozen=True)
class Accepted:
    """A statement that was saved, with the events it produced."""

    statement: SignedStatement
    events: tuple[RecordedEvent, ...]
    # What the server decided for a personnel statement (status, rule verdicts), if anything.
    outcome: dict[str, Any] | None = None


class LedgerApplication(Application[UUID]):
    """Verifies statements against the key registry in the log and saves their events."""

    name = "Ledger"

    def __init__(
        self,
        env: dict[str, str],
        *,
        origin: str,
        log_public_key: bytes,
        verifier: SignatureVerifier,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_clock_skew: timedelta = timedelta(minutes=5),
        vault: PersonalDataVault | None = None,
        sealing: SealingKeys | None = None,
    ) -> None:
        super().__init__(env=env)
        self.origin = origin
        self.log_public_key = log_public_key
        self.log_key_id = key_id_of(log_public_key)
        self.verifier = verifier
        self.clock = clock
        self.max_clock_skew = max_clock_skew
        self.prechecker = BatchPrechecker(verifier)
        self.vault = vault
        self.sealing = sealing
        self.personnel_view = PersonnelView(self.recorder, self.official_of_key)
        self._officials_by_key: dict[str, str] = {}
        # Cached aggregates are not brought up to date on each read: key records read from the
        # cache are confirmed by the recorder inside the insert transaction, and an aggregate
        # about to change is read afresh (_Batch.load).
        self.repository.fastforward = False
        if self.mapper.cipher is not None or self.mapper.compressor is not None:
            # Log entries are built from the stored state, which must stay plain JSON.
            raise ValueError("canbo-ledger stores events unencrypted and uncompressed")

    def close(self) -> None:
        """Stop the signature-checking thread and release the event store."""
        self.prechecker.close()
        super().close()

    def key_record(self, key_id: str) -> KeyRecord | None:
        """The registry's record of a key, as the store says now (read afresh)."""
        aggregate_id = key_aggregate_id(key_id)
        self._evict([aggregate_id])  # the cache may be behind another process's writes
        try:
            key: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return key.record if isinstance(key, OfficialKey) else None

    def official_of_key(self, key_id: str) -> str:
        """The official a key belongs to (the log key signs as "log")."""
        if key_id == self.log_key_id:
            return "log"
        official = self._officials_by_key.get(key_id)
        if official is None:
            record = self.key_record(key_id)
            official = record.official_id if record is not None else f"key:{key_id}"
            self._officials_by_key[key_id] = official  # a key's official never changes
        return official

    def replays_among(self, groups: Sequence[Sequence[SignedStatement]]) -> set[int]:
        """Which of these submissions hold a statement whose nonce is recorded already (one
        query for all): a group commit sets them aside instead of saving everyone alone."""
        pairs = [(s.statement.signer, s.statement.nonce) for g in groups for s in g]
        used = self.recorder.used_nonces(pairs)  # type: ignore[attr-defined]
        return {
            n
            for n, group in enumerate(groups)
            if any((s.statement.signer, s.statement.nonce) in used for s in group)
        }

    def save_events(
        self, events: Sequence[DomainEventProtocol[UUID]], **kwargs: Any
    ) -> list[Recording[UUID]]:
        """Application.save for domain events only, without its check of each object.

        eventsourcing's collect_events asks isinstance(obj, DomainEventProtocol) of each
        object: a runtime Protocol check of every attribute, a tenth of the API's CPU per
        statement under load, for objects that are all domain events here. The rest is
        Application.save's own body (eventsourcing 9.5.6; tests/ledger/test_save_events.py
        holds the two equal).
        """
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        processing_event.events.extend(events)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)
        return recordings

    def submit(self, statement: SignedStatement) -> Accepted:
        """Check and save one statement."""
        return self.submit_many([statement])[0]

    def submit_many(self, statements: Sequence[SignedStatement]) -> list[Accepted]:
        """Check every statement, then save all their events in one transaction (or none)."""
        try:
            return self._submit_once(statements)
        except StaleKeyRecord as stale:
            self._evict(stale.aggregate_ids)
        except StalePersonnelState:
            pass  # another process recorded a personnel statement: check again on fresh state
        try:
            return self._submit_once(statements)  # with fresh key records and state
        except (StaleKeyRecord, StalePersonnelState):
            raise VersionConflict(
                "the key registry or personnel records changed twice while this was being "
                "recorded; submit again",
                "sổ khoá hoặc hồ sơ nhân sự vừa thay đổi trong lúc ghi; hãy gửi lại",
            ) from None

    def _submit_once(self, statements: Sequence[SignedStatement]) -> list[Accepted]:
        batch = _Batch(self)
        try:
            return self._record_batch(batch, statements)
        except BaseException:
            work = batch.work
            if work is not None:
                if not work.committed:
                    for subject, commitment in work.sealed_now:
                        self.vault.discard(subject, commitment)  # type: ignore[union-attr]
                if work.events:
                    # The view already shows this batch's statements: fold it again.
                    self.personnel_view.invalidate()
            raise
        finally:
            if batch.work is not None:
                self.personnel_view.lock.release()

    def _record_batch(self, batch: _Batch, statements: Sequence[SignedStatement]) -> list[Accepted]:
        batch.verifier = self.prechecker.prepare(statements, batch.known_public_key, self.origin)
        # Each statement's new events, in statement order: the log must show the statements in
        # the order they were applied, even when two of them change the same aggregate.
        produced = [batch.apply(signed) for signed in statements]
        nonces = [(s.statement.signer, s.statement.nonce) for s in statements]
        # The recorder confirms, inside the insert transaction, that no key relied on here was
        # revoked or rotated meanwhile; keys this batch changes are guarded by the store's
        # unique version key instead.
        key_versions = [
            (key, version) for key, version in batch.relied_keys.items() if key not in batch.pending
        ]
        events = [event for statement_events in produced for event in statement_events]
        work = batch.work
        personnel_count = None
        if work is not None and work.events:
            personnel_count = (work.expected_count, work.expected_count + work.events)
            for subject, commitment, data in work.seals:
                # Sealed before the events are saved, so no recorded statement lacks its
                # data; dropped again if the save fails.
                if self.vault.seal(subject, commitment, data):  # type: ignore[union-attr]
                    work.sealed_now.append((subject, commitment))
        try:
            recordings = self.save_events(
                events, nonces=nonces, key_versions=key_versions, personnel_count=personnel_count
            )
        except IntegrityError:
            self._evict(list(batch.pending))
            raise self._explain_integrity_error(statements, events) from None
        if work is not None:
            work.committed = True  # from here on, the sealed data belongs to recorded events
        ids = {
            (r.domain_event.originator_id, r.domain_event.originator_version): r.notification.id
            for r in recordings
        }
        try:
            self._after_commit(batch, ids)
        except Exception:
            # Recorded all the same: raising would say "nothing was recorded" (a group
            # commit would then save each submission again and answer each replayed_nonce).
            # The view is folded again from the log; an erasure left undone is finished when
            # the log is next opened (bootstrap._finish_erasures).
            log.exception("recorded, but bringing the in-memory state up to date failed")
            self.personnel_view.invalidate()
        return [
            Accepted(
                signed,
                tuple(
                    RecordedEvent(
                        ids[(e.originator_id, e.originator_version)],
                        e.originator_id,
                        e.originator_version,
                    )
                    for e in statement_events
                ),
                _outcome_of(statement_events),
            )
            for signed, statement_events in zip(statements, produced, strict=True)
        ]

    def _cache(self, aggregates: Iterable[Aggregate]) -> None:
        # save() caches the aggregates it is given; given events, it is told here.
        cache = self.repository.cache
        if cache is not None and not self.repository.fastforward:
            for aggregate in aggregates:
                cache.put(aggregate.id, aggregate)

    def _evict(self, aggregate_ids: list[UUID]) -> None:
        cache = self.repository.cache
        if cache is not None:
            for aggregate_id in aggregate_ids:
                with contextlib.suppress(KeyError):
                    cache.get(aggregate_id, evict=True)

    def _after_commit(self, batch: _Batch, ids: dict[tuple[UUID, int], int]) -> None:
        self._cache(batch.pending.values())
        work = batch.work
        if work is not None and work.events:
            saved = {(str(uuid), version): nid for (uuid, version), nid in ids.items()}
            self.personnel_view.recorded(saved, work.events)
            for subject in work.erasures:
                self.vault.erase(subject)  # type: ignore[union-attr]
                self.personnel_view.forget_private(subject)

    def _explain_integrity_error(
        self, statements: Sequence[SignedStatement], events: Sequence[DomainEventProtocol[UUID]]
    ) -> Exception:
        used = self.recorder.used_nonces(  # type: ignore[attr-defined]
            [(s.statement.signer, s.statement.nonce) for s in statements]
        )
        for signed in statements:
            if (signed.statement.signer, signed.statement.nonce) in used:
                return _replayed(signed)
        for event in events:
            created = event.originator_version == 1  # every aggregate starts at version 1
            if created and self.recorder.select_events(event.originator_id, limit=1):
                return VersionConflict(
                    f"record {event.originator_id} already exists",
                    f"bản ghi {event.originator_id} đã tồn tại",
                    aggregate_id=str(event.originator_id),
                )
        return VersionConflict(
            "another statement changed the same record first; reload and sign again",
            "một statement khác đã thay đổi bản ghi này trước; hãy tải lại và ký lại",
        )


class _Batch:
    """Statements of one save: later ones see the changes of earlier ones."""

    def __init__(self, app: LedgerApplication) -> None:
        self.app = app
        self.pending: dict[UUID, Aggregate] = {}
        self.relied_keys: dict[UUID, int] = {}  # key aggregates read from the store, by version
        self.verifier: SignatureVerifier = app.verifier
        self.nonces: set[tuple[str, str]] = set()
        self._log_is_empty: bool | None = None
        self.work: PersonnelWork | None = None

    def personnel(self) -> PersonnelWork:
        """This batch's personnel work: the view locked and caught up on first use."""
        if self.work is None:
            vault = self.app.vault
            if vault is None:
                raise LogUnavailable(
                    "this ledger was opened without a personal-data vault, so it records no "
                    "personnel statements",
                    "sổ được mở không có kho dữ liệu cá nhân nên không ghi được hồ sơ nhân sự",
                )
            view = self.app.personnel_view
            view.lock.acquire()
            try:
                view.catch_up()
            except BaseException:
                view.lock.release()
                raise
            assert self.app.sealing is not None, "a ledger with a vault has report keys too"
            self.work = PersonnelWork(view, vault, self.app.sealing, view.count)
        return self.work

    @property
    def log_is_empty(self) -> bool:
        """True before anything is recorded."""
        if self._log_is_empty is None:
            self._log_is_empty = not self.app.recorder.max_notification_id()
        return self._log_is_empty and not self.pending

    def load(self, aggregate_id: UUID) -> Aggregate | None:
        """Latest state, pending changes first."""
        if aggregate_id in self.pending:
            return self.pending[aggregate_id]
        # Cached copies are not brought up to date (another process may have written):
        # an aggregate about to change is read afresh from the store.
        self.app._evict([aggregate_id])
        try:
            aggregate: Aggregate = self.app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        relied = self.relied_keys.get(aggregate_id)
        if relied is not None and aggregate.version != relied:
            # The checks read this key from the cache at another version than the store now
            # holds (another process revoked or rotated it): decide again on fresh records.
            raise StaleKeyRecord([aggregate_id])
        return aggregate

    def known_public_key(self, key_id: str) -> bytes | None:
        """The public key a signature by key_id would be checked with now, if known."""
        if key_id == self.app.log_key_id:
            return self.app.log_public_key
        record = self.key_record(key_id)
        return record.public_key if record is not None else None

    def key_record(self, key_id: str) -> KeyRecord | None:
        """Registry record, pending changes first."""
        aggregate_id = key_aggregate_id(key_id)
        key = self.pending.get(aggregate_id)
        if key is None:
            try:
                # Read-only use, so the cached aggregate need not be copied.
                key = self.app.repository.get(aggregate_id, deepcopy_from_cache=False)
            except AggregateNotFoundError:
                return None
            self.relied_keys[aggregate_id] = key.version
        return key.record if isinstance(key, OfficialKey) else None

    def apply(self, signed: SignedStatement) -> list[DomainEventProtocol[UUID]]:
        """Check one statement and stage the aggregates it changes."""
        try:
            return self._apply(signed)
        except _REFUSALS_OF_A_RESEND:
            # A client that got no answer sends the same signed bytes again, maybe much later:
            # its time is then off, its key may be revoked, its act done. If this very
            # statement was recorded, that is the answer (replayed_nonce), not the refusal.
            if self._recorded_before(signed):
                raise _replayed(signed) from None
            raise

    def _recorded_before(self, signed: SignedStatement) -> bool:
        statement = signed.statement
        public_key = self.known_public_key(statement.signer)
        return (
            public_key is not None
            and self.verifier.verify(
                public_key, signed.signature, signing_message(signed.raw, self.app.origin)
            )
            and self.app.recorder.nonce_used(statement.signer, statement.nonce)  # type: ignore[attr-defined]
        )

    def _apply(self, signed: SignedStatement) -> list[DomainEventProtocol[UUID]]:
        statement = signed.statement
        handler = HANDLERS.get(statement.type)
        if handler is None:
            raise UnknownStatementType(
                f"unknown statement type {statement.type!r}; known: {sorted(HANDLERS)}",
                f"loại statement {statement.type!r} không được hỗ trợ",
                type=statement.type,
                known=sorted(HANDLERS),
            )
        now = self.app.clock()
        if abs(statement.time - now) > self.app.max_clock_skew:
            raise ClockSkew(
                f"statement time {statement.time.isoformat()} is more than "
                f"{int(self.app.max_clock_skew.total_seconds())} s from the server clock "
                f"{now.isoformat()}",
                "thời điểm của statement lệch quá nhiều so với đồng hồ máy chủ",
                statement_time=statement.time.isoformat(),
                server_time=now.isoformat(),
                max_skew_seconds=int(self.app.max_clock_skew.total_seconds()),
            )
        signer, public_key = authenticate(
            signed, self, self.app.log_public_key, self.verifier, self.app.origin, received_at=now
        )
        # A nonce used before is caught by the nonce table's unique key when saving (see
        # _explain_integrity_error); only repeats within this batch need catching here.
        nonce = (statement.signer, statement.nonce)
        if nonce in self.nonces:
            raise _replayed(signed)
        self.nonces.add(nonce)
        attestation = make_signed(signed.raw, signed.signature, public_key)
        # A replayed statement usually conflicts with its own first recording: apply says so.
        aggregates = handler(self, Verified(statement, signer, attestation, signed.private))
        events: list[DomainEventProtocol[UUID]] = []
        for aggregate in aggregates:
            self.pending[aggregate.id] = aggregate
            events.extend(aggregate.collect_events())
        self._check_entry_sizes(signed, events)
        return events

    def _check_entry_sizes(
        self, signed: SignedStatement, events: list[DomainEventProtocol[UUID]]
    ) -> None:
        # An entry holds the statement text, JSON-escaped (at most 6 bytes a byte), and under
        # 4 KiB of event fields: small statements cannot overflow, so only large ones are encoded.
        if 6 * len(signed.raw) + 4096 <= MAX_ENTRY_BYTES:
            return
        for event in events:
            stored = self.app.mapper.to_stored_event(event)
            if len(stored.state) < MAX_ENTRY_BYTES - 1024:
                continue
            entry = entry_bytes(
                stored.originator_id, stored.originator_version, stored.topic, stored.state
            )
            if len(entry) > MAX_ENTRY_BYTES:
                raise StatementTooLarge(
                    f"the log entry of this statement would be {len(entry)} bytes; "
                    f"a log entry is at most {MAX_ENTRY_BYTES}",
                    f"bản ghi nhật ký của statement này dài {len(entry)} byte, "
                    f"vượt giới hạn {MAX_ENTRY_BYTES}",
                    size=len(entry),
                    limit=MAX_ENTRY_BYTES,
                )


def _outcome_of(events: Sequence[DomainEventProtocol[UUID]]) -> dict[str, Any] | None:
    outcome = getattr(events[-1], "outcome", None) if events else None
    return outcome if outcome else None


def _replayed(signed: SignedStatement) -> ReplayedNonce:
    return ReplayedNonce(
        f"key {signed.statement.signer} already used nonce {signed.statement.nonce}",
        "nonce này đã được dùng với khoá ký này (statement bị gửi lại)",
        key_id=signed.statement.signer,
        nonce=signed.statement.nonce,
    )
