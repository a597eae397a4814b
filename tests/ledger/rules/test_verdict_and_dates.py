"""Verdict views and the calendar helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.rules import Outcome, Verdict, overall
from ledger.rules.dates import add_months, add_years, local_date, working_days

FLAG = Verdict("R11", Outcome.FLAG, "vi", "en", "src", {"lag_days": 31})
HOLD = Verdict(
    "R15", Outcome.HOLD, "giữ", "held", "Luật Tố cáo", inspection_note={"vi": "lý do", "en": "why"}
)


def test_a_flag_shows_everything_but_the_inspection_note() -> None:
    assert FLAG.to_json() == {
        "rule_id": "R11",
        "outcome": "flag",
        "message_vi": "vi",
        "message_en": "en",
        "source": "src",
        "details": {"lag_days": 31},
    }


def test_a_hold_hides_rule_source_and_reason_from_the_public() -> None:
    public = HOLD.to_json()
    assert public["rule_id"] is None and public["source"] is None
    assert "inspection_note" not in public and "why" not in str(public)
    assert HOLD.to_inspection_json()["inspection_note"] == {"vi": "lý do", "en": "why"}
    assert HOLD.to_inspection_json()["rule_id"] == "R15"


def test_overall_is_the_gravest_outcome() -> None:
    assert overall([]) is Outcome.OK
    assert overall([FLAG, HOLD]) is Outcome.HOLD
    block = Verdict("R01", Outcome.BLOCK, "vi", "en", "src")
    assert overall([FLAG, block, HOLD]) is Outcome.BLOCK


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 3, 2), 12) == date(2026, 3, 2)
    assert add_months(date(2025, 11, 15), 30) == date(2028, 5, 15)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_local_date_is_the_date_in_vietnam() -> None:
    assert local_date(datetime(2026, 3, 1, 17, 0, tzinfo=UTC)) == date(2026, 3, 2)
    assert local_date(datetime(2026, 3, 1, 16, 59, tzinfo=UTC)) == date(2026, 3, 1)
    with pytest.raises(ValueError):
        local_date(datetime(2026, 3, 1))


@given(
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    st.integers(-5, 400),
    st.sets(st.dates(date(2020, 1, 1), date(2031, 12, 31)), max_size=5),
)
def test_working_days_matches_counting_one_by_one(
    start: date, span: int, holidays: set[date]
) -> None:
    end = start + timedelta(days=span)
    by_hand = sum(
        1
        for i in range(max(span, 0))
        if (d := start + timedelta(days=i)).weekday() < 5 and d not in holidays
    )
    assert working_days(start, end, holidays) == by_hand
