"""The sequencer process: it LISTENs on its own session, leaves no listening connection
behind, and sums its batches up in the log."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ledger.bootstrap import make_engines, make_sequencer
from ledger.sequencer_service import run_sequencer
from tests.conftest import LogFixture


@pytest.mark.postgres
def test_losing_the_lead_leaves_no_connection_listening(postgres_log: LogFixture) -> None:
    ledger = postgres_log.open(sequence_in_process=False)
    _, engine = make_engines(postgres_log.settings, pre_ping=False)
    sequencer = make_sequencer(postgres_log.settings, engine, ledger.app.recorder)
    stop = threading.Event()
    real_run_once = sequencer.run_once
    calls = []

    def fail_once_then_stop() -> int:
        calls.append(1)
        if len(calls) == 1:  # a batch's connection dropped: leadership is given up, retried
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        stop.set()
        return real_run_once()

    sequencer.run_once = fail_once_then_stop  # type: ignore[method-assign]
    leading: list[str] = []

    def lead() -> Callable[[], None]:  # what only the leader does ends with the lead
        leading.append("lead")
        return lambda: leading.append("stop")

    try:
        run_sequencer(sequencer, engine, stop, poll_interval=0.05, on_lead=lead)
        assert len(calls) == 2
        assert leading == ["lead", "stop", "lead", "stop"]
        # Every connection the pool would hand out next listens on nothing.
        held: list[Any] = [engine.connect() for _ in range(3)]
        try:
            for conn in held:
                channels = conn.execute(text("SELECT pg_listening_channels()")).all()
                assert channels == []
        finally:
            for conn in held:
                conn.close()
    finally:
        engine.dispose()
        ledger.close()


def test_batches_are_summed_up_in_the_log_not_one_line_each(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger import sequencer_service

    caplog.set_level(logging.INFO, logger="canbo.sequencer")
    summary = sequencer_service._BatchSummary()
    for _ in range(50):  # a burst: fifty batches within the summary's period
        summary.add(8, 0.002)
    assert not [r for r in caplog.records if r.levelno >= logging.INFO]
    monkeypatch.setattr(sequencer_service, "SUMMARY_SECONDS", 0.0)
    summary.add(8, 0.002)  # the period is over: one line for all of them
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert line.startswith("sequenced 408 leaves in 51 batches")
    caplog.clear()
    monkeypatch.setattr(sequencer_service, "SUMMARY_SECONDS", 3600.0)
    summary.add(3, 0.001)  # one batch, then the sequencer goes idle: shown then, not later
    summary.flush()
    summary.flush()  # nothing new: no second line
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert len(lines) == 1 and lines[0].startswith("sequenced 3 leaves in 1 batches")


@pytest.mark.postgres
def test_a_sequencing_failure_after_a_save_is_logged_and_the_save_stands(
    postgres_log: LogFixture, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from ledger.bootstrap import ReceiptPending
    from tests.conftest import enrol, notice, official_key

    official = official_key("sequencing-fails")
    ledger = postgres_log.open()  # sequences in this process, after each save
    try:
        enrol(ledger, postgres_log.registrar, official)
        assert ledger.sequencer is not None

        def broken() -> int:
            raise RuntimeError("tile table unreadable")

        monkeypatch.setattr(ledger.sequencer, "catch_up", broken)
        with pytest.raises(ReceiptPending):
            ledger.submit([notice(ledger, official)], wait=0.1)
        assert "saved, but sequencing failed" in caplog.text
        monkeypatch.undo()
        ledger.sequence_now()  # a later sequencing puts it in the tree
        assert ledger.log.require_head().size == 3
    finally:
        ledger.close()
