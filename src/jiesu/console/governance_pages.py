"""Proactive governance in the console (G5, G1), under ``/console/governance/``: the weekly
warning of hotspots, and a month's comprehensive analysis.

One page per week (by default the last ended one): its warnings as the user may see them
(:func:`jiesu.governance.warnings.week_warnings`, the query behind
``GET /api/governance/warnings``), each with the place, the matter, this week against the
usual week, and the street's answer. The street warned answers in place; hotline
supervisors and admins may examine a week at once (the worker does it by itself once a week
has ended). Each warning's count opens the tickets behind it (``/warnings/{id}``,
:func:`jiesu.governance.warning_tickets.behind`, as ``GET /api/governance/warnings/{id}/tickets``),
each number a link to the ticket where the user may open it. Refusals come back as the page again with the Chinese message and its code;
every form works without JS. The analysis (``/analysis?month=2026-11``) shows what
:func:`jiesu.governance.analysis.analyse` finds, as ``GET /api/governance/analysis``.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jiesu.api.deps import ContextDep
from jiesu.assessment.rankings import month
from jiesu.domain.errors import Forbidden, JiesuError, NotFound
from jiesu.domain.hotspots import WARNING_KIND_LABELS_ZH, last_full_week, parse_week, week_label
from jiesu.domain.roles import HOTLINE_ROLES, Role
from jiesu.governance import analysis as ga
from jiesu.governance import seasonal as gs
from jiesu.governance import warning_tickets as gt
from jiesu.governance import warnings as gw
from jiesu.storage.types import whole_number

from .assessment_views import chosen_month
from .refusals import Problem, refusal
from .web import PageSession, PostedForm, PostSession, redirect, render

router = APIRouter(include_in_schema=False)
BASE = "/console/governance/warnings"
ISSUERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


def _page(request, ctx, session, week: str | None, *, problem=None, status_code=200):
    actor = session.user.actor
    try:
        monday = gw.week_monday(week, ctx)
    except JiesuError as exc:
        shown = refusal(exc)
        problem, status_code = problem or shown["problem"], shown["status_code"]
        monday = gw.week_monday(None, ctx)
    label = week_label(monday)
    latest = last_full_week(ctx.now().astimezone(ctx.city.tz).date())
    rows = gw.week_warnings(ctx, actor, label)
    return render(
        request,
        "governance/warnings.html",
        session=session,
        week=label,
        monday=monday,
        sunday=monday + timedelta(days=6),
        previous=week_label(monday - timedelta(days=7)),
        following=week_label(monday + timedelta(days=7)) if monday < latest else None,
        record=gw.week_record(ctx, label),
        weeks=gw.examined(ctx),
        rows=rows,
        kinds=WARNING_KIND_LABELS_ZH,
        answered=sum(1 for r in rows if r.response),
        hotline=actor.role in HOTLINE_ROLES,
        may_issue=actor.role in ISSUERS,
        unit_code=actor.unit_code,
        rule=ctx.city.warning_policy,
        city=ctx.city,
        problem=problem,
        status_code=status_code,
    )


@router.get(BASE, response_class=HTMLResponse)
def warnings_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    return _page(request, ctx, session, request.query_params.get("week"))


def _week_of(form) -> str | None:
    """The week a form was posted from, when it names one."""
    week = str(form.get("week") or "")[:16]
    try:
        parse_week(week)
    except ValueError:
        return None
    return week


@router.post(BASE + "/issue")
def issue(request: Request, ctx: ContextDep, session: PostSession, form: PostedForm) -> Response:
    week = _week_of(form)
    try:
        if session.user.role not in ISSUERS:
            raise Forbidden(
                "warning.issue_forbidden",
                "只有热线督办或管理员可以发布周预警",
                "Only hotline supervisors and admins may issue the weekly warning",
            )
        done = gw.issue(ctx, week, by=session.user.username)
    except JiesuError as exc:
        return _page(request, ctx, session, week, **refusal(exc))
    return redirect(
        f"{BASE}?week={done.week}",
        flash=f"{done.week} 已研判：预警 {done.total} 条（新增 {done.new} 条）",
    )


@router.get(BASE + "/{warning_id}", response_class=HTMLResponse)
def warning_page(
    warning_id: str, request: Request, ctx: ContextDep, session: PageSession
) -> Response:
    """One warning and the tickets behind it; a warning the user may not see does not exist
    (404 ``warning.not_found``, as the API says)."""
    try:
        got = gt.behind(ctx, session.user.actor, whole_number(warning_id) or 0)
    except NotFound as exc:
        problem = Problem([f"预警 {warning_id[:20]} 不存在"], exc.code)
        return render(request, "error.html", session=session, problem=problem, status_code=404)
    monday = parse_week(got.warning.week)
    return render(
        request,
        "governance/warning.html",
        session=session,
        got=got,
        r=got.warning,
        monday=monday,
        sunday=monday + timedelta(days=6),
        kinds=WARNING_KIND_LABELS_ZH,
        city=ctx.city,
    )


@router.post(BASE + "/{warning_id}/respond")
def respond(
    warning_id: int, request: Request, ctx: ContextDep, session: PostSession, form: PostedForm
) -> Response:
    week = _week_of(form)
    try:
        gw.respond(ctx, session.user.actor, warning_id, str(form.get("response") or ""))
    except JiesuError as exc:
        return _page(request, ctx, session, week, **refusal(exc))
    back = f"{BASE}?week={week}" if week else BASE
    return redirect(back, flash="已反馈整改措施")


@router.get("/console/governance/analysis", response_class=HTMLResponse)
def analysis_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    label, error = chosen_month(ctx, request.query_params.get("month"))
    a = ga.analyse(ctx, session.user.actor, month(label, ctx.city.tz))
    problem = Problem([error], "governance.bad_month") if error else None
    return render(request, "governance/analysis.html", session=session, a=a, city=ctx.city,
                  may_publish=session.user.role in ISSUERS, problem=problem,
                  status_code=422 if error else 200)  # fmt: skip


@router.get("/console/governance/seasonal", response_class=HTMLResponse)
def seasonal_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    raw = request.query_params.get("month")
    label, error = chosen_month(ctx, raw) if raw else (None, None)
    found = gs.seasonal(ctx, session.user.actor, None if error else label)
    problem = None
    if error:
        problem = Problem(
            [f"月份“{raw[:16]}”有误，须为 YYYY-MM；已显示下月"], "governance.bad_month"
        )
    return render(request, "governance/seasonal.html", session=session, s=found, city=ctx.city,
                  problem=problem, status_code=422 if error else 200)  # fmt: skip
