"""The work queue (/): which tickets each role and unit sees first, with filters and paging.

Every list goes through ``repository.list_tickets`` limited by
``access.visible_unit``, so a unit handler never sees another unit's ticket.
Some queues need what ``TicketFilter`` cannot say yet (pending extensions,
open co-handling tasks, whistle calls awaiting the unit's report-in, tickets
escalated to the unit, contests awaiting the hotline); they are read here,
still limited to what the user may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from jiesu.access import can_see, visible_unit
from jiesu.api.schemas import TicketOut, ticket_out
from jiesu.context import Context
from jiesu.domain.roles import Actor, Role
from jiesu.domain.ticket import (
    OPEN_AT_UNIT,
    CoHandlerTask,
    RequestType,
    Status,
    Ticket,
    WhistleCall,
)
from jiesu.storage import repository as repo
from jiesu.storage import tables
from jiesu.storage.repository import TicketFilter
from jiesu.storage.uow import UnitOfWork

from .views import Countdown, countdown

PAGE_SIZE = 20
#: A list's total and its tabs' counts stop at this; above it the console shows "10000+".
#: Counting a busy unit's whole history (a utility's 180,000 tickets at Beijing scale) cost
#: seconds a page, and nobody pages that far: they filter (``bench/queues.py``).
COUNT_CAP = 10_000
_HANDLING = (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.OBJECTED, Status.ESCALATED)
_DONE = (Status.REPLIED, Status.VISITED, Status.CLOSED)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    statuses: tuple[str, ...] = ()
    overdue: bool | None = None
    special: str | None = None  # not expressible as a TicketFilter: see SPECIAL


ALL = Tab("all", "全部工单")
TABS: dict[Role, tuple[Tab, ...]] = {
    Role.OPERATOR: (
        Tab("received", "待处理", (Status.RECEIVED,)),
        Tab("to_visit", "待回访", (Status.REPLIED,)),
        Tab("to_close", "待结案", (Status.VISITED,)),
        ALL,
    ),
    Role.DISPATCHER: (
        Tab("to_dispatch", "待派单", (Status.RECEIVED,)),
        Tab("objections", "异议审核", (Status.OBJECTED,)),
        Tab("extensions", "延期审批", special="extensions"),
        Tab("contests", "不合理诉求认定", special="contests"),
        Tab("overdue", "已超期", overdue=True),
        ALL,
    ),
    Role.UNIT_HANDLER: (
        Tab("to_ack", "待签收", (Status.DISPATCHED,)),
        Tab("handling", "办理中", _HANDLING),
        Tab("co_tasks", "待协办", special="co_tasks"),
        Tab("calls", "待报到", special="calls"),
        Tab("escalations", "待协调", special="escalations"),
        Tab("done", "已办结", _DONE),
        ALL,
    ),
    Role.SUPERVISOR: (Tab("overdue", "超期工单", overdue=True), ALL),
}
TABS[Role.ADMIN] = TABS[Role.DISPATCHER]


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    category: str | None = None
    request_type: str | None = None
    overdue: bool | None = None
    q: str | None = None

    @classmethod
    def from_query(cls, params, categories: frozenset[str]) -> Filters:
        """Unknown values are dropped rather than refused: a queue link should always open."""
        status = params.get("status")
        category = params.get("category")
        request_type = params.get("request_type")
        overdue = {"1": True, "0": False}.get(params.get("overdue") or "")
        q = (params.get("q") or "").strip()[:100] or None
        return cls(
            status=status if status in set(Status) else None,
            category=category if category in categories else None,
            request_type=request_type if request_type in set(RequestType) else None,
            overdue=overdue,
            q=q,
        )

    @property
    def active(self) -> bool:
        return any(
            v is not None
            for v in (self.status, self.category, self.request_type, self.overdue, self.q)
        )


@dataclass
class Row:
    ticket: TicketOut
    relation: str  # 主办 / 协办 / 督办 / 报到 / 协调, for unit handlers
    deadlines: list[Countdown]
    task: CoHandlerTask | None = None
    call: WhistleCall | None = None
    call_reason: str = ""  # what the whistle summons the unit for


@dataclass
class Queue:
    tabs: tuple[Tab, ...]
    tab: Tab
    rows: list[Row]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total_label(self) -> str:
        return count_label(self.total)

    @property
    def capped(self) -> bool:
        """More tickets than were counted: the last page shown is not the list's last."""
        return self.total > COUNT_CAP

    @property
    def badges(self) -> dict[str, str]:
        return {key: count_label(n) for key, n in self.counts.items()}


def count_label(n: int) -> str:
    """A count as the console shows it: exact up to :data:`COUNT_CAP`, then "10000+"."""
    return f"{COUNT_CAP}+" if n > COUNT_CAP else str(n)


def tabs_for(actor: Actor) -> tuple[Tab, ...]:
    return TABS.get(actor.role, (ALL,))


def _filter(tab: Tab, f: Filters, limit: int, offset: int) -> TicketFilter:
    # A chosen status replaces the tab's own statuses; the other filters narrow it.
    statuses = (f.status,) if f.status else tuple(str(s) for s in tab.statuses)
    return TicketFilter(
        status=statuses,
        category=f.category,
        request_type=f.request_type,
        overdue=f.overdue if f.overdue is not None else tab.overdue,
        text=f.q,
        limit=limit,
        offset=offset,
    )


def _relation(t: Ticket, actor: Actor) -> str:
    if actor.role is not Role.UNIT_HANDLER:
        return ""
    unit = actor.unit_code
    if t.lead_unit_code == unit:
        return "主办"
    if t.escalated_to == unit:
        return "协调"
    if t.is_co_handler(unit):
        return "协办"
    if t.supervising_unit_code == unit:
        return "督办"
    return "报到" if any(c.unit_code == unit for c in t.whistle_calls) else ""


def row(ctx: Context, t: Ticket, actor: Actor, now: datetime, task=None, call=None) -> Row:
    out = ticket_out(t, actor, now)
    deadlines = []
    if call is not None:
        deadlines.append(
            countdown("报到时限", call.report_due, call.summoned_at, None, now, ctx.city)
        )
    elif task is not None:
        deadlines.append(
            countdown("协办时限", task.due, task.assigned_at, task.reported_at, now, ctx.city)
        )
    elif t.status in OPEN_AT_UNIT or t.replied_at is not None:
        if t.contacted_at is None and t.status in OPEN_AT_UNIT:
            deadlines.append(countdown("联系", t.contact_due, t.dispatched_at, None, now, ctx.city))
        deadlines.append(
            countdown("办结", t.completion_due, t.dispatched_at, t.replied_at, now, ctx.city)
        )
    return Row(out, _relation(t, actor), deadlines, task, call)


def _count_where(session, cond) -> int:
    return session.execute(repo.count_statement([cond])).scalar_one()


def _pending_extensions(session, limit: int, offset: int) -> tuple[list[Ticket], int]:
    # TicketFilter has no "extension pending" condition yet; hotline staff see every ticket.
    cond = _extension_pending()
    stmt = select(Ticket).where(cond).order_by(tables.tickets.c.extension_requested_due)
    return list(session.scalars(stmt.limit(limit).offset(offset))), _count_where(session, cond)


def _extension_pending():
    """Asked in the words of its index (``tables.queue_condition``)."""
    return tables.queue_condition(tables.EXTENSION_PENDING_SQL)


def _open_tasks(session, actor: Actor) -> list[tuple[Ticket, CoHandlerTask]]:
    """The unit's open co-handling tasks with their tickets, soonest due first: one query
    for the pairs (and one per relation of the tickets), however many tasks are open."""
    tc, co = tables.tickets.c, tables.co_handler_tasks.c
    stmt = (
        select(Ticket, CoHandlerTask)
        .join(tables.co_handler_tasks, co.ticket_id == tc.id)
        .where(co.unit_code == actor.unit_code, co.reported_at.is_(None))
        .order_by(co.due, co.id)
    )
    return [(t, task) for t, task in session.execute(stmt) if can_see(t, actor)]


def _calls_where(unit_code: str):
    """The unit's calls of open whistles it has not yet reported in to."""
    tc, wc = tables.tickets.c, tables.whistle_calls.c
    return (
        (wc.unit_code == unit_code)
        & wc.reported_at.is_(None)
        & tc.whistle_open.is_(True)
        & (wc.whistle_round == tc.whistle_round)
    )


def open_calls(session, unit_code: str) -> list[tuple[Ticket, WhistleCall]]:
    """The unit's open calls with their tickets, soonest due first (one query, as above)."""
    tc, wc = tables.tickets.c, tables.whistle_calls.c
    stmt = (
        select(Ticket, WhistleCall)
        .join(tables.whistle_calls, tc.id == wc.ticket_id)
        .where(_calls_where(unit_code))
        .order_by(wc.report_due, wc.id)
    )
    return [(t, call) for t, call in session.execute(stmt)]


def _where(special: str, actor: Actor):
    """The condition of a special queue of whole tickets (escalations, contests)."""
    tc = tables.tickets.c
    if special == "escalations":
        return (tc.status == str(Status.ESCALATED)) & (tc.escalated_to == actor.unit_code)
    return tables.queue_condition(tables.CONTEST_PENDING_SQL)


def _tickets_where(session, cond, limit: int, offset: int) -> tuple[list[Ticket], int]:
    stmt = select(Ticket).where(cond).order_by(tables.tickets.c.completion_due)
    return list(session.scalars(stmt.limit(limit).offset(offset))), _count_where(session, cond)


def _count(session, tab: Tab, actor: Actor, now: datetime) -> int:
    if tab.special == "extensions":
        return _count_where(session, _extension_pending())
    if tab.special == "co_tasks":
        co = tables.co_handler_tasks.c
        stmt = select(func.count()).where(co.unit_code == actor.unit_code, co.reported_at.is_(None))
        return session.execute(stmt).scalar_one()
    if tab.special == "calls":
        tc, wc = tables.tickets.c, tables.whistle_calls.c
        stmt = select(func.count()).select_from(
            tables.whistle_calls.join(tables.tickets, tc.id == wc.ticket_id)
        )
        return session.execute(stmt.where(_calls_where(actor.unit_code))).scalar_one()
    if tab.special in ("escalations", "contests"):
        return _count_where(session, _where(tab.special, actor))
    flt = _filter(tab, Filters(), 1, 0)
    unit = visible_unit(actor)
    return repo.count_tickets(session, flt, visible_to_unit=unit, now=now, up_to=COUNT_CAP)


def _listed(session, flt: TicketFilter, actor: Actor, now: datetime) -> tuple[list[Ticket], int]:
    """A page of a plain tab, its total counted up to just past :data:`COUNT_CAP`."""
    return repo.list_tickets(
        session, flt, visible_to_unit=visible_unit(actor), now=now, count_up_to=COUNT_CAP
    )


def load(ctx: Context, actor: Actor, tab_key: str | None, f: Filters, page: int) -> Queue:
    tabs = tabs_for(actor)
    tab = next((t for t in tabs if t.key == tab_key), tabs[0])
    if f.active and tab.special:
        tab = ALL  # the special queues cannot be filtered; search all the user may see
    page = max(page, 1)
    offset = (page - 1) * PAGE_SIZE
    now = ctx.now()
    with UnitOfWork(ctx.engine, write=False) as uow:
        s = uow.session
        if tab.special == "extensions" and visible_unit(actor) is None:
            items, total = _pending_extensions(s, PAGE_SIZE, offset)
            rows = [row(ctx, t, actor, now) for t in items]
        elif tab.special == "co_tasks" and actor.role is Role.UNIT_HANDLER:
            pairs = _open_tasks(s, actor)
            total = len(pairs)
            rows = [row(ctx, t, actor, now, task) for t, task in pairs[offset : offset + PAGE_SIZE]]
        elif tab.special == "calls" and actor.role is Role.UNIT_HANDLER:
            calls = open_calls(s, actor.unit_code)
            total = len(calls)
            rows = [row(ctx, t, actor, now, call=c) for t, c in calls[offset : offset + PAGE_SIZE]]
            reasons = whistle_reasons(s, [c for _, c in calls[offset : offset + PAGE_SIZE]])
            for r in rows:
                r.call_reason = reasons.get((r.ticket.number, r.call.whistle_round), "")
        elif tab.special in ("escalations", "contests"):
            cond = _where(tab.special, actor)
            items, total = _tickets_where(s, cond, PAGE_SIZE, offset)
            rows = [row(ctx, t, actor, now) for t in items if can_see(t, actor)]
        else:
            flt = _filter(tab, f, PAGE_SIZE, offset)
            items, total = _listed(s, flt, actor, now)
            rows = [row(ctx, t, actor, now) for t in items]
        # the tab shown, unfiltered, was just counted for its pager: not twice
        shown = tab.key if not (f.active or tab.special) else None
        counts = {
            t.key: total if t.key == shown else _count(s, t, actor, now)
            for t in tabs
            if t is not ALL
        }
    pages = max(1, -(-min(total, COUNT_CAP) // PAGE_SIZE))
    return Queue(tabs, tab, rows, total, page, pages, counts)


def whistle_reasons(session, calls: list[WhistleCall]) -> dict[tuple[str, int], str]:
    """What each whistle summoned its departments for: ``(number, round)`` → the reason."""
    ids = {c.ticket_id for c in calls}
    if not ids:
        return {}
    ev = tables.ticket_events.c
    rows = session.execute(
        select(tables.tickets.c.number, ev.data, ev.reason)
        .join(tables.tickets, tables.tickets.c.id == ev.ticket_id)
        .where(ev.ticket_id.in_(ids), ev.action == "raise_whistle")
    ).all()
    return {
        (number, int((data or {}).get("round") or 0)): reason or "" for number, data, reason in rows
    }
