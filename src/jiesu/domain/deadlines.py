"""Deadline arithmetic (D6): pure functions of a start time, a rule and a calendar.

* ``clock_hours`` — urgent matters and 7×24 utilities (H6, H7): elapsed hours,
  nights and holidays included.
* ``calendar_days`` — whole days, counted from the start.
* ``working_days`` — "within N working days": the start day is not counted;
  the deadline is the end (23:59:59 in the city's time zone) of the N-th
  working day after the start day, following the official calendar with its
  holidays and adjusted working days.

All datetimes are timezone-aware; working days are judged in the city's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .calendar import WorkdayCalendar

#: A deadline cannot be further away than this, whatever the policy says.
MAX_WORKING_DAYS = 366


class DurationUnit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    CLOCK_HOURS = "clock_hours"


@dataclass(frozen=True)
class Duration:
    amount: float
    unit: DurationUnit

    def label_zh(self) -> str:
        n = int(self.amount) if float(self.amount).is_integer() else self.amount
        return {
            DurationUnit.WORKING_DAYS: f"{n}个工作日",
            DurationUnit.CALENDAR_DAYS: f"{n}个自然日",
            DurationUnit.CLOCK_HOURS: f"{n}小时",
        }[self.unit]


def add_working_days(day: date, n: int, calendar: WorkdayCalendar) -> date:
    """The n-th working day after ``day`` (``day`` itself is not counted)."""
    if n < 0 or n > MAX_WORKING_DAYS:
        raise ValueError(f"working days out of range: {n}")
    current = day
    found = 0
    while found < n:
        current += timedelta(days=1)
        if calendar.is_workday(current):
            found += 1
    return current


def due_after(
    start: datetime, duration: Duration, calendar: WorkdayCalendar, tz: ZoneInfo
) -> datetime:
    """When a period of ``duration`` that starts at ``start`` ends."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if duration.amount <= 0:
        raise ValueError("duration must be positive")
    if duration.unit is DurationUnit.CLOCK_HOURS:
        # Elapsed hours: add in UTC so a daylight-saving change cannot shorten them.
        return (start.astimezone(UTC) + timedelta(hours=duration.amount)).astimezone(start.tzinfo)
    if not float(duration.amount).is_integer():
        raise ValueError(f"{duration.unit} must be a whole number, not {duration.amount}")
    local = start.astimezone(tz)
    if duration.unit is DurationUnit.CALENDAR_DAYS:
        last = local.date() + timedelta(days=int(duration.amount))
    else:
        last = add_working_days(local.date(), int(duration.amount), calendar)
    return datetime.combine(last, time(23, 59, 59), tzinfo=tz)


def remaining(due: datetime, now: datetime) -> timedelta:
    """Time left until ``due`` (negative when overdue)."""
    return due - now


def is_overdue(due: datetime | None, done_at: datetime | None, now: datetime) -> bool:
    """Whether a deadline was missed: done after it, or not done and already past."""
    if due is None:
        return False
    return (done_at or now) > due
