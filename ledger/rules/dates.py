"""Calendar arithmetic the rules share: months, years, working days, the local date of a moment."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone

# Vietnam keeps UTC+7 all year (no daylight saving), so a fixed offset is exact.
VIETNAM = timezone(timedelta(hours=7), "ICT")


def local_date(moment: datetime) -> date:
    """The date in Vietnam of an aware moment; ValueError for a naive one."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"moment must be timezone-aware, got {moment!r}")
    return moment.astimezone(VIETNAM).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to the month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 Feb becomes 28 Feb in a common year)."""
    return add_months(day, 12 * years)


def working_days(start: date, end: date, holidays: Iterable[date] = ()) -> int:
    """Working days (Monday to Friday, not a holiday) d with start <= d < end; 0 if end <= start."""
    off = {h for h in holidays if start <= h < end and h.weekday() < 5}
    span = (end - start).days
    if span <= 0:
        return 0
    weeks, rest = divmod(span, 7)
    count = weeks * 5 + sum(1 for i in range(rest) if (start.weekday() + i) % 7 < 5)
    return count - len(off)


def add_working_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """The day by which `days` working days after `start` have passed (start itself not counted).

    Weekends and the given holidays do not count: 7 working days from a Monday is the next
    Wednesday but one.
    """
    off = set(holidays)
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            left -= 1
    return day
