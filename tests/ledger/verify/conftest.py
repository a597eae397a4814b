"""Logs for the verifier's tests: built once per session on the real clock, copied per test.

The verifier compares each statement's time with its event's recording time, which
eventsourcing takes from the real clock; so these logs are signed on the real clock too.
"""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from keys.ed25519 import Ed25519SigningKey
from keys.keyfile import read_private_key
from ledger.bootstrap import Ledger, open_ledger
from ledger.client import make_statement
from ledger.datadir import REGISTRAR_KEY_FILE, init_data_dir
from ledger.domain.notices import notice_aggregate_id
from ledger.domain.signed import make_signed
from ledger.settings import SQLITE_FILE, Settings
from ledger.statement import SignedStatement, format_time

ORIGIN = "canbo.test/verify"
UNIT = "VN-HN/ba-dinh"
OFFICIAL = Ed25519SigningKey.from_seed(b"verify-test-official".ljust(32, b"\0"))


@dataclass
class VerifyLog:
    """A closed log in data_dir with an enrolled official who published notices."""

    data_dir: Path

    @property
    def settings(self) -> Settings:
        return Settings.load(self.data_dir)

    @property
    def db(self) -> Path:
        return self.data_dir / SQLITE_FILE

    @property
    def registrar(self) -> Ed25519SigningKey:
        return read_private_key(self.data_dir / REGISTRAR_KEY_FILE, None, allow_unencrypted=True)

    @property
    def log_signer(self) -> Ed25519SigningKey:
        return read_private_key(self.data_dir / "keys/log.key", None, allow_unencrypted=True)

    def open(self) -> Ledger:
        return open_ledger(self.settings)

    def sql(self, query: str, *params: object) -> list[Any]:
        """Run SQL on the closed log's database, as an attacker with file access would."""
        with sqlite3.connect(self.db) as db:
            return list(db.execute(query, params))

    def notification_id(self, leaf: int) -> int:
        (row,) = self.sql("SELECT notification_id FROM log_leaves WHERE leaf_index = ?", leaf)
        return int(row[0])

    def size(self) -> int:
        (row,) = self.sql("SELECT size FROM log_state WHERE id = 1")
        return int(row[0])


def enrol_statement(
    registrar: Ed25519SigningKey,
    key: Ed25519SigningKey,
    *,
    valid_from: datetime | None = None,
    role: str = "official",
) -> SignedStatement:
    """key.enrol of key for UNIT, valid from a minute ago unless told."""
    start = valid_from or datetime.now(UTC) - timedelta(minutes=1)
    return make_statement(
        "key.enrol",
        {
            "public_key": base64.b64encode(key.public_key).decode(),
            "official_id": f"CB-{key.key_id[:6]}",
            "role": role,
            "unit_scope": UNIT,
            "valid_from": format_time(start.replace(microsecond=0)),
        },
        registrar,
        origin=ORIGIN,
    )


def notice_statement(
    key: Ed25519SigningKey, *, nonce: str | None = None, time: datetime | None = None
) -> SignedStatement:
    """A signed notice.publish for UNIT."""
    return make_statement(
        "notice.publish",
        {"notice_id": str(uuid.uuid4()), "unit": UNIT, "title": "Tiêu chí", "body": "Nội dung"},
        key,
        origin=ORIGIN,
        nonce=nonce,
        time=time,
    )


def build_log(data_dir: Path, notices: int) -> VerifyLog:
    """Init a log, enrol OFFICIAL, publish `notices` notices (batches of 100), close it."""
    init_data_dir(data_dir, origin=ORIGIN, unencrypted_keys=True, enable_reports=False)
    log = VerifyLog(data_dir)
    ledger = log.open()
    try:
        ledger.submit([enrol_statement(log.registrar, OFFICIAL)])
        for first in range(0, notices, 100):
            count = min(100, notices - first)
            ledger.submit([notice_statement(OFFICIAL) for _ in range(count)])
    finally:
        ledger.close()
    return log


def insert_crafted(
    log: VerifyLog, signed: SignedStatement, public_key: bytes, *, version: int = 1
) -> int:
    """Store a notice event for a statement the application never checked, sequence it, and
    return its leaf index: what an insider with database access could do."""
    notice_id = uuid.UUID(signed.statement.payload["notice_id"])
    state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": datetime.now(UTC).isoformat()},
        "originator_topic": "ledger.domain.notices:Notice",
        "notice_id": {"_type_": "uuid_hex", "_data_": notice_id.hex},
        "signed": make_signed(signed.raw, signed.signature, public_key),
    }
    with sqlite3.connect(log.db) as db:
        db.execute(
            "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, 'ledger.domain.notices:Notice.Published', ?)",
            (
                notice_aggregate_id(notice_id).hex,
                version,
                json.dumps(state, ensure_ascii=False).encode(),
            ),
        )
    ledger = log.open()  # opening sequences whatever is stored but not yet in the tree
    ledger.close()
    return log.size() - 1


@pytest.fixture(autouse=True)
def _no_database_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CANBO_DATABASE_URL", raising=False)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A small log (12 leaves) and one of 302 leaves (a full level-0 tile and a level-1 hash)."""
    root = tmp_path_factory.mktemp("verify-templates")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CANBO_DATABASE_URL", raising=False)
        small = build_log(root / "small", 10)
        large = build_log(root / "large", 300)
    yield {"small": small.data_dir, "large": large.data_dir}


@pytest.fixture
def small_log(templates: dict[str, Path], tmp_path: Path) -> VerifyLog:
    """A private copy of the small log."""
    return VerifyLog(Path(shutil.copytree(templates["small"], tmp_path / "small")))


@pytest.fixture
def large_log(templates: dict[str, Path], tmp_path: Path) -> VerifyLog:
    """A private copy of the 302-leaf log."""
    return VerifyLog(Path(shutil.copytree(templates["large"], tmp_path / "large")))
