"""After a save fails for want of a database, the saves that follow fail at once for a while."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import OperationalError

from tests.conftest import LogFixture, notice, official_key


def test_saves_fail_fast_right_after_a_database_failure(
    sqlite_log: LogFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = sqlite_log.open(sequence_in_process=False)  # as an API beside a separate sequencer
    try:
        calls = []

        def unreachable(statements: object) -> None:
            calls.append(statements)
            raise OperationalError("connection refused")

        monkeypatch.setattr(ledger.app, "submit_many", unreachable)
        statement = notice(ledger, official_key("fail-fast"))
        with pytest.raises(OperationalError, match="connection refused"):
            ledger.save([statement])
        with pytest.raises(OperationalError, match="moments ago"):
            ledger.save([statement])
        assert len(calls) == 1  # the second did not wait on the database again
        ledger._database_down_until = 0.0  # the short while is over
        with pytest.raises(OperationalError, match="connection refused"):
            ledger.save([statement])
        assert len(calls) == 2
    finally:
        ledger.close()
