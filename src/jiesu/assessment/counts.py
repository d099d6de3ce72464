"""Counts per unit for a period, from the tickets and their return visits (A2).

A ticket counts for the unit that leads it, in the period its (last) dispatch falls in,
read in the city's time zone: orders; responded (contacted no later than the contact
deadline); and its current round's final return visits — every requester's, merged
requests' included — answered (solved, satisfied, basically satisfied) or unreachable.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, exists, func, select

from jiesu.context import Context
from jiesu.domain.assessment import UnitCounts
from jiesu.storage.tables import appeals as ap
from jiesu.storage.tables import return_visits as rv
from jiesu.storage.tables import tickets as t


def _sum(cond):
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def latest_final():
    """A requester's last final visit of the round (a visit made due when the deadline
    expired and answered before the reply is followed by the visit after the reply)."""
    newer = rv.alias("newer")
    return and_(
        rv.c.status != "pending",
        ~exists().where(
            newer.c.ticket_id == rv.c.ticket_id,
            newer.c.round == rv.c.round,
            newer.c.requester_ticket_id.is_not_distinct_from(rv.c.requester_ticket_id),
            newer.c.status != "pending",
            newer.c.id > rv.c.id,
        ),
    )


def unit_counts(ctx: Context, start: datetime, end: datetime) -> dict[str, UnitCounts]:
    exempted = exists().where(
        ap.c.ticket_id == t.c.id, ap.c.unit_code == t.c.lead_unit_code, ap.c.decision == "upheld"
    )
    in_period = and_(
        t.c.lead_unit_code.is_not(None),
        t.c.dispatched_at >= start,
        t.c.dispatched_at < end,
        ~exempted,  # an upheld appeal takes the ticket out of its unit's counts (A6)
    )
    orders = (
        select(
            t.c.lead_unit_code,
            func.count(),
            _sum(and_(t.c.contacted_at.is_not(None), t.c.contacted_at <= t.c.contact_due)),
        )
        .where(in_period)
        .group_by(t.c.lead_unit_code)
    )
    visits = (
        select(
            t.c.lead_unit_code,
            _sum(rv.c.status == "answered"),
            _sum(and_(rv.c.status == "answered", rv.c.solved.is_(True))),
            _sum(rv.c.satisfaction == "satisfied"),
            _sum(rv.c.satisfaction == "basically_satisfied"),
            _sum(rv.c.status == "unreachable"),
        )
        .select_from(t)
        .join(rv, and_(rv.c.ticket_id == t.c.id, rv.c.round == t.c.round, latest_final()))
        .where(in_period)
        .group_by(t.c.lead_unit_code)
    )
    with ctx.engine.connect() as conn:
        found = {
            code: UnitCounts(orders=n, responded=int(r)) for code, n, r in conn.execute(orders)
        }
        for code, answered, solved, satisfied, basically, unreachable in conn.execute(visits):
            base = found.get(code, UnitCounts())
            found[code] = UnitCounts(
                base.orders, base.responded, int(answered), int(solved), int(satisfied),
                int(basically), int(unreachable),
            )  # fmt: skip
    return found
