"""Who acts in a simulated history, and when: the crew, its working hours and its waits.

Utilities (7×24, H6) and urgent tickets (H7) act around the clock; every
other unit works 08:30–18:00 on working days, and on rest days only as often
as its ``rest_day_duty`` says. A step a unit means to take in time is not
pushed past its deadline by working hours (:class:`~.behaviour.Story` sees to
that). The hotline itself works around the clock (intake and dispatch) and
makes return visits, objection reviews and extension decisions between 09:00
and 20:30.

Hotline staff and unit handlers are simulated actors without a login; each
unit's handler acts with the unit's habits (:mod:`.profiles`). The waits
between steps are drawn with :func:`between` and :func:`log_minutes`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from jiesu.city.config import Unit
from jiesu.domain.roles import Actor, Role

from .profiles import UnitBehaviour, behaviour_for

H, M = timedelta(hours=1), timedelta(minutes=1)


def between(rng: random.Random, lo: timedelta, hi: timedelta) -> timedelta:
    """Uniform between ``lo`` and ``hi`` (``lo`` when ``hi`` is shorter)."""
    return timedelta(seconds=rng.uniform(lo.total_seconds(), max(hi, lo).total_seconds()))


def log_minutes(rng: random.Random, lo: float, hi: float) -> timedelta:
    """Log-uniform: most waits are short, a few are long."""
    return timedelta(
        minutes=math.exp(rng.uniform(math.log(max(lo, 0.5)), math.log(max(hi, lo + 1))))
    )


# --- working hours --------------------------------------------------------------------------

UNIT_DAY = (time(8, 30), time(18, 0))
DESK_DAY = (time(9, 0), time(20, 30))


class WorkingTime:
    """Moves a moment into someone's working hours, given the city's working-day calendar."""

    def __init__(self, tz: ZoneInfo, is_workday: Callable[[date], bool]) -> None:
        self.tz = tz
        self._is_workday = is_workday
        self._cache: dict[date, bool] = {}

    def is_workday(self, day: date) -> bool:
        found = self._cache.get(day)
        if found is None:
            found = self._cache[day] = bool(self._is_workday(day))
        return found

    def unit_time(
        self, at: datetime, who: UnitBehaviour, rng: random.Random, *, urgent: bool = False
    ) -> datetime:
        """``at`` if the unit works then, else when it next starts work (plus a little)."""
        if urgent or who.around_the_clock:
            return at
        return self._within(
            at, UNIT_DAY, rng, lambda d: self.is_workday(d) or rng.random() < who.rest_day_duty
        )

    def desk_time(self, at: datetime, rng: random.Random) -> datetime:
        """The hotline's day shift, every day: return visits (A1), objection reviews, extensions."""
        return self._within(at, DESK_DAY, rng, lambda d: True)

    def _within(
        self,
        at: datetime,
        hours: tuple[time, time],
        rng: random.Random,
        works_on: Callable[[date], bool],
    ) -> datetime:
        local = at.astimezone(self.tz)
        for _ in range(20):  # at most a long holiday away
            day = local.date()
            start = datetime.combine(day, hours[0], self.tz)
            end = datetime.combine(day, hours[1], self.tz)
            if local < end and works_on(day):
                if local >= start:
                    return local
                return start + timedelta(minutes=rng.uniform(0, 75))
            local = datetime.combine(day + timedelta(days=1), time(0), self.tz)
        return local


# --- the people acting ------------------------------------------------------------------------


class Crew:
    """Who acts in the history: hotline operators and dispatchers, and one handler per unit.

    Actors carry no user id (``user_id=None``): simulated staff have no login.
    """

    def __init__(self, hotline_unit: str, seed: int, units: dict[str, Unit]) -> None:
        self.hotline = hotline_unit
        self._seed = seed
        self._units = units
        self.operators = [
            Actor(None, f"sim-operator-{i:02d}", Role.OPERATOR, hotline_unit) for i in range(1, 25)
        ]
        self.dispatchers = [
            Actor(None, f"sim-dispatcher-{i:02d}", Role.DISPATCHER, hotline_unit)
            for i in range(1, 9)
        ]
        self.supervisors = [
            Actor(None, f"sim-supervisor-{i:02d}", Role.SUPERVISOR, hotline_unit)
            for i in range(1, 4)
        ]
        self._handlers: dict[str, Actor] = {}
        self._behaviours: dict[str, UnitBehaviour] = {}

    def operator(self, rng: random.Random) -> Actor:
        return rng.choice(self.operators)

    def dispatcher(self, rng: random.Random) -> Actor:
        return rng.choice(self.dispatchers)

    def supervisor(self, rng: random.Random) -> Actor:
        return rng.choice(self.supervisors)

    def handler(self, unit_code: str) -> Actor:
        actor = self._handlers.get(unit_code)
        if actor is None:
            actor = Actor(None, f"sim-handler-{unit_code}"[:64], Role.UNIT_HANDLER, unit_code)
            self._handlers[unit_code] = actor
        return actor

    def behaviour(self, unit_code: str) -> UnitBehaviour:
        found = self._behaviours.get(unit_code)
        if found is None:
            found = self._behaviours[unit_code] = behaviour_for(self._seed, self._units[unit_code])
        return found
