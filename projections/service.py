"""The read models of one open ledger: their followers, catching up, rebuilding, polling.

Embedded (SQLite), the API process runs the followers itself (after each save and on a short
poll) and creates their tables; on PostgreSQL `canbo projector` runs them and `canbo migrate`
creates the tables, so API processes only read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from sqlalchemy import Engine, select

from ledger.bootstrap import Ledger, make_engines
from ledger.log_schema import log_state
from ledger.personnel.private import unsealed
from ledger.settings import Settings, SettingsError
from projections import migrate
from projections.follower import Follower, Projection
from projections.inspection_records import InspectionRecords
from projections.public_records import PublicRecords

log = logging.getLogger("canbo.projections")


class UnknownProjection(SettingsError):
    """A projection name that is not one of ours."""


class ReadModels:
    """Every projection of one ledger, each with its own follower and tracking record."""

    def __init__(self, ledger: Ledger, reader: Engine, writer: Engine) -> None:
        self.ledger = ledger
        self.reader = reader
        self.writer = writer
        vault = ledger.app.vault

        def name_of(official: str, commitment: str) -> str | None:
            if vault is None:
                return None
            data = unsealed(vault.open(official, commitment))
            name = data.get("name") if data else None
            return name if isinstance(name, str) else None

        projections: list[Projection] = [PublicRecords(name_of), InspectionRecords(vault)]
        self.followers = {
            p.name: Follower(p, writer, reader, ledger.app.recorder, ledger.app.official_of_key)
            for p in projections
        }
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

    @property
    def names(self) -> list[str]:
        """The projections' names."""
        return list(self.followers)

    def catch_up(self) -> dict[str, int]:
        """Bring every projection up to the log's sequenced head; statements applied by each."""
        return {name: f.catch_up() for name, f in self.followers.items()}

    def catch_up_if_behind(self) -> None:
        """Catch up only if the log moved on: one small read when it did not (before each
        read request of an embedded API)."""
        with self.reader.connect() as conn:
            head = conn.execute(select(log_state.c.position).where(log_state.c.id == 1)).scalar()
        if head is None:
            return
        for follower in self.followers.values():
            if follower.behind(int(head)):
                follower.catch_up()

    def rebuild(self, names: Iterable[str] | None = None) -> dict[str, int]:
        """Drop and rebuild the named projections (all by default) from the log."""
        chosen = list(names) if names else self.names
        unknown = [n for n in chosen if n not in self.followers]
        if unknown:
            raise UnknownProjection(
                f"unknown projection(s) {unknown}; known: {', '.join(self.names)}"
            )
        return {name: self.followers[name].rebuild() for name in chosen}

    def start_polling(self, interval: float = 0.5) -> None:
        """Follow the log from a background thread (embedded API processes)."""
        if self._poller is not None:
            return

        self._poller = threading.Thread(
            target=self.follow, args=(self._stop, interval), name="projections", daemon=True
        )
        self._poller.start()

    def follow(self, stop: threading.Event, interval: float, *, once: bool = False) -> bool:
        """Catch up now and every `interval` seconds until `stop` is set (or once). A failed
        catch-up (the database restarting, say) is logged and tried again on the next tick:
        a follower never stops following for good. True if the last pass succeeded."""
        while True:
            try:
                applied = {n: f.catch_up() for n, f in self.followers.items() if f.behind()}
                if any(applied.values()):
                    log.info("applied %s", applied)
                succeeded = True
            except Exception:
                log.exception("projection catch-up failed; retrying")
                succeeded = False
            if once or stop.wait(interval):
                return succeeded

    def close(self) -> None:
        """Stop polling and release connections."""
        self._stop.set()
        if self._poller is not None:
            self._poller.join(timeout=5)
        self.reader.dispose()
        self.writer.dispose()


def open_read_models(ledger: Ledger) -> ReadModels:
    """The read models of an open ledger; embedded logs create their tables, PostgreSQL needs
    `canbo migrate`."""
    reader, writer = make_engines(ledger.settings)
    if not ledger.settings.is_postgres:
        migrate.upgrade(writer)
    elif not migrate.is_current(reader):
        reader.dispose()
        writer.dispose()
        raise SettingsError(
            "the read models' tables are not at the latest schema: run "
            f"canbo migrate --data-dir {ledger.settings.data_dir}"
        )
    return ReadModels(ledger, reader, writer)


def migrate_read_models(settings: Settings) -> None:
    """Bring the read models' tables up to date (`canbo migrate`)."""
    _, writer = make_engines(settings)
    try:
        migrate.upgrade(writer)
    finally:
        writer.dispose()
