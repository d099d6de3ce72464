"""Counts per unit for a period (A2): the sum of the assessment facts of its tickets.

What one ticket counts for its lead unit is defined in :mod:`jiesu.storage.facts` (one
order; responded on time; its current round's final return visits). A unit's counts for
a period sum the facts of the tickets dispatched to it in the period, except tickets
whose effect on that unit an upheld appeal removed (A6).

:func:`plain_unit_counts` computes the same figures straight from the tickets and their
visits, without the facts: the reference for tests and the baseline of
``bench/assessment.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, func, select

from jiesu.context import Context
from jiesu.domain.assessment import UnitCounts
from jiesu.storage.facts import COUNT_COLUMNS, latest_final, responded, total, visit_totals
from jiesu.storage.tables import appeals as ap
from jiesu.storage.tables import assessment_facts as f
from jiesu.storage.tables import return_visits as rv
from jiesu.storage.tables import tickets as t

__all__ = ["latest_final", "plain_unit_counts", "unit_counts"]


def _upheld(ticket_id, unit_code):
    return exists().where(
        ap.c.ticket_id == ticket_id, ap.c.unit_code == unit_code, ap.c.decision == "upheld"
    )


def unit_counts(ctx: Context, start: datetime, end: datetime) -> dict[str, UnitCounts]:
    query = (
        select(f.c.unit_code, func.count(), *(func.sum(f.c[name]) for name in COUNT_COLUMNS))
        .where(
            f.c.dispatched_at >= start,
            f.c.dispatched_at < end,
            ~_upheld(f.c.ticket_id, f.c.unit_code),
        )
        .group_by(f.c.unit_code)
    )
    with ctx.engine.connect() as conn:
        return {code: UnitCounts(*(int(v) for v in row)) for code, *row in conn.execute(query)}


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
