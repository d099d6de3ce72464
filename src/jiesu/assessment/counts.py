"""Counts per unit for a period (A2): the sum of the assessment facts of its tickets
(whole UTC days read from their daily sums, :mod:`jiesu.storage.daily`).

What one ticket counts for its lead unit is defined in :mod:`jiesu.storage.facts` (one
order; responded on time; its current round's final return visits). A unit's counts for
a period sum the facts of the tickets dispatched to it in the period, except tickets
whose effect on that unit an upheld appeal removed (A6).

:func:`plain_unit_counts` computes the same figures straight from the tickets and their
visits, without the facts: the reference for tests and the baseline of
``bench/assessment.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, exists, func, select

from jiesu.context import Context
from jiesu.domain.assessment import UnitCounts
from jiesu.storage.daily import SUMS
from jiesu.storage.facts import COUNT_COLUMNS, latest_final, responded, total, visit_totals
from jiesu.storage.tables import appeals as ap
from jiesu.storage.tables import assessment_daily as d
from jiesu.storage.tables import assessment_facts as f
from jiesu.storage.tables import return_visits as rv
from jiesu.storage.tables import tickets as t

__all__ = ["latest_final", "plain_unit_counts", "unit_counts"]


def _upheld(ticket_id, unit_code):
    return exists().where(
        ap.c.ticket_id == ticket_id, ap.c.unit_code == unit_code, ap.c.decision == "upheld"
    )


def unit_counts(ctx: Context, start: datetime, end: datetime) -> dict[str, UnitCounts]:
    """Every unit's counts for tickets dispatched in ``[start, end)``.

    Whole UTC days come from the daily sums, the hours before the first UTC midnight and
    after the last from the facts; the tickets an upheld appeal took out are subtracted.
    """
    first, last = _midnight_after(start), _midnight_before(end)
    parts = []
    if first < last:
        parts.append(_sum_daily(first.date(), last.date()))
        parts += [_sum_facts(start, first), _sum_facts(last, end)]
    else:
        parts.append(_sum_facts(start, end))
    upheld = _sum_facts(start, end, upheld=True)
    found: dict[str, list[int]] = {}
    with ctx.engine.connect() as conn:
        for sign, query in [*((1, p) for p in parts), (-1, upheld)]:
            for code, *values in conn.execute(query):
                sums = found.setdefault(code, [0] * 7)
                for i, v in enumerate(values):
                    sums[i] += sign * int(v or 0)
    return {code: UnitCounts(*sums) for code, sums in found.items() if sums[0] > 0}


def _midnight_after(moment: datetime) -> datetime:
    utc = moment.astimezone(UTC)
    midnight = datetime.combine(utc.date(), time(), UTC)
    return midnight if midnight == utc else midnight + timedelta(days=1)


def _midnight_before(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(UTC).date(), time(), UTC)


def _sum_daily(first: date, last: date):
    return (
        select(d.c.unit_code, *(func.sum(d.c[name]) for name in SUMS))
        .where(d.c.day >= first, d.c.day < last)
        .group_by(d.c.unit_code)
    )


def _sum_facts(start: datetime, end: datetime, *, upheld: bool = False):
    query = select(
        f.c.unit_code, func.count(), *(func.sum(f.c[name]) for name in COUNT_COLUMNS)
    ).where(f.c.dispatched_at >= start, f.c.dispatched_at < end)
    if upheld:  # an upheld appeal takes the ticket out of its unit's counts (A6)
        query = query.where(_upheld(f.c.ticket_id, f.c.unit_code))
    return query.group_by(f.c.unit_code)


def plain_unit_counts(ctx: Context, start: datetime, end: datetime) -> dict[str, UnitCounts]:
    in_period = and_(
        t.c.lead_unit_code.is_not(None),
        t.c.dispatched_at >= start,
        t.c.dispatched_at < end,
        ~_upheld(t.c.id, t.c.lead_unit_code),
    )
    orders = (
        select(t.c.lead_unit_code, func.count(), total(responded()))
        .where(in_period)
        .group_by(t.c.lead_unit_code)
    )
    visits = (
        select(t.c.lead_unit_code, *visit_totals())
        .select_from(t)
        .join(rv, and_(rv.c.ticket_id == t.c.id, rv.c.round == t.c.round, latest_final()))
        .where(in_period)
        .group_by(t.c.lead_unit_code)
    )
    with ctx.engine.connect() as conn:
        found = {code: UnitCounts(n, int(r)) for code, n, r in conn.execute(orders)}
        for code, *totals in conn.execute(visits):
            base = found.get(code, UnitCounts())
            found[code] = UnitCounts(base.orders, base.responded, *(int(v) for v in totals))
    return found
