"""The application service refuses every bad statement with its own error, and saves the rest."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from ledger.bootstrap import Ledger
from ledger.client import make_statement
from ledger.errors import (
    BadSignature,
    ClockSkew,
    InvalidPayload,
    KeyNotYetValid,
    NotAuthorised,
    ReplayedNonce,
    RevokedKey,
    StatementTooLarge,
    UnknownKey,
    UnknownStatementType,
    VersionConflict,
)
from ledger.statement import SignedStatement, format_time
from tests.conftest import (
    ORIGIN,
    LogFixture,
    enrol,
    enrolment,
    make_log,
    notice,
    official_key,
)


def test_genesis_enrols_the_first_registrar(ledger: Ledger, sqlite_log: LogFixture) -> None:
    # canbo init wrote one entry: the registrar's enrolment, signed by the log key.
    head = ledger.log.require_head()
    assert head.size == 1
    record = ledger.app.key_record(sqlite_log.registrar.key_id)
    assert record is not None and record.role == "registrar" and record.unit_scope == "*"


def test_an_enrolled_official_publishes_and_gets_a_receipt(
    ledger: Ledger, sqlite_log: LogFixture
) -> None:
    official = official_key("an")
    enrol(ledger, sqlite_log.registrar, official)
    receipt = ledger.submit([notice(ledger, official)])
    entry = receipt["statements"][0]
    # Leaves: 0 genesis, 1 enrolment, 2 this notice.
    assert entry["leaf_index"] == 2
    assert receipt["tree_size"] == 3
    assert entry["entries"][0]["tlog_proof"].startswith("c2sp.org/tlog-proof@v1\nindex 2\n")


def test_a_bad_signature_is_refused(ledger: Ledger, sqlite_log: LogFixture) -> None:
    official = official_key("an")
    enrol(ledger, sqlite_log.registrar, official)
    good = notice(ledger, official)
    forged = SignedStatement(good.statement, good.raw, bytes(64))
    with pytest.raises(BadSignature):
        ledger.submit([forged])


def test_an_unknown_key_is_refused(ledger: Ledger) -> None:
    with pytest.raises(UnknownKey) as caught:
        ledger.submit([notice(ledger, official_key("stranger"))])
    assert caught.value.details["key_id"] == official_key("stranger").key_id


def test_a_key_is_refused_before_it_is_valid(ledger: Ledger, sqlite_log: LogFixture) -> None:
    official = official_key("an")
    later = sqlite_log.clock.now + timedelta(hours=4)
    enrol(ledger, sqlite_log.registrar, official, valid_from=later)
    with pytest.raises(KeyNotYetValid):
        ledger.submit([notice(ledger, official)])


def test_a_revoked_key_is_refused_and_its_earlier_statements_stand(
    ledger: Ledger, sqlite_log: LogFixture
) -> None:
    official = official_key("an")
    enrol(ledger, sqlite_log.registrar, official)
    ledger.submit([notice(ledger, official)])
    # The official reports the key lost; the registrar revokes it from now on.
    sqlite_log.clock.advance(seconds=10)
    revoke = make_statement(
        "key.revoke",
        {"key_id": official.key_id, "reason": "laptop stolen"},
        sqlite_log.registrar,
        origin=ORIGIN,
        time=sqlite_log.clock.now,
    )
    ledger.submit([revoke])
    sqlite_log.clock.advance(seconds=1)
    with pytest.raises(RevokedKey) as caught:
        ledger.submit([notice(ledger, official)])
    assert caught.value.details["reason"] == "laptop stolen"


def test_rotation_moves_signing_to_the_new_key(ledger: Ledger, sqlite_log: LogFixture) -> None:
    old, new = official_key("old"), official_key("new")
    enrol(ledger, sqlite_log.registrar, old)
    rotate = make_statement(
        "key.rotate",
        {
            "key_id": old.key_id,
            "public_key": base64.b64encode(new.public_key).decode(),
            "reason": "new smart card",
        },
        old,
        origin=ORIGIN,
        time=sqlite_log.clock.now,
    )
    receipt = ledger.submit([rotate])
    old_record = ledger.app.key_record(old.key_id)
    assert old_record is not None and old_record.revocation_reason == "new smart card"
    assert old_record.rotated_to == new.key_id
    # One statement, two events: the old key rotated away, the new one enrolled.
    assert len(receipt["statements"][0]["entries"]) == 2
    sqlite_log.clock.advance(seconds=1)
    with pytest.raises(RevokedKey):
        ledger.submit([notice(ledger, old)])
    ledger.submit([notice(ledger, new)])
    record = ledger.app.key_record(new.key_id)
    assert record is not None and record.official_id == "CB-0001"


def test_a_statement_far_from_the_server_clock_is_refused(
    ledger: Ledger, sqlite_log: LogFixture
) -> None:
    official = official_key("an")
    enrol(ledger, sqlite_log.registrar, official)
    stale = notice(ledger, official, time=sqlite_log.clock.now - timedelta(hours=1))
    with pytest.raises(ClockSkew) as caught:
        ledger.submit([stale])
    assert caught.value.details["max_skew_seconds"] == 300


def test_a_replayed_statement_is_refused(ledger: Ledger, sqlite_log: LogFixture) -> None:
    official = official_key("an")
    enrol(ledger, sqlite_log.registrar, official)
    statement = notice(ledger, official)
    ledger.submit([statement])
    with pytest.raises(ReplayedNonce):
        ledger.submit([statement])
    # The same nonce under a fresh statement is a replay too.
    with pytest.raises(ReplayedNonce):
        ledger.submit([notice(ledger, official, nonce=statement.statement.nonce)])


def test_a_statement_sent_again_late_is_a_replay_whatever_changed_since(
    ledger: Ledger, sqlite_log: LogFixture
) -> None:
    """A client that got no answer sends the same bytes again, maybe much later: the answer
    is that it was recorded, not the clock skew or the revocation it now meets first."""
    official = official_key("late")
    enrol(ledger, sqlite_log.registrar, official)
    statement = notice(ledger, official)
    ledger.submit([statement])
    sqlite_log.clock.advance(minutes=30)  # far beyond the clock skew allowed
    with pytest.raises(ReplayedNonce):
        ledger.submit([statement])
    revoke = make_statement(
        "key.revoke",
        {"key_id": official.key_id, "reason": "lost"},
        sqlite_log.registrar,
        origin=ORIGIN,
        time=sqlite_log.clock.now,
    )
    ledger.submit([revoke])
    with pytest.raises(ReplayedNonce):
        ledger.submit([statement])
    # A statement never recorded is still refused for what is wrong with it.
    with pytest.raises(ClockSkew):
        ledger.submit([notice(ledger, official, time=sqlite_log.clock.now - timedelta(hours=1))])


def test_a_nonce_twice_in_one_batch_is_refused(ledger: Ledger, sqlite_log: LogFixture) -> None:
    official = official_key("an")
    enrol(ledger, sqlite_log.registrar, official)
    nonce = "same-nonce-0123456789"
    with pytest.raises(ReplayedNonce):
        ledger.submit(
            [notice(ledger, official, nonce=nonce), notice(ledger, official, nonce=nonce)]
        )


def test_an_unknown_statement_type_is_refused(ledger: Ledger, sqlite_log: LogFixture) -> None:
    statement = make_statement(
        "payroll.raise", {}, sqlite_log.registrar, origin=ORIGIN, time=sqlite_log.clock.now
    )
    with pytest.raises(UnknownStatementType):
        ledger.submit([statement])


def test_a_signer_outside_its_unit_is_not_authorised(
    ledger: Ledger, sqlite_log: LogFixture
) -> None:
    official = official_key("an")
    enrol(ledger, sqlite_log.registrar, official, unit_scope="VN-HN/ba-dinh")
    with pytest.raises(NotAuthorised):
        ledger.submit([notice(ledger, official, unit="VN-HN/hoan-kiem")])
    # Only a registrar enrols keys.
    with pytest.raises(NotAuthorised):
        enrol(ledger, official, official_key("friend"))


def test_the_log_key_signs_only_the_genesis(ledger: Ledger, sqlite_log: LogFixture) -> None:
    from ledger.bootstrap import load_log_signer

    log_key = load_log_signer(sqlite_log.settings)
    with pytest.raises(NotAuthorised):
        enrol(ledger, log_key, official_key("shadow"), role="registrar", unit_scope="*")  # type: ignore[arg-type]


def test_an_invalid_payload_is_refused(ledger: Ledger, sqlite_log: LogFixture) -> None:
    statement = make_statement(
        "key.enrol",
        {
            "public_key": "not-a-key",
            "official_id": "x",
            "role": "official",
            "unit_scope": "VN",
            "valid_from": format_time(sqlite_log.clock.now),
        },
        sqlite_log.registrar,
        origin=ORIGIN,
        time=sqlite_log.clock.now,
    )
    with pytest.raises(InvalidPayload) as caught:
        ledger.submit([statement])
    assert caught.value.details["field"] == "public_key"


def test_a_stale_version_is_a_conflict_not_an_overwrite(
    ledger: Ledger, sqlite_log: LogFixture
) -> None:
    official = official_key("an")
    enrol(ledger, sqlite_log.registrar, official)
    notice_id = uuid.uuid4()
    ledger.submit([notice(ledger, official, notice_id=notice_id)])

    def amend(title: str, expected: int) -> SignedStatement:
        return make_statement(
            "notice.amend",
            {"notice_id": str(notice_id), "expected_version": expected, "title": title},
            official,
            origin=ORIGIN,
            time=sqlite_log.clock.now,
        )

    ledger.submit([amend("first", 1)])
    with pytest.raises(VersionConflict) as caught:
        ledger.submit([amend("second", 1)])
    assert caught.value.details["current_version"] == 2
    with pytest.raises(VersionConflict):
        ledger.submit([notice(ledger, official, notice_id=notice_id)])


def test_a_batch_is_all_or_nothing(ledger: Ledger, sqlite_log: LogFixture) -> None:
    official = official_key("an")
    enrol(ledger, sqlite_log.registrar, official)
    size = ledger.log.require_head().size
    good = notice(ledger, official)
    bad = notice(ledger, official, unit="VN-HN/elsewhere")
    with pytest.raises(NotAuthorised):
        ledger.submit([good, bad])
    assert ledger.log.require_head().size == size
    ledger.submit([good])  # its nonce was not consumed by the failed batch


def test_a_revocation_by_another_process_is_seen_at_once(sqlite_log: LogFixture) -> None:
    # Two servers on one embedded database: the first has the key cached when the second
    # revokes it; its next statement must still be refused.
    first, second = sqlite_log.open(), sqlite_log.open()
    try:
        official = official_key("an")
        enrol(first, sqlite_log.registrar, official)
        first.submit([notice(first, official)])  # the key record is now in first's cache
        sqlite_log.clock.advance(seconds=5)
        revoke = make_statement(
            "key.revoke",
            {"key_id": official.key_id, "reason": "transferred"},
            sqlite_log.registrar,
            origin=ORIGIN,
            time=sqlite_log.clock.now,
        )
        second.submit([revoke])
        sqlite_log.clock.advance(seconds=1)
        with pytest.raises(RevokedKey):
            first.submit([notice(first, official)])
        assert first.log.require_head().size == second.log.require_head().size == 4
    finally:
        first.close()
        second.close()


def test_a_batch_is_logged_in_statement_order(ledger: Ledger, sqlite_log: LogFixture) -> None:
    # enrol K2, an unrelated notice, then rotate K2 -> K3: K2's two events must not be
    # recorded together ahead of the notice, and each receipt names its own leaves.
    k2, k3 = official_key("k2"), official_key("k3")
    official = official_key("an")
    enrol(ledger, sqlite_log.registrar, official)
    enrol_k2 = enrolment(ledger, sqlite_log.registrar, k2, official_id="CB-0002")
    rotate = make_statement(
        "key.rotate",
        {"key_id": k2.key_id, "public_key": base64.b64encode(k3.public_key).decode()},
        k2,
        origin=ORIGIN,
        time=sqlite_log.clock.now,
    )
    receipt = ledger.submit([enrol_k2, notice(ledger, official), rotate])
    leaves = [[e["leaf_index"] for e in s["entries"]] for s in receipt["statements"]]
    assert leaves == [[2], [3], [4, 5]]
    entries = ledger.log.entries(2, 4)
    assert b'"Enrolled"' not in entries[1] and b"notices" in entries[1]


def test_a_forged_signature_in_a_large_batch_is_found(
    ledger: Ledger, sqlite_log: LogFixture
) -> None:
    # Large batches check signatures on two threads first; a forgery must still be refused.
    official = official_key("an")
    enrol(ledger, sqlite_log.registrar, official)
    batch = [notice(ledger, official) for _ in range(20)]
    forged = batch[13]
    batch[13] = SignedStatement(forged.statement, forged.raw, bytes(64))
    with pytest.raises(BadSignature):
        ledger.submit(batch)
    # A signature valid for other bytes does not pass either.
    batch[13] = SignedStatement(forged.statement, forged.raw, batch[12].signature)
    with pytest.raises(BadSignature):
        ledger.submit(batch)


def test_a_key_enrolled_earlier_in_a_large_batch_signs_later_in_it(
    ledger: Ledger, sqlite_log: LogFixture
) -> None:
    newcomer = official_key("newcomer")
    enrol_newcomer = enrolment(
        ledger, sqlite_log.registrar, newcomer, role="clerk", official_id="CB-0009"
    )
    receipt = ledger.submit([enrol_newcomer] + [notice(ledger, newcomer) for _ in range(10)])
    assert len(receipt["statements"]) == 11


def test_a_notice_cannot_take_the_id_a_key_will_need(
    ledger: Ledger, sqlite_log: LogFixture
) -> None:
    from ledger.domain.keys import key_aggregate_id

    mallory, victim = official_key("mallory"), official_key("victim")
    enrol(ledger, sqlite_log.registrar, mallory)
    ledger.submit([notice(ledger, mallory, notice_id=key_aggregate_id(victim.key_id))])
    enrol(ledger, sqlite_log.registrar, victim, official_id="CB-0002")
    ledger.submit([notice(ledger, victim)])


def test_another_process_amendment_is_seen_before_amending(sqlite_log: LogFixture) -> None:
    first, second = sqlite_log.open(), sqlite_log.open()
    try:
        official = official_key("an")
        enrol(first, sqlite_log.registrar, official)
        notice_id = uuid.uuid4()
        first.submit([notice(first, official, notice_id=notice_id)])

        def amend(expected: int) -> SignedStatement:
            return make_statement(
                "notice.amend",
                {"notice_id": str(notice_id), "expected_version": expected, "title": "new"},
                official,
                origin=ORIGIN,
                time=sqlite_log.clock.now,
            )

        first.submit([amend(1)])  # first now holds version 2 in its cache
        second.submit([amend(2)])  # the store moves to version 3
        first.submit([amend(3)])  # first must see version 3, not its cached 2
    finally:
        first.close()
        second.close()


def test_a_revoked_key_cannot_backdate_into_the_skew_window(
    ledger: Ledger, sqlite_log: LogFixture
) -> None:
    official = official_key("an")
    enrol(ledger, sqlite_log.registrar, official)
    revoked_at = sqlite_log.clock.advance(seconds=10)
    revoke = make_statement(
        "key.revoke",
        {"key_id": official.key_id, "reason": "left the post"},
        sqlite_log.registrar,
        origin=ORIGIN,
        time=revoked_at,
    )
    ledger.submit([revoke])
    sqlite_log.clock.advance(seconds=120)
    # Dated one second before the revocation, within the 300 s skew, but received after it.
    backdated = notice(ledger, official, time=revoked_at - timedelta(seconds=1))
    with pytest.raises(RevokedKey, match=r"arrived at .* after that, though dated"):
        ledger.submit([backdated])


def test_a_statement_signed_for_one_log_is_refused_by_another(tmp_path: Path) -> None:
    # The same official is enrolled in a commune's log and in the province's; a statement
    # recorded in one cannot be replayed into the other.
    commune = make_log(tmp_path / "commune", origin="canbo.test/commune")
    province = make_log(tmp_path / "province", origin="canbo.test/province")
    official = official_key("both")
    first, second = commune.open(), province.open()
    try:
        enrol(first, commune.registrar, official)
        enrol(second, province.registrar, official)
        statement = notice(first, official)
        first.submit([statement])
        with pytest.raises(BadSignature):
            second.submit([statement])
    finally:
        first.close()
        second.close()


def test_a_statement_whose_log_entry_would_overflow_is_refused(
    ledger: Ledger, sqlite_log: LogFixture
) -> None:
    # Under 64 KiB as a statement, but each quote is escaped once more inside the log entry,
    # whose bundles allow at most 65,535 bytes.
    official = official_key("an")
    enrol(ledger, sqlite_log.registrar, official)
    size = ledger.log.require_head().size
    statement = make_statement(
        "notice.publish",
        {
            "notice_id": str(uuid.uuid4()),
            "unit": "VN-HN/ba-dinh",
            "title": "t",
            "body": '"' * 30_000,
        },
        official,
        origin=ledger.origin,
        time=sqlite_log.clock.now,
    )
    assert len(statement.raw) < 64 * 1024
    with pytest.raises(StatementTooLarge) as caught:
        ledger.submit([statement])
    assert caught.value.details["limit"] == 65_535
    assert "log entry" in caught.value.message_en
    assert ledger.log.require_head().size == size  # nothing recorded
