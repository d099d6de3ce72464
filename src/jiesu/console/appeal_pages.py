"""Appeal pages (考评申诉, A6), under ``/console/assessment/appeals``: a unit files an appeal
on a ticket it led (from the ticket page) with grounds, reason, evidence and files; the
assessment office lists the appeals, reads each with the ticket's whole appeal history, and
supervisors or administrators decide.

Every step is :mod:`jiesu.assessment.appeals` — the functions behind
``/api/assessment/appeals`` — so the window, one pending appeal at a time, no second appeal
on the same grounds and who may decide are checked there; a refusal comes back as the page
again with the Chinese message and its code.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from jiesu.access import ensure_visible
from jiesu.api.assessment import AppealIn
from jiesu.api.deps import ContextDep
from jiesu.assessment import appeals
from jiesu.assessment.appeals import GROUNDS_LABELS_ZH, REVIEWERS, Grounds
from jiesu.domain.errors import NotFound
from jiesu.domain.roles import HOTLINE_ROLES, Role
from jiesu.storage import repository as repo
from jiesu.storage.tables import tickets as t
from jiesu.storage.uow import UnitOfWork

from . import assessment_views as av
from . import forms, handling_views, uploads, views
from .governance_appeal_pages import appeal_rows
from .refusals import REFUSALS, Problem, refusal
from .web import PageSession, PostedForm, PostSession, redirect, render

router = APIRouter(include_in_schema=False)
BASE = "/console/assessment/appeals"


def _error(request, session, problem: Problem, status_code: int) -> Response:
    return render(request, "error.html", session=session, problem=problem, status_code=status_code)


def _ticket_summary(ctx, session_, number: str, actor) -> dict[str, Any]:
    ticket = repo.get_ticket(session_, number)
    ensure_visible(ticket, actor)
    return {
        "id": ticket.id,
        "number": ticket.number,
        "title": ticket.title or "（无标题）",
        "category": views.category_label(ticket.category),
        "lead_unit_code": ticket.lead_unit_code,
        "lead": views.unit_name(ctx.city, ticket.lead_unit_code),
        "status": views.label(views.STATUS_LABELS_ZH, ticket.status),
        "reply_text": ticket.reply_text or "",
        "visited_at": views.fmt_time(ticket.visited_at, ctx.city),
        "closed_at": ticket.closed_at,
        "evaluated": ticket.visited_at or ticket.closed_at,
        "visits": handling_views.visit_rows(session_, ticket, ctx.city),
    }


# --- the list -------------------------------------------------------------------------------


@router.get(BASE, response_class=HTMLResponse)
def appeal_list(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    actor = session.user.actor
    office = actor.role in HOTLINE_ROLES
    everything = request.query_params.get("all") == "1" or not office
    found = appeals.listing(ctx, actor, pending_only=not everything)
    rows = [av.appeal_row(a, ctx.city) for a in reversed(found)]
    return render(
        request,
        "assessment/appeals.html",
        session=session,
        rows=rows,
        charge_appeals=appeal_rows(ctx, actor, everything),
        office=office,
        everything=everything,
        may_decide=actor.role in REVIEWERS,
    )


# --- filing ---------------------------------------------------------------------------------


def _file_page(request, ctx, session, number: str, values=None, problem=None, status_code=200):
    actor = session.user.actor
    try:
        with UnitOfWork(ctx.engine, write=False) as uow:
            ticket = _ticket_summary(ctx, uow.session, number, actor)
    except NotFound as exc:
        return _error(request, session, Problem.of(exc), 404)
    if ticket["lead_unit_code"] != actor.unit_code or actor.role is not Role.UNIT_HANDLER:
        problem_ = Problem(["只有主办该工单的承办单位可以就其考评申诉"], "appeal.forbidden")
        return _error(request, session, problem_, 403)
    earlier = [
        av.appeal_row(a | {"number": number}, ctx.city)
        for a in appeals.history(ctx, ticket["id"])
        if a["unit_code"] == actor.unit_code
    ]
    window = ctx.city.appeal_policy.window_days
    return render(
        request,
        "assessment/appeal_new.html",
        session=session,
        ticket=ticket,
        earlier=earlier,
        window=window,
        grounds=list(GROUNDS_LABELS_ZH.items()),
        values=values or {},
        problem=problem,
        status_code=status_code,
    )


@router.get(BASE + "/new", response_class=HTMLResponse)
def new_appeal(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    number = (request.query_params.get("ticket") or "").strip()[:32]
    return _file_page(request, ctx, session, number)


@router.post(BASE + "/new")
def file_appeal(request: Request, ctx: ContextDep, session: PostSession, form: PostedForm):
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    number = values.get("ticket_number", "")[:32]
    stored: list = []
    try:
        if values.get("grounds") not in {str(g) for g in Grounds}:
            raise forms.FormError(["申诉理由类别：请从选项中选择"])
        stored = uploads.store(ctx, AppealIn, form, values)  # stored as a reply's are
        filed = appeals.file(
            ctx,
            session.user.actor,
            number,
            values["grounds"],
            values.get("reason", ""),
            values.get("evidence", ""),
            values.get("attachments", "").split(),
        )
    except REFUSALS as exc:
        refused = uploads.forget_refused(ctx, stored, values, refusal(exc))
        if refused["problem"].code == "ticket.not_found":
            return _error(request, session, refused["problem"], refused["status_code"])
        return _file_page(request, ctx, session, number, values, **refused)
    return redirect(
        f"{BASE}/{filed['id']}", flash=f"已就工单 {number} 提出考评申诉，等待考评办审核"
    )


# --- reading and deciding -------------------------------------------------------------------


def _appeal_page(request, ctx, session, appeal_id: int, *, values=None, problem=None,
                 status_code=200) -> Response:  # fmt: skip
    actor = session.user.actor
    try:
        found = appeals.get(ctx, appeal_id)
        if actor.role not in HOTLINE_ROLES and found["unit_code"] != actor.unit_code:
            raise NotFound("appeal.not_found", "申诉不存在", "No such appeal")
        with UnitOfWork(ctx.engine, write=False) as uow:
            number = uow.session.execute(
                select(t.c.number).where(t.c.id == found["ticket_id"])
            ).scalar_one()
            ticket = _ticket_summary(ctx, uow.session, number, actor)
    except NotFound as exc:
        return _error(request, session, Problem.of(exc), 404)
    history = [
        av.appeal_row(a | {"number": number}, ctx.city)
        for a in appeals.history(ctx, found["ticket_id"])
    ]
    return render(
        request,
        "assessment/appeal.html",
        session=session,
        a=av.appeal_row(found, ctx.city),
        ticket=ticket,
        history=history,
        may_decide=actor.role in REVIEWERS and found["decision"] is None,
        office=actor.role in HOTLINE_ROLES,
        values=values or {},
        problem=problem,
        status_code=status_code,
    )


@router.get(BASE + "/{appeal_id}", response_class=HTMLResponse)
def appeal_page(appeal_id: int, request: Request, ctx: ContextDep, session: PageSession):
    return _appeal_page(request, ctx, session, appeal_id)


@router.post(BASE + "/{appeal_id}/decide")
def decide(appeal_id: int, request: Request, ctx: ContextDep, session: PostSession,
           form: PostedForm) -> Response:  # fmt: skip
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    upheld = values.get("upheld") == "true"
    try:
        if values.get("upheld") not in ("true", "false"):
            raise forms.FormError(["审核结论：请选择申诉成立或驳回"])
        done = appeals.decide(ctx, session.user.actor, appeal_id, upheld, values.get("reason", ""))
    except REFUSALS as exc:
        return _appeal_page(request, ctx, session, appeal_id, values=values, **refusal(exc))
    outcome = "申诉成立，该工单不再计入该单位的考评" if upheld else "申诉驳回"
    return redirect(BASE, flash=f"工单 {done['number']}：{outcome}")
