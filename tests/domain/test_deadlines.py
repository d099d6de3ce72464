"""Deadline arithmetic (D6) with China's official calendar, clock hours (H6, H7) and calendar days.

Expected dates are worked out by hand from the chinese_calendar data (package
chinesecalendar 1.11), which the first tests pin down, so that a surprise in
the data shows up as a calendar failure rather than as a wrong deadline:

* National Day / Mid-Autumn 2025: 1–8 Oct off; Sun 28 Sep and Sat 11 Oct are
  adjusted working days (调休上班).
* New Year 2026: 1–3 Jan off; Sun 4 Jan is a working day.
* Spring Festival 2026: 15–23 Feb off; Sat 14 Feb and Sat 28 Feb are working days.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from jiesu.domain.calendar import ChineseOfficialCalendar, WeekdayCalendar
from jiesu.domain.deadlines import (
    MAX_WORKING_DAYS,
    Duration,
    DurationUnit,
    add_working_days,
    due_after,
    is_overdue,
    remaining,
)

from .factories import TZ

WD = DurationUnit.WORKING_DAYS
CD = DurationUnit.CALENDAR_DAYS
HOURS = DurationUnit.CLOCK_HOURS
END_OF_DAY = time(23, 59, 59)


@pytest.fixture(scope="module")
def official() -> ChineseOfficialCalendar:
    return ChineseOfficialCalendar()


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0, ss: int = 0) -> datetime:
    """An aware time in the city's zone (Asia/Shanghai, UTC+8, no DST)."""
    return datetime(y, m, d, hh, mm, ss, tzinfo=TZ)


def end_of(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=TZ)


# --- the calendar data the expectations rest on ------------------------------------------------

OFFICIAL_DAYS = {
    # National Day 2025
    date(2025, 9, 26): True,  # Fri
    date(2025, 9, 27): False,  # Sat
    date(2025, 9, 28): True,  # Sun, adjusted working day
    date(2025, 9, 30): True,  # Tue
    **{date(2025, 10, d): False for d in range(1, 9)},  # Wed 1 – Wed 8 Oct off
    date(2025, 10, 9): True,  # Thu
    date(2025, 10, 10): True,  # Fri
    date(2025, 10, 11): True,  # Sat, adjusted working day
    date(2025, 10, 12): False,  # Sun
    date(2025, 10, 13): True,  # Mon
    # New Year 2026
    date(2026, 1, 1): False,  # Thu
    date(2026, 1, 2): False,  # Fri
    date(2026, 1, 3): False,  # Sat
    date(2026, 1, 4): True,  # Sun, adjusted working day
    # Spring Festival 2026
    date(2026, 2, 13): True,  # Fri
    date(2026, 2, 14): True,  # Sat, adjusted working day
    **{date(2026, 2, d): False for d in range(15, 24)},  # Sun 15 – Mon 23 Feb off
    date(2026, 2, 24): True,  # Tue
    date(2026, 2, 28): True,  # Sat, adjusted working day
    date(2026, 3, 1): False,  # Sun
}


@pytest.mark.parametrize(("day", "workday"), OFFICIAL_DAYS.items(), ids=str)
def test_official_calendar_data(official, day, workday):
    assert official.is_workday(day) is workday


# --- working days (D6: "within N working days", the start day not counted) --------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Dispatched Tue 30 Sep 2025, 5 working days: the holiday 1–8 Oct does not count;
        # Thu 9 (1), Fri 10 (2), Sat 11 adjusted (3), Mon 13 (4), Tue 14 (5).
        (at(2025, 9, 30), 5, end_of(2025, 10, 14)),
        # 3 working days from 30 Sep: Thu 9, Fri 10, Sat 11 Oct (adjusted Saturday).
        (at(2025, 9, 30), 3, end_of(2025, 10, 11)),
        # 1 working day from 30 Sep, late in the evening: Thu 9 Oct.
        (at(2025, 9, 30, 23, 59, 59), 1, end_of(2025, 10, 9)),
        # Dispatched on the holiday itself (Fri 3 Oct): Thu 9 (1), Fri 10 (2).
        (at(2025, 10, 3), 2, end_of(2025, 10, 10)),
        # Dispatched Sat 27 Sep (rest day): Sun 28 adjusted (1), Mon 29 (2), Tue 30 (3).
        (at(2025, 9, 27), 3, end_of(2025, 9, 30)),
        # Dispatched on the adjusted Sunday 28 Sep: the start day is not counted; Mon 29.
        (at(2025, 9, 28), 1, end_of(2025, 9, 29)),
        # Dispatched Fri 26 Sep, 5 working days: Sun 28 (1), Mon 29 (2), Tue 30 (3),
        # Thu 9 Oct (4), Fri 10 Oct (5).
        (at(2025, 9, 26), 5, end_of(2025, 10, 10)),
        # New Year 2026 from Wed 31 Dec: Sun 4 Jan adjusted (1), Mon 5 Jan (2).
        (at(2025, 12, 31), 2, end_of(2026, 1, 5)),
        # Spring Festival 2026 from Fri 13 Feb: Sat 14 adjusted (1), then 15–23 off,
        # Tue 24 (2), Wed 25 (3), Thu 26 (4), Fri 27 (5).
        (at(2026, 2, 13), 5, end_of(2026, 2, 27)),
        # From the adjusted Sat 14 Feb: Tue 24 (1) … Fri 27 (4), Sat 28 adjusted (5).
        (at(2026, 2, 14), 5, end_of(2026, 2, 28)),
        # From the first day of the holiday (Sun 15 Feb): Tue 24 Feb.
        (at(2026, 2, 15), 1, end_of(2026, 2, 24)),
        # 6 working days from Fri 27 Feb: Sat 28 (1), Mon 2 – Fri 6 Mar (2–6).
        (at(2026, 2, 27), 6, end_of(2026, 3, 6)),
    ],
    ids=lambda v: v.isoformat() if isinstance(v, datetime) else str(v),
)
def test_working_days_follow_the_official_calendar(official, start, n, expected):
    due = due_after(start, Duration(n, WD), official, TZ)
    assert due == expected
    assert due.tzinfo == TZ and due.timetz() == END_OF_DAY.replace(tzinfo=TZ)
    assert official.is_workday(due.date())


def test_add_working_days_returns_the_nth_working_day(official):
    assert add_working_days(date(2025, 9, 30), 3, official) == date(2025, 10, 11)
    assert add_working_days(date(2025, 9, 30), 0, official) == date(2025, 9, 30)
    # 0 days: the day itself, even on a holiday.
    assert add_working_days(date(2025, 10, 1), 0, official) == date(2025, 10, 1)


@pytest.mark.parametrize("n", [-1, MAX_WORKING_DAYS + 1, 10_000])
def test_add_working_days_out_of_range(official, n):
    with pytest.raises(ValueError, match="out of range"):
        add_working_days(date(2025, 9, 30), n, official)


def test_working_days_cap():
    """No deadline further than MAX_WORKING_DAYS working days, whatever the policy says."""
    start = at(2025, 1, 2)
    due = due_after(start, Duration(MAX_WORKING_DAYS, WD), WeekdayCalendar(), TZ)
    assert due.date() > start.date() + timedelta(days=MAX_WORKING_DAYS)
    with pytest.raises(ValueError):
        due_after(start, Duration(MAX_WORKING_DAYS + 1, WD), WeekdayCalendar(), TZ)


def test_working_days_are_judged_in_the_city_zone(official):
    """A UTC start is converted first: 2025-10-08 16:30Z is Thu 9 Oct 00:30 in Beijing time."""
    start = datetime(2025, 10, 8, 16, 30, tzinfo=UTC)
    # Start day Thu 9 Oct (local) is not counted; 1 working day is Fri 10 Oct.
    # (Judged by the UTC date, Wed 8 Oct, it would wrongly be Thu 9 Oct.)
    assert due_after(start, Duration(1, WD), official, TZ) == end_of(2025, 10, 10)


# --- calendar days -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Holidays count as calendar days: 30 Sep + 3 days = end of Fri 3 Oct.
        (at(2025, 9, 30), 3, end_of(2025, 10, 3)),
        (at(2025, 9, 30, 0, 0, 0), 1, end_of(2025, 10, 1)),
        (at(2025, 9, 30, 23, 59, 59), 1, end_of(2025, 10, 1)),
        # Across the year end.
        (at(2025, 12, 30), 7, end_of(2026, 1, 6)),
        # 2024 was a leap year: 28 Feb + 2 days = 1 Mar.
        (at(2024, 2, 28), 2, end_of(2024, 3, 1)),
        # A UTC start late on 30 Sep is already 1 Oct in Beijing: 1 Oct + 1 = 2 Oct.
        (datetime(2025, 9, 30, 16, 30, tzinfo=UTC), 1, end_of(2025, 10, 2)),
    ],
    ids=lambda v: v.isoformat() if isinstance(v, datetime) else str(v),
)
def test_calendar_days(official, start, n, expected):
    assert due_after(start, Duration(n, CD), official, TZ) == expected


# --- clock hours (H6 7×24 utilities, H7 urgent track) -----------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # H7: urgent, 2 hours, across midnight into New Year's Day (a holiday).
        (at(2025, 12, 31, 23, 30), 2, at(2026, 1, 1, 1, 30)),
        # H6: a utility works through the National Day holiday, 24 elapsed hours.
        (at(2025, 9, 30, 20, 0), 24, at(2025, 10, 1, 20, 0)),
        # 72 hours over the Spring Festival eve and holiday: nights and holidays count.
        (at(2026, 2, 14, 18, 0), 72, at(2026, 2, 17, 18, 0)),
        # Fractional hours: 30 minutes.
        (at(2025, 9, 30, 10, 0), 0.5, at(2025, 9, 30, 10, 30)),
    ],
    ids=lambda v: v.isoformat() if isinstance(v, datetime) else str(v),
)
def test_clock_hours_ignore_nights_and_holidays(official, start, hours, expected):
    due = due_after(start, Duration(hours, HOURS), official, TZ)
    assert due == expected
    assert due - start == timedelta(hours=hours)


def test_clock_hours_keep_the_instant_for_a_utc_start(official):
    start = datetime(2025, 9, 30, 15, 30, tzinfo=UTC)  # 23:30 in Beijing
    due = due_after(start, Duration(2, HOURS), official, TZ)
    assert due == at(2025, 10, 1, 1, 30)
    assert due.astimezone(UTC) - start == timedelta(hours=2)


def test_clock_hours_are_elapsed_hours_even_across_a_dst_change(official):
    """Elapsed, not wall-clock, hours: 24h from 00:30 on the day Berlin springs forward.

    (Irrelevant for Asia/Shanghai, which has no DST, but the rule is generic.)
    """
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2025, 3, 30, 0, 30, tzinfo=berlin)
    due = due_after(start, Duration(24, HOURS), official, berlin)
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)
    assert due == datetime(2025, 3, 31, 1, 30, tzinfo=berlin)  # 01:30 CEST, not 00:30


# --- end of day, input checks ----------------------------------------------------------------


@pytest.mark.parametrize("unit", [WD, CD])
@pytest.mark.parametrize("clock", [time(0, 0), time(9, 30), time(23, 59, 59, 999999)])
def test_day_deadlines_end_at_23_59_59_in_the_city_zone(official, unit, clock):
    """Whatever the hour of dispatch, a day deadline is the end of the day in Beijing time."""
    start = datetime.combine(date(2025, 11, 3), clock, tzinfo=TZ)  # Mon, ordinary week
    due = due_after(start, Duration(2, unit), official, TZ)
    assert due == end_of(2025, 11, 5)
    assert due.utcoffset() == timedelta(hours=8)
    assert due.astimezone(UTC) == datetime(2025, 11, 5, 15, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("unit", list(DurationUnit))
def test_naive_start_is_rejected(official, unit):
    with pytest.raises(ValueError, match="timezone-aware"):
        due_after(datetime(2025, 9, 30, 10, 0), Duration(1, unit), official, TZ)


@pytest.mark.parametrize("unit", list(DurationUnit))
@pytest.mark.parametrize("amount", [0, 0.0, -1, -0.5])
def test_non_positive_duration_is_rejected(official, unit, amount):
    with pytest.raises(ValueError, match="positive"):
        due_after(at(2025, 9, 30), Duration(amount, unit), official, TZ)


@pytest.mark.parametrize("unit", [WD, CD])
@pytest.mark.parametrize("amount", [0.5, 1.5, 4.999])
def test_fractional_day_amount_is_rejected(official, unit, amount):
    """A day count must be whole: 0.5 working days must not become "end of today" (0 days)."""
    with pytest.raises(ValueError, match="whole number"):
        due_after(at(2025, 10, 1), Duration(amount, unit), official, TZ)


@pytest.mark.parametrize("unit", [WD, CD])
def test_whole_float_day_amount_is_accepted(official, unit):
    """5.0 (as read from a YAML policy) is the same as 5."""
    start = at(2025, 9, 30)
    assert due_after(start, Duration(5.0, unit), official, TZ) == due_after(
        start, Duration(5, unit), official, TZ
    )


# --- calendars --------------------------------------------------------------------------------


def test_weekday_calendar_is_monday_to_friday():
    cal = WeekdayCalendar()
    week = [date(2025, 10, 6) + timedelta(days=i) for i in range(7)]  # Mon 6 – Sun 12 Oct
    assert [cal.is_workday(d) for d in week] == [True] * 5 + [False] * 2
    # It knows no holidays: 30 Sep + 5 = Wed 1 (1), Thu 2 (2), Fri 3 (3), Mon 6 (4), Tue 7 (5).
    assert due_after(at(2025, 9, 30), Duration(5, WD), cal, TZ) == end_of(2025, 10, 7)
    # Fri 3 Oct + 1 working day = Mon 6 Oct.
    assert add_working_days(date(2025, 10, 3), 1, cal) == date(2025, 10, 6)


def test_uncovered_year_falls_back_to_weekdays_and_warns_once(caplog):
    """A year without published data (2099) counts Mon–Fri and says so once in the log."""
    cal = ChineseOfficialCalendar()
    caplog.set_level(logging.WARNING, logger="jiesu.domain.calendar")
    # Thu 1 Jan 2099 + 10 working days, Mon–Fri: Fri 2 (1), Mon 5 – Fri 9 (2–6),
    # Mon 12 – Thu 15 (7–10).
    due = due_after(at(2099, 1, 1), Duration(10, WD), cal, TZ)
    assert due == end_of(2099, 1, 15)
    assert cal.is_workday(date(2099, 1, 3)) is False  # Saturday
    assert cal.is_workday(date(2099, 1, 1)) is True  # no holiday data: a plain Thursday
    warnings = [r for r in caplog.records if r.name == "jiesu.domain.calendar"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "2099" in warnings[0].getMessage()


def test_covered_year_does_not_warn(caplog, official):
    caplog.set_level(logging.WARNING, logger="jiesu.domain.calendar")
    due_after(at(2025, 9, 30), Duration(30, WD), ChineseOfficialCalendar(), TZ)
    assert [r for r in caplog.records if r.name == "jiesu.domain.calendar"] == []


# --- helpers ----------------------------------------------------------------------------------


def test_remaining_and_overdue():
    due = at(2025, 10, 14, 23, 59, 59)
    assert remaining(due, at(2025, 10, 14, 23, 0)) == timedelta(minutes=59, seconds=59)
    assert remaining(due, at(2025, 10, 15, 0, 59, 59)) == -timedelta(hours=1)
    assert is_overdue(None, None, at(2030, 1, 1)) is False  # no deadline, never overdue
    assert is_overdue(due, None, due) is False  # the last second still counts
    assert is_overdue(due, None, due + timedelta(seconds=1)) is True
    assert is_overdue(due, due - timedelta(days=1), due + timedelta(days=9)) is False
    assert is_overdue(due, due + timedelta(seconds=1), due) is True  # done, but late


@pytest.mark.parametrize(
    ("duration", "label"),
    [
        (Duration(5, WD), "5个工作日"),
        (Duration(15, CD), "15个自然日"),
        (Duration(2, HOURS), "2小时"),
        (Duration(0.5, HOURS), "0.5小时"),
        (Duration(24.0, HOURS), "24小时"),
    ],
)
def test_duration_label(duration, label):
    assert duration.label_zh() == label
