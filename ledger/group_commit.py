"""Group commit: concurrent submissions saved by one writer thread, several per transaction.

Each save of the log pays a commit (an fsync on SQLite), a signed checkpoint and an update of
the tree, all under one lock. Under concurrent load the submissions that arrive while one group
is being saved queue up and are saved together as the next group: one transaction, one fsync,
one checkpoint, and every receipt proves inclusion against that checkpoint.

Guarantees are those of saving each submission alone:
- a submission's statements are recorded all together or not at all;
- a statement refused in a group never fails the others: if the group's save fails for any
  reason, its submissions are saved again one by one, each getting its own answer, exactly as
  if it had come alone (the checks, nonce table, key-record and personnel checks all run
  inside each of those saves as before). Submissions resent after a lost answer (their nonce
  recorded already, found with one query) are the exception: only they go alone, and the
  others are saved together again;
- nothing is acknowledged before its transaction has committed, so a crash mid-group loses
  only submissions that were never answered.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from ledger.application import Accepted
from ledger.errors import LogUnavailable
from ledger.statement import SignedStatement

log = logging.getLogger("canbo.ledger.group_commit")

# A group stops growing at this many statements, so one group's checks and its transaction
# stay short and the submissions queued behind it are not kept waiting long.
MAX_GROUP_STATEMENTS = 256

Save = Callable[[Sequence[SignedStatement]], list[Accepted]]
Receipts = Callable[[list[Accepted]], dict[str, Any]]
Replays = Callable[[Sequence[Sequence[SignedStatement]]], set[int]]


@dataclass
class _Submission:
    statements: Sequence[SignedStatement]
    future: Future[dict[str, Any]] = field(default_factory=Future)


def save_group(
    save: Save,
    groups: Sequence[Sequence[SignedStatement]],
    replays_among: Replays | None = None,
) -> list[list[Accepted] | Exception]:
    """Save several submissions, each all-or-nothing: together if all pass, else one by one.

    The result holds, for each submission in order, its accepted statements or the error that
    refused it. replays_among, if given, names the submissions whose nonce is recorded
    already (resent after a lost answer, the commonest refusal under load): after a failed
    group they are saved alone (to get their own answer) and the others together again,
    rather than everyone alone.
    """
    if len(groups) > 1:
        try:
            accepted = save([statement for group in groups for statement in group])
        except Exception:
            # One statement was refused, or the save failed: the one-by-one saves decide
            # which submission it was, and give each the answer it would have had alone.
            pass
        else:
            results: list[list[Accepted] | Exception] = []
            start = 0
            for group in groups:
                results.append(accepted[start : start + len(group)])
                start += len(group)
            return results
        replayed = replays_among(groups) if replays_among is not None else set()
        if replayed and len(replayed) < len(groups):
            others = [n for n in range(len(groups)) if n not in replayed]
            saved_together = save_group(save, [groups[n] for n in others])
            answers = dict(zip(others, saved_together, strict=True))
            for n in sorted(replayed):
                answers[n] = _alone(save, groups[n])
            return [answers[n] for n in range(len(groups))]
    return [_alone(save, group) for group in groups]


def _alone(save: Save, group: Sequence[SignedStatement]) -> list[Accepted] | Exception:
    try:
        return save(group)
    except Exception as exc:
        return exc


class GroupCommitter:
    """One writer thread that saves queued submissions in groups and answers each one."""

    def __init__(
        self,
        save: Save,
        receipts: Receipts,
        *,
        max_statements: int = MAX_GROUP_STATEMENTS,
        replays_among: Replays | None = None,
    ) -> None:
        self._save = save
        self._receipts = receipts
        self._replays_among = replays_among
        self.max_statements = max_statements
        self._queue: queue.SimpleQueue[_Submission | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._lock = threading.Lock()  # guards starting and stopping the thread
        self.submissions_saved = 0  # answered as saved (a test checks none is lost)

    def submit(self, statements: Sequence[SignedStatement]) -> Future[dict[str, Any]]:
        """Queue statements for saving; the future gives their receipts or the refusal.

        Cancelling the future before its group is taken up withdraws the submission; after
        that, it is saved (or refused) anyway.
        """
        submission = _Submission(statements)
        with self._lock:
            if self._closed:
                raise LogUnavailable("the log is closing", "sổ đang được đóng")
            if self._thread is None:
                # Started on first use: most Ledgers (CLI commands, tests) never need it.
                self._thread = threading.Thread(
                    target=self._run, name="canbo-group-commit", daemon=True
                )
                self._thread.start()
            self._queue.put(submission)
        return submission.future

    def close(self) -> None:
        """Finish what is queued, then stop the writer thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        carried: _Submission | None = None  # the submission that did not fit the last group
        while True:
            first = carried if carried is not None else self._queue.get()
            carried = None
            if first is None:
                return
            # Whatever queued up during the last save joins this group, up to the size limit;
            # a submission over the limit on its own still goes, alone.
            group = [first] if first.future.set_running_or_notify_cancel() else []
            size = len(first.statements)
            stop = False
            while size < self.max_statements:
                try:
                    following = self._queue.get_nowait()
                except queue.Empty:
                    break
                if following is None:
                    stop = True
                    break
                if size + len(following.statements) > self.max_statements:
                    carried = following
                    break
                if following.future.set_running_or_notify_cancel():
                    group.append(following)
                    size += len(following.statements)
            if group:
                self._commit(group)
            if stop:
                return

    def _commit(self, group: list[_Submission]) -> None:
        try:
            results = save_group(self._save, [s.statements for s in group], self._replays_among)
            for submission, result in zip(group, results, strict=True):
                if isinstance(result, Exception):
                    submission.future.set_exception(result)
                    continue
                self.submissions_saved += 1
                try:
                    submission.future.set_result(self._receipts(result))
                except Exception as exc:  # say ReceiptPending: saved, not yet sequenced
                    submission.future.set_exception(exc)
        except BaseException as exc:
            # Nothing may be left waiting forever; the thread goes on with the next group.
            log.exception("group commit failed")
            for submission in group:
                if not submission.future.done():
                    submission.future.set_exception(exc)
