"""Monthly work reports in the console (月度工作报告, G4), under ``/console/governance/reports``.

The list shows the reports the user reads (:func:`jiesu.governance.reports.list_reports`, as
``GET /api/governance/reports``): hotline staff every one, a district government its own
district's; other units are refused (403 ``report.forbidden``). Supervisors and admins issue
a month's report at once or regenerate it with a reason. A report's page shows it as
issued, in Chinese, the recommendations first, and prints on paper without the console's
bars. Every form works without JS; a refusal comes back as the page with its code.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jiesu.api.deps import ContextDep
from jiesu.assessment.trends import last_full_month
from jiesu.domain.errors import Forbidden, JiesuError
from jiesu.domain.roles import Role
from jiesu.governance import report_markdown as rm
from jiesu.governance import reports as gr
from jiesu.storage.types import whole_number

from .refusals import Problem, refusal
from .web import PageSession, PostedForm, PostSession, redirect, render

router = APIRouter(include_in_schema=False)
BASE = "/console/governance/reports"
ISSUERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
FORMAT = {"pct": rm.pct, "num": rm.num, "change": rm.change}


def _list_page(request, ctx, session, *, problem=None, status_code=200):
    actor = session.user.actor
    raw = (request.query_params.get("month") or "")[:16] or None
    try:
        rows = gr.list_reports(ctx, actor, raw)
    except JiesuError as exc:
        if isinstance(exc, Forbidden):
            return render(request, "error.html", session=session, problem=Problem.of(exc),
                          status_code=exc.status)  # fmt: skip
        shown = refusal(exc)
        problem, status_code = problem or shown["problem"], shown["status_code"]
        raw, rows = None, gr.list_reports(ctx, actor)
    return render(
        request, "governance/reports.html", session=session, rows=rows, month=raw,
        may_issue=actor.role in ISSUERS, default_month=last_full_month(ctx),
        scopes=[(gr.CITY, ctx.city.city.name + "（全市）")]
        + [(u.code, u.name) for u in gr.scopes(ctx) if u is not None],
        city=ctx.city, problem=problem, status_code=status_code,
    )  # fmt: skip


@router.get(BASE, response_class=HTMLResponse)
def reports_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    return _list_page(request, ctx, session)


@router.post(BASE + "/issue")
def issue(request: Request, ctx: ContextDep, session: PostSession, form: PostedForm) -> Response:
    try:
        if session.user.role not in ISSUERS:
            raise Forbidden("report.issue_forbidden", "只有热线督办或管理员可以生成月度工作报告",
                            "Only hotline supervisors and admins may issue a work report")  # fmt: skip
        done = gr.issue(
            ctx, str(form.get("month") or "")[:16] or None, str(form.get("scope") or "")[:64],
            by=session.user.username, regenerate=form.get("regenerate") == "1",
            reason=str(form.get("reason") or "")[: gr.REASON_MAX + 1],
        )  # fmt: skip
    except JiesuError as exc:
        return _list_page(request, ctx, session, **refusal(exc))
    flash = (f"已生成 {done.month} 月度工作报告（第 {done.version} 版）" if done.new
             else f"{done.month} 的报告已生成过，显示的是第 {done.version} 版")  # fmt: skip
    return redirect(f"{BASE}/{done.id}", flash=flash)


@router.get(BASE + "/{report_id}", response_class=HTMLResponse)
def report_page(
    report_id: str, request: Request, ctx: ContextDep, session: PageSession
) -> Response:
    """One report as issued; one the user may not read does not exist (404
    ``report.not_found``, as the API says)."""
    try:
        r = gr.get_report(ctx, session.user.actor, whole_number(report_id) or 0)
    except JiesuError as exc:
        return render(request, "error.html", session=session, problem=Problem.of(exc),
                      status_code=exc.status)  # fmt: skip
    return render(request, "governance/report.html", session=session, r=r, c=r.content,
                  versions=gr.versions(ctx, r), may_issue=session.user.role in ISSUERS, city=ctx.city,
                  **FORMAT)  # fmt: skip
