"""Candidate topics (G1 → G2): the matters that have lasted and that units fail to solve, so
that the organisers choose each month's topic from the data (BJ Art. 24: 持续时间长、解决难度大).

Over the last six full months, city-wide, a category is a candidate when it is

- **long-running** (持续时间长): every month brought at least half its monthly mean and at
  least ``MIN_MONTHLY`` requests — a steady load, not one burst;
- **hard** (解决难度大): its resolution rate (return visits saying solved) is below the
  city's over the same months, or the weekly warning found it persistent somewhere.

Candidates come most unsolved first (return visits saying *not* solved: people the city
failed, not just people who called), each with the topics already open on it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, literal, select, union_all

from jiesu.assessment.rankings import month
from jiesu.assessment.trends import last_full_month, months_back
from jiesu.city.catalogue import under
from jiesu.context import Context
from jiesu.domain.hotspots import WarningKind
from jiesu.domain.topics import OPEN_STATES
from jiesu.storage import tables
from jiesu.storage.db import for_large_reads
from jiesu.storage.facts import total
from jiesu.storage.uow import UnitOfWork

t = tables.tickets.c
WINDOW, MIN_MONTHLY, TOP = 6, 5, 20


@dataclass(frozen=True)
class Candidate:
    category: str
    requests: int
    per_month: list[int]
    evaluated: int
    solved: int
    unsolved: int
    resolution: float | None
    persistent_warnings: int
    open_topics: list[int]


@dataclass(frozen=True)
class Candidates:
    months: list[str]
    resolution: float | None  # the city's, over the same months
    items: list[Candidate]


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def candidates(ctx: Context, latest: str | None = None) -> Candidates:
    """The candidates over the ``WINDOW`` months up to ``latest`` (by default the last full
    month)."""
    tz = ctx.city.tz
    labels = months_back(latest or last_full_month(ctx), WINDOW)
    periods = [month(label, tz) for label in labels]
    start, end = periods[0].start, periods[-1].end
    evaluated = t.satisfaction.is_not(None)
    # One SELECT per month, grouped by category alone: grouped by category and month in one,
    # PostgreSQL took the month (a CASE over received_at) for as many groups as tickets and
    # planned accordingly; month by month, each is a range of the index on received_at that
    # holds the other columns, and the months are read in parallel.
    by_month = union_all(*(
        select(t.category, literal(i).label("i"), func.count(), total(evaluated),
               total(and_(evaluated, t.visit_solved)))
        .where(t.received_at >= p.start, t.received_at < p.end)
        .group_by(t.category)
        for i, p in enumerate(periods)
    ))  # fmt: skip
    per_month: dict[str, list[int]] = defaultdict(lambda: [0] * WINDOW)
    visits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    hw = tables.hotspot_warnings.c
    with UnitOfWork(ctx.engine, write=False) as uow:
        s = uow.session
        for_large_reads(s)
        for category, i, n, e, solved in s.execute(by_month):
            per_month[category][i] = int(n)
            visits[category][0] += int(e or 0)
            visits[category][1] += int(solved or 0)
        persistent = dict(
            s.execute(
                select(hw.category, func.count())
                .where(hw.kind == WarningKind.PERSISTENT, hw.issued_at >= start,
                       hw.issued_at < end)
                .group_by(hw.category)
            ).all()
        )  # fmt: skip
        tp = tables.topics.c
        open_topics = s.execute(
            select(tp.id, tp.categories).where(tp.state.in_([str(x) for x in OPEN_STATES]))
        ).all()
    city_e = sum(v[0] for v in visits.values())
    city_rate = _ratio(sum(v[1] for v in visits.values()), city_e)
    found = []
    for category, counts in per_month.items():
        mean = sum(counts) / WINDOW
        if min(counts) < max(MIN_MONTHLY, mean / 2):
            continue
        e, solved = visits[category]
        rate = _ratio(solved, e)
        hard = rate is not None and city_rate is not None and rate < city_rate
        if not (hard or persistent.get(category)):
            continue
        covering = [tid for tid, cats in open_topics if any(under(category, c) for c in cats)]
        found.append(Candidate(category, sum(counts), counts, e, solved, e - solved, rate,
                               int(persistent.get(category, 0)), covering))  # fmt: skip
    found.sort(key=lambda c: (-c.unsolved, -c.requests, c.category))
    return Candidates(labels, city_rate, found[:TOP])
