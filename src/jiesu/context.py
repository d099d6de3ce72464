"""What every use case needs: the database, the city, the clock and the working-day calendar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from jiesu.city.config import CityConfig, Unit
from jiesu.domain.calendar import ChineseOfficialCalendar, WorkdayCalendar


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    engine: Engine
    city: CityConfig
    clock: Callable[[], datetime] = system_clock
    calendar: WorkdayCalendar = field(default_factory=ChineseOfficialCalendar)

    def now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return timezone-aware datetimes")
        return now

    @property
    def hotline_unit(self) -> Unit:
        unit = self.city.unit(self.city.city.hotline_unit)
        assert unit is not None  # validated with the configuration
        return unit
