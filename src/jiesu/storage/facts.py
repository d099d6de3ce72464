"""Assessment facts: what each dispatched ticket counts for its lead unit (A2), kept in step.

A ticket counts for the unit that leads it, in the period its (last) dispatch falls in:
one order; *responded* when the requester was contacted no later than the contact
deadline; and, over its current round's final return visits (one per requester, merged
requests' included), how many were answered, said solved, satisfied or basically
satisfied, and how many requesters were unreachable.

:func:`fact_rows` states this once, in SQL. Every session that changes a counted field
of a ticket, or one of its return visits, rewrites those tickets' rows just before it
commits, in the same transaction (:func:`keep_in_step`), so after a commit the facts
never disagree with the tickets. :func:`rebuild` recomputes every row (the migration's
backfill and ``jiesu assessment recount``); a test checks that both give the same rows
and that summing them equals the plain aggregate over tickets and visits.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from sqlalchemy import Connection, and_, case, delete, event, exists, func, insert, inspect, select
from sqlalchemy.orm import Session

from jiesu.domain.ticket import ReturnVisit, Ticket

from . import daily
from .tables import assessment_facts as f
from .tables import return_visits as rv
from .tables import tickets as t

#: Ticket fields a fact depends on; a change of any other field leaves the fact alone.
COUNTED_FIELDS = ("lead_unit_code", "dispatched_at", "contacted_at", "contact_due", "round")
COUNT_COLUMNS = ("responded", "answered", "solved", "satisfied", "basically", "unreachable")
_TOUCHED = "jiesu.facts.touched"


def flag(cond):
    return case((cond, 1), else_=0)


def total(cond):
    return func.coalesce(func.sum(flag(cond)), 0)


def responded():
    return and_(t.c.contacted_at.is_not(None), t.c.contacted_at <= t.c.contact_due)


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


def visit_totals(v=rv.c):
    """Answered, solved, satisfied, basically satisfied, unreachable among final visits
    (``v``: the columns of return visits, or of a subquery over them)."""
    return (
        total(v.status == "answered"),
        total(and_(v.status == "answered", v.solved.is_(True))),
        total(v.satisfaction == "satisfied"),
        total(v.satisfaction == "basically_satisfied"),
        total(v.status == "unreachable"),
    )


def fact_rows(ticket_ids: Iterable[int] | None = None):
    """``SELECT`` of the facts of the given tickets (all tickets when None).

    A requester's final visit of a round is its last non-pending one, found here with a
    window (one sort, where :func:`latest_final` probes every visit): the plain aggregate
    uses the latter, so the tests compare two formulations of the same rule.
    """
    ranked = select(
        rv.c.ticket_id,
        rv.c.round,
        rv.c.status,
        rv.c.solved,
        rv.c.satisfaction,
        func.row_number()
        .over(
            partition_by=(rv.c.ticket_id, rv.c.round, rv.c.requester_ticket_id),
            order_by=rv.c.id.desc(),
        )
        .label("latest"),
    ).where(rv.c.status != "pending")
    if ticket_ids is not None:
        ticket_ids = list(ticket_ids)
        ranked = ranked.where(rv.c.ticket_id.in_(ticket_ids))
    ranked = ranked.subquery()
    final = (
        select(ranked.c.ticket_id, ranked.c.round, *visit_totals(ranked.c))
        .where(ranked.c.latest == 1)
        .group_by(ranked.c.ticket_id, ranked.c.round)
        .subquery()
    )
    query = (
        select(
            t.c.id,
            t.c.lead_unit_code,
            t.c.dispatched_at,
            flag(responded()),
            *(func.coalesce(c, 0) for c in list(final.c)[2:]),
        )
        .select_from(
            t.outerjoin(final, and_(final.c.ticket_id == t.c.id, final.c.round == t.c.round))
        )
        .where(t.c.lead_unit_code.is_not(None), t.c.dispatched_at.is_not(None))
    )
    return query.where(t.c.id.in_(ticket_ids)) if ticket_ids is not None else query


_INTO = ("ticket_id", "unit_code", "dispatched_at", *COUNT_COLUMNS)


def refresh(conn: Connection, ticket_ids: Iterable[int]) -> None:
    """Rewrite the facts of these tickets from their current rows, and the daily sums by
    the difference."""
    ids = sorted(set(ticket_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        mine = select(*(f.c[n] for n in _INTO[1:])).where(f.c.ticket_id.in_(chunk))
        old = conn.execute(mine).all()
        conn.execute(delete(f).where(f.c.ticket_id.in_(chunk)))
        conn.execute(insert(f).from_select(_INTO, fact_rows(chunk)))
        daily.apply(conn, old, conn.execute(mine).all())


def rebuild(conn: Connection) -> int:
    """Recompute every fact and daily sum; returns how many tickets count for a unit."""
    if conn.dialect.name == "postgresql":  # one sort of every visit: let it stay in memory
        conn.exec_driver_sql("SET LOCAL work_mem = '512MB'")
    conn.execute(delete(f))
    conn.execute(insert(f).from_select(_INTO, fact_rows()))
    daily.rebuild(conn)
    return conn.execute(select(func.count()).select_from(f)).scalar_one()


def _counted_change(session: Session, ticket: Ticket) -> bool:
    if ticket in session.new:
        return ticket.lead_unit_code is not None
    attrs = inspect(ticket).attrs
    return any(attrs[name].history.has_changes() for name in COUNTED_FIELDS)


def _note_touched(session: Session, _context) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Ticket) and obj.id is not None and _counted_change(session, obj):
            touched.add(obj.id)
        elif isinstance(obj, ReturnVisit) and obj.ticket_id is not None:
            touched.add(obj.ticket_id)


def _write_touched(session: Session) -> None:
    session.flush()
    touched = session.info.pop(_TOUCHED, None)
    if touched:
        refresh(session.connection(), touched)


def _forget_touched(session: Session, *_) -> None:
    session.info.pop(_TOUCHED, None)


def keep_in_step() -> None:
    """Install the session hooks (idempotent; :func:`~jiesu.storage.mapping.map_domain`)."""
    if event.contains(Session, "after_flush", _note_touched):
        return
    event.listen(Session, "after_flush", _note_touched)
    event.listen(Session, "before_commit", _write_touched)
    event.listen(Session, "after_rollback", _forget_touched)
