"""Reading and writing tickets, their timelines, numbers and the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    any_,
    cast,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from jiesu.domain.errors import NotFound
from jiesu.domain.ticket import Ticket, TimelineEvent

from . import tables


def get_ticket(session: Session, number: str) -> Ticket:
    ticket = session.scalars(select(Ticket).where(tables.tickets.c.number == number)).one_or_none()
    if ticket is None:
        raise NotFound("ticket.not_found", f"工单 {number} 不存在", f"Ticket {number} not found")
    return ticket


def append_event(session: Session, ticket: Ticket, event: TimelineEvent) -> TimelineEvent:
    """Add ``event`` to the ticket's timeline (flushed, so it has its id)."""
    event.ticket_id = ticket.id
    session.add(event)
    session.flush()
    return event


def merged_ticket_numbers(session: Session, ticket_id: int) -> list[str]:
    """Numbers of the tickets merged into this one (并单)."""
    t = tables.tickets.c
    return list(
        session.execute(
            select(t.number).where(t.merged_into_id == ticket_id).order_by(t.id)
        ).scalars()
    )


def repeat_count(session: Session, ticket_id: int) -> int:
    """How often the same request was repeated with no new facts (BJ Art. 11 (3))."""
    t = tables.tickets.c
    return session.execute(
        select(func.count()).select_from(tables.tickets).where(t.original_ticket_id == ticket_id)
    ).scalar_one()


def timeline(session: Session, ticket_id: int) -> list[TimelineEvent]:
    stmt = (
        select(TimelineEvent)
        .where(tables.ticket_events.c.ticket_id == ticket_id)
        .order_by(tables.ticket_events.c.at, tables.ticket_events.c.id)
    )
    return list(session.scalars(stmt))


def _insert(session: Session, table):
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(table)


def next_ticket_number(session: Session, prefix: str, day: date) -> str:
    """``<prefix><yyyymmdd><6-digit sequence>``, unique across the city.

    The per-day counter row is created if missing and incremented with
    ``UPDATE … RETURNING`` inside the caller's transaction: PostgreSQL's row
    lock and SQLite's single writer serialise concurrent creations, and a
    rolled-back creation gives its number back.
    """
    return ticket_numbers(session, prefix, day, 1)[0]


def ticket_numbers(session: Session, prefix: str, day: date, count: int) -> list[str]:
    """``count`` consecutive numbers of the day reserved at once (bulk creation)."""
    key = day.strftime("%Y%m%d")
    counters = tables.ticket_counters
    session.execute(
        _insert(session, counters)
        .values(key=key, value=0)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    last = session.execute(
        update(counters)
        .where(counters.c.key == key)
        .values(value=counters.c.value + count)
        .returning(counters.c.value)
    ).scalar_one()
    return [f"{prefix}{key}{value:06d}" for value in range(last - count + 1, last + 1)]


def queue_message(
    session: Session,
    *,
    topic: str,
    ticket_id: int | None,
    payload: dict[str, Any],
    key: str,
    now: datetime,
) -> None:
    """Put a side effect in the outbox; it leaves only after this transaction commits."""
    session.execute(
        tables.outbox.insert().values(
            topic=topic,
            ticket_id=ticket_id,
            payload=payload,
            idempotency_key=key,
            created_at=now,
            available_at=now,
            attempts=0,
        )
    )


# --- idempotent creation ----------------------------------------------------------------


def find_idempotent(session: Session, user_id: int, key: str) -> tuple[str, int] | None:
    row = session.execute(
        select(tables.idempotency_keys.c.request_hash, tables.idempotency_keys.c.ticket_id).where(
            tables.idempotency_keys.c.user_id == user_id, tables.idempotency_keys.c.key == key
        )
    ).first()
    return (row.request_hash, row.ticket_id) if row else None


def remember_idempotent(
    session: Session, user_id: int, key: str, request_hash: str, ticket_id: int, now: datetime
) -> None:
    session.execute(
        tables.idempotency_keys.insert().values(
            user_id=user_id, key=key, request_hash=request_hash, ticket_id=ticket_id, created_at=now
        )
    )


def ticket_number_by_id(session: Session, ticket_id: int) -> str:
    return session.execute(
        select(tables.tickets.c.number).where(tables.tickets.c.id == ticket_id)
    ).scalar_one()


# --- listing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketFilter:
    status: tuple[str, ...] = ()
    unit_code: str | None = None  # lead, supervising or co-handling unit
    category: str | None = None  # code or prefix
    request_type: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    overdue: bool | None = None
    text: str | None = None  # number, title or content contains
    limit: int = 50
    offset: int = 0


#: PostgreSQL's memory for one list query's sorts and bitmaps (its default is 4MB).
LIST_WORK_MEM = "64MB"


def _json_list_has(column, value: str, dialect: str):
    """``value`` is an element of the JSON list in ``column``, as each database says it."""
    if dialect == "postgresql":
        return cast(column, postgresql.JSONB).contains([value])
    element = func.json_each(column).table_valued("value")
    return exists().select_from(element).where(element.c.value == value)


def involving(unit_code: str, dialect: str):
    """The tickets ``unit_code`` may list (as :func:`jiesu.access.can_see` says), as one OR
    whose every branch an index answers, so that PostgreSQL combines them (a bitmap OR)
    or, with a status filter, reads the open tickets alone (``bench/unit_lists.py``).
    The side tables' ticket ids are read once, as an array the primary key looks up; the
    authorities of escalated tickets are looked for among the few ever escalated."""
    t = tables.tickets.c

    def via(side):
        ids = select(side.c.ticket_id).where(side.c.unit_code == unit_code)
        if dialect == "postgresql":
            return t.id == any_(func.array(ids.scalar_subquery()))
        return t.id.in_(ids)

    return or_(
        t.lead_unit_code == unit_code,
        t.supervising_unit_code == unit_code,
        t.escalated_to == unit_code,
        and_(
            tables.ever_escalated(tables.tickets),
            _json_list_has(t.escalation_authorities, unit_code, dialect),
        ),
        *(
            via(x)
            for x in (tables.whistle_calls, tables.co_handler_tasks, tables.consultation_invites)
        ),
    )


def _overdue(now: datetime, dialect: str):
    t = tables.tickets.c  # each branch from its partial index (migration 0010)
    return or_(
        and_(tables.queue_condition(tables.OPEN_AT_UNIT_SQL), t.completion_due < now),
        tables.queue_condition(tables.REPLIED_LATE_SQL, dialect),
    )


def list_tickets(
    session: Session,
    flt: TicketFilter,
    *,
    visible_to_unit: str | None,
    now: datetime,
    count_up_to: int | None = None,
) -> tuple[list[Ticket], int]:
    """Tickets matching ``flt``; ``visible_to_unit`` limits to a unit's own tickets.

    The total is exact unless ``count_up_to`` is given: then counting stops at
    ``count_up_to + 1``, so a total above ``count_up_to`` means "more than that". The
    database then reads at most that many matching tickets instead of all of them (a
    utility's 180,000 at Beijing scale, ``bench/queues.py``)."""
    t = tables.tickets.c
    conds = _conditions(session, flt, visible_to_unit, now)
    total = session.execute(count_statement(conds, count_up_to)).scalar_one()
    items = session.scalars(
        select(Ticket)
        .where(*conds)
        .order_by(t.received_at.desc(), t.id.desc())
        .limit(flt.limit)
        .offset(flt.offset)
    ).all()
    return list(items), total


def count_tickets(
    session: Session,
    flt: TicketFilter,
    *,
    visible_to_unit: str | None,
    now: datetime,
    up_to: int | None = None,
) -> int:
    """How many tickets :func:`list_tickets` would list, counted as it counts, without
    reading any page (a tab's count: ``console.queues``)."""
    conds = _conditions(session, flt, visible_to_unit, now)
    return session.execute(count_statement(conds, up_to)).scalar_one()


def _conditions(
    session: Session, flt: TicketFilter, visible_to_unit: str | None, now: datetime
) -> list:
    """The WHERE of a listing; on PostgreSQL also the settings its queries need."""
    t = tables.tickets.c
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":  # until the transaction ends (bench/unit_lists.py):
        # room for an exact bitmap of a busy unit's tickets — a lossy one rechecks every
        # ticket on its pages against the OR (26 s instead of 0.8 s for a utility with
        # 180,000 tickets among 11 million) — and no JIT compilation, which cost a
        # district's list 0.7 s of its 0.9 s. And always a plan for the values asked for:
        # psycopg prepares a statement run five times, and PostgreSQL may then reuse one
        # generic plan, made for any unit, time and limit — the supervisor's capped overdue
        # count became a bitmap of all 320,000 late replies (73 ms warm, ~1 s cold) instead
        # of a scan that stops at the 10,001st (8 ms). That scan starts at the table's start:
        # a synchronised scan starts where the last one stopped, and from the open fortnight
        # read 3.4 million tickets for its 10,001 (0.8 s).
        session.execute(
            text(
                "SELECT set_config('work_mem', :mem, true), set_config('jit', 'off', true), "
                "set_config('plan_cache_mode', 'force_custom_plan', true), "
                "set_config('synchronize_seqscans', 'off', true)"
            ),
            {"mem": LIST_WORK_MEM},
        )
    conds = []
    if visible_to_unit is not None:
        conds.append(involving(visible_to_unit, dialect))
    if flt.status:
        conds.append(t.status.in_(flt.status))
    if flt.unit_code:
        conds.append(involving(flt.unit_code, dialect))
    if flt.category:
        conds.append(or_(t.category == flt.category, t.category.like(f"{flt.category}/%")))
    if flt.request_type:
        conds.append(t.request_type == flt.request_type)
    if flt.received_from:
        conds.append(t.received_at >= flt.received_from)
    if flt.received_to:
        conds.append(t.received_at < flt.received_to)
    if flt.overdue is not None:
        # NOT of the OR is NULL for a ticket not yet replied to (replied_at > … is NULL):
        # it would fall out of both lists without the COALESCE.
        overdue = _overdue(now, dialect)
        conds.append(overdue if flt.overdue else not_(func.coalesce(overdue, false())))
    if flt.text:
        like = f"%{flt.text}%"
        conds.append(or_(t.number == flt.text, t.title.like(like), t.content.like(like)))
    return conds


def count_statement(conds: list, up_to: int | None = None) -> Select:
    """``SELECT count(*)`` of the tickets meeting ``conds``, stopping at ``up_to + 1``."""
    if up_to is None:
        return select(func.count()).select_from(tables.tickets).where(*conds)
    some = select(tables.tickets.c.id).where(*conds).limit(up_to + 1).subquery()
    return select(func.count()).select_from(some)
