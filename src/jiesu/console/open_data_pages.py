"""Open data in the console (数据开放, G6): the office's page and the public's.

``/console/governance/open-data`` (supervisors and admins; others 403 ``open_data.forbidden``)
lists every release — month, version, k, rows published, suppressed and confidential, who
and when, the note, and whether it is published, superseded or withdrawn — with a form to
publish a month and, for each month's public release, one to withdraw it with a reason.
``/open-data`` (no login) lists the months published with their download links, the data
dictionary, what is never published and the k rule. Every step is
:mod:`jiesu.governance.open_data_releases`, as the API; a refusal comes back as the page with
its Chinese message and code.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jiesu.api.deps import ContextDep
from jiesu.assessment.trends import last_full_month
from jiesu.domain.errors import Forbidden, InvalidInput
from jiesu.governance import open_data_releases as odr
from jiesu.governance.open_data import K
from jiesu.storage.types import whole_number

from .refusals import REFUSALS, Problem, refusal
from .web import PageSession, PostedForm, PostSession, redirect, render

router = APIRouter(include_in_schema=False)
BASE = "/console/governance/open-data"


def _page(request, ctx, session, *, values=None, problem=None, status_code=200) -> Response:
    try:
        odr.ensure_publisher(session.user.actor)
    except Forbidden as exc:
        return render(request, "error.html", session=session, problem=Problem.of(exc),
                      status_code=exc.status)  # fmt: skip
    values = values or {}
    return render(
        request, "governance/open_data.html", session=session, rows=odr.releases(ctx),
        labels=odr.STATUS_LABELS_ZH, default_month=last_full_month(ctx),
        month=values.get("month") or last_full_month(ctx),
        k=values.get("k") or K, note=values.get("note", ""), note_max=odr.NOTE_MAX,
        failed_release=values.get("release"), reason=values.get("reason", ""),
        city=ctx.city, problem=problem, status_code=status_code,
    )  # fmt: skip


@router.get(BASE, response_class=HTMLResponse)
def open_data_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    return _page(request, ctx, session)


def _k(raw: str) -> int:
    k = whole_number(raw)
    if k is None:
        raise InvalidInput("open_data.bad_k", "k 应在 2–100 之间", "k must lie between 2 and 100")
    return k


@router.post(BASE + "/publish")
def publish(request: Request, ctx: ContextDep, session: PostSession, form: PostedForm) -> Response:
    values = {k: str(form.get(k) or "").strip()[:600] for k in ("month", "k", "note")}
    try:
        done = odr.publish(ctx, session.user.actor, values["month"][:16], _k(values["k"] or str(K)),
                           values["note"])  # fmt: skip
    except REFUSALS as exc:
        return _page(request, ctx, session, values=values, **refusal(exc))
    return redirect(
        BASE, flash=f"已发布 {done.month} 开放数据（第 {done.version} 版，{done.rows} 行）"
    )


@router.post(BASE + "/releases/{release_id}/withdraw")
def withdraw(release_id: str, request: Request, ctx: ContextDep, session: PostSession,
             form: PostedForm) -> Response:  # fmt: skip
    reason = str(form.get("reason") or "")[:600]
    number = whole_number(release_id) or 0
    try:
        done = odr.withdraw(ctx, session.user.actor, number, reason)  # 0: open_data.not_found
    except REFUSALS as exc:
        values = {"release": number, "reason": reason}
        return _page(request, ctx, session, values=values, **refusal(exc))
    return redirect(BASE, flash=f"已撤回 {done.month} 开放数据第 {done.version} 版")


# --- the public page -----------------------------------------------------------------------


@router.get("/open-data", response_class=HTMLResponse)
def public_page(request: Request, ctx: ContextDep) -> Response:
    return render(request, "public/open_data.html", releases=odr.current(ctx),
                  dictionary=odr.DICTIONARY, never=odr.NEVER_PUBLISHED_ZH, city=ctx.city)  # fmt: skip
