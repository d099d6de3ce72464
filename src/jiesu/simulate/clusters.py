"""Local outbreaks and chronic problems in a simulated history (G1, G5): what the weekly
warning of hotspots (:mod:`jiesu.governance.warnings`) is there to find.

Real requests cluster: a burst pipe, a dead lift or a noisy building site brings a dozen
neighbours to the hotline within days (an *outbreak*), and some places call about the same
matter week after week (a *chronic* problem). Without clusters a simulated city's requests
would be spread evenly and the warning would have nothing to warn.

About one outbreak starts for every 700 requests of a day; each lasts two to five days and
brings 8–20 complaints about one matter of the season from one community's neighbours.
One community in 2,000 requests of a day has a chronic problem, about seven complaints a
week. Clusters draw from their own random stream, so a history's other requests stay as
they were.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from .texts import Place

OUTBREAK_EVERY = 700  # requests of a day per outbreak started
CHRONIC_EVERY = 2000  # requests of a day per chronic problem
CHRONIC_PER_WEEK = 7


@dataclass
class Cluster:
    place: Place
    topic: object  # a Topic
    first: date
    last: date
    share: float  # of the day's requests it takes


class Clusters:
    def __init__(self, seed: int | str, place, topic) -> None:
        """``place(rng)`` draws a place as requesters are placed; ``topic(rng, month,
        village)`` draws a complaint's topic of the season."""
        self.rng = random.Random(f"{seed}:clusters")
        self._place, self._topic = place, topic
        self.active: list[Cluster] = []
        self.chronic: list[Cluster] | None = None

    def _cluster(self, day: date, days: int, total: int, arrivals: int) -> Cluster:
        place = self._place(self.rng)
        topic = self._topic(self.rng, day.month, place.village)
        share = total / (days * max(arrivals, 1))
        return Cluster(place, topic, day, day + timedelta(days=days - 1), share)

    def new_day(self, day: date, arrivals: int) -> None:
        """Start the day's outbreaks, given about how many requests the day brings."""
        if self.chronic is None:
            self.chronic = [
                self._cluster(day, 10_000, CHRONIC_PER_WEEK * 10_000 // 7, arrivals)
                for _ in range(max(1, round(arrivals / CHRONIC_EVERY)))
            ]
        self.active = [c for c in self.active if c.last >= day]
        expected = arrivals / OUTBREAK_EVERY
        starts = int(expected) + (self.rng.random() < expected - int(expected))
        for _ in range(starts):
            days = self.rng.randint(2, 5)
            self.active.append(self._cluster(day, days, self.rng.randint(8, 20), arrivals))

    def pick(self, day: date) -> Cluster | None:
        """The cluster a request of ``day`` belongs to, if any."""
        for c in self.active + (self.chronic or []):
            if c.first <= day <= c.last and self.rng.random() < c.share:
                return c
        return None
