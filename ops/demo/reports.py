"""Demo reports and their handling, through the real reporting desk and signed statements.

Categories, units, texts and the handling steps follow the seed; report ids and receipt codes
come from the operating system's randomness, as they always do (a receipt must be unguessable).
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass

from keys.ed25519 import Ed25519SigningKey
from ledger.bootstrap import Ledger
from ledger.client import make_statement
from ledger.reports.desk import sealed_text
from ledger.reports.statements import CATEGORIES
from ledger.statement import format_time

TEXTS = (
    "Cán bộ địa chính yêu cầu nộp thêm tiền ngoài quy định khi cấp giấy chứng nhận.",
    "Kết quả đánh giá cán bộ năm nay không công khai tiêu chí chấm điểm.",
    "Việc bổ nhiệm phó chủ tịch không lấy phiếu tín nhiệm theo quy trình.",
    "Cán bộ tư pháp chậm giải quyết hồ sơ và gợi ý 'bồi dưỡng'.",
    "Danh sách hộ nghèo có người thân của cán bộ thôn dù không đủ điều kiện.",
)


@dataclass(frozen=True)
class SeededReports:
    """What the demo's reporting recorded."""

    filed: int
    concluded: int
    receipts: tuple[str, ...]  # printed once by `canbo demo`, to try the status page


def seed_reports(
    ledger: Ledger,
    registrar: Ed25519SigningKey,
    communes: list[str],
    province: str,
    *,
    seed: int = 1,
    count: int = 14,
) -> SeededReports:
    """File `count` reports across the first communes and handle most of them."""
    rng = random.Random(f"canbo-demo/reports/{seed}")
    now = ledger.app.clock()
    committee = _key(seed, "UB-1")  # enrolled by the province seeding as committee
    handler_id = f"CB-{1:02d}-005"
    handler = _key(seed, f"XL@{handler_id}")
    ledger.submit(
        [
            make_statement(
                "key.enrol",
                {
                    "public_key": base64.b64encode(handler.public_key).decode(),
                    "official_id": handler_id,
                    "role": "handler",
                    "unit_scope": province,
                    "valid_from": format_time(now),
                },
                registrar,
                origin=ledger.origin,
                time=now,
            )
        ]
    )
    receipts, concluded = [], 0
    # Most reports concern one commune, so its counts are public; the others stay under 5.
    units = [communes[0]] * 6 + communes[1:4] * 3
    for n in range(count):
        form: dict[str, object] = {
            "category": sorted(CATEGORIES)[rng.randrange(len(CATEGORIES))],
            "unit": units[n % len(units)],
            "text": TEXTS[rng.randrange(len(TEXTS))],
        }
        if n == 3:  # an official who reports is protected (rule R15)
            form["identity"] = {"name": "Người báo cáo", "official_id": f"CB-02-{12:03d}"}
        filed = ledger.reports.file(form)
        receipts.append(filed["receipt"])
        report_id = ledger.reports.report_of(filed["receipt"])
        if n % 5 == 4:
            continue  # left unclassified: past its deadline, inspection sees it flagged
        steps = [
            (committee, "report.accept", {"complexity": "normal" if n % 3 else "complex"}),
            (committee, "report.acknowledge", {}),
            (committee, "report.assign", {"handler": handler_id}),
            (handler, "report.read", {}),
        ]
        private: list[object] = [None] * len(steps)
        if n % 2 == 0:
            data, commitment = sealed_text("Đã tiếp nhận, đang xác minh.")
            steps.append((handler, "report.message", {"private_sha256": commitment}))
            private.append(data)
        if n % 3 == 0:
            data, commitment = sealed_text("Kết luận: có căn cứ một phần; đã chuyển xử lý.")
            outcome = ("partly_substantiated", "unsubstantiated")[n % 2]
            steps.append(
                (handler, "report.conclude", {"outcome": outcome, "private_sha256": commitment})
            )
            private.append(data)
            concluded += 1
        ledger.submit(
            [
                make_statement(
                    kind,
                    {"report_id": report_id, **payload},
                    signer,
                    origin=ledger.origin,
                    time=now,
                    private=extra,  # type: ignore[arg-type]
                )
                for (signer, kind, payload), extra in zip(steps, private, strict=True)
            ]
        )
    return SeededReports(count, concluded, tuple(receipts[:2]))


def _key(seed: int, who: str) -> Ed25519SigningKey:
    # The province seeding's derivation, so the committee key is the one it enrolled.
    return Ed25519SigningKey.from_seed(
        hashlib.sha256(f"canbo-demo/{seed}/key/{who}".encode()).digest()
    )
