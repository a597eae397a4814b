"""Group commit: concurrent submissions share a transaction, yet each is answered as if alone."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

import pytest
from sqlalchemy import select

from keys.ed25519 import ED25519
from ledger.application import Accepted
from ledger.bootstrap import Ledger
from ledger.errors import LedgerError, ReplayedNonce
from ledger.group_commit import GroupCommitter, save_group
from ledger.log_schema import log_leaves
from ledger.statement import SignedStatement
from ledger.tlog_proof import verify_tlog_proof
from tests.conftest import LogFixture, enrol, notice, official_key

OFFICIAL = official_key("grouped")
SUBMITTERS = 8


class HeldCommitter:
    """The ledger's own save and receipts behind a gate: the first save waits until release(),
    so the submissions made meanwhile queue up and form the next group, deterministically."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.gate = threading.Event()
        self.group_sizes: list[int] = []
        self.committer = GroupCommitter(self._save, lambda a: ledger.receipts(a, wait=0))

    def _save(self, statements: Sequence[SignedStatement]) -> list[Accepted]:
        self.gate.wait(timeout=30)
        self.group_sizes.append(len(statements))
        return self.ledger.save(statements)

    def submit_held(
        self, first: list[SignedStatement], then: list[list[SignedStatement]]
    ) -> tuple[Future[dict[str, Any]], list[Future[dict[str, Any]]]]:
        """Submit `first` (its save waits at the gate), queue `then` behind it, release."""
        held = self.committer.submit(first)
        while not held.running():  # taken up by the writer thread, now waiting at the gate
            threading.Event().wait(0.001)
        queued = [self.committer.submit(statements) for statements in then]
        self.gate.set()
        return held, queued


def outcome(future: Future[dict[str, Any]]) -> dict[str, Any] | LedgerError:
    try:
        return future.result(timeout=30)
    except LedgerError as exc:
        return exc


def check_receipt(ledger: Ledger, receipt: dict[str, Any]) -> None:
    """Every entry of the receipt is proved in the log by its tlog-proof."""
    for statement in receipt["statements"]:
        for entry in statement["entries"]:
            [stored] = ledger.log.entries(entry["leaf_index"], 1)
            verify_tlog_proof(entry["tlog_proof"], stored, ledger.verifier_key, ED25519)


def leaf_indexes(ledger: Ledger) -> list[int]:
    with ledger.log.engine.connect() as conn:
        return list(
            conn.execute(select(log_leaves.c.leaf_index).order_by(log_leaves.c.leaf_index))
            .scalars()
            .all()
        )


def tampered(statement: SignedStatement) -> SignedStatement:
    return dataclasses.replace(statement, signature=bytes(64))


@pytest.fixture
def held(any_log: LogFixture) -> Any:
    ledger = any_log.open()
    enrol(ledger, any_log.registrar, OFFICIAL)
    gated = HeldCommitter(ledger)
    yield gated
    gated.committer.close()
    ledger.close()


def test_queued_submissions_share_one_transaction_and_one_checkpoint(held: HeldCommitter) -> None:
    ledger = held.ledger
    first, queued = held.submit_held(
        [notice(ledger, OFFICIAL)], [[notice(ledger, OFFICIAL)] for _ in range(SUBMITTERS - 1)]
    )
    receipts = [first.result(timeout=30)] + [f.result(timeout=30) for f in queued]
    assert held.group_sizes == [1, SUBMITTERS - 1]  # the seven queued ones: one save
    assert len({r["checkpoint"] for r in receipts[1:]}) == 1
    for receipt in receipts:
        check_receipt(ledger, receipt)
    indexes = leaf_indexes(ledger)
    assert indexes == list(range(len(indexes)))
    leaves = sorted(r["statements"][0]["leaf_index"] for r in receipts)
    assert leaves == list(range(indexes[-1] - SUBMITTERS + 1, indexes[-1] + 1))


def test_a_refused_statement_does_not_fail_the_others_in_its_group(held: HeldCommitter) -> None:
    ledger = held.ledger
    good = [[notice(ledger, OFFICIAL)] for _ in range(SUBMITTERS - 2)]
    # All or nothing within a submission: its good first statement is not recorded either.
    spoiled_first = notice(ledger, OFFICIAL)
    spoiled = [spoiled_first, tampered(notice(ledger, OFFICIAL))]
    first, queued = held.submit_held([notice(ledger, OFFICIAL)], [*good[:3], spoiled, *good[3:]])
    outcomes = [outcome(first)] + [outcome(f) for f in queued]
    refused = outcomes.pop(4)
    assert isinstance(refused, LedgerError) and refused.code == "bad_signature"
    for receipt in outcomes:
        assert isinstance(receipt, dict)
        check_receipt(ledger, receipt)
    signer, nonce = spoiled_first.statement.signer, spoiled_first.statement.nonce
    assert not ledger.app.recorder.nonce_used(signer, nonce)  # type: ignore[attr-defined]
    indexes = leaf_indexes(ledger)
    assert indexes == list(range(len(indexes)))  # dense: the refused group left no gap
    assert ledger.log.require_head().size == 2 + SUBMITTERS - 1  # genesis, enrolment, notices


def test_the_same_nonce_twice_in_a_group_is_recorded_once(held: HeldCommitter) -> None:
    ledger = held.ledger
    statement = notice(ledger, OFFICIAL)
    first, queued = held.submit_held([notice(ledger, OFFICIAL)], [[statement], [statement]])
    answers = [outcome(f) for f in queued]
    assert isinstance(first.result(timeout=30), dict)
    assert isinstance(answers[0], dict)
    assert isinstance(answers[1], ReplayedNonce)


def test_eight_threads_submitting_through_the_ledger(sqlite_log: LogFixture) -> None:
    ledger = sqlite_log.open()
    try:
        enrol(ledger, sqlite_log.registrar, OFFICIAL)
        per_thread = 10
        bad_thread = 3
        barrier = threading.Barrier(SUBMITTERS)
        answers: list[list[dict[str, Any] | LedgerError]] = [[] for _ in range(SUBMITTERS)]

        def submitter(n: int) -> None:
            barrier.wait()
            for i in range(per_thread):
                statement = notice(ledger, OFFICIAL)
                if n == bad_thread and i % 2:
                    statement = tampered(statement)
                answers[n].append(outcome(ledger.committer.submit([statement])))

        threads = [threading.Thread(target=submitter, args=(n,)) for n in range(SUBMITTERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        receipts = [a for mine in answers for a in mine if isinstance(a, dict)]
        refusals = [a for mine in answers for a in mine if not isinstance(a, dict)]
        assert len(refusals) == per_thread // 2
        assert all(r.code == "bad_signature" for r in refusals)
        assert len(receipts) == SUBMITTERS * per_thread - len(refusals)
        for receipt in receipts:
            check_receipt(ledger, receipt)
        indexes = leaf_indexes(ledger)
        assert indexes == list(range(len(indexes)))
        assert len(indexes) == 2 + len(receipts)
        leaves = {r["statements"][0]["leaf_index"] for r in receipts}
        assert len(leaves) == len(receipts)  # each receipt its own leaf
        assert ledger.committer.submissions_saved == len(receipts)
    finally:
        ledger.close()


def test_closing_saves_what_is_queued_and_refuses_more(sqlite_log: LogFixture) -> None:
    ledger = sqlite_log.open()
    enrol(ledger, sqlite_log.registrar, OFFICIAL)
    futures = [ledger.committer.submit([notice(ledger, OFFICIAL)]) for _ in range(5)]
    ledger.committer.close()
    assert all(isinstance(f.result(timeout=0), dict) for f in futures)
    with pytest.raises(LedgerError):
        ledger.committer.submit([notice(ledger, OFFICIAL)])
    ledger.close()


def test_a_resent_statement_is_set_aside_and_the_others_saved_together(
    any_log: LogFixture,
) -> None:
    """A statement sent again after a lost answer (replayed nonce) fails its group's save:
    it alone is then saved alone (to get its own answer), the others together again, not
    every submission one by one."""
    ledger = any_log.open()
    try:
        enrol(ledger, any_log.registrar, OFFICIAL)
        resent = notice(ledger, OFFICIAL)
        ledger.submit([resent])
        groups: list[list[SignedStatement]] = [[notice(ledger, OFFICIAL)] for _ in range(6)]
        groups.insert(3, [resent])
        saves: list[int] = []

        def save(statements: Sequence[SignedStatement]) -> list[Accepted]:
            saves.append(len(statements))
            return ledger.save(statements)

        results = save_group(save, groups, ledger.app.replays_among)
        assert saves == [7, 6, 1]  # the group, the others together, the resent one alone
        assert isinstance(results[3], ReplayedNonce)
        assert all(isinstance(r, list) for n, r in enumerate(results) if n != 3)
        without = save_group(save, [[notice(ledger, OFFICIAL)] for _ in range(2)] + [[resent]])
        assert saves[3:] == [3, 1, 1, 1]  # without it: everyone alone, as before
        assert isinstance(without[2], ReplayedNonce)
    finally:
        ledger.close()
