"""The console's pages: login, the work queue, taking a call, and the ticket with its actions.

Every change goes through the same use cases as the API (``receive`` and
``workflow.perform`` with the action registry's builders); the console adds
only HTML, the login cookie and CSRF. Domain errors come back as the page
again with the Chinese message and its code.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from jiesu import accounts
from jiesu.access import ensure_visible
from jiesu.actions import load_stage_actions
from jiesu.actions import run as run_action
from jiesu.api.deps import SESSION_COOKIE, ContextDep
from jiesu.api.schemas import ticket_out, with_links
from jiesu.city.config import UNIT_KIND_LABELS_ZH
from jiesu.domain.commands import Action
from jiesu.domain.errors import JiesuError, NotFound, Unauthenticated
from jiesu.domain.ticket import (
    LIVELIHOOD_TAG_LABELS_ZH,
    REQUEST_TYPE_LABELS_ZH,
    STATUS_LABELS_ZH,
    Status,
)
from jiesu.governance.topic_of import topics_about
from jiesu.intake.receive import receive
from jiesu.storage import repository as repo
from jiesu.storage.uow import UnitOfWork

from . import (
    dispatch_views,
    forms,
    handling_views,
    knowledge,
    new_ticket,
    pickers,
    queues,
    uploads,
    views,
)
from .refusals import REFUSALS, Problem, Refused, refusal
from .web import (
    LOGIN_CSRF_COOKIE,
    RECEIVING_ROLES,
    STATIC_DIR,
    CsrfRefused,
    LoginRequired,
    PageSession,
    PostedForm,
    PostSession,
    redirect,
    render,
    safe_next,
    set_login_cookie,
)

router = APIRouter(include_in_schema=False)
ACTIONS = load_stage_actions()


def perform_posted(
    ctx, actor, number: str, action: Action, values: dict[str, str]
) -> Refused | None:
    """Run a ticket action posted from a board page (objections, consultations, whistles,
    warnings): None, or the refusal naming the ticket, as the board page's keywords."""
    try:
        data = forms.parse_action(ACTIONS[action], values, ctx.city.tz)
        run_action(ctx, actor, number, action, data)
    except REFUSALS as exc:
        return refusal(exc, about=f"工单 {number}")
    return None


# --- login --------------------------------------------------------------------------------


def _login_page(request: Request, next_path: str, *, problem=None, username="", status_code=200):
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        next=safe_next(next_path),
        login_csrf=token,
        problem=problem,
        username=username,
        status_code=status_code,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, path="/login", httponly=True, samesite="strict")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, ctx: ContextDep, next: str = "/") -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            accounts.session_for(ctx.engine, token, ctx.now())
            return RedirectResponse(safe_next(next), status_code=303)
        except Unauthenticated:
            pass
    return _login_page(request, next)


@router.post("/login")
def login(request: Request, ctx: ContextDep, form: PostedForm) -> Response:
    username = str(form.get("username") or "").strip()
    next_path = safe_next(str(form.get("next") or "/"))
    sent, kept = form.get("login_csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)
    if (
        not isinstance(sent, str)
        or not kept
        or not secrets.compare_digest(
            sent.encode(),
            kept.encode(),  # bytes: any text is just a wrong token
        )
    ):
        problem = Problem(["登录页面已过期，请重新输入"], "auth.csrf")
        return _login_page(request, next_path, problem=problem, username=username, status_code=403)
    try:
        session = accounts.login(ctx.engine, username, str(form.get("password") or ""), ctx.now())
    except Unauthenticated as exc:
        return _login_page(
            request, next_path, problem=Problem.of(exc), username=username, status_code=401
        )
    response = redirect(next_path)
    set_login_cookie(request, response, session)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(ctx: ContextDep, session: PostSession) -> Response:
    accounts.logout(ctx.engine, session.token)
    response = redirect("/login", flash="已退出登录")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- the queue ----------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def queue(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    return queue_page(request, ctx, session, request.query_params)


def queue_page(
    request: Request, ctx, session, params: Mapping[str, str], problem=None, status_code=200
) -> Response:
    """The unit's inbox or the hotline's queue; a refused inline form shows it again."""
    filters = queues.Filters.from_query(params, ctx.city.category_codes)
    try:
        page = int(params.get("page") or 1)
    except ValueError:
        page = 1
    q = queues.load(ctx, session.user.actor, params.get("tab"), filters, page)
    return render(
        request,
        "queue.html",
        session=session,
        queue=q,
        filters=filters,
        statuses=list(STATUS_LABELS_ZH.items()),
        request_types=list(REQUEST_TYPE_LABELS_ZH.items()),
        categories=new_ticket.choices(ctx.city, {})["categories"],
        city=ctx.city,
        problem=problem,
        status_code=status_code,
    )


# --- taking a call ------------------------------------------------------------------------


def _new_ticket_page(
    request, ctx, session, values: Mapping[str, Any], problem=None, status_code=200
):
    return render(
        request,
        "new_ticket.html",
        session=session,
        values=values,
        choices=new_ticket.choices(ctx.city, values),
        assist=new_ticket.assist_config(ctx.city),
        problem=problem,
        unit_kinds=UNIT_KIND_LABELS_ZH,
        status_code=status_code,
    )


def _may_not_receive(request: Request, session: accounts.LoginSession) -> Response | None:
    """Only the hotline desk takes calls: other roles never see the form (403)."""
    role = session.user.role
    if role in RECEIVING_ROLES:
        return None
    message = f"“{role.label_zh}”角色不能登记诉求"
    return _error_page(request, session, message, "ticket.role_forbidden", 403)


@router.get("/tickets/new", response_class=HTMLResponse)
def new_ticket_form(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    refused = _may_not_receive(request, session)
    return refused or _new_ticket_page(request, ctx, session, new_ticket.blank())


@router.post("/tickets/new")
def create_ticket(request: Request, ctx: ContextDep, session: PostSession, form: PostedForm):
    return _take_call(request, ctx, session, form, None)


@router.post("/tickets/new/{step}")
def create_ticket_and_act(
    step: str, request: Request, ctx: ContextDep, session: PostSession, form: PostedForm
) -> Response:
    """Record the call and, in the same click, answer, refer as emergency or merge it."""
    if step not in new_ticket.STEPS:
        return _error_page(request, session, f"没有“{step}”这项操作", "ticket.unknown_action", 404)
    return _take_call(request, ctx, session, form, step)


def _take_call(request, ctx, session, form, step: str | None) -> Response:
    refused = _may_not_receive(request, session)
    if refused:
        return refused
    actor = session.user.actor
    values = new_ticket.posted(form)
    try:
        follow = new_ticket.follow_up(step, values, ctx.city) if step else None
        data = new_ticket.parse(values)
        ticket, created = receive(ctx, actor, data, values.get("idempotency_key") or None)
    except REFUSALS as exc:
        return _new_ticket_page(request, ctx, session, values, **refusal(exc))
    number = ticket.number
    recorded = f"已登记工单 {number}" if created else f"工单 {number} 已登记（重复提交未再建单）"
    if follow is None or ticket.status != Status.RECEIVED:
        return redirect(f"/tickets/{number}", flash=recorded)  # a repeated click: done already
    try:
        run_action(ctx, actor, number, follow.action, follow.at_version(ticket.version))
    except JiesuError as exc:
        # The ticket is kept: its page shows what failed, with the action's form refilled.
        problem = Problem(
            [
                f"{recorded}，但{follow.label}未能完成：{exc.message_zh}",
                "工单已保存，可在本页重新处置。",
            ],
            exc.code,
        )
        return _ticket_page(
            request,
            ctx,
            session,
            number,
            problem=problem,
            failed=str(follow.action),
            values=follow.values,
            status_code=exc.status,
        )
    return redirect(f"/tickets/{number}", flash=f"{recorded}，{follow.done}")


# --- a ticket -----------------------------------------------------------------------------


def _ticket_page(
    request: Request,
    ctx,
    session: accounts.LoginSession,
    number: str,
    *,
    problem: Problem | None = None,
    failed: str | None = None,
    values: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    actor = session.user.actor
    now = ctx.now()
    try:
        with UnitOfWork(ctx.engine, write=False) as uow:
            ticket = repo.get_ticket(uow.session, number)
            ensure_visible(ticket, actor)
            t = with_links(uow.session, ticket, ticket_out(ticket, actor, now))
            events = repo.timeline(uow.session, ticket.id)
            dispatch = dispatch_views.ticket_panels(
                ctx, uow, ticket, actor, t.allowed_actions, events
            )
            handling = handling_views.ticket_panels(ctx, uow.session, ticket, events, now)
            topics = topics_about(uow.session, ctx.city, ticket)
    except NotFound as exc:
        return _error_page(request, session, exc.message_zh, exc.code, 404)
    errors = problem.messages if problem else ()
    action_forms, handling.forms = handling_views.action_forms(
        ctx.city, ticket, t.allowed_actions, t.version, failed=failed, values=values, errors=errors
    )
    return render(
        request,
        "ticket.html",
        session=session,
        t=t,
        city=ctx.city,
        deadlines=views.ticket_countdowns(t, now, ctx.city),
        co_handlers=[
            (c, views.countdown("协办时限", c.due, c.assigned_at, c.reported_at, now, ctx.city))
            for c in t.co_handlers
        ],
        timeline=views.timeline_rows(events, ctx.city),
        answer_source=next(
            ((e.data or {}).get("source") for e in events if e.action == Action.ANSWER_DIRECTLY),
            None,
        ),
        action_forms=action_forms,
        dispatch=dispatch,
        handling=handling,
        topics=topics,
        tag_labels=LIVELIHOOD_TAG_LABELS_ZH,
        unit_groups=pickers.unit_groups(ctx.city, t.location_unit_code),
        unit_kinds=UNIT_KIND_LABELS_ZH,
        problem=problem,
        status_code=status_code,
    )


@router.get("/tickets/{number}", response_class=HTMLResponse)
def ticket_page(number: str, request: Request, ctx: ContextDep, session: PageSession) -> Response:
    return _ticket_page(request, ctx, session, number)


@router.post("/tickets/{number}/actions/{action}")
def ticket_action(
    number: str,
    action: str,
    request: Request,
    ctx: ContextDep,
    session: PostSession,
    form: PostedForm,
) -> Response:
    spec = ACTIONS.get(Action(action)) if action in set(Action) else None
    if spec is None:
        return _error_page(
            request, session, f"没有“{action}”这项操作", "ticket.unknown_action", 404
        )
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    actor = session.user.actor
    stored: list = []
    try:
        stored = uploads.store(ctx, spec.input_model, form, values)  # a reply's files first
        data = forms.parse_action(spec, values, ctx.city.tz)
        run_action(ctx, actor, number, spec.action, data)
    except REFUSALS as exc:
        refused = uploads.forget_refused(ctx, stored, values, refusal(exc))
        return _ticket_page(request, ctx, session, number, failed=action, values=values, **refused)
    return redirect(f"/tickets/{number}", flash=f"操作成功：{spec.action.label_zh}")


# --- errors and installation --------------------------------------------------------------


def _error_page(request, session, message: str, code: str, status_code: int) -> Response:
    return render(
        request,
        "error.html",
        session=session,
        problem=Problem([message], code),
        status_code=status_code,
    )


def install(app: FastAPI) -> None:
    """Serve the console's pages and its own static assets (no CDN)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="console-static")
    from . import (  # import this module: installed once loaded
        appeal_pages,
        assessment_pages,
        dispatch_pages,
        governance_appeal_pages,
        governance_pages,
        handling_pages,
        open_data_pages,
        public_pages,
        report_pages,
        topic_pages,
        visit_pages,
    )

    app.include_router(router)
    app.include_router(dispatch_pages.router)
    app.include_router(handling_pages.router)
    app.include_router(assessment_pages.router)
    app.include_router(appeal_pages.router)
    app.include_router(governance_appeal_pages.router)
    app.include_router(visit_pages.router)
    app.include_router(public_pages.router)
    app.include_router(governance_pages.router)
    app.include_router(topic_pages.router)
    app.include_router(report_pages.router)
    app.include_router(open_data_pages.router)
    knowledge.install(app)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        return RedirectResponse(f"/login?next={quote(safe_next(exc.next_path))}", status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf_refused(request: Request, exc: CsrfRefused):
        message = "请求缺少有效的安全令牌（CSRF），已拒绝。请刷新页面后重试。"
        return render(
            request, "error.html", problem=Problem([message], "auth.csrf"), status_code=403
        )
