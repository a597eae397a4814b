"""A key revoked while a statement it signed is being recorded: the statement is refused.

Two Ledger objects stand for two API processes on one database. The first has read the key
(valid) when the second records its revocation; the first's insert must then not go through.
"""

from __future__ import annotations

import base64

import pytest

from ledger.client import make_statement
from ledger.errors import RevokedKey
from tests.conftest import ORIGIN, LogFixture, enrol, notice, official_key


def test_a_revocation_landing_between_check_and_insert_wins(
    any_log: LogFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = any_log.open(), any_log.open()
    try:
        official = official_key("racer")
        enrol(first, any_log.registrar, official)
        revoke = make_statement(
            "key.revoke",
            {"key_id": official.key_id, "reason": "compromised"},
            any_log.registrar,
            origin=ORIGIN,
            time=any_log.clock.now,
        )
        statement = notice(first, official, time=any_log.clock.advance(seconds=1))
        save = first.app.save_events
        revoked = []

        def save_after_the_revocation(*args: object, **kwargs: object) -> object:
            if not revoked:  # the other process commits its revocation right now
                revoked.append(second.submit([revoke]))
            return save(*args, **kwargs)

        monkeypatch.setattr(first.app, "save_events", save_after_the_revocation)
        with pytest.raises(RevokedKey):
            first.submit([statement])
        assert revoked
        size = first.log.require_head().size
        assert size == 3  # genesis, enrolment, revocation: nothing signed by the revoked key
    finally:
        first.close()
        second.close()


def test_a_key_revoked_by_another_process_cannot_rotate_itself(any_log: LogFixture) -> None:
    # First has the key cached (valid) when second revokes it; a thief then sends first a
    # rotation signed by the stolen key, to swap in a key of their own.
    first, second = any_log.open(), any_log.open()
    try:
        victim, thief = official_key("victim"), official_key("thief")
        enrol(first, any_log.registrar, victim)
        first.submit([notice(first, victim)])
        revoke = make_statement(
            "key.revoke",
            {"key_id": victim.key_id, "reason": "compromised"},
            any_log.registrar,
            origin=second.origin,
            time=any_log.clock.advance(seconds=30),
        )
        second.submit([revoke])
        rotate = make_statement(
            "key.rotate",
            {"key_id": victim.key_id, "public_key": base64.b64encode(thief.public_key).decode()},
            victim,
            origin=first.origin,
            time=any_log.clock.advance(seconds=30),
        )
        with pytest.raises(RevokedKey):
            first.submit([rotate])
        assert second.app.key_record(thief.key_id) is None
        record = first.app.key_record(victim.key_id)
        assert record is not None and record.revocation_reason == "compromised"
    finally:
        first.close()
        second.close()
