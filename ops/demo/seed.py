"""Deterministic demo content: a province's registrar enrols officials, who publish notices.

Keys and nonces derive from the seed, so two runs with the same seed sign the same statements
(their times are "now", since the ledger refuses statements far from its clock).
"""

from __future__ import annotations

import base64
import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from keys.ed25519 import Ed25519SigningKey
from ledger.bootstrap import Ledger
from ledger.client import make_statement
from ledger.statement import SignedStatement, format_time

PROVINCE = "VN-HN"
COMMUNES = ("phuong-ba-dinh", "phuong-hoan-kiem", "xa-soc-son", "xa-ba-vi", "phuong-cau-giay")
TOPICS = (
    (
        "Tiêu chí tuyển dụng công chức cấp xã",
        "Khung năng lực theo vị trí việc làm, nhóm chuyên môn.",
    ),
    (
        "Quy trình đánh giá theo kết quả đầu ra",
        "Điểm theo sản phẩm hoàn thành, chất lượng, tiến độ.",
    ),
    ("Lịch tiếp công dân", "Thứ Năm hằng tuần, 8 giờ đến 11 giờ, tại trụ sở UBND."),
    (
        "Danh sách nhiệm vụ khó cần người chịu trách nhiệm",
        "Giải phóng mặt bằng tuyến đường liên xã.",
    ),
    ("Thông báo luân chuyển vị trí nhạy cảm", "Vị trí địa chính, tài chính sau 3 năm công tác."),
)


@dataclass(frozen=True)
class DemoResult:
    """What the seeding recorded."""

    officials: int
    notices: int
    tree_size: int


def _key(seed: int, label: str) -> Ed25519SigningKey:
    return Ed25519SigningKey.from_seed(
        hashlib.sha256(f"canbo-demo/{seed}/{label}".encode()).digest()
    )


def _nonce(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("=")


def seed_demo(ledger: Ledger, registrar: Ed25519SigningKey, *, seed: int = 1) -> DemoResult:
    """Enrol one official per commune and publish a few notices for each."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    enrolments: list[SignedStatement] = []
    officials: list[tuple[str, Ed25519SigningKey]] = []
    for number, commune in enumerate(COMMUNES, start=1):
        key = _key(seed, commune)
        unit = f"{PROVINCE}/{commune}"
        officials.append((unit, key))
        enrolments.append(
            make_statement(
                "key.enrol",
                {
                    "public_key": base64.b64encode(key.public_key).decode(),
                    "official_id": f"CB-{seed:03d}-{number:04d}",
                    "role": "official",
                    "unit_scope": unit,
                    "valid_from": format_time(now),
                },
                registrar,
                origin=ledger.origin,
                time=now,
                nonce=_nonce(rng),
            )
        )
    ledger.submit(enrolments)
    notices = 0
    for unit, key in officials:
        for title, body in rng.sample(TOPICS, 3):
            notice_id = uuid.UUID(bytes=rng.randbytes(16), version=4)
            statement = make_statement(
                "notice.publish",
                {"notice_id": str(notice_id), "unit": unit, "title": title, "body": body},
                key,
                origin=ledger.origin,
                time=now,
                nonce=_nonce(rng),
            )
            ledger.submit([statement])
            notices += 1
    head = ledger.log.require_head()
    return DemoResult(officials=len(officials), notices=notices, tree_size=head.size)
