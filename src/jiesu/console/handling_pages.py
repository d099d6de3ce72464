"""The console's handling pages (H1, H4, D6), under ``/console/handling/``: the whistle board
(streets' open whistles and the departments' report-in) and the deadline warnings with
urging for supervisors.

Ticket actions go through the action registry (``jiesu.actions.run``) exactly as on the
ticket page; the warnings come from :func:`jiesu.handling.warnings.list_warnings`, the
query behind ``GET /api/handling/warnings``. Refusals come back as the page again with the
Chinese message and its code. Every form works without JS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import and_, exists, or_, select

from jiesu.access import can_see
from jiesu.api.deps import ContextDep
from jiesu.domain.commands import Action
from jiesu.domain.roles import HOTLINE_ROLES, Actor, Role
from jiesu.domain.ticket import OPEN_AT_UNIT, Ticket
from jiesu.handling.warnings import list_warnings
from jiesu.handling.watch import LEVEL_LABELS_ZH
from jiesu.storage import repository as repo
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

from . import views
from .handling_views import whistle_rounds
from .refusals import Problem, Refused
from .routes import perform_posted, queue_page
from .web import PageSession, PostedForm, PostSession, redirect, render, safe_next

router = APIRouter(include_in_schema=False)
BASE = "/console/handling"
BOARD_SIZE = 200  # open whistles shown; a city has far fewer at a time
WARNING_ROWS = 200
URGING_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
WHISTLE_ACTIONS = {Action.REPORT_IN, Action.CLOSE_WHISTLE}


def _flat(form) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "next"}


def _query_of(path: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(path).query))


# --- the whistle board ----------------------------------------------------------------------


def _open_whistles(session, actor: Actor) -> list[Ticket]:
    tc, wc = tables.tickets.c, tables.whistle_calls.c
    cond = tc.whistle_open.is_(True)
    if actor.role not in HOTLINE_ROLES:
        summoned = exists().where(
            and_(
                wc.ticket_id == tc.id,
                wc.unit_code == actor.unit_code,
                wc.whistle_round == tc.whistle_round,
            )
        )
        cond = and_(cond, or_(tc.lead_unit_code == actor.unit_code, summoned))
    stmt = select(Ticket).where(cond).order_by(tc.received_at.desc()).limit(BOARD_SIZE)
    return [t for t in session.scalars(stmt) if can_see(t, actor)]


def whistle_board(ctx, actor: Actor) -> list[dict[str, Any]]:
    now = ctx.now()
    items = []
    with UnitOfWork(ctx.engine, write=False) as uow:
        for ticket in _open_whistles(uow.session, actor):
            events = repo.timeline(uow.session, ticket.id)
            current = whistle_rounds(ticket, events, now, ctx.city)[0]
            mine = next((c for c in current.calls if c.unit_code == actor.unit_code), None)
            items.append(
                {
                    "number": ticket.number,
                    "title": ticket.title,
                    "category": ticket.category,
                    "lead": views.unit_name(ctx.city, ticket.lead_unit_code),
                    "round": current,
                    "mine": mine,
                    "may_report": mine is not None and mine.status == "waiting",
                    "may_close": actor.role is Role.UNIT_HANDLER
                    and ticket.lead_unit_code == actor.unit_code,
                    "late": sum(1 for c in current.calls if c.due.state == "late"),
                }
            )
    items.sort(key=lambda i: (not i["may_report"], -i["late"]))
    return items


def _whistles_page(request, ctx, session, *, problem=None, status_code=200) -> Response:
    actor = session.user.actor
    items = whistle_board(ctx, actor)
    if actor.role in HOTLINE_ROLES:
        heading = "进行中的吹哨"
    elif any(i["may_close"] for i in items) or not items:
        heading = "本单位的吹哨与报到"
    else:
        heading = "召集本单位报到的吹哨"
    return render(
        request,
        "handling/whistles.html",
        session=session,
        items=items,
        heading=heading,
        waiting=sum(c.status == "waiting" for i in items for c in i["round"].calls),
        late=sum(i["late"] for i in items),
        city=ctx.city,
        problem=problem,
        status_code=status_code,
    )


@router.get(BASE + "/whistles", response_class=HTMLResponse)
def whistles_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    return _whistles_page(request, ctx, session)


@router.post(BASE + "/whistles/{number}/{action}")
def whistle_action(
    number: str,
    action: str,
    request: Request,
    ctx: ContextDep,
    session: PostSession,
    form: PostedForm,
) -> Response:
    if action not in {str(a) for a in WHISTLE_ACTIONS}:
        problem = Problem([f"没有“{action}”这项操作"], "ticket.unknown_action")
        return render(request, "error.html", session=session, problem=problem, status_code=404)
    back = safe_next(str(form.get("next") or BASE + "/whistles"))
    refused = perform_posted(ctx, session.user.actor, number, Action(action), _flat(form))
    if refused:
        if back.startswith("/?"):  # from the inbox: show it again with the refusal
            return _inbox_refusal(request, ctx, session, back, refused)
        return _whistles_page(request, ctx, session, **refused)
    done = "已报到" if action == Action.REPORT_IN else "已结束吹哨"
    return redirect(back, flash=f"工单 {number}：{done}")


def _inbox_refusal(request, ctx, session, back: str, refused: Refused) -> Response:
    return queue_page(request, ctx, session, _query_of(back), **refused)


# --- warnings and urging --------------------------------------------------------------------


def _urge_counts(ctx, numbers: set[str]) -> dict[str, tuple[int, str]]:
    if not numbers:
        return {}
    tc = tables.tickets.c
    with UnitOfWork(ctx.engine, write=False) as uow:
        rows = uow.session.execute(
            select(tc.number, tc.urge_count, tc.status).where(tc.number.in_(numbers))
        ).all()
    return {n: (count, status) for n, count, status in rows}


def _warnings_page(
    request, ctx, session, params: Mapping[str, str], *, problem=None, status_code=200
) -> Response:
    actor = session.user.actor
    hotline = actor.role in HOTLINE_ROLES
    level = params.get("level") if params.get("level") in LEVEL_LABELS_ZH else None
    unit = (params.get("unit") or "").strip()[:64] or None
    unit = unit if hotline and unit and ctx.city.unit(unit) else None
    standing = params.get("standing") != "0"
    found = list_warnings(ctx, actor, level=level, unit=unit, standing=standing, limit=WARNING_ROWS)
    everyone = (
        found
        if unit is None
        else list_warnings(ctx, actor, level=level, standing=standing, limit=1000)
    )
    units: dict[str, int] = {}
    for w in everyone:
        units[w.unit_code] = units.get(w.unit_code, 0) + 1
    may_urge = actor.role in URGING_ROLES
    urged = _urge_counts(ctx, {w.number for w in found})
    now = ctx.now()
    rows, offered = [], set()
    open_states = {str(s) for s in OPEN_AT_UNIT}
    for w in found:
        count, status = urged.get(w.number, (0, w.status))
        urge_here = may_urge and status in open_states and w.number not in offered
        if urge_here:
            offered.add(w.number)
        rows.append(
            {
                "w": w,
                "left": views.countdown(w.subject_zh, w.due, None, None, now, ctx.city),
                "urge_count": count,
                "may_urge": urge_here,
            }
        )
    here = BASE + "/warnings" + (views.query_string(params) if params else "")
    return render(
        request,
        "handling/warnings.html",
        session=session,
        rows=rows,
        level=level or "",
        unit=unit or "",
        standing=standing,
        units=sorted(units.items(), key=lambda kv: -kv[1]),
        levels=list(LEVEL_LABELS_ZH.items()),
        may_urge=may_urge,
        hotline=hotline,
        here=here,
        red=sum(1 for r in rows if r["w"].level == "red"),
        yellow=sum(1 for r in rows if r["w"].level == "yellow"),
        limit=WARNING_ROWS,
        city=ctx.city,
        problem=problem,
        status_code=status_code,
    )


@router.get(BASE + "/warnings", response_class=HTMLResponse)
def warnings_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    return _warnings_page(request, ctx, session, dict(request.query_params))


@router.post(BASE + "/warnings/{number}/urge")
def urge(
    number: str, request: Request, ctx: ContextDep, session: PostSession, form: PostedForm
) -> Response:
    back = safe_next(str(form.get("next") or BASE + "/warnings"))
    refused = perform_posted(ctx, session.user.actor, number, Action.URGE, _flat(form))
    if refused:
        return _warnings_page(request, ctx, session, _query_of(back), **refused)
    return redirect(back, flash=f"工单 {number}：已督办")
