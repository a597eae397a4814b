"""Shared fixtures: fixed clocks and keys, and logs on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import os
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from keys.ed25519 import Ed25519SigningKey
from keys.keyfile import read_private_key
from ledger.bootstrap import Ledger, open_ledger
from ledger.client import make_statement
from ledger.datadir import REGISTRAR_KEY_FILE, init_data_dir
from ledger.settings import Settings
from ledger.statement import SignedStatement

POSTGRES_ADMIN_URL = os.environ.get(
    "CANBO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
ORIGIN = "canbo.test/log"  # every test log's origin: statements are signed for it
POSTGRES_REQUIRED = os.environ.get("CANBO_REQUIRE_POSTGRES") == "1"
# Tests run on a clock that moves only when told to, starting at the real time: the log's
# recording timestamps are real, and `canbo verify` checks statement times against them.
START = datetime.now(UTC).replace(microsecond=0)


class FixedClock:
    """A clock that moves only when told to."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def official_key(label: str) -> Ed25519SigningKey:
    """A fixed key per label, so tests are repeatable."""
    import hashlib

    return Ed25519SigningKey.from_seed(hashlib.sha256(f"test-key/{label}".encode()).digest())


@dataclass
class LogFixture:
    """A fresh log: its settings, clock, registrar key and a way to open it."""

    settings: Settings
    clock: FixedClock
    registrar: Ed25519SigningKey

    def open(self, **kwargs: object) -> Ledger:
        kwargs.setdefault("clock", self.clock)
        # Tests sequence in-process on PostgreSQL too (row locks serialise the sequencers).
        kwargs.setdefault("sequence_in_process", True)
        return open_ledger(self.settings, **kwargs)  # type: ignore[arg-type]


def _postgres_problem() -> str | None:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    problem = _postgres_problem()
    if problem:
        message = (
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({problem}). To run these "
            "tests, start PostgreSQL or set CANBO_TEST_POSTGRES_URL to an admin URL."
        )
        if POSTGRES_REQUIRED:
            pytest.fail(message + " CANBO_REQUIRE_POSTGRES=1 makes this a failure.")
        pytest.skip(message)
    name = f"canbo_test_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_log(
    data_dir: Path, database_url: str | None = None, origin: str = ORIGIN, *, reports: bool = False
) -> LogFixture:
    """Initialise a log in data_dir (keys unencrypted: tests only); `reports` enrols the
    intake key as `canbo init` does (leaf 1), which most tests leave out to keep leaf counts."""
    clock = FixedClock()
    result = init_data_dir(
        data_dir,
        origin=origin,
        database_url=database_url,
        unencrypted_keys=True,
        clock=clock,
        enable_reports=reports,
    )
    registrar = read_private_key(data_dir / REGISTRAR_KEY_FILE, None, allow_unencrypted=True)
    return LogFixture(result.settings, clock, registrar)


@pytest.fixture
def sqlite_log(tmp_path: Path) -> LogFixture:
    """A fresh embedded (SQLite) log."""
    return make_log(tmp_path / "data")


@pytest.fixture
def postgres_log(tmp_path: Path, postgres_database_url: str) -> LogFixture:
    """A fresh log in its own PostgreSQL database."""
    return make_log(tmp_path / "data", postgres_database_url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_log(request: pytest.FixtureRequest, tmp_path: Path) -> LogFixture:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return make_log(tmp_path / "data")
    url: str = request.getfixturevalue("postgres_database_url")
    return make_log(tmp_path / "data", url)


@pytest.fixture
def ledger(sqlite_log: LogFixture) -> Iterator[Ledger]:
    """An open embedded ledger."""
    opened = sqlite_log.open()
    yield opened
    opened.close()


def enrolment(
    ledger: Ledger,
    registrar: Ed25519SigningKey,
    key: Ed25519SigningKey,
    *,
    role: str = "official",
    unit_scope: str = "VN-HN/ba-dinh",
    official_id: str = "CB-0001",
    valid_from: datetime | None = None,
) -> SignedStatement:
    """A key.enrol statement for key, signed by the registrar (not submitted)."""
    from ledger.statement import format_time

    moment = ledger.app.clock()
    return make_statement(
        "key.enrol",
        {
            "public_key": base64.b64encode(key.public_key).decode(),
            "official_id": official_id,
            "role": role,
            "unit_scope": unit_scope,
            "valid_from": format_time(valid_from or moment),
        },
        registrar,
        origin=ledger.origin,
        time=moment,
    )


def enrol(
    ledger: Ledger,
    registrar: Ed25519SigningKey,
    key: Ed25519SigningKey,
    **fields: Any,
) -> dict[str, object]:
    """Enrol key (signed by the registrar) and return the receipt."""
    return ledger.submit([enrolment(ledger, registrar, key, **fields)])


def notice(
    ledger: Ledger,
    key: Ed25519SigningKey,
    *,
    unit: str = "VN-HN/ba-dinh",
    notice_id: uuid.UUID | None = None,
    time: datetime | None = None,
    nonce: str | None = None,
) -> SignedStatement:
    """A signed notice.publish statement (not submitted)."""
    return make_statement(
        "notice.publish",
        {
            "notice_id": str(notice_id or uuid.uuid4()),
            "unit": unit,
            "title": "Tiêu chí tuyển dụng",
            "body": "Nội dung công khai",
        },
        key,
        origin=ledger.origin,
        time=time or ledger.app.clock(),
        nonce=nonce,
    )
