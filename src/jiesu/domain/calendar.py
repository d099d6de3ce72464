"""Working-day calendars.

The deadline rules take any object with ``is_workday(date) -> bool``. The
default is China's official calendar (``chinese-calendar``) with public
holidays and adjusted working days; for a year the package does not cover
yet (the State Council publishes each year's arrangement in November), it
falls back to Monday–Friday and says so once in the log.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Protocol

log = logging.getLogger(__name__)


class WorkdayCalendar(Protocol):
    def is_workday(self, day: date) -> bool: ...


class WeekdayCalendar:
    """Monday to Friday, no holidays: the fallback, and handy in tests."""

    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5


class ChineseOfficialCalendar:
    """China's official working days, holidays and adjusted working days (调休)."""

    def __init__(self) -> None:
        import chinese_calendar

        self._cc = chinese_calendar
        self._warned: set[int] = set()

    def is_workday(self, day: date) -> bool:
        try:
            return bool(self._cc.is_workday(day))
        except NotImplementedError:
            if day.year not in self._warned:
                self._warned.add(day.year)
                log.warning(
                    "chinese-calendar has no holiday data for %s; counting Monday-Friday. "
                    "Upgrade the chinesecalendar package when the arrangement is published.",
                    day.year,
                )
            return day.weekday() < 5
