"""What one API process holds beside the ledger: sessions, rate limits, read models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from api.auth import SessionService
from api.config import ApiConfig
from api.ratelimit import TokenBuckets, TryLimiter
from api.tokens import TokenMinter, load_or_create_secret
from ledger.bootstrap import Ledger, make_engines
from ledger.settings import Settings, SettingsError
from projections import migrate as projections_migrate
from projections.keys import migrate as key_registry_migrate
from projections.keys.projector import KeyRegistryReadModel


@dataclass
class ApiServices:
    """Made in the app's lifespan once the ledger is open; closed before it."""

    config: ApiConfig
    sessions: SessionService
    anonymous_limits: TokenBuckets
    signed_limits: TokenBuckets
    key_registry: KeyRegistryReadModel
    receipt_tries: TryLimiter
    report_filings: TryLimiter

    @classmethod
    def open(cls, ledger: Ledger, config: ApiConfig) -> ApiServices:
        """Services of a process serving `ledger`; the session secret is in its data dir."""
        minter = TokenMinter(load_or_create_secret(ledger.settings.data_dir), ledger.origin)
        sessions = SessionService(
            minter,
            ledger.app,
            ledger.app.verifier,
            ledger.app.clock,
            session_ttl=timedelta(seconds=config.session_ttl_seconds),
            challenge_ttl=timedelta(seconds=config.challenge_ttl_seconds),
        )
        return cls(
            config=config,
            sessions=sessions,
            anonymous_limits=TokenBuckets(config.anonymous_rate_per_second, config.anonymous_burst),
            signed_limits=TokenBuckets(config.signed_rate_per_second, config.signed_burst),
            key_registry=open_key_registry(ledger),
            receipt_tries=TryLimiter(config.receipt_tries, 600),
            report_filings=TryLimiter(config.report_filings_per_hour, 3600),
        )

    def close(self) -> None:
        """Release the read models' connections."""
        self.key_registry.reader.dispose()
        self.key_registry.writer.dispose()


def migrate_read_models(settings: Settings) -> None:
    """Bring the read models' tables up to date (canbo init and canbo migrate)."""
    _, writer = make_engines(settings)
    try:
        key_registry_migrate.upgrade(writer)
        projections_migrate.upgrade(writer)  # public records and inspection (projections/)
    finally:
        writer.dispose()


def open_key_registry(ledger: Ledger) -> KeyRegistryReadModel:
    """The key registry read model; embedded logs create its tables, PostgreSQL needs migrate."""
    reader, writer = make_engines(ledger.settings)
    if not ledger.settings.is_postgres:
        key_registry_migrate.upgrade(writer)
    elif not key_registry_migrate.is_current(reader):
        reader.dispose()
        raise SettingsError(
            "the key registry read model's tables are not at the latest schema: run "
            f"canbo migrate --data-dir {ledger.settings.data_dir}"
        )
    return KeyRegistryReadModel(reader, writer, ledger.app.recorder, ledger.app.mapper)
