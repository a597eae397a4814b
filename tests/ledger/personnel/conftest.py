"""A small province recorded through signed statements, for the personnel scenarios."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import LogFixture
from tests.ledger.personnel.desk import Desk

PROVINCE = "QN"
COMMUNE = "QN/an-binh"
OTHER_COMMUNE = "QN/hoa-lac"
COMMITTEE = ["CB-C1", "CB-C2", "CB-C3", "CB-C4"]


def chair_collective(present: list[str] | None = None, votes: int = 3) -> dict[str, object]:
    """The commune's leadership collective meeting on a decision."""
    members = ["CB-CHAIR", "CB-VICE", "CB-M3"]
    return {"members": members, "present": present or members, "votes_for": votes}


def decision(
    decision_id: str, kind: str, subject: str, effective_on: str, **fields: object
) -> dict[str, object]:
    """A decision payload of the commune, citing the leadership framework unless told."""
    payload: dict[str, object] = {
        "decision_id": decision_id,
        "kind": kind,
        "subject": subject,
        "unit": COMMUNE,
        "effective_on": effective_on,
        "legal_basis": "Luật Cán bộ, công chức 2025, Điều 27",
        "summary": f"{kind} của {subject}",
    }
    payload.update(fields)
    return payload


def build_province(desk: Desk) -> None:
    """Units, keys, frameworks, posts and officials of a small province."""
    desk.submit(
        "registrar",
        "unit.establish",
        {
            "unit_id": PROVINCE,
            "name": "Tỉnh Quảng Nam",
            "level": "province",
            "established_on": "2010-01-01",
        },
    )
    for unit, name, areas in [
        (COMMUNE, "Xã An Bình", ["mountainous"]),
        (OTHER_COMMUNE, "Phường Hoà Lạc", []),
    ]:
        payload = {
            "unit_id": unit,
            "name": name,
            "level": "commune",
            "parent": PROVINCE,
            "established_on": "2010-01-01",
        }
        if areas:
            payload["special_areas"] = areas
        desk.submit("registrar", "unit.establish", payload)
    for who in ["CB-CHAIR", "CB-VICE", "CB-M3"]:
        desk.enrol(who, "official", COMMUNE)
    desk.enrol("CB-CLERK", "clerk", COMMUNE)
    desk.enrol("CB-OTHER", "official", OTHER_COMMUNE)
    for who in COMMITTEE:
        desk.enrol(who, "committee", PROVINCE)
    desk.enrol("CB-INSP", "inspector", PROVINCE)
    desk.enrol("CB-PROT", "protection_officer", PROVINCE)
    for framework_id, group in [
        ("QN-leadership", "leadership"),
        ("QN-professional", "professional"),
    ]:
        desk.submit(
            "CB-C1",
            "framework.propose",
            {
                "framework_id": framework_id,
                "province": PROVINCE,
                "title_group": group,
                "effective_on": "2015-01-01",
                "competencies": {"law": 3, "management": 2},
                "priority_competencies": {"mountainous": {"ethnic_language": 2}},
                "summary": "Khung năng lực ban đầu",
            },
        )
        for who in COMMITTEE[1:]:
            desk.submit(who, "framework.approve", {"framework_id": framework_id, "proposal": 1})
        desk.submit("CB-C1", "framework.publish", {"framework_id": framework_id, "proposal": 1})
    for post_id, title, group, extra in [
        (
            "chair",
            "Chủ tịch UBND xã",
            "leadership",
            {"rank": "head", "top": True, "grade": 5, "collective": "ubnd"},
        ),
        (
            "vice",
            "Phó Chủ tịch UBND xã",
            "leadership",
            {
                "rank": "deputy",
                "grade": 4,
                "key_position": True,
                "collective": "ubnd",
                "reports_to": f"{COMMUNE}/chair",
            },
        ),
        (
            "finance",
            "Công chức Tài chính - Kế toán",
            "professional",
            {"sensitive_area": "finance", "grade": 2},
        ),
        ("culture", "Công chức Văn hoá - Xã hội", "professional", {"grade": 2}),
    ]:
        desk.submit(
            "CB-CLERK",
            "post.create",
            {
                "post_id": f"{COMMUNE}/{post_id}",
                "unit": COMMUNE,
                "title": title,
                "title_group": group,
                "created_on": "2015-01-01",
                **extra,
            },
        )
    for official in ["CB-CHAIR", "CB-VICE", "CB-M3", "CB-A", "CB-FIN", "CB-REP"]:
        desk.register("CB-CLERK", official, COMMUNE)
    desk.register(
        "CB-CLERK", "CB-B", COMMUNE, relatives=[{"official": "CB-CHAIR", "relation": "con"}]
    )
    for official in ["CB-CHAIR", "CB-A", "CB-FIN", "CB-B", "CB-REP"]:
        desk.submit(
            "CB-CLERK",
            "official.training",
            {
                "official_id": official,
                "training_id": f"T-{official}",
                "course": "Bồi dưỡng",
                "kind": "by_title",
                "completed_on": "2016-01-01",
                "competencies": {"law": 3, "management": 3, "ethnic_language": 2},
            },
        )


@pytest.fixture
def desk(any_log: LogFixture) -> Iterator[Desk]:
    """A log holding the small province, on SQLite and on PostgreSQL."""
    log = any_log
    ledger = log.open()
    d = Desk(log, ledger)
    build_province(d)
    yield d
    ledger.close()
