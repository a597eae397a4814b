"""One settings object for a log, read from its data directory and the environment.

`DATA_DIR/ledger.json` is written by `canbo init`; the environment may override the database
(CANBO_DATABASE_URL) and carries the key passphrase (CANBO_KEY_PASSPHRASE or
CANBO_KEY_PASSPHRASE_FILE). This module is the one place that turns settings into
eventsourcing's environment.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ledger.witness.config import WitnessConfigError
from ledger.witness.log_config import LogWitness, parse_log_witnesses

CONFIG_FILE = "ledger.json"
SQLITE_FILE = "ledger.sqlite3"
# canbo verify holds statement times to within an hour of their recording (a time that the
# server takes a little after its own skew check): half of that leaves a wide margin.
MAX_CLOCK_SKEW_SECONDS = 1800


class SettingsError(Exception):
    """The data directory or configuration is missing or wrong."""


@dataclass(frozen=True)
class Settings:
    """Everything needed to open a log."""

    data_dir: Path
    origin: str
    database_url: str | None = None  # None: the embedded SQLite file in data_dir
    log_key_file: str = "keys/log.key"
    unencrypted_keys: bool = False
    max_clock_skew_seconds: int = 300
    sequencer_batch_size: int = 1000
    # The witnesses every new checkpoint is sent to (ledger/witness/log_config.py).
    witnesses: tuple[LogWitness, ...] = ()

    def __post_init__(self) -> None:
        try:
            witnesses: Any = parse_log_witnesses(self.witnesses)
        except WitnessConfigError as exc:
            raise SettingsError(f"witnesses: {exc}") from None
        object.__setattr__(self, "witnesses", witnesses)  # JSON lists become LogWitness tuples
        if not 1 <= self.max_clock_skew_seconds <= MAX_CLOCK_SKEW_SECONDS:
            raise SettingsError(
                f"max_clock_skew_seconds must be between 1 and {MAX_CLOCK_SKEW_SECONDS} "
                f"(canbo verify holds statement times to within an hour of their recording), "
                f"got {self.max_clock_skew_seconds}"
            )
        if self.sequencer_batch_size < 1:
            raise SettingsError(
                f"sequencer_batch_size must be positive, got {self.sequencer_batch_size}"
            )

    @property
    def is_postgres(self) -> bool:
        """True when the log lives in PostgreSQL."""
        return bool(self.database_url and self.database_url.startswith("postgres"))

    @property
    def sqlite_path(self) -> Path:
        """The embedded database file."""
        return self.data_dir / SQLITE_FILE

    def psycopg_conninfo(self) -> str:
        """The PostgreSQL URL as psycopg takes it (no "+driver" in the scheme)."""
        assert self.database_url is not None, "only for PostgreSQL"
        return libpq_url(self.database_url)

    def sqlalchemy_url(self) -> str:
        """The SQLAlchemy URL of the log database."""
        if not self.is_postgres:
            return f"sqlite:///{self.sqlite_path}"
        assert self.database_url is not None
        scheme, rest = self.database_url.split("://", 1)
        return f"postgresql+psycopg://{rest}" if "+" not in scheme else self.database_url

    def eventsourcing_env(self, *, create_table: bool) -> dict[str, str]:
        """eventsourcing's environment for the event store."""
        common = {
            "CREATE_TABLE": "y" if create_table else "n",
            "AGGREGATE_CACHE_MAXSIZE": "10000",
            # Stored state must stay plain JSON (log entries are built from it), and inserts
            # must go through the recorder's Python path (nonces, key checks, sequencing).
            "COMPRESSOR_TOPIC": "",
            "CIPHER_TOPIC": "",
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        }
        if not self.is_postgres:
            return {
                **common,
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "30",
                "APPLICATION_RECORDER_TOPIC": "ledger.recorders:LedgerSQLiteRecorder",
            }
        assert self.database_url is not None
        url = urlsplit(self.database_url)
        return {
            **common,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            # Also the longest wait for a pooled connection; eventsourcing tries a write up to
            # 10 times, so in an outage a request fails (503) in about 10 x this: well within
            # the API's 30 s request timeout, even on a slow machine (2 s gave 20 s and more).
            "POSTGRES_CONNECT_TIMEOUT": "1",
            "POSTGRES_LOCK_TIMEOUT": "10",
            "POSTGRES_POOL_SIZE": "8",
            "APPLICATION_RECORDER_TOPIC": "ledger.recorders:LedgerPostgresRecorder",
        }

    def save(self) -> None:
        """Write ledger.json."""
        data = asdict(self)
        data.pop("data_dir")
        (self.data_dir / CONFIG_FILE).write_text(json.dumps(data, indent=2) + "\n")

    @classmethod
    def load(cls, data_dir: Path) -> Settings:
        """Read ledger.json from a data directory, with environment overrides."""
        path = data_dir / CONFIG_FILE
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise SettingsError(
                f"{data_dir} is not a canbo-ledger data directory (no {CONFIG_FILE}); "
                f"create one with: canbo init --data-dir {data_dir}"
            ) from None
        except (OSError, ValueError) as exc:
            raise SettingsError(f"cannot read {path}: {exc}") from None
        known = {f for f in cls.__dataclass_fields__ if f != "data_dir"}
        unknown = sorted(set(data) - known) if isinstance(data, dict) else []
        if not isinstance(data, dict) or unknown:
            raise SettingsError(
                f"{path}: unknown settings {unknown} (known: {sorted(known)})"
                if unknown
                else f"{path} must hold a JSON object"
            )
        settings = cls(data_dir=data_dir, **data)
        override = os.environ.get("CANBO_DATABASE_URL")
        return replace(settings, database_url=override) if override else settings


def libpq_url(database_url: str) -> str:
    """A database URL as libpq and psycopg take it: SQLAlchemy's "+driver" dropped."""
    scheme, rest = database_url.split("://", 1)
    return f"{scheme.split('+', 1)[0]}://{rest}"
