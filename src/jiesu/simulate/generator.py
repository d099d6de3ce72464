"""Generate a city's ticket history: ``simulate(ctx, days=30, tickets_per_day=300, seed=1)``.

The history ends at the context's clock and starts ``days`` before. Requests
arrive through each day with a hotline's hourly profile (:mod:`.traffic`); each
is planned (requester, channel, type, category, place, intake outcome:
:mod:`.planning`; some belong to a local outbreak or a chronic problem, :mod:`.clusters`)
and then lived through the one state machine
(:mod:`.behaviour`) — ``lifecycle.receive`` and ``lifecycle.apply`` with hotline
and unit actors — until its next step would lie after "now".
So old tickets are closed (some reopened and handled again), recent ones
wait in every open state: dispatched, acknowledged, in progress, objected,
extension pending, replied awaiting the return visit.

Persistence is per simulated day in one unit of work: the day's tickets are
numbered with ``next_ticket_number`` and added, their timeline events added
in one flush, and their outbox messages (as :func:`jiesu.notifications.messages_for`
decides, computed when each event happens) inserted in bulk and marked sent —
history is past. This is the same data ``jiesu.workflow.record`` writes, but
without a flush per event, which would make a month of Beijing take minutes.

Everything random comes from ``random.Random`` seeded with ``seed`` (unit
profiles from the seed and the unit's code), never from the wall clock, so the
same seed, city and end time give the same tickets, texts and events.
"""

from __future__ import annotations

import random
import time as _time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from jiesu.context import Context
from jiesu.domain.ticket import (
    CHANNEL_LABELS_ZH,
    REQUEST_TYPE_LABELS_ZH,
    STATUS_LABELS_ZH,
    Ticket,
)
from jiesu.intake.requesters import recognise
from jiesu.storage import repository as repo
from jiesu.storage import tables
from jiesu.storage.mapping import map_domain
from jiesu.storage.uow import UnitOfWork

from .behaviour import Story
from .clusters import Clusters
from .crew import Crew, WorkingTime
from .planning import Planner
from .texts import Texts
from .traffic import WEEKDAY, arrival_seconds, day_share


@dataclass
class SimulationStats:
    """What a simulation wrote, and how long it took."""

    seed: int
    days: int
    start: datetime | None = None
    end: datetime | None = None
    tickets: int = 0
    events: int = 0
    messages: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_type: Counter = field(default_factory=Counter)
    by_channel: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def tickets_per_second(self) -> float:
        return self.tickets / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        def share(counter: Counter, labels: dict) -> str:
            total = sum(counter.values()) or 1
            return " · ".join(
                f"{labels.get(k, k)} {k} {n:,} ({n / total:.1%})" for k, n in counter.most_common()
            )

        span = ""
        if self.start and self.end:
            span = f"  {self.start:%Y-%m-%d %H:%M} → {self.end:%Y-%m-%d %H:%M} ({self.days} days)\n"
        return (
            f"模拟历史 simulated history, seed {self.seed}: {self.tickets:,} tickets, "
            f"{self.events:,} events, {self.messages:,} messages in {self.seconds:.1f} s "
            f"({self.tickets_per_second:,.0f} tickets/s)\n{span}"
            f"  状态 status:  {share(self.by_status, STATUS_LABELS_ZH)}\n"
            f"  类型 type:    {share(self.by_type, REQUEST_TYPE_LABELS_ZH)}\n"
            f"  渠道 channel: {share(self.by_channel, CHANNEL_LABELS_ZH)}"
        )


def simulate(
    ctx: Context, *, days: int = 30, tickets_per_day: int = 300, seed: int = 1
) -> SimulationStats:
    """Write ``days`` of history ending now, about ``tickets_per_day`` requests a day."""
    started = _time.perf_counter()
    map_domain()
    end = ctx.now().astimezone(ctx.city.tz).replace(microsecond=0)
    stats = SimulationStats(seed=seed, days=days, start=end - timedelta(days=max(days, 0)), end=end)
    if days <= 0 or tickets_per_day <= 0:
        return stats
    rng = random.Random(seed)
    sending = random.Random(f"{seed}:outbox")  # its own stream: storage never shifts the history
    texts = Texts(ctx.city)
    working = WorkingTime(ctx.city.tz, ctx.calendar.is_workday)
    planner = Planner(ctx, texts, rng, expected=days * tickets_per_day)
    planner.clusters = Clusters(seed, planner.place, planner.complaint_topic)
    crew = Crew(ctx.hotline_unit.code, seed, ctx.city.units_by_code)
    prefix = ctx.city.city.ticket_prefix
    assert stats.start is not None
    for day, lo, hi in _days(stats.start, end):
        volume = (
            tickets_per_day * WEEKDAY[day.weekday()] * rng.uniform(0.92, 1.08) * day_share(lo, hi)
        )
        seconds = sorted(arrival_seconds(rng, lo, hi) for _ in range(round(volume)))
        midnight = datetime.combine(day, time(0), ctx.city.tz)
        arrivals: list[datetime] = []
        for second in seconds:
            at = midnight + timedelta(seconds=int(second))
            if at < end and (not arrivals or at > arrivals[-1]):
                arrivals.append(at)  # one arrival per second, all before now
        planner.clusters.new_day(day, len(arrivals))
        with UnitOfWork(ctx.engine) as uow:
            stories = []
            numbers = repo.ticket_numbers(uow.session, prefix, day, len(arrivals))
            for number, at in zip(numbers, arrivals, strict=True):
                # Each ticket's handling draws from its own stream, so what happens after
                # intake never shifts the intake of the tickets that follow.
                story = Story(ctx, crew, working, texts, random.Random(rng.getrandbits(64)), end)
                story.live(planner.plan(number, at))
                stories.append(story)
            _persist(uow, stories, end, sending)
            uow.commit()
        for story in stories:
            t = story.ticket
            stats.tickets += 1
            stats.events += len(story.events)
            stats.messages += sum(len(m) for _, m in story.events)
            stats.by_status[str(t.status)] += 1
            stats.by_type[str(t.request_type)] += 1
            stats.by_channel[str(t.channel)] += 1
    stats.seconds = _time.perf_counter() - started
    return stats


def _days(start: datetime, end: datetime):
    """(date, from, to) for each local day of the window; ``to`` None means midnight."""
    day = start.date()
    while day <= end.date():
        lo = start.time() if day == start.date() else time(0)
        hi = end.time() if day == end.date() else None
        if hi is None or hi > lo:
            yield day, lo, hi
        day += timedelta(days=1)


def _persist(uow: UnitOfWork, stories: list[Story], end: datetime, rng: random.Random) -> None:
    """Tickets, then their events (one flush each), then the outbox rows in one insert."""
    if not stories:
        return
    session = uow.session
    for story in stories:  # requesters are recognised across tickets, as at a real intake
        t = story.ticket
        t.requester_id = recognise(session, t.requester_name, t.requester_phone, t.received_at)
    session.add_all([s.ticket for s in stories])
    uow.flush()
    events = []
    for story in stories:
        for event, _ in story.events:
            event.ticket_id = story.ticket.id
            events.append(event)
    session.add_all(events)
    uow.flush()
    rows = []
    for story in stories:
        ticket: Ticket = story.ticket
        for event, messages in story.events:
            for msg in messages:
                rows.append(
                    {
                        "topic": msg.topic,
                        "ticket_id": ticket.id,
                        "payload": msg.payload,
                        "idempotency_key": f"{ticket.number}:{event.id}:{msg.topic}:{msg.recipient}",
                        "created_at": event.at,
                        "available_at": event.at,
                        "attempts": 1,
                        "sent_at": min(event.at + timedelta(seconds=rng.randint(1, 90)), end),
                    }
                )
    if rows:
        session.execute(tables.outbox.insert(), rows)
