"""The console's dispatch pages (D1–D8): objection review, consultations, the dispatch
catalogue and the dispatch figures, under ``/console/dispatch/``.

Ticket actions go through the action registry (``jiesu.actions.run``) exactly as on the
ticket page; the catalogue through ``jiesu.dispatch.catalogue``. Refusals come back as
the page again with the Chinese message and its code. Every form works without JS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jiesu import accounts
from jiesu.api.deps import ContextDep
from jiesu.api.dispatch import EDITORS, consultations, objection_queue
from jiesu.city.catalogue import RESPONSIBILITY_LABELS_ZH
from jiesu.city.config import UNIT_KIND_LABELS_ZH, UnitKind
from jiesu.dispatch import catalogue, reports
from jiesu.domain import lifecycle
from jiesu.domain.commands import Action
from jiesu.domain.roles import HOTLINE_ROLES
from jiesu.domain.ticket import OBJECTION_GROUNDS_LABELS_ZH, POSITION_LABELS_ZH
from jiesu.domain.ticket import REQUEST_TYPE_LABELS_ZH as TYPES
from jiesu.storage import repository as repo
from jiesu.storage.types import whole_number
from jiesu.storage.uow import UnitOfWork

from . import catalogue_views as cv
from . import dispatch_views as dv
from . import pickers, views
from .refusals import REFUSALS, Problem, refusal
from .routes import perform_posted
from .web import PageSession, PostedForm, PostSession, redirect, render

router = APIRouter(include_in_schema=False)
BASE = "/console/dispatch"
PAGE_SIZE = 20
REVIEW_ACTIONS = {Action.UPHOLD_OBJECTION, Action.REJECT_OBJECTION}
REPORT_ROWS = 200  # units and entries with objections shown; the rest had none


def _refused(request, session, message: str, code: str, status_code: int = 403) -> Response:
    problem = Problem([message], code)
    return render(request, "error.html", session=session, problem=problem, status_code=status_code)


def _hotline_only(request, session: accounts.LoginSession) -> Response | None:
    if session.user.role in HOTLINE_ROLES:
        return None
    return _refused(request, session, "只有热线工作人员可以查看", "dispatch.forbidden")


def _flat(form) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


# --- objection review -----------------------------------------------------------------------


@dataclass
class ReviewItem:
    brief: dict[str, Any]
    objection: dict[str, str]
    suggestions: dv.SuggestionPanel
    may_uphold: bool
    may_reject: bool
    unit_groups: list


def _objections_page(request, ctx, session, *, problem=None, status_code=200) -> Response:
    refused = _hotline_only(request, session)
    if refused:
        return refused
    actor = session.user.actor
    queue = objection_queue(ctx, actor)
    raw = request.query_params.get("page") or "1"
    pages = max(1, -(-len(queue) // PAGE_SIZE))
    page = min(max(1, whole_number(raw) or 1), pages)
    items = []
    with UnitOfWork(ctx.engine, write=False) as uow:
        for brief in queue[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
            ticket = repo.get_ticket(uow.session, brief["number"])
            allowed = [str(a) for a in lifecycle.allowed_actions(ticket, actor)]
            o = brief["objection"]
            items.append(
                ReviewItem(
                    brief=brief,
                    objection={
                        "unit": views.unit_name(ctx.city, o["unit_code"]),
                        "grounds": views.label(OBJECTION_GROUNDS_LABELS_ZH, o["grounds"]),
                        "reason": o["reason"],
                        "evidence": o["evidence"] or "",
                        "raised_at": views.fmt_time(o["raised_at"], ctx.city),
                        "earlier": o["earlier"],
                    },
                    suggestions=dv.suggestion_panel(ctx, uow, ticket, allowed, k=3),
                    may_uphold=str(Action.UPHOLD_OBJECTION) in allowed,
                    may_reject=str(Action.REJECT_OBJECTION) in allowed,
                    unit_groups=pickers.unit_groups(ctx.city, ticket.location_unit_code),
                )
            )
    return render(
        request,
        "dispatch/objections.html",
        session=session,
        items=items,
        total=len(queue),
        page=page,
        pages=pages,
        city=ctx.city,
        unit_kinds=UNIT_KIND_LABELS_ZH,
        problem=problem,
        status_code=status_code,
    )


@router.get(BASE + "/objections", response_class=HTMLResponse)
def objections_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    return _objections_page(request, ctx, session)


@router.post(BASE + "/objections/{number}/{action}")
def review_objection(
    number: str,
    action: str,
    request: Request,
    ctx: ContextDep,
    session: PostSession,
    form: PostedForm,
) -> Response:
    if action not in {str(a) for a in REVIEW_ACTIONS}:
        return _refused(request, session, f"没有“{action}”这项操作", "ticket.unknown_action", 404)
    values = _flat(form)
    refused = perform_posted(ctx, session.user.actor, number, Action(action), values)
    if refused:
        return _objections_page(request, ctx, session, **refused)
    done = Action(action).label_zh
    if action == Action.UPHOLD_OBJECTION:
        done += f"，已重派至{views.unit_name(ctx.city, values.get('lead_unit_code'))}"
    return redirect(BASE + "/objections", flash=f"工单 {number}：{done}")


# --- consultations --------------------------------------------------------------------------


def _consultations_page(request, ctx, session, *, problem=None, status_code=200) -> Response:
    actor = session.user.actor
    now = ctx.now()
    rows = []
    for item in consultations(ctx, actor):
        mine = next((i for i in item["invites"] if i["unit_code"] == actor.unit_code), None)
        rows.append(
            {
                **item,
                "due_cd": views.countdown("会商期限", item["due"], None, None, now, ctx.city),
                "answered": sum(1 for i in item["invites"] if i["responded_at"]),
                "mine": mine,
                "may_answer": mine is not None and not mine["responded_at"],
            }
        )
    return render(
        request,
        "dispatch/consultations.html",
        session=session,
        rows=rows,
        positions=list(POSITION_LABELS_ZH.items()),
        city=ctx.city,
        problem=problem,
        status_code=status_code,
    )


@router.get(BASE + "/consultations", response_class=HTMLResponse)
def consultations_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    return _consultations_page(request, ctx, session)


@router.post(BASE + "/consultations/{number}/give_position")
def give_position(
    number: str, request: Request, ctx: ContextDep, session: PostSession, form: PostedForm
) -> Response:
    refused = perform_posted(ctx, session.user.actor, number, Action.GIVE_POSITION, _flat(form))
    if refused:
        return _consultations_page(request, ctx, session, **refused)
    return redirect(BASE + "/consultations", flash=f"工单 {number}：已回复会商意见")


# --- the catalogue --------------------------------------------------------------------------


def _find(entries, key: str | None):
    return next((e for e in entries if cv.entry_key(e) == key), None) if key else None


def _catalogue_page(
    request, ctx, session, *, values=None, problem=None, status_code=200
) -> Response:
    role = session.user.role
    current = catalogue.current(ctx)
    editing = _find(current.entries, request.query_params.get("edit"))
    if values is None:
        values = cv.entry_values(editing)
    history = []
    if role in HOTLINE_ROLES:
        history = [
            {
                "version": v.version,
                "author": v.author,
                "at": views.fmt_time(v.created_at, ctx.city),
                "reason": v.reason,
                "changes": [cv.describe_change(ctx.city, c) for c in v.changes],
            }
            for v in catalogue.history(ctx, limit=50)
        ]
    utilities = [(u.code, u.name) for u in ctx.city.units if u.kind is UnitKind.UTILITY]
    city_departments = [
        (u.code, u.name) for u in ctx.city.units if u.kind is UnitKind.CITY_DEPARTMENT
    ]
    return render(
        request,
        "dispatch/catalogue.html",
        session=session,
        version=current,
        rows=sorted(
            (cv.entry_row(ctx.city, e) for e in current.entries),
            key=lambda r: (r["category"], r["types"]),
        ),
        history=history,
        may_edit=role in EDITORS,
        values=values,
        editing=values.get("original"),
        categories=[(c.code, views.category_label(c.code)) for c in ctx.city.categories],
        request_types=list(TYPES.items()),
        lead_kinds=[(str(k), UNIT_KIND_LABELS_ZH[k]) for k in cv.LEAD_KINDS],
        departments=cv.department_choices(ctx.city),
        unit_groups=[("公共服务企业", utilities), ("市级部门", city_departments)],
        responsibilities=list(RESPONSIBILITY_LABELS_ZH.items()),
        unit_kinds=UNIT_KIND_LABELS_ZH,
        city=ctx.city,
        problem=problem,
        status_code=status_code,
    )


@router.get(BASE + "/catalogue", response_class=HTMLResponse)
def catalogue_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    return _catalogue_page(request, ctx, session)


def _may_not_edit(request, session) -> Response | None:
    if session.user.role in EDITORS:
        return None
    message = "只有派单员和管理员可以修改派单目录"
    return _refused(request, session, message, "catalogue.forbidden")


def _version(values: dict[str, Any]) -> int | None:
    raw = str(values.get("expected_version") or "")
    return whole_number(raw)


def _posted_entry(form) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in cv.ENTRY_FORM_FIELDS}
    values["request_types"] = [t for t in form.getlist("request_types") if t in TYPES]
    return values


@router.post(BASE + "/catalogue/save")
def save_entry(request: Request, ctx: ContextDep, session: PostSession, form: PostedForm):
    refused = _may_not_edit(request, session)
    if refused:
        return refused
    values = _posted_entry(form)
    try:
        entry, original = cv.parse_entry_form(values)
        current = catalogue.current(ctx)
        old = _find(current.entries, original)
        if old is not None and old.key != entry.key:  # the category or types were changed
            kept = [e for e in current.entries if e.key not in (old.key, entry.key)]
            catalogue.replace_entries(
                ctx, session.user.actor, [*kept, entry], values["reason"],
                expected_version=_version(values),
            )  # fmt: skip
        else:
            catalogue.upsert_entry(
                ctx, session.user.actor, entry, values["reason"], expected_version=_version(values)
            )
    except REFUSALS as exc:
        return _catalogue_page(request, ctx, session, values=values, **refusal(exc))
    version = catalogue.current(ctx).version
    flash = f"派单目录已更新为第{version}版：{views.category_label(entry.category)}"
    return redirect(BASE + "/catalogue", flash=flash)


@router.post(BASE + "/catalogue/remove")
def remove_entry(request: Request, ctx: ContextDep, session: PostSession, form: PostedForm):
    refused = _may_not_edit(request, session)
    if refused:
        return refused
    values = _flat(form)
    category = values.get("category", "")
    types = [t for t in values.get("types", "").split(",") if t]
    try:
        catalogue.remove_entry(
            ctx, session.user.actor, category, types, values.get("reason", ""),
            expected_version=_version(values),
        )  # fmt: skip
    except REFUSALS as exc:
        about = f"删除“{views.category_label(category)}”未成功"
        return _catalogue_page(request, ctx, session, **refusal(exc, about=about))
    version = catalogue.current(ctx).version
    flash = f"已删除“{views.category_label(category)}”，派单目录为第{version}版"
    return redirect(BASE + "/catalogue", flash=flash)


# --- figures --------------------------------------------------------------------------------


@router.get(BASE + "/reports", response_class=HTMLResponse)
def reports_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    refused = _hotline_only(request, session)
    if refused:
        return refused
    params = request.query_params
    period = dv.report_period(ctx, params.get("start"), params.get("end"))
    rates = reports.objection_rates(ctx, period.start, period.end)
    acceptance = reports.suggestion_acceptance(ctx, period.start, period.end)
    units = [r for r in rates["by_unit"] if r["objections"]]
    entries = [r for r in rates["by_entry"] if r["objections"]]
    problem = Problem([period.error], "report.bad_period") if period.error else None
    return render(
        request,
        "dispatch/reports.html",
        session=session,
        period=period,
        units=units[:REPORT_ROWS],
        units_quiet=len(rates["by_unit"]) - len(units),
        entries=entries[:REPORT_ROWS],
        entries_quiet=len(rates["by_entry"]) - len(entries),
        orders=sum(r["orders"] for r in rates["by_unit"]),
        objections=sum(r["objections"] for r in rates["by_unit"]),
        acceptance=acceptance,
        pct=dv.pct,
        city=ctx.city,
        problem=problem,
        status_code=422 if problem else 200,
    )
