"""The full data pushed to the units (全量数据推送, G4; BJ Art. 28): every ticket that changed,
with its record and its return-visit evaluations, to each unit it concerns, so that the
units' own systems hold the same data as the hotline's.

- **Push**: once a local day has ended, the worker sends each unit the tickets that changed
  that day and concern it (lead, supervising, co-handling, consulted, whistled in, escalated
  to: :func:`jiesu.access.involved_units`), as outbox messages ``governance.unit_data``
  (one per unit per chunk of ``CHUNK`` changed tickets). Each ticket is exactly what the
  unit sees through the API (``GET /api/tickets/{number}``): a confidential requester stays
  hidden from a unit the hotline has not released them to (S1). The day is worked through
  in chunks, each in its own transaction, at most ``CHUNKS_PER_CALL`` per call, so the
  worker's other work is not held up (it calls again on its next round while chunks remain,
  :func:`pending`); a crash resumes after the last chunk done.
- **Pull**: ``GET /api/governance/unit-data?since=…`` gives a unit the same tickets for any
  window of up to 31 days, page by page, for a system that missed a push or starts anew.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiesu.access import involved_units
from jiesu.context import Context
from jiesu.domain.errors import InvalidInput
from jiesu.domain.roles import HOTLINE_ROLES, Actor, Role
from jiesu.domain.ticket import Ticket
from jiesu.storage import tables
from jiesu.storage.repository import involving, queue_message
from jiesu.storage.uow import UnitOfWork

TOPIC = "governance.unit_data"
CHUNK, CHUNKS_PER_CALL, PAGE_MAX, WINDOW_MAX = 500, 20, 200, timedelta(days=31)
t = tables.tickets.c
te = tables.ticket_events.c
ud = tables.unit_data_days.c


def changed(start: datetime, end: datetime, unit_code: str | None, dialect: str, after: int = 0):
    """``SELECT`` of the ids of tickets with a timeline event in [start, end), concerning
    ``unit_code`` when given, above ``after``, in id order."""
    touched = select(te.ticket_id).where(te.at >= start, te.at < end)
    query = select(t.id).where(t.id.in_(touched), t.id > after).order_by(t.id)
    if unit_code is not None:
        query = query.where(involving(unit_code, dialect))
    return query


def _load(s: Session, ids: list[int]) -> list[Ticket]:
    return list(s.scalars(select(Ticket).where(t.id.in_(ids)).order_by(t.id)).all())


@dataclass(frozen=True)
class Page:
    since: datetime
    until: datetime
    tickets: list[Ticket]
    next_after: int | None  # the ``after`` of the next page, None on the last


def feed(ctx: Context, actor: Actor, since: datetime, until: datetime | None = None,
         after: int = 0, limit: int = PAGE_MAX) -> Page:  # fmt: skip
    """The tickets concerning the actor's unit (hotline staff: all) that changed in
    [since, until), a page of ``limit`` after the ticket id ``after``."""
    now = ctx.now()
    until = min(until or now, now)
    if since.tzinfo is None or (until.tzinfo is None):
        raise InvalidInput("unit_data.bad_window", "时间须带时区，如 2026-11-21T00:00:00+08:00",
                           "Times need a time zone, e.g. 2026-11-21T00:00:00+08:00")  # fmt: skip
    if not since < until or until - since > WINDOW_MAX:
        raise InvalidInput("unit_data.bad_window", "时间窗口须在 31 天以内，且起点早于终点",
                           "The window must start before it ends and span at most 31 days")  # fmt: skip
    unit = None if actor.role in HOTLINE_ROLES else actor.unit_code
    with UnitOfWork(ctx.engine, write=False) as uow:
        s = uow.session
        dialect = s.get_bind().dialect.name
        ids = list(s.scalars(changed(since, until, unit, dialect, after).limit(limit + 1)))
        more = len(ids) > limit
        ids = ids[:limit]
        tickets = _load(s, ids)
    return Page(since, until, tickets, ids[-1] if more else None)


# --- the worker's daily push ----------------------------------------------------------------


def _bounds(ctx: Context, day: date) -> tuple[datetime, datetime]:
    tz = ctx.city.tz
    return (
        datetime.combine(day, time(), tz),
        datetime.combine(day + timedelta(days=1), time(), tz),
    )


#: How a ticket is written for a unit: what the API answers that unit (``api.schemas``),
#: passed in by the worker so that this stage does not depend on the API.
Serialise = Callable[[Ticket, Actor, datetime], dict]


def _day_row(ctx: Context, day: date, start: datetime, end: datetime):
    """The day's bookkeeping row, made (with its count of changed tickets) the first time."""
    with UnitOfWork(ctx.engine) as uow:
        s = uow.session
        row = s.execute(select(tables.unit_data_days).where(ud.day == day)).first()
        if row is not None:
            return row
        count = len(list(s.scalars(changed(start, end, None, s.get_bind().dialect.name))))
        try:
            s.execute(insert(tables.unit_data_days).values(
                day=day, chunks=-(-count // CHUNK), chunks_done=0, tickets=count, messages=0,
                started_at=ctx.now(), pushed_at=ctx.now() if count == 0 else None))  # fmt: skip
            uow.commit()
        except IntegrityError:  # another worker made it at the same moment
            pass
    with UnitOfWork(ctx.engine, write=False) as uow:
        return uow.session.execute(select(tables.unit_data_days).where(ud.day == day)).one()


def _last_day(ctx: Context) -> date:
    return ctx.now().astimezone(ctx.city.tz).date() - timedelta(days=1)


def pending(ctx: Context) -> bool:
    """Whether the last ended day's push has begun and chunks of it remain."""
    with UnitOfWork(ctx.engine, write=False) as uow:
        row = uow.session.execute(
            select(ud.chunks, ud.chunks_done).where(ud.day == _last_day(ctx))
        ).first()
    return row is not None and row.chunks_done < row.chunks


def push_due(ctx: Context, serialise: Serialise, chunks_per_call: int | None = None) -> int:
    """Push the last ended day (yesterday, local) if not done yet, up to ``chunks_per_call``
    chunks (by default ``CHUNKS_PER_CALL``); the number of messages queued now."""
    chunks_per_call = chunks_per_call or CHUNKS_PER_CALL
    day = _last_day(ctx)
    start, end = _bounds(ctx, day)
    row = _day_row(ctx, day, start, end)
    queued = 0
    for chunk in range(row.chunks_done, min(row.chunks, row.chunks_done + chunks_per_call)):
        queued += _push_chunk(ctx, serialise, day, (start, end), chunk, row.chunks)
    return queued


def _push_chunk(ctx: Context, serialise: Serialise, day: date, window: tuple[datetime, datetime],
                chunk: int, chunks: int) -> int:  # fmt: skip
    now = ctx.now()
    with UnitOfWork(ctx.engine) as uow:
        s = uow.session
        dialect = s.get_bind().dialect.name
        ids = list(s.scalars(changed(*window, None, dialect).offset(chunk * CHUNK).limit(CHUNK)))
        per_unit: dict[str, list[dict]] = defaultdict(list)
        for ticket in _load(s, ids):
            for unit in sorted(involved_units(ticket)):
                seen = Actor(None, "system", Role.UNIT_HANDLER, unit)
                per_unit[unit].append(serialise(ticket, seen, now))
        for unit, items in sorted(per_unit.items()):
            payload = {"template": "unit.data", "unit": unit, "day": day.isoformat(),
                       "part": chunk + 1, "parts": chunks, "tickets": items}  # fmt: skip
            queue_message(s, topic=TOPIC, ticket_id=None, payload=payload,
                          key=f"{TOPIC}:{day.isoformat()}:{unit}:{chunk + 1}", now=now)  # fmt: skip
        done = s.execute(
            update(tables.unit_data_days)
            .where(ud.day == day, ud.chunks_done == chunk)  # no other worker did this chunk
            .values(chunks_done=chunk + 1, messages=ud.messages + len(per_unit),
                    pushed_at=now if chunk + 1 == chunks else None)
        )  # fmt: skip
        if done.rowcount != 1:
            return 0  # rolled back: another worker pushed this chunk
        uow.commit()
    return len(per_unit)
