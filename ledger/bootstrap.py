"""The composition root of a log: settings in, a ready Ledger (application, log, sequencer) out."""

from __future__ import annotations

import base64
import logging
import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from eventsourcing.persistence import InterfaceError as EventStoreInterfaceError
from eventsourcing.persistence import OperationalError as EventStoreOperationalError
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import SQLAlchemyError

from keys.ed25519 import ED25519
from keys.keyfile import passphrase_from, public_key_path, read_private_key, read_public_key
from keys.sealing import ReportKeys
from keys.vault import Vault
from ledger import migrate
from ledger.application import Accepted, LedgerApplication
from ledger.checkpoint import CheckpointError, open_checkpoint
from ledger.entry import entry_bytes, parse_entry
from ledger.errors import NotFound
from ledger.group_commit import GroupCommitter
from ledger.head_listener import SequencedListener
from ledger.log_schema import log_state
from ledger.log_store import LogHead, LogStore
from ledger.log_tx import CursorTx
from ledger.note import NoteError, VerifierKey
from ledger.personnel.reading import PersonnelReader
from ledger.protocols import Signer
from ledger.recorders import LedgerSQLiteRecorder
from ledger.registry import key_id_of
from ledger.reports.desk import ReportDesk
from ledger.reports.keys import content_subject, identity_subject
from ledger.rules.dates import local_date
from ledger.sequencer import Sequenced, Sequencer
from ledger.settings import Settings, SettingsError
from ledger.statement import SignedStatement, signing_message
from ledger.tlog_proof import format_tlog_proof

Clock = Callable[[], datetime]
log = logging.getLogger("canbo.ledger")


class ReceiptPending(Exception):
    """Saved, but not yet sequenced by the separate sequencer within the wait time."""

    def __init__(self, accepted: list[Accepted]) -> None:
        super().__init__("saved; waiting for the sequencer")
        self.accepted = accepted


class Ledger:
    """One open log: submit statements, read the tree."""

    def __init__(
        self,
        settings: Settings,
        app: LedgerApplication,
        log: LogStore,
        engines: list[Engine],
        sequencer: Sequencer | None,
        log_public_key: bytes,
    ) -> None:
        self.settings = settings
        self.app = app
        self.log = log
        self.sequencer = sequencer
        self.log_public_key = log_public_key
        self._engines = engines
        self.sequences_inline = False  # set when the recorder sequences inside each insert
        # Beside a separate sequencer on PostgreSQL: its batches announced (LISTEN/NOTIFY).
        self.sequenced_listener = (
            SequencedListener(settings.psycopg_conninfo())
            if sequencer is None and settings.is_postgres
            else None
        )
        self._database_down_until = 0.0  # monotonic time until which saves fail at once
        self.personnel = PersonnelReader(
            app.personnel_view,
            app.vault,
            log,
            app.recorder,
            lambda: local_date(app.clock()),
        )
        self.reports = ReportDesk(self)
        # Concurrent submitters (the API's requests) share transactions through it.
        self.committer = GroupCommitter(
            self.save, self._receipts_at_once, replays_among=app.replays_among
        )

    @property
    def origin(self) -> str:
        """The log's origin line, fixed at init."""
        return self.settings.origin

    @property
    def verifier_key(self) -> VerifierKey:
        """The log's checkpoint verifier key."""
        return VerifierKey.from_public_key(self.origin, self.log_public_key)

    def submit(self, statements: Sequence[SignedStatement], *, wait: float = 5.0) -> dict[str, Any]:
        """Save statements in one transaction, sequence them, and return their receipts."""
        return self.receipts(self.save(statements), wait=wait)

    def save(self, statements: Sequence[SignedStatement]) -> list[Accepted]:
        """Check and save statements in one transaction (all or none), and sequence them; no
        receipts. Raising means nothing was recorded."""
        sequencer = self.sequencer
        if sequencer is None or not self.sequences_inline:
            accepted = self._save_unless_database_down(statements)
            try:
                self.sequence_now()
            except Exception:  # saved all the same: its receipt waits for a later sequencing
                log.exception("saved, but sequencing failed; the tree catches up later")
            return accepted
        # Embedded: the recorder's hook sequences inside the insert transaction.
        with sequencer.lock:
            try:
                accepted = self.app.submit_many(statements)
            except BaseException:
                sequencer.discard()
                raise
            sequencer.committed()
        return accepted

    def _save_unless_database_down(self, statements: Sequence[SignedStatement]) -> list[Accepted]:
        # eventsourcing tries a write ten times before it gives up, so in an outage each save
        # takes seconds to fail. Once one has failed, the saves that follow within a short
        # while fail at once (503, retry later) instead of each waiting as long again.
        if time.monotonic() < self._database_down_until:
            raise EventStoreOperationalError(
                "the database was unreachable moments ago; nothing was recorded"
            )
        try:
            return self.app.submit_many(statements)
        except (EventStoreOperationalError, EventStoreInterfaceError):
            self._database_down_until = time.monotonic() + DATABASE_DOWN_SECONDS
            raise

    def sequence_now(self) -> None:
        """Embedded mode: extend the tree right away (no-op with a separate sequencer)."""
        if self.sequencer is not None:
            self.sequencer.catch_up()

    def receipts(self, accepted: list[Accepted], *, wait: float = 5.0) -> dict[str, Any]:
        """Receipts of accepted statements, waiting up to `wait` seconds for the sequencer."""
        last_id = max(e.notification_id for a in accepted for e in a.events)
        deadline = time.monotonic() + wait
        head = self._recent_head(last_id) or self.log.head()
        while head is None or head.position < last_id:
            if time.monotonic() >= deadline:
                raise ReceiptPending(accepted)
            time.sleep(0.02)
            head = self.log.head()
        return {
            "checkpoint": head.checkpoint,
            "tree_size": head.size,
            "statements": [self._statement_receipt(a, head) for a in accepted],
        }

    def _receipts_at_once(self, accepted: list[Accepted]) -> dict[str, Any]:
        # The writer thread's answer: sequenced in-process, the receipts; with a separate
        # sequencer, which cannot have run yet, ReceiptPending at once without a read (the
        # API's watcher of the log head answers those, many per read).
        if self.sequencer is None:
            raise ReceiptPending(accepted)
        return self.receipts(accepted, wait=0)

    def receipts_from(self, accepted: list[Accepted], snapshot: Sequenced) -> dict[str, Any]:
        """Receipts against a head loaded by LogStore.snapshot (which must cover them)."""
        head = LogHead(snapshot.size, snapshot.root, snapshot.checkpoint, snapshot.position)
        return {
            "checkpoint": head.checkpoint,
            "tree_size": head.size,
            "statements": [self._statement_receipt(a, head, snapshot.leaves) for a in accepted],
        }

    def _recent_head(self, last_id: int) -> LogHead | None:
        recent = self.sequencer.last if self.sequencer is not None else None
        if recent is None or recent.position < last_id:
            return None
        return LogHead(recent.size, recent.root, recent.checkpoint, recent.position)

    def _statement_receipt(
        self, accepted: Accepted, head: LogHead, known: dict[int, int] | None = None
    ) -> dict[str, Any]:
        entries = []
        for recorded in accepted.events:
            index = (known or {}).get(recorded.notification_id)
            if index is None:
                index = self.log.leaf_index(recorded.notification_id)
            assert index is not None, "sequenced events have a leaf"
            entries.append(
                {
                    **self.entry_receipt(index, head),
                    "aggregate_id": str(recorded.aggregate_id),
                    "aggregate_version": recorded.aggregate_version,
                }
            )
        statement = accepted.statement.statement
        receipt = {
            "type": statement.type,
            "signer": statement.signer,
            "nonce": statement.nonce,
            "leaf_index": entries[0]["leaf_index"],
            "entries": entries,
        }
        if accepted.outcome is not None:
            # A decision's resulting status and the rules' flags, as recorded in its event.
            receipt["outcome"] = accepted.outcome
        return receipt

    def entry_receipt(self, index: int, head: LogHead) -> dict[str, Any]:
        """Leaf hash, inclusion proof and tlog-proof of one leaf against a checkpoint."""
        proof = self.log.inclusion_proof(index, head.size)
        return {
            "leaf_index": index,
            "leaf_hash": _b64(self.log.leaf_hash(index)),
            "inclusion_proof": [_b64(h) for h in proof],
            "tlog_proof": format_tlog_proof(index, proof, head.checkpoint),
        }

    def receipt_of_event(self, notification_id: int) -> dict[str, Any]:
        """The receipt of a stored event against the latest checkpoint (after a 202)."""
        index = self.log.leaf_index(notification_id)
        if index is None:
            raise NotFound(
                f"stored event {notification_id} is not in the log yet (or does not exist)",
                f"sự kiện {notification_id} chưa có trong nhật ký (hoặc không tồn tại)",
                notification_id=notification_id,
            )
        head = self.log.require_head()
        return {
            "checkpoint": head.checkpoint,
            "tree_size": head.size,
            "notification_id": notification_id,
            **self.entry_receipt(index, head),
        }

    def close(self) -> None:
        """Release connections (after saving what is queued)."""
        self.committer.close()
        if self.sequenced_listener is not None:
            self.sequenced_listener.close()
        self.app.close()
        if self.app.vault is not None:
            self.app.vault.close()  # type: ignore[attr-defined]
        for engine in self._engines:
            engine.dispose()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def make_engines(settings: Settings, *, pre_ping: bool = True) -> tuple[Engine, Engine]:
    """(reader, sequencer writer) engines; on SQLite the writer takes the write lock at BEGIN.

    pre_ping (PostgreSQL): test each pooled connection before use, so a request after a
    database restart does not fail on a stale one; a loop that retries by itself (the
    sequencer) can skip the extra round trip.
    """
    url = settings.sqlalchemy_url()
    if settings.is_postgres:
        engine = create_engine(url, pool_size=5, max_overflow=10, pool_pre_ping=pre_ping)
        return engine, engine
    reader = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    writer = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(writer, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # The tree is derived data: after a power cut it is rebuilt identically from the event
        # store (written with synchronous=FULL), so the sequencer's own commits need not fsync.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(writer, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return reader, writer


VAULT_FILE = "vault.sqlite"
DATABASE_DOWN_SECONDS = 2.0


def load_log_signer(settings: Settings, passphrase: bytes | None = None) -> Signer:
    """The log's private key (needed only where checkpoints are signed)."""
    if passphrase is None:
        passphrase = passphrase_from(file=_passphrase_file())
    path = settings.data_dir / settings.log_key_file
    public_key, _label = read_public_key(public_key_path(path))
    # PKCS#8 encryption has no MAC: a damaged file can decrypt to another valid key, which the
    # public key file's id catches.
    return read_private_key(
        path,
        passphrase,
        allow_unencrypted=settings.unencrypted_keys,
        expected_key_id=key_id_of(public_key),
    )


def _passphrase_file() -> Path | None:
    value = os.environ.get("CANBO_KEY_PASSPHRASE_FILE")
    return Path(value) if value else None


def open_ledger(
    settings: Settings,
    *,
    passphrase: bytes | None = None,
    clock: Clock | None = None,
    sequence_in_process: bool | None = None,
    create_tables: bool | None = None,
    log_signer: Signer | None = None,
) -> Ledger:
    """Open a log; embedded SQLite sequences in-process, PostgreSQL uses `canbo sequencer`."""
    if sequence_in_process is None:
        sequence_in_process = not settings.is_postgres
    if create_tables is None:
        create_tables = not settings.is_postgres
    log_public_key, _label = read_public_key(
        public_key_path(settings.data_dir / settings.log_key_file)
    )
    vault = open_vault(settings)
    reader, writer = make_engines(settings)
    try:
        _refuse_a_new_vault_for_an_old_log(settings, vault, reader)
    except SettingsError:
        reader.dispose()
        writer.dispose()
        raise
    app = LedgerApplication(
        settings.eventsourcing_env(create_table=create_tables),
        origin=settings.origin,
        log_public_key=log_public_key,
        verifier=ED25519,
        clock=clock or (lambda: datetime.now(UTC)),
        max_clock_skew=timedelta(seconds=settings.max_clock_skew_seconds),
        vault=vault,
        sealing=ReportKeys(vault.secret),
    )
    if create_tables:
        migrate.upgrade(writer)
    elif not migrate.is_current(reader):
        raise SettingsError(
            f"the log's tables in {settings.sqlalchemy_url().split('@')[-1]} are not at the "
            f"latest schema: run canbo migrate --data-dir {settings.data_dir}"
        )
    sequencer = None
    if sequence_in_process:
        sequencer = make_sequencer(settings, writer, app.recorder, log_signer, passphrase)
    recent = (lambda: sequencer.last) if sequencer is not None else (lambda: None)
    ledger = Ledger(
        settings,
        app,
        LogStore(reader, app.recorder, recent),
        [reader, writer],
        sequencer,
        log_public_key,
    )
    _check_identity(ledger)
    ledger.sequence_now()  # catch up anything saved before a crash
    _finish_erasures(app)
    if sequencer is not None and isinstance(app.recorder, LedgerSQLiteRecorder):
        recorder = app.recorder
        app.recorder.sequence_hook = lambda cursor, inserted: sequencer.sequence_all_within(
            CursorTx(cursor, recorder.convert_originator_id, recorder.events_table_name, inserted)
        )
        ledger.sequences_inline = True
    return ledger


def _refuse_a_new_vault_for_an_old_log(settings: Settings, vault: Vault, reader: Engine) -> None:
    # `canbo init` makes the vault's secrets with the log. A log with leaves and a vault
    # without them means the vault was lost or replaced: going on would make new report and
    # blind-index keys (reports filed before could not be opened, protections would stop
    # matching, the enrolled intake key would no longer sign) and every sealed personal
    # data would be gone without a word.
    if vault.has_secrets():
        return
    try:
        with reader.connect() as conn:
            leaves = conn.execute(select(log_state.c.size).where(log_state.c.id == 1)).scalar()
    except SQLAlchemyError:  # no log tables yet: a log being created
        return
    if leaves:
        vault.close()
        raise SettingsError(
            f"the personal-data vault of {settings.data_dir} is new or empty, but the log already "
            f"has {leaves} leaves: restore the vault ({_vault_place(settings)}) from the backup "
            "made with the log; opening with a new vault would lose every sealed personal data "
            "and the report keys"
        )


def _vault_place(settings: Settings) -> str:
    if settings.is_postgres:
        return "the vault tables in the log's PostgreSQL database"
    return str(settings.data_dir / VAULT_FILE)


def open_vault(settings: Settings) -> Vault:
    """The personal-data vault: a file of its own on SQLite, tables beside the log on PostgreSQL."""
    if settings.is_postgres:
        return Vault(create_engine(settings.sqlalchemy_url(), pool_pre_ping=True, pool_size=2))
    return Vault.open_sqlite(settings.data_dir / VAULT_FILE)


def _finish_erasures(app: LedgerApplication) -> None:
    """Erase the data of officials the log says are erased (a crash may have come between)."""
    view = app.personnel_view
    view.catch_up()
    if app.vault is not None:
        for official in view.state.officials.values():
            if official.erased:
                app.vault.erase(official.id)
        for report in view.state.reports.values():
            if report.status == "expired":
                app.vault.erase(content_subject(report.id))
                app.vault.erase(identity_subject(report.id))


def _check_identity(ledger: Ledger) -> None:
    """Refuse to serve or extend a log under another origin or log key than it was made with."""
    head = ledger.log.head()
    if head is None:
        _check_genesis(ledger)  # saved but never sequenced (a crash, or no sequencer yet)
        return
    try:
        open_checkpoint(head.checkpoint, ledger.verifier_key, ED25519, origin=ledger.origin)
    except (CheckpointError, NoteError) as exc:
        first_line = head.checkpoint.split("\n", 1)[0]
        raise SettingsError(
            f"the database holds the log {first_line!r}, whose latest checkpoint does not "
            f"open with the origin and log key configured in {ledger.settings.data_dir} "
            f"({ledger.verifier_key.format()}): {exc}. The origin and log key never change."
        ) from None


def _check_genesis(ledger: Ledger) -> None:
    first = ledger.app.recorder.select_notifications(start=None, limit=1)
    if not first:
        return
    n = first[0]
    try:
        entry = parse_entry(entry_bytes(n.originator_id, n.originator_version, n.topic, n.state))
    except ValueError as exc:
        raise SettingsError(f"the first stored event is not a log entry: {exc}") from None
    message = signing_message(entry.statement_text.encode("utf-8"), ledger.origin)
    if entry.public_key != ledger.log_public_key or not ED25519.verify(
        ledger.log_public_key, entry.signature, message
    ):
        raise SettingsError(
            f"the first stored event is not the genesis signed by the log key of "
            f"{ledger.settings.data_dir} for origin {ledger.origin}: the origin and log key "
            "never change"
        )


def make_sequencer(
    settings: Settings,
    writer: Engine,
    recorder: Any,
    log_signer: Signer | None = None,
    passphrase: bytes | None = None,
) -> Sequencer:
    """A sequencer for this log, with its log key."""
    return Sequencer(
        writer,
        recorder,
        origin=settings.origin,
        log_signer=log_signer or load_log_signer(settings, passphrase),
        batch_size=settings.sequencer_batch_size,
    )
