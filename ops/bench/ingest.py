"""Ingest benchmarks: signed statements through Ledger.submit, and plain eventsourcing saves."""

from __future__ import annotations

import base64
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from keys.ed25519 import Ed25519SigningKey
from keys.keyfile import read_private_key
from ledger.bootstrap import Ledger, open_ledger
from ledger.client import make_statement
from ledger.datadir import init_data_dir
from ledger.statement import SignedStatement, format_time

UNIT_SCOPE = "HN"
UNIT = "HN/ba-dinh"
TITLE = "Tiêu chí đánh giá, xếp loại chất lượng công chức cấp xã năm 2026"
# About 500 characters of Vietnamese prose: the size of an ordinary published notice.
BODY = (
    "Căn cứ Luật Cán bộ, công chức số 80/2025/QH15 và Nghị định 335/2025/NĐ-CP, Ủy ban nhân dân "
    "phường thông báo tiêu chí đánh giá, xếp loại chất lượng công chức theo vị trí việc làm. "
    "Kết quả thực hiện nhiệm vụ được tính theo số lượng, chất lượng và tiến độ sản phẩm hoàn thành "
    "so với sản phẩm được giao; mỗi lỗi lớn về chất lượng hoặc chậm tiến độ trừ 25% điểm kết quả. "
    "Công chức đạt từ 90 điểm trở lên được xếp loại hoàn thành xuất sắc nhiệm vụ; từ 70 đến 89 "
    "điểm hoàn thành tốt; từ 50 đến 69 điểm hoàn thành nhiệm vụ. Ý kiến góp ý gửi về bộ phận "
    "một cửa trước ngày 15 tháng 12."
)


@dataclass
class BenchLog:
    """A fresh log with an enrolled official whose key signs the benchmark's notices."""

    data_dir: Path
    ledger: Ledger
    official: Ed25519SigningKey

    def close(self) -> None:
        """Release the log's connections."""
        self.ledger.close()


def open_bench_log(data_dir: Path, origin: str, database_url: str | None = None) -> BenchLog:
    """Init a data dir, open it, and enrol one official for unit scope HN (the registrar signs)."""
    result = init_data_dir(
        data_dir,
        unencrypted_keys=True,
        origin=origin,
        enable_reports=False,
        database_url=database_url,
    )
    # result.settings, not Settings.load: an inherited CANBO_DATABASE_URL must not redirect it.
    # In-process sequencing on PostgreSQL too: no sequencer process runs yet.
    ledger = open_ledger(result.settings, sequence_in_process=True)
    registrar = read_private_key(result.registrar_key_file, None, allow_unencrypted=True)
    official = Ed25519SigningKey.generate()
    valid_from = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    enrol = make_statement(
        "key.enrol",
        {
            "public_key": base64.b64encode(official.public_key).decode("ascii"),
            "official_id": "bench-official",
            "role": "official",
            "unit_scope": UNIT_SCOPE,
            "valid_from": format_time(valid_from),
        },
        registrar,
        origin=ledger.origin,
    )
    ledger.submit([enrol])
    return BenchLog(data_dir, ledger, official)


def presign_notices(official: Ed25519SigningKey, count: int, origin: str) -> list[SignedStatement]:
    """notice.publish statements signed ahead of time, as officials' clients would send them."""
    return [
        make_statement(
            "notice.publish",
            {"notice_id": str(uuid.uuid4()), "unit": UNIT, "title": TITLE, "body": BODY},
            official,
            origin=origin,
        )
        for _ in range(count)
    ]


def submit_batches(log: BenchLog, statements: Sequence[SignedStatement], batch: int) -> float:
    """Submit `batch` statements per call (receipts included); return the seconds taken."""
    submit = log.ledger.submit
    start = time.perf_counter()
    for i in range(0, len(statements), batch):
        submit(statements[i : i + batch])
    return time.perf_counter() - start


def stored_state_size(log: BenchLog) -> int:
    """Bytes of the stored state of the latest event: what a raw event should match."""
    recorder: Any = log.ledger.app.recorder
    last = recorder.max_notification_id()
    (notification,) = recorder.select_notifications(start=last, limit=1)
    return len(notification.state)


class BenchNote(Aggregate):
    """A trivial aggregate whose one event carries text of a chosen size."""

    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


class RawApplication(Application[UUID]):
    """Plain eventsourcing on SQLite, nothing of the ledger's: the baseline of ingest."""

    name = "RawBench"


class RawStore:
    """A fresh RawApplication whose events match a target stored size."""

    def __init__(self, db_path: Path, state_size: int, env: dict[str, str] | None = None) -> None:
        # env replaces the SQLite settings (the PostgreSQL benchmark passes its own).
        self.app = RawApplication(
            env=env
            or {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(db_path),
                "CREATE_TABLE": "y",
            }
        )
        probe = BenchNote(text="")
        overhead = len(self.app.mapper.to_stored_event(probe.collect_events()[0]).state)
        self.text = "x" * max(0, state_size - overhead)

    def state_size(self) -> int:
        """Bytes of the stored state of one of this store's events."""
        return len(
            self.app.mapper.to_stored_event(BenchNote(text=self.text).collect_events()[0]).state
        )

    def save_each(self, count: int) -> float:
        """Create and save `count` aggregates, one per save; return the seconds taken."""
        save, text = self.app.save, self.text
        start = time.perf_counter()
        for _ in range(count):
            save(BenchNote(text=text))
        return time.perf_counter() - start

    def close(self) -> None:
        """Release the database."""
        self.app.close()


@dataclass(frozen=True)
class IngestResult:
    """Per-round rates of single-statement ingest and of plain eventsourcing, interleaved."""

    ingest_rates: list[float]
    raw_rates: list[float]
    ingest_state_bytes: int
    raw_state_bytes: int

    @property
    def ratios(self) -> list[float]:
        """ingest / raw of each round."""
        return [a / b for a, b in zip(self.ingest_rates, self.raw_rates, strict=True)]


def bench_ingest(
    root: Path, count: int, rounds: int, warmup: int = 20, slice_size: int = 50
) -> IngestResult:
    """Rounds of Ledger.submit([s]) and plain Application.save(), interleaved; fresh SQLite."""
    log = open_bench_log(root / "ingest", "canbo.bench/ingest")
    raw: RawStore | None = None
    try:
        submit_batches(log, presign_notices(log.official, warmup, log.ledger.origin), 1)
        state_bytes = stored_state_size(log)
        raw = RawStore(root / "raw.sqlite3", state_bytes)
        raw.save_each(warmup)
        per_round = max(1, count // rounds)
        ingest_rates: list[float] = []
        raw_rates: list[float] = []
        for _ in range(rounds):
            # Signed just before each round: statements carry their signing time, checked for skew.
            statements = presign_notices(log.official, per_round, log.ledger.origin)
            # Alternating in slices of a fraction of a second, both sides meet the same load
            # from the rest of the (shared) machine: its fsync latency swings tenfold.
            ingest_seconds = raw_seconds = 0.0
            for i in range(0, per_round, slice_size):
                part = statements[i : i + slice_size]
                ingest_seconds += submit_batches(log, part, 1)
                raw_seconds += raw.save_each(len(part))
            ingest_rates.append(per_round / ingest_seconds)
            raw_rates.append(per_round / raw_seconds)
        return IngestResult(ingest_rates, raw_rates, state_bytes, raw.state_size())
    finally:
        log.close()
        if raw is not None:
            raw.close()


@dataclass(frozen=True)
class BulkResult:
    """Per-round rates of batched ingest, and the data dir of the log it made."""

    rates: list[float]
    data_dir: Path
    statements: int


def bench_bulk(root: Path, count: int, rounds: int, batch: int = 100) -> BulkResult:
    """Submit at least `count` statements, `batch` per Ledger.submit, in rounds; keep the log."""
    log = open_bench_log(root / "bulk", "canbo.bench/bulk")
    try:
        per_round = -(-count // (rounds * batch)) * batch  # whole batches, rounding up
        rates: list[float] = []
        for _ in range(rounds):
            statements = presign_notices(log.official, per_round, log.ledger.origin)
            rates.append(per_round / submit_batches(log, statements, batch))
        return BulkResult(rates, log.data_dir, per_round * rounds)
    finally:
        log.close()


def median(values: Sequence[float]) -> float:
    """The median of a non-empty sequence."""
    return float(statistics.median(values))
