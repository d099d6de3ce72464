"""Drill-down (A2, A3, A6): the tickets behind one unit's counts in a period, and what each
contributed.

The definitions are those of :mod:`jiesu.assessment.counts`: a ticket counts for the unit
that leads it, in the period its (last) dispatch falls in; it responded when the requester
was contacted no later than the contact deadline; its current round's final return visits
(:func:`counts.latest_final`, one per requester) are answered (solved, satisfied, basically
satisfied) or unreachable; an upheld appeal of its lead unit takes it out (A6). A unit of a
group answers for the units under it as in :mod:`jiesu.assessment.rankings` (a district for
its departments, streets and communities). The totals here are computed from the same
tickets as the rows, so they equal the unit's counts in the ranking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, select

from jiesu.context import Context
from jiesu.domain.assessment import UnitCounts
from jiesu.domain.errors import NotFound
from jiesu.storage.facts import latest_final, responded, total, visit_totals
from jiesu.storage.tables import appeals as ap
from jiesu.storage.tables import return_visits as rv
from jiesu.storage.tables import tickets as t

from .rankings import GROUPS, Period, checked, owner

#: Which tickets to list: all, or those that cost the unit something (or were taken out).
FILTERS = {
    "": "全部",
    "late": "未按时响应",
    "unsolved": "回访未解决",
    "unsatisfied": "回访不满意",
    "unreachable": "无法联系",
    "unvisited": "尚无回访结果",
    "excluded": "申诉成立已剔除",
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class VisitResult:
    requester_number: str  # the ticket's own number, or the merged request's
    status: str  # answered | unreachable
    solved: bool | None
    satisfaction: str | None
    channel: str | None
    answered_at: datetime | None


@dataclass
class TicketContribution:
    number: str
    title: str
    category: str
    lead_unit_code: str
    dispatched_at: datetime
    responded: bool
    contacted_at: datetime | None
    contact_due: datetime | None
    excluded: bool  # an upheld appeal of the lead unit
    appeal: str | None  # the latest appeal's state: pending | upheld | rejected
    visits: list[VisitResult] = field(default_factory=list)


@dataclass
class Drilldown:
    unit_code: str
    group: str
    period: Period
    totals: UnitCounts  # equal to the unit's counts in the ranking
    excluded: int  # tickets taken out by upheld appeals
    matching: int  # tickets that pass the filter
    rows: list[TicketContribution]


def member_codes(ctx: Context, group: str, code: str) -> list[str]:
    """The units whose orders count for ``code`` in ``group`` (itself and those under it)."""
    checked(ctx.city, (group,), "standard")
    unit = ctx.city.unit(code)
    if unit is None or unit.kind is not GROUPS[group]:
        raise NotFound("assessment.unknown_unit", "该分组中没有这个单位", f"No unit {code!r}")
    kind = GROUPS[group]
    return [u.code for u in ctx.city.units if owner(ctx.city, u.code, kind) == code]


def _exempted():
    return exists().where(
        ap.c.ticket_id == t.c.id, ap.c.unit_code == t.c.lead_unit_code, ap.c.decision == "upheld"
    )


def _final_visit(*conds):
    """A final visit of the ticket's current round, as the counts read it."""
    return exists().where(rv.c.ticket_id == t.c.id, rv.c.round == t.c.round, latest_final(), *conds)


def _filter(only: str):
    match only:
        case "late":
            return and_(~_exempted(), ~responded())
        case "unsolved":
            return and_(
                ~_exempted(), _final_visit(rv.c.status == "answered", rv.c.solved.is_(False))
            )
        case "unsatisfied":
            return and_(~_exempted(), _final_visit(rv.c.satisfaction == "unsatisfied"))
        case "unreachable":
            return and_(~_exempted(), _final_visit(rv.c.status == "unreachable"))
        case "unvisited":
            return and_(~_exempted(), ~_final_visit())
        case "excluded":
            return _exempted()
    return None


def drilldown(
    ctx: Context,
    period: Period,
    group: str,
    code: str,
    only: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Drilldown:
    members = member_codes(ctx, group, code)
    scope = and_(
        t.c.lead_unit_code.in_(members),
        t.c.dispatched_at >= period.start,
        t.c.dispatched_at < period.end,
    )
    counted = and_(scope, ~_exempted())
    orders = select(func.count(), total(responded())).where(counted)
    excluded = select(func.count()).where(scope, _exempted())
    visits = (
        select(*visit_totals())
        .select_from(t)
        .join(rv, and_(rv.c.ticket_id == t.c.id, rv.c.round == t.c.round, latest_final()))
        .where(counted)
    )
    chosen = _filter(only)
    listed = scope if chosen is None else and_(scope, chosen)
    with ctx.engine.connect() as conn:
        n, on_time = conn.execute(orders).one()
        answered, solved, satisfied, basically, unreachable = conn.execute(visits).one()
        totals = UnitCounts(
            int(n), int(on_time), int(answered), int(solved), int(satisfied), int(basically),
            int(unreachable),
        )  # fmt: skip
        taken_out = conn.execute(excluded).scalar_one()
        matching = conn.execute(select(func.count()).where(listed)).scalar_one()
        rows = _rows(conn, listed, max(1, page), page_size)
    return Drilldown(code, group, period, totals, int(taken_out), int(matching), rows)


def _rows(conn, listed, page: int, page_size: int) -> list[TicketContribution]:
    found = conn.execute(
        select(
            t.c.id,
            t.c.number,
            t.c.title,
            t.c.category,
            t.c.lead_unit_code,
            t.c.dispatched_at,
            t.c.contacted_at,
            t.c.contact_due,
            t.c.round,
            case((responded(), True), else_=False).label("responded"),
            case((_exempted(), True), else_=False).label("excluded"),
        )  # fmt: skip
        .where(listed)
        .order_by(t.c.dispatched_at, t.c.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    ids = [r.id for r in found]
    if not ids:
        return []
    requester = t.alias("requester")
    visit_rows = conn.execute(
        select(rv, requester.c.number.label("requester_number"))
        .join(t, and_(rv.c.ticket_id == t.c.id, rv.c.round == t.c.round))
        .outerjoin(requester, requester.c.id == rv.c.requester_ticket_id)
        .where(t.c.id.in_(ids), latest_final())
        .order_by(rv.c.requester_ticket_id.is_not(None), rv.c.requester_ticket_id)
    ).all()
    appeal_rows = conn.execute(
        select(ap.c.ticket_id, ap.c.unit_code, ap.c.decision)
        .where(ap.c.ticket_id.in_(ids))
        .order_by(ap.c.id)
    ).all()
    by_ticket: dict[int, dict[str, Any]] = {
        r.id: {"visits": [], "appeal": None, "lead": r.lead_unit_code} for r in found
    }
    for a in appeal_rows:
        if a.unit_code == by_ticket[a.ticket_id]["lead"]:
            by_ticket[a.ticket_id]["appeal"] = a.decision or "pending"
    numbers = {r.id: r.number for r in found}
    for v in visit_rows:
        by_ticket[v.ticket_id]["visits"].append(
            VisitResult(
                requester_number=v.requester_number or numbers[v.ticket_id],
                status=v.status,
                solved=v.solved if v.status == "answered" else None,
                satisfaction=v.satisfaction,
                channel=v.channel,
                answered_at=v.answered_at,
            )
        )
    return [
        TicketContribution(
            number=r.number,
            title=r.title or "",
            category=r.category or "",
            lead_unit_code=r.lead_unit_code,
            dispatched_at=r.dispatched_at,
            responded=bool(r.responded),
            contacted_at=r.contacted_at,
            contact_due=r.contact_due,
            excluded=bool(r.excluded),
            appeal=by_ticket[r.id]["appeal"],
            visits=by_ticket[r.id]["visits"],
        )
        for r in found
    ]


def contribution(row: TicketContribution) -> UnitCounts:
    """What one listed ticket adds to its unit's counts (nothing when excluded)."""
    if row.excluded:
        return UnitCounts()
    answered = [v for v in row.visits if v.status == "answered"]
    return UnitCounts(
        orders=1,
        responded=int(row.responded),
        answered=len(answered),
        solved=sum(1 for v in answered if v.solved),
        satisfied=sum(1 for v in row.visits if v.satisfaction == "satisfied"),
        basically=sum(1 for v in row.visits if v.satisfaction == "basically_satisfied"),
        unreachable=sum(1 for v in row.visits if v.status == "unreachable"),
    )
