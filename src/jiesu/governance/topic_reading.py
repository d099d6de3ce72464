"""Reading the monthly topics (G2): the list, with each topic's tasks and recorded progress,
and one topic in full (plan, three lists, units, monthly figures, places, timeline).

Topics are the city's public work programme (Beijing publishes its 27): every member of
staff may read them. No requester's details appear anywhere here (S1), only counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from jiesu.city.units import Unit
from jiesu.context import Context
from jiesu.domain.errors import InvalidInput
from jiesu.domain.roles import Actor
from jiesu.domain.topics import ItemList, Progress, TopicState
from jiesu.storage import tables
from jiesu.storage.facts import total
from jiesu.storage.types import is_row_number
from jiesu.storage.uow import UnitOfWork

from . import topic_figures as tf
from .topics import I, T, co_units, not_found, organises


@dataclass(frozen=True)
class Tasks:
    total: int
    done: int
    overdue: int


@dataclass(frozen=True)
class Summary:
    id: int
    title: str
    month: str
    state: TopicState
    categories: list[str]
    lead: Unit
    co_units: int
    scope: Unit | None
    launched_at: datetime | None
    tasks: Tasks
    progress: Progress


def _tasks(s, topic_ids: list[int], today: date) -> dict[int, Tasks]:
    overdue = (I.done_at.is_(None)) & (I.due_on < today)
    rows = s.execute(
        select(I.topic_id, func.count(), func.count(I.done_at), total(overdue))
        .where(I.topic_id.in_(topic_ids), I.list == ItemList.TASK)
        .group_by(I.topic_id)
    )  # fmt: skip
    return {tid: Tasks(int(n), int(d), int(o or 0)) for tid, n, d, o in rows}


def list_topics(ctx: Context, state: str | None = None) -> list[Summary]:
    """Every topic (or those in ``state``), the newest month first."""
    if state is not None and state not in set(TopicState):
        raise InvalidInput(
            "topic.bad_state_filter", "未知的题目状态", f"Unknown state {state[:20]!r}"
        )
    city = ctx.city
    today = ctx.now().astimezone(city.tz).date()
    query = select(tables.topics).order_by(T.month.desc(), T.id.desc())
    if state:
        query = query.where(T.state == state)
    with UnitOfWork(ctx.engine, write=False) as uow:
        s = uow.session
        rows = s.execute(query).all()
        ids = [r.id for r in rows]
        tasks = _tasks(s, ids, today) if ids else {}
        tu = tables.topic_units.c
        co = dict(
            s.execute(
                select(tu.topic_id, func.count()).where(tu.topic_id.in_(ids)).group_by(tu.topic_id)
            ).all()
        ) if ids else {}  # fmt: skip
        return [
            Summary(
                r.id,
                r.title,
                r.month,
                TopicState(r.state),
                r.categories,
                city.units_by_code[r.lead_unit_code],
                co.get(r.id, 0),
                city.unit(r.scope_code) if r.scope_code else None,
                r.launched_at,
                tasks.get(r.id, Tasks(0, 0, 0)),
                tf.progress(s, r),
            )  # fmt: skip
            for r in rows
        ]


@dataclass(frozen=True)
class Item:
    id: int
    list: ItemList
    text: str
    unit: Unit | None
    due_on: date | None
    created_at: datetime
    created_by: str
    done_at: datetime | None
    done_by: str | None
    outcome: str | None
    overdue: bool


@dataclass(frozen=True)
class Event:
    at: datetime
    action: str
    actor_username: str
    actor_role: str
    actor_unit_code: str
    from_state: str | None
    to_state: str
    reason: str
    detail: dict


@dataclass(frozen=True)
class Detail:
    row: object  # the topic's row
    lead: Unit
    co_units: list[Unit]
    scope: Unit | None
    items: dict[ItemList, list[Item]]
    progress: Progress
    months: list[tf.MonthRow]
    places_since: datetime
    places: list[tf.Place]
    events: list[Event]
    organiser: bool  # the reader may organise this topic
    lead_member: bool  # the reader works for its lead unit


def detail(ctx: Context, actor: Actor, topic_id: int) -> Detail:
    city, now = ctx.city, ctx.now()
    today = now.astimezone(city.tz).date()
    with UnitOfWork(ctx.engine, write=False) as uow:
        s = uow.session
        row = None
        if is_row_number(topic_id):
            row = s.execute(select(tables.topics).where(T.id == topic_id)).first()
        if row is None:
            raise not_found(topic_id)
        items: dict[ItemList, list[Item]] = {k: [] for k in ItemList}
        for r in s.execute(select(tables.topic_items).where(I.topic_id == row.id).order_by(I.id)):
            items[ItemList(r.list)].append(
                Item(r.id, ItemList(r.list), r.text, city.unit(r.unit_code) if r.unit_code else None,
                     r.due_on, r.created_at, r.created_by, r.done_at, r.done_by, r.outcome,
                     r.done_at is None and r.due_on is not None and r.due_on < today)
            )  # fmt: skip
        te = tables.topic_events.c
        events = [
            Event(e.at, e.action, e.actor_username, e.actor_role, e.actor_unit_code,
                  e.from_state, e.to_state, e.reason, e.detail or {})
            for e in s.execute(
                select(tables.topic_events).where(te.topic_id == row.id).order_by(te.id)
            )
        ]  # fmt: skip
        since, places = tf.places(s, city, row, now)
        return Detail(
            row, city.units_by_code[row.lead_unit_code],
            [city.units_by_code[c] for c in co_units(s, row.id)],
            city.unit(row.scope_code) if row.scope_code else None, items, tf.progress(s, row),
            tf.series(s, city, row, now), since, places, events,
            organises(city, actor, row.scope_code), actor.unit_code == row.lead_unit_code,
        )  # fmt: skip
