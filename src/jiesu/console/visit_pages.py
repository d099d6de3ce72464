"""The phone return-visit queue (回访, A1, BJ Art. 23), under ``/console/visits``: the visits
due — the list behind ``GET /api/visits/due`` — and for each an operator's script in Chinese
with the form that records the answer, or that the requester could not be reached.

The answer is the ``record_visit`` action through the action registry, as on the API
(``POST /api/tickets/{number}/record_visit``): the retry policy, unreachable after the last
attempt and re-handling on an unsatisfied answer all happen there. Hotline staff only, as
the API's ``visit.forbidden``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jiesu.actions import run as run_action
from jiesu.api.deps import ContextDep
from jiesu.api.schemas import ticket_out
from jiesu.domain import lifecycle
from jiesu.domain.commands import Action
from jiesu.domain.errors import Conflict, NotFound
from jiesu.domain.roles import HOTLINE_ROLES
from jiesu.domain.ticket import REPLY_OUTCOME_LABELS_ZH, SATISFACTION_LABELS_ZH
from jiesu.followup import visits
from jiesu.storage import repository as repo
from jiesu.storage.uow import UnitOfWork

from . import forms, views
from .refusals import REFUSALS, Problem, refusal
from .routes import ACTIONS
from .web import PageSession, PostedForm, PostSession, redirect, render

router = APIRouter(include_in_schema=False)
BASE = "/console/visits"
ANSWER_FIELDS = ("reached", "contacted", "solved", "satisfaction", "comment")


def _refused(request, session, message: str, code: str, status_code: int) -> Response:
    problem = Problem([message], code)
    return render(request, "error.html", session=session, problem=problem, status_code=status_code)


def _hotline_only(request, session) -> Response | None:
    if session.user.role in HOTLINE_ROLES:
        return None
    return _refused(request, session, "回访由热线工作人员进行", "visit.forbidden", 403)


@router.get(BASE, response_class=HTMLResponse)
def queue(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    denied = _hotline_only(request, session)
    if denied:
        return denied
    city = ctx.city
    rows = [
        d | {
            "due": views.fmt_time(d["due_at"], city),
            "lead": views.unit_name(city, d["lead_unit_code"]),
            "merged": d["requester_number"] != d["number"],
            "outcome": views.label(REPLY_OUTCOME_LABELS_ZH, d["reply_outcome"]),
        }
        for d in visits.due_visits(ctx)
    ]  # fmt: skip
    policy = city.visit_policy
    return render(request, "assessment/visits.html", session=session, rows=rows, policy=policy)


def script(ctx, v: dict[str, Any], operator: str) -> dict[str, Any]:
    """What the operator says, in order (A1): greeting, the questions, the closing."""
    hotline = f"{ctx.city.city.name}12345市民服务热线"
    who = f"{v['requester_name']}您好" if v["requester_name"] else "您好"
    when = views.fmt_time(v["received_at"], ctx.city)[:10]
    return {
        "greeting": f"{who}，我是{hotline}的回访员{operator}。您在{when}反映的“{v['category']}”"
        f"问题（工单编号 {v['requester_number']}），承办单位{v['unit']}已经办结并作了答复，"
        "现在给您做个回访，耽误您一两分钟可以吗？",
        "reply": f"承办单位的答复是：{v['reply_text'] or '（无文字答复）'}",
        "questions": [
            ("contacted", f"请问{v['unit']}有没有和您联系过？"),
            ("solved", "您反映的问题现在解决了吗？"),
            ("satisfaction", "您对这次办理的结果满意吗？是满意、基本满意，还是不满意？"),
            ("comment", "您对办理工作还有什么意见或建议吗？"),
        ],
        "closing": f"感谢您对{hotline}的支持。如果问题还有反复，欢迎随时拨打12345，再见！",
        "closing_unsatisfied": "您的意见我们已经如实记录，将按规定督促承办单位重新办理，"
        "办理后会再次回访您。",
    }


def _visit(ctx, actor, visit_id: int) -> dict[str, Any]:
    row = visits.visit_row(ctx, visit_id)
    if row is None:
        raise NotFound("visit.not_found", "回访不存在", "No such return visit")
    now = ctx.now()
    with UnitOfWork(ctx.engine, write=False) as uow:
        ticket = repo.get_ticket(uow.session, row.ticket_number)
        own = row.requester_ticket_id is None
        number = row.ticket_number
        if not own:
            number = repo.ticket_number_by_id(uow.session, row.requester_ticket_id)
        requester = ticket_out(ticket if own else repo.get_ticket(uow.session, number), actor, now)
        allowed = Action.RECORD_VISIT in lifecycle.allowed_actions(ticket, actor)
        version = ticket.version
    return {
        "id": row.id,
        "number": row.ticket_number,
        "requester_number": number,
        "merged": not own,
        "round": row.round,
        "status": row.status,
        "attempts": row.attempts,
        "due": views.fmt_time(row.due_at, ctx.city),
        "next": views.fmt_time(row.next_attempt_at, ctx.city) if row.next_attempt_at else "",
        "requester_name": requester.requester_name,
        "requester_phone": requester.requester_phone,
        "received_at": requester.received_at,
        "title": requester.title or "（无标题）",
        "category": views.category_label(requester.category),
        "unit": views.unit_name(ctx.city, row.lead_unit_code),
        "reply_outcome": views.label(REPLY_OUTCOME_LABELS_ZH, row.reply_outcome),
        "reply_text": row.reply_text or "",
        "may_record": allowed and row.status == "pending",
        "version": version,
    }


def _visit_page(request, ctx, session, visit_id: int, *, values=None, problem=None,
                status_code=200) -> Response:  # fmt: skip
    denied = _hotline_only(request, session)
    if denied:
        return denied
    try:
        v = _visit(ctx, session.user.actor, visit_id)
    except NotFound as exc:
        return _refused(request, session, exc.message_zh, exc.code, 404)
    return render(
        request,
        "assessment/visit.html",
        session=session,
        v=v,
        s=script(ctx, v, session.user.display_name),
        satisfactions=list(SATISFACTION_LABELS_ZH.items()),
        policy=ctx.city.visit_policy,
        values=values or {},
        problem=problem,
        status_code=status_code,
    )


@router.get(BASE + "/{visit_id}", response_class=HTMLResponse)
def visit_page(visit_id: int, request: Request, ctx: ContextDep, session: PageSession):
    return _visit_page(request, ctx, session, visit_id)


@router.post(BASE + "/{visit_id}")
def record(visit_id: int, request: Request, ctx: ContextDep, session: PostSession,
           form: PostedForm) -> Response:  # fmt: skip
    denied = _hotline_only(request, session)
    if denied:
        return denied
    values = {k: str(form.get(k) or "").strip() for k in (*ANSWER_FIELDS, "expected_version")}
    reached = values["reached"] != "false"
    try:
        v = _visit(ctx, session.user.actor, visit_id)
        if v["status"] != "pending":
            raise Conflict("visit.not_pending", "该回访已完成", "The visit is no longer pending")
        if reached and not all(values[k] for k in ("contacted", "solved", "satisfaction")):
            raise forms.FormError(
                ["联系上诉求人时，三个问题（是否联系、是否解决、满意度）都须填写"]
            )
        data = {**values, "channel": "phone"}
        if not reached:
            data.update(contacted="", solved="", satisfaction="")
        if v["merged"]:
            data["requester_number"] = v["requester_number"]
        spec = ACTIONS[Action.RECORD_VISIT]
        run_action(ctx, session.user.actor, v["number"], Action.RECORD_VISIT,
                   forms.parse_action(spec, data, ctx.city.tz))  # fmt: skip
    except NotFound as exc:  # no such visit, or its ticket: not a form to fill again
        return _refused(request, session, exc.message_zh, exc.code, 404)
    except REFUSALS as exc:
        return _visit_page(request, ctx, session, visit_id, values=values, **refusal(exc))
    return redirect(BASE, flash=_outcome(ctx, visit_id, v["requester_number"]))


def _outcome(ctx, visit_id: int, number: str) -> str:
    row = visits.visit_row(ctx, visit_id)
    if row.status == "answered":
        return (
            f"工单 {number}：回访已记录（{views.label(SATISFACTION_LABELS_ZH, row.satisfaction)}）"
        )
    if row.status == "unreachable":
        return f"工单 {number}：已{row.attempts}次未联系上，记为无法联系"
    again = views.fmt_time(row.next_attempt_at, ctx.city)
    return f"工单 {number}：第{row.attempts}次未联系上，{again}后再次回访"
