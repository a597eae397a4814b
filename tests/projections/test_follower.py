"""Followers: exactly once, statement by statement or all at once, rebuilt identically."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from projections.schema import public_changes, public_decisions
from tests.conftest import LogFixture
from tests.ledger.personnel.conftest import build_province
from tests.ledger.personnel.desk import Desk
from tests.projections.conftest import Province, dump, open_models
from tests.projections.history import record_history


def test_followed_statement_by_statement_equals_a_rebuild(any_log: LogFixture) -> None:
    ledger = any_log.open()
    try:
        desk = Desk(any_log, ledger)
        build_province(desk)
        models = open_models(ledger)
        try:
            # Follow the log after every statement, as the embedded API does.
            models.catch_up()
            record_history(desk, after_each=lambda: models.catch_up())
            followed = dump(models)
            assert len(followed["public_decisions"]) == 5
            assert len(followed["inspection_holds"]) == 1
            # Drop everything and fold the whole log again: the same rows.
            applied = models.rebuild()
            assert applied["public_records"] == applied["inspection"] == 46
            assert dump(models) == followed
            # One projection alone, by name.
            assert models.rebuild(["inspection"])["inspection"] == applied["inspection"]
            assert dump(models) == followed
        finally:
            models.close()
    finally:
        ledger.close()


def test_nothing_is_applied_twice_and_another_process_picks_up(province: Province) -> None:
    models = province.models
    assert models.catch_up() == {"public_records": 0, "inspection": 0}
    before = dump(models)
    # A second process (its own followers, fold empty) finds the tables current.
    other = open_models(province.ledger)
    try:
        assert other.catch_up() == {"public_records": 0, "inspection": 0}
        # A new statement: the second process folds the log up to the stored position first.
        province.desk.submit(
            "CB-CHAIR",
            "decision.propose",
            {
                "decision_id": "QD-NEW",
                "kind": "commendation",
                "subject": "CB-FIN",
                "unit": "QN/an-binh",
                "effective_on": province.desk.days(0),
                "legal_basis": "Luật Thi đua, khen thưởng",
                "summary": "Khen thưởng hoàn thành xuất sắc nhiệm vụ",
            },
        )
        assert other.catch_up()["public_records"] == 1
        # The first process is now behind its own fold: it refolds and adds nothing.
        assert models.catch_up()["public_records"] == 0
    finally:
        other.close()
    after = dump(models)
    assert len(after["public_decisions"]) == len(before["public_decisions"]) + 1
    with models.reader.connect() as conn:
        changes = conn.execute(select(func.count()).select_from(public_changes)).scalar()
        log_indexes = conn.execute(select(public_changes.c.log_index)).scalars().all()
        assert changes == len(set(log_indexes))
        status = conn.execute(
            select(public_decisions.c.status).where(public_decisions.c.decision_id == "QD-NEW")
        ).scalar()
    assert status == "proposed"


def test_unknown_projection_names_are_refused(province: Province) -> None:
    import pytest

    from projections.service import UnknownProjection

    with pytest.raises(UnknownProjection, match="public_records, inspection"):
        province.models.rebuild(["public-records"])


def test_a_failed_catch_up_is_retried_not_the_end_of_following(
    province: Province, caplog: pytest.LogCaptureFixture
) -> None:
    """`canbo projector` and the embedded poller share one loop: a catch-up that fails (the
    database restarting) is logged and tried again on the next tick."""
    models = open_models(province.desk.ledger)
    try:
        follower = models.followers["public_records"]
        real, calls = follower.catch_up, []

        def down_once() -> int:
            calls.append(1)
            if len(calls) == 1:
                raise OSError("database restarting")
            return real()

        follower.catch_up = down_once  # type: ignore[method-assign]
        province.desk.submit(
            "CB-CHAIR",
            "decision.propose",
            {
                "decision_id": "QD-RETRY",
                "kind": "commendation",
                "subject": "CB-FIN",
                "unit": "QN/an-binh",
                "effective_on": province.desk.days(0),
                "legal_basis": "Luật Thi đua, khen thưởng",
                "summary": "Khen thưởng",
            },
        )
        assert follower.behind()
        stop = threading.Event()
        assert models.follow(stop, 0.0, once=True) is False  # the first pass failed...
        assert "projection catch-up failed; retrying" in caplog.text
        assert models.follow(stop, 0.0, once=True) is True  # ...the next caught up
        assert not follower.behind()
    finally:
        models.close()


def test_checking_for_news_before_a_read_costs_one_query(province: Province) -> None:
    """An embedded API checks before each read request: one small read when the log has not
    moved, not one per projection (and its tracking row)."""
    from sqlalchemy import event

    models = province.models
    models.catch_up()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(models.reader, "before_cursor_execute", count)
    try:
        models.catch_up_if_behind()
        assert len(statements) == 1 and "log_state" in statements[0]
    finally:
        event.remove(models.reader, "before_cursor_execute", count)
