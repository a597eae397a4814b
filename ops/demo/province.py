"""A realistic demo province, recorded through the real application service as signed statements.

One province, its communes and wards, their posts and officials, and several years of decisions:
recruitments, a key post filled through probation, yearly evaluations computed by the Decree 335
formula, rotations out of sensitive posts (or not: those are flagged), commendations, some
discipline, one held decision against a protected reporter, and the hard-task, initiative and
consultation registers. Keys, nonces, salts and every choice derive from the seed, so the same
seed signs the same statements; statement times are "now" (the ledger checks clock skew), while
effective dates reach back `years` years.

The first framework versions allow recording history late (`max_backdate_days` 3650: the
digitisation of old records); the versions in force for the last 200 days do not, so decisions
of that period recorded now are flagged as backdated (R11), as they would be in practice.
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from keys.ed25519 import Ed25519SigningKey
from ledger.bootstrap import Ledger
from ledger.client import make_statement
from ledger.personnel.private import commitment_of
from ledger.rules import Product, compute_band
from ledger.rules.dates import local_date
from ledger.statement import SignedStatement, format_time

PROVINCE = "VN-DEMO"
PROVINCE_NAME = "Tỉnh Sơn Hà"
PLACES = (
    "An Bình",
    "Bình Minh",
    "Cẩm Lệ",
    "Đông Hưng",
    "Gia Lạc",
    "Hà Trung",
    "Hoà Phú",
    "Kim Sơn",
    "Lạc Thủy",
    "Long Hải",
    "Minh Đức",
    "Nam Phong",
    "Ngọc Lâm",
    "Phú Xuân",
    "Quang Trung",
    "Sơn Tây",
    "Tân Lập",
    "Thanh Hà",
    "Vĩnh Ninh",
    "Yên Thế",
    "Xuân Mai",
    "Đại Đồng",
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thu", "Đức", "Ngọc", "Quang", "Thanh", "Xuân")
GIVEN = (
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hằng",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
)
GROUPS = ("leadership", "professional", "support")
COMPETENCIES = {"law": 2, "public_service": 2}
BATCH = 100
COLLECTIVE_SIZE = 3


@dataclass(frozen=True)
class Shape:
    """How big the demo is."""

    communes: int = 20
    officials_per_commune: int = 40  # at least 12: leaders, sensitive posts, staff, a reserve
    years: int = 5

    def __post_init__(self) -> None:
        if not 1 <= self.communes <= 200:
            raise ValueError(f"communes must be 1 to 200, not {self.communes}")
        if not 12 <= self.officials_per_commune <= 500:
            raise ValueError(
                f"officials per commune must be 12 to 500, not {self.officials_per_commune}"
            )
        if not 2 <= self.years <= 30:
            raise ValueError(f"years must be 2 to 30, not {self.years}")


@dataclass
class Seeded:
    """What the seeding recorded."""

    units: int = 0
    officials: int = 0
    decisions: int = 0
    statements: int = 0
    batches: int = 0


@dataclass
class _Desk:
    ledger: Ledger
    seed: int
    rng: random.Random
    now: datetime
    keys: dict[str, Ed25519SigningKey] = field(default_factory=dict)
    pending: list[SignedStatement] = field(default_factory=list)
    seeded: Seeded = field(default_factory=Seeded)
    on_batch: Callable[[Seeded], None] | None = None

    def key(self, who: str) -> Ed25519SigningKey:
        if who not in self.keys:
            digest = hashlib.sha256(f"canbo-demo/{self.seed}/key/{who}".encode()).digest()
            self.keys[who] = Ed25519SigningKey.from_seed(digest)
        return self.keys[who]

    def nonce(self) -> str:
        return base64.urlsafe_b64encode(self.rng.randbytes(16)).decode().rstrip("=")

    def add(
        self, signer: Ed25519SigningKey, type: str, payload: dict[str, Any], private: Any = None
    ) -> None:
        self.pending.append(
            make_statement(
                type,
                payload,
                signer,
                origin=self.ledger.origin,
                time=self.now,
                nonce=self.nonce(),
                private=private,
            )
        )
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.ledger.submit(self.pending)
        self.seeded.statements += len(self.pending)
        self.seeded.batches += 1
        self.pending = []
        if self.on_batch is not None:
            self.on_batch(self.seeded)


def seed_province(
    ledger: Ledger,
    registrar: Ed25519SigningKey,
    *,
    seed: int = 1,
    shape: Shape = Shape(),
    on_batch: Callable[[Seeded], None] | None = None,
) -> Seeded:
    """Record the demo province; returns what it recorded."""
    now = ledger.app.clock().astimezone(UTC).replace(microsecond=0)
    # Its own stream: seed_demo draws the registrar's nonces from random.Random(seed).
    desk = _Desk(ledger, seed, random.Random(f"canbo-demo/province/{seed}"), now, on_batch=on_batch)
    desk.keys["registrar"] = registrar
    today = local_date(now)
    first_year = today.year - shape.years
    start = date(first_year, 1, 15)
    communes = [_commune_id(i) for i in range(shape.communes)]
    _units(desk, communes, start)
    _keys(desk, communes)
    _frameworks(desk, start, today)
    for index, commune in enumerate(communes):
        _commune(desk, index, commune, shape, start, today)
    _registers(desk, communes, today)
    desk.flush()
    desk.seeded.units = 1 + len(communes)
    desk.seeded.officials = len(communes) * shape.officials_per_commune
    return desk.seeded


def commune_ids(shape: Shape) -> list[str]:
    """The demo's communes and wards, in seeding order."""
    return [_commune_id(i) for i in range(shape.communes)]


def _commune_id(index: int) -> str:
    return f"{PROVINCE}/{'phuong' if index % 4 == 3 else 'xa'}-{index + 1:02d}"


def _units(desk: _Desk, communes: list[str], start: date) -> None:
    registrar = desk.key("registrar")
    established = date(start.year - 10, 1, 1).isoformat()
    desk.add(
        registrar,
        "unit.establish",
        {
            "unit_id": PROVINCE,
            "name": PROVINCE_NAME,
            "level": "province",
            "established_on": established,
        },
    )
    for index, commune in enumerate(communes):
        ward = "phuong" in commune
        place = PLACES[index % len(PLACES)] + ("" if index < len(PLACES) else f" {index}")
        payload: dict[str, Any] = {
            "unit_id": commune,
            "name": ("Phường " if ward else "Xã ") + place,
            "level": "ward" if ward else "commune",
            "parent": PROVINCE,
            "established_on": established,
        }
        if index % 5 == 1:
            payload["special_areas"] = ["mountainous"]
        desk.add(registrar, "unit.establish", payload)


def _enrol(desk: _Desk, who: str, role: str, scope: str) -> None:
    desk.add(
        desk.key("registrar"),
        "key.enrol",
        {
            "public_key": base64.b64encode(desk.key(who).public_key).decode(),
            "official_id": who,
            "role": role,
            "unit_scope": scope,
            "valid_from": format_time(desk.now),
        },
    )


def _keys(desk: _Desk, communes: list[str]) -> None:
    for member in ("UB-1", "UB-2", "UB-3", "UB-4"):
        _enrol(desk, member, "committee", PROVINCE)
    _enrol(desk, "TT-1", "inspector", PROVINCE)
    _enrol(desk, "BV-1", "protection_officer", PROVINCE)
    for commune in communes:
        # The commune's personnel officer proposes; its clerk records posts and officials.
        _enrol(desk, f"TCCB@{commune}", "official", commune)
        _enrol(desk, f"VT@{commune}", "clerk", commune)


def _frameworks(desk: _Desk, start: date, today: date) -> None:
    proposer = desk.key("UB-1")
    recent = (today - timedelta(days=200)).isoformat()
    for group in GROUPS:
        framework_id = f"{PROVINCE}-{group}"
        versions = [
            (
                date(start.year, 1, 1).isoformat(),
                {"max_backdate_days": 3650},
                "Khung năng lực ban đầu; cho phép số hoá hồ sơ cũ (ghi sổ muộn).",
            ),
            (recent, {}, "Kết thúc số hoá hồ sơ cũ: quyết định phải ghi sổ đúng hạn."),
        ]
        for number, (effective_on, parameters, summary) in enumerate(versions, start=1):
            desk.add(
                proposer,
                "framework.propose",
                {
                    "framework_id": framework_id,
                    "province": PROVINCE,
                    "title_group": group,
                    "effective_on": effective_on,
                    "competencies": COMPETENCIES,
                    "parameters": parameters,
                    "summary": summary,
                },
            )
            for member in ("UB-2", "UB-3", "UB-4"):
                desk.add(
                    desk.key(member),
                    "framework.approve",
                    {"framework_id": framework_id, "proposal": number},
                )
            desk.add(
                proposer, "framework.publish", {"framework_id": framework_id, "proposal": number}
            )


def _version(group: str, effective_on: date, today: date) -> str:
    return f"{PROVINCE}-{group}@{2 if effective_on >= today - timedelta(days=200) else 1}"


@dataclass(frozen=True)
class _Post:
    id: str
    title: str
    group: str
    extra: dict[str, Any]


def _posts(commune: str, shape: Shape) -> list[_Post]:
    posts = [
        _Post(
            f"{commune}/chu-tich",
            "Chủ tịch UBND",
            "leadership",
            {"rank": "head", "top": True, "grade": 6, "collective": f"{commune}/ubnd"},
        ),
        _Post(
            f"{commune}/pho-chu-tich",
            "Phó Chủ tịch UBND",
            "leadership",
            {
                "rank": "deputy",
                "grade": 5,
                "key_position": True,
                "collective": f"{commune}/ubnd",
                "reports_to": f"{commune}/chu-tich",
            },
        ),
        _Post(
            f"{commune}/tai-chinh",
            "Công chức Tài chính - Kế toán",
            "professional",
            {"sensitive_area": "finance", "grade": 3},
        ),
        _Post(
            f"{commune}/dia-chinh",
            "Công chức Địa chính - Xây dựng",
            "professional",
            {"sensitive_area": "land", "grade": 3},
        ),
        _Post(f"{commune}/mot-cua", "Công chức Bộ phận một cửa", "professional", {"grade": 2}),
    ]
    for n in range(1, shape.officials_per_commune - 6 + 1):
        group = "support" if n % 4 == 0 else "professional"
        title = "Nhân viên hỗ trợ" if group == "support" else "Công chức chuyên môn"
        posts.append(_Post(f"{commune}/cv-{n:02d}", f"{title} {n}", group, {"grade": 1}))
    # Kept vacant: where the one-stop officer goes when the finance officer is rotated in.
    posts.append(_Post(f"{commune}/du-phong", "Công chức dự phòng", "professional", {"grade": 1}))
    return posts


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _commune(desk: _Desk, index: int, commune: str, shape: Shape, start: date, today: date) -> None:
    rng, clerk, officer = desk.rng, desk.key(f"VT@{commune}"), desk.key(f"TCCB@{commune}")
    approver = desk.key(f"UB-{1 + index % 4}")
    posts = _posts(commune, shape)
    created = date(start.year - 1, 1, 1).isoformat()
    for post in posts:
        desk.add(
            clerk,
            "post.create",
            {
                "post_id": post.id,
                "unit": commune,
                "title": post.title,
                "title_group": post.group,
                "created_on": created,
                **post.extra,
            },
        )
    people = [f"CB-{index + 1:02d}-{n:03d}" for n in range(1, shape.officials_per_commune + 1)]
    for official in people:
        private = {
            "salt": base64.b64encode(rng.randbytes(16)).decode(),
            "name": _name(rng),
            "birth_date": date(
                rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28)
            ).isoformat(),
        }
        desk.add(
            clerk,
            "official.register",
            {
                "official_id": official,
                "unit": commune,
                "title": "Cán bộ, công chức cấp xã",
                "registered_on": date(start.year - 1, 6, 1).isoformat(),
                "private_sha256": commitment_of(private),
            },
            private,
        )
        desk.add(
            clerk,
            "official.training",
            {
                "official_id": official,
                "training_id": f"BD-{official}",
                "kind": "by_title",
                "course": "Bồi dưỡng kiến thức quản lý nhà nước",
                "completed_on": created,
                "competencies": {"law": 3, "public_service": 3, "management": 2},
            },
        )
    chair, vice, finance, _land, one_stop = people[:5]
    reserve = people[-1]  # recruited later, into the post a rotation frees
    evaluated = people[2:-1]  # the leaders are not: R20 weighs a deputy by the unit's results
    collective = {
        "members": [vice, people[5], people[6]],
        "present": [vice, people[5], people[6]],
        "votes_for": 3,
    }
    counter = iter(range(1, 10_000))

    def decide(kind: str, subject: str, day: date, summary: str, **fields: Any) -> str:
        decision_id = f"QD-{index + 1:02d}-{next(counter):04d}"
        payload = {
            "decision_id": decision_id,
            "kind": kind,
            "subject": subject,
            "unit": commune,
            "effective_on": day.isoformat(),
            "summary": summary,
            "legal_basis": _BASIS.get(kind, "Luật Cán bộ, công chức 2025"),
            **fields,
        }
        desk.add(officer, "decision.propose", payload)
        desk.add(approver, "decision.approve", {"decision_id": decision_id, "revision": 1})
        desk.seeded.decisions += 1
        return decision_id

    by_post = dict(zip([p.id for p in posts[:-1]], people[:-1], strict=True))
    group_of = {p.id: p.group for p in posts}
    decide(
        "appointment",
        chair,
        start,
        f"Bổ nhiệm Chủ tịch UBND {commune}",
        target_post=posts[0].id,
        framework_version=_version("leadership", start, today),
        collective=collective,
    )
    for post_id, official in by_post.items():
        if official in (chair, vice):
            continue
        decide(
            "recruitment",
            official,
            start,
            f"Tuyển dụng vào vị trí {post_id.rsplit('/', 1)[1]}",
            target_post=post_id,
            framework_version=_version(group_of[post_id], start, today),
        )
    # The deputy post is a key position: probation, confirmation, then appointment.
    probation_end = start + timedelta(days=300)
    decide(
        "probation_start",
        vice,
        start,
        "Tập sự vị trí Phó Chủ tịch",
        target_post=posts[1].id,
        until=probation_end.isoformat(),
        framework_version=_version("leadership", start, today),
    )
    decide(
        "probation_confirmation",
        vice,
        probation_end - timedelta(days=10),
        "Hoàn thành tập sự",
        target_post=posts[1].id,
    )
    chair_collective = {
        "members": [chair, people[5], people[6]],
        "present": [chair, people[5], people[6]],
        "votes_for": 3,
    }
    appointed = probation_end - timedelta(days=9)
    decide(
        "appointment",
        vice,
        appointed,
        "Bổ nhiệm Phó Chủ tịch UBND",
        target_post=posts[1].id,
        framework_version=_version("leadership", appointed, today),
        collective=chair_collective,
    )
    for year in range(start.year, today.year):
        for official in evaluated:
            products = [
                Product(rng.random() > 0.12, 1 if rng.random() < 0.05 else 0)
                for _ in range(rng.randint(4, 8))
            ]
            general = rng.randint(18, 30)
            band = compute_band(general, products)
            decide(
                "evaluation",
                official,
                date(year + 1, 1, 20),
                f"Đánh giá, xếp loại năm {year}",
                evaluation={
                    "period": str(year),
                    "general_points": general,
                    "band": band.value,
                    "products": [
                        {"completed": p.completed, "major_faults": p.major_faults} for p in products
                    ],
                },
            )
        for official in rng.sample(evaluated, max(1, len(evaluated) // 10)):
            decide(
                "commendation",
                official,
                date(year + 1, 2, 1),
                f"Khen thưởng hoàn thành xuất sắc nhiệm vụ năm {year}",
                legal_basis="Luật Thi đua, khen thưởng 2022",
            )
    # Sensitive posts: in even communes the finance officer is rotated to the one-stop post
    # (planned, horizontal) and a new officer recruited; in odd ones nobody moves (R09 flags).
    if index % 2 == 0:
        rotated_on = date(start.year + max(1, shape.years - 2), 3, 1)
        desk.add(clerk, "official.plan", {"official_id": finance, "post_id": posts[4].id})
        decide(
            "transfer",
            one_stop,
            rotated_on - timedelta(days=1),
            "Điều động sang vị trí dự phòng",
            target_post=posts[-1].id,
            leaves_posts=[posts[4].id],
            framework_version=_version("professional", rotated_on, today),
        )
        decide(
            "rotation",
            finance,
            rotated_on,
            "Luân chuyển định kỳ vị trí nhạy cảm",
            target_post=posts[4].id,
            rotation="horizontal",
            collective=chair_collective,
            framework_version=_version("professional", rotated_on, today),
        )
        decide(
            "recruitment",
            reserve,
            rotated_on + timedelta(days=14),
            "Tuyển dụng công chức tài chính",
            target_post=posts[2].id,
            framework_version=_version("professional", rotated_on, today),
        )
    # A few reprimands, and recent late-recorded commendations (flagged as backdated).
    if index % 4 == 1:
        offender = people[7]
        decide(
            "discipline",
            offender,
            date(start.year + 2, 6, 1),
            "Kỷ luật khiển trách",
            penalty="reprimand",
            violation_id=f"VP-{index + 1:02d}-1",
            violation_on=date(start.year + min(2, shape.years - 1), 4, 1).isoformat(),
            collective=chair_collective,
        )
    if index % 3 == 0:
        decide(
            "commendation",
            people[8],
            today - timedelta(days=90),
            "Khen thưởng đột xuất",
            legal_basis="Luật Thi đua, khen thưởng 2022",
        )
    # A protected reporter: the discipline proposed against them is held for inspection.
    if index == 0:
        reporter = people[10]
        vault = desk.ledger.app.vault
        assert vault is not None
        desk.add(
            desk.key("BV-1"),
            "protection.grant",
            {
                "protection_id": "BV-0001",
                "index": vault.blind_index(reporter),
                "unit": commune,
                "since": (today - timedelta(days=60)).isoformat(),
            },
        )
        decision_id = f"QD-{index + 1:02d}-{next(counter):04d}"
        desk.add(
            officer,
            "decision.propose",
            {
                "decision_id": decision_id,
                "kind": "discipline",
                "subject": reporter,
                "unit": commune,
                "effective_on": today.isoformat(),
                "summary": "Kỷ luật cảnh cáo",
                "legal_basis": _BASIS["discipline"],
                "penalty": "warning",
                "violation_id": f"VP-{index + 1:02d}-9",
                "violation_on": (today - timedelta(days=20)).isoformat(),
                "collective": chair_collective,
            },
        )
        desk.seeded.decisions += 1


def _registers(desk: _Desk, communes: list[str], today: date) -> None:
    for index, commune in enumerate(communes[:6]):
        officer = desk.key(f"TCCB@{commune}")
        desk.add(
            officer,
            "task.register",
            {
                "task_id": f"NV-{index + 1:02d}",
                "unit": commune,
                "title": "Giải phóng mặt bằng tuyến đường liên xã",
                "description": "Vận động, kiểm đếm, chi trả bồi thường cho 40 hộ dân.",
                "deadline": (today + timedelta(days=60 + 10 * index)).isoformat(),
            },
        )
        desk.add(
            officer,
            "initiative.register",
            {
                "initiative_id": f"SK-{index + 1:02d}",
                "official": f"CB-{index + 1:02d}-010",
                "unit": commune,
                "aim": "Trả kết quả hồ sơ đất đai tại nhà",
                "scope": "Hồ sơ đất đai của người cao tuổi",
                "risks": "Thất lạc hồ sơ",
                "expected_result": "Giảm số lần đi lại của người dân",
                "starts_on": (today + timedelta(days=7)).isoformat(),
            },
        )
        desk.add(
            officer,
            "consultation.ask",
            {
                "consultation_id": f"XY-{index + 1:02d}",
                "unit": commune,
                "to_unit": PROVINCE,
                "question": "Hộ dân chưa có giấy tờ đất được hỗ trợ thế nào khi thu hồi?",
                "deadline": (today + timedelta(days=10)).isoformat(),
            },
        )
        if index % 2 == 0:
            desk.add(
                desk.key("UB-2"),
                "consultation.answer",
                {
                    "consultation_id": f"XY-{index + 1:02d}",
                    "answer": "Áp dụng Điều 101 Luật Đất đai 2024 và quyết định của tỉnh.",
                },
            )


_BASIS = {
    "recruitment": "Luật Cán bộ, công chức 2025, Điều 37",
    "appointment": "Quy định 377-QĐ/TW; Luật Cán bộ, công chức 2025",
    "probation_start": "Luật Cán bộ, công chức 2025; Quy định 377-QĐ/TW",
    "probation_confirmation": "Luật Cán bộ, công chức 2025",
    "rotation": "Quy định 65-QĐ/TW; Nghị định 59/2019/NĐ-CP",
    "transfer": "Luật Cán bộ, công chức 2025",
    "evaluation": "Nghị định 335/2025/NĐ-CP",
    "discipline": "Nghị định 172/2025/NĐ-CP",
}
