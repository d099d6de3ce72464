"""The console's 知识库 pages: search as you type, the unit's articles, the editor, the review
queue and an article's version history (I4, BJ Art. 31).

Every change goes through ``jiesu.knowledge.articles`` (the same workflow as
the API); answering a ticket from an article goes through the action
registry like any ticket action. Search works without JavaScript (the form
reloads the page); ``kb.js`` shows results while the operator types.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from jiesu.actions import run as run_action
from jiesu.api.deps import ContextDep
from jiesu.city.config import UNIT_KIND_LABELS_ZH
from jiesu.domain.commands import Action
from jiesu.domain.errors import JiesuError
from jiesu.domain.roles import HOTLINE_ROLES, Role
from jiesu.intake.actions import AnswerInput
from jiesu.knowledge import articles, records, search
from jiesu.knowledge.inputs import (
    ApproveInput,
    ArticleEdit,
    NewArticle,
    RejectInput,
    SubmitInput,
    WithdrawInput,
)
from jiesu.knowledge.model import (
    VALIDITY_LABELS_ZH,
    VERSION_STATUS_LABELS_ZH,
    Article,
    may_author,
    may_review,
)
from jiesu.knowledge.reminders import DEFAULT_WITHIN_DAYS
from jiesu.knowledge.schemas import unit_name
from jiesu.storage.types import whole_number
from jiesu.storage.uow import UnitOfWork

from . import forms, pickers
from .refusals import REFUSALS, Problem, refusal
from .web import PageSession, PostedForm, PostSession, redirect, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
LABELS = {
    "question": "标准问题",
    "variants": "相似问法",
    "answer": "答复口径",
    "policy_basis": "政策依据",
    "categories": "事项分类",
    "valid_from": "生效时间",
    "valid_to": "失效时间",
    "next_review": "下次复核日期",
    "unit_code": "所属单位",
    "note": "审核意见",
    "reason": "撤回理由",
    "version": "版本",
}
STEPS = {
    "submit": (SubmitInput, articles.submit, "已提交审核"),
    "approve": (ApproveInput, articles.approve, "已审核通过并发布"),
    "reject": (RejectInput, articles.reject, "已退回"),
    "withdraw": (WithdrawInput, articles.withdraw, "已撤回"),
}


def _labels() -> dict[str, Any]:
    return {
        "status_labels": VERSION_STATUS_LABELS_ZH,
        "validity_labels": VALIDITY_LABELS_ZH,
        "field_labels": LABELS,
    }


# --- the knowledge-base page: search, lists, review queue ---------------------------------


def _tabs(role: Role) -> list[tuple[str, str]]:
    tabs = [("search", "检索"), ("list", "全部条目" if role in HOTLINE_ROLES else "本单位条目")]
    if role in (Role.DISPATCHER, Role.ADMIN):
        tabs.append(("review", "待审核"))
    tabs.append(("due", "待复核"))
    return tabs


@router.get("/kb", response_class=HTMLResponse)
def kb_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    actor = session.user.actor
    params = request.query_params
    tabs = _tabs(actor.role)
    tab = params.get("tab") or "search"
    tab = tab if tab in dict(tabs) else "search"
    q = (params.get("q") or "").strip()[:200]
    ticket = (params.get("ticket") or "").strip()[:32]
    hits = search.search(ctx, q, 10) if tab == "search" and q else []
    rows: list[Article] = []
    total = 0
    raw_page = params.get("page") or "1"
    page = max(1, whole_number(raw_page) or 1)
    if tab != "search":
        own = None if actor.role in HOTLINE_ROLES else actor.unit_code
        flt = records.ArticleFilter(
            unit_code=own,
            state=params.get("state") or None,
            text=params.get("text") or None,
            review_due_before=ctx.now() + timedelta(days=DEFAULT_WITHIN_DAYS)
            if tab == "due"
            else None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        with UnitOfWork(ctx.engine, write=False) as uow:
            if tab == "review":
                rows = records.review_queue(uow.session)
                total = len(rows)
            else:
                rows, total = records.list_articles(uow.session, flt)
    return render(
        request,
        "kb_index.html",
        session=session,
        tabs=tabs,
        tab=tab,
        q=q,
        ticket=ticket,
        hits=hits,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE),
        state=params.get("state") or "",
        text=params.get("text") or "",
        may_write=actor.role in (Role.UNIT_HANDLER, Role.ADMIN),
        city=ctx.city,
        unit_name=unit_name,
        now=ctx.now(),
        **_labels(),
    )


# --- an article ---------------------------------------------------------------------------


def _article_page(
    request, ctx, session, article_id: int, *, problem=None, failed=None, status_code=200
) -> Response:
    actor = session.user.actor
    try:
        article = articles.get(ctx, actor, article_id)
    except JiesuError as exc:
        return render(
            request,
            "error.html",
            session=session,
            problem=Problem.of(exc),
            status_code=exc.status,
        )
    ticket = (request.query_params.get("ticket") or "").strip()[:32]
    return render(
        request,
        "kb_article.html",
        session=session,
        a=article,
        shown=article.published or article.latest,
        pending=article.pending,
        may_edit=may_author(actor, article.unit_code),
        may_review=may_review(actor),
        may_withdraw=article.published is not None and articles.actor_may_withdraw(actor, article),
        may_answer=actor.role in (Role.OPERATOR, Role.DISPATCHER, Role.ADMIN),
        ticket=ticket,
        problem=problem,
        failed=failed,
        city=ctx.city,
        unit_name=unit_name,
        now=ctx.now(),
        status_code=status_code,
        **_labels(),
    )


@router.get("/kb/articles/{article_id}", response_class=HTMLResponse)
def article_page(article_id: int, request: Request, ctx: ContextDep, session: PageSession):
    return _article_page(request, ctx, session, article_id)


@router.post("/kb/articles/{article_id}/answer")
def answer_from_article(
    article_id: int, request: Request, ctx: ContextDep, session: PostSession, form: PostedForm
) -> Response:
    """Answer a received ticket with this article's published version (cited KB-<id> v<n>)."""
    number = str(form.get("ticket") or "").strip()
    edited = str(form.get("answer") or "").strip() or None
    try:
        data = AnswerInput(article_id=article_id, answer=edited)
        run_action(ctx, session.user.actor, number, Action.ANSWER_DIRECTLY, data)
    except REFUSALS as exc:
        refused = refusal(exc, labels=LABELS)
        return _article_page(request, ctx, session, article_id, failed="answer", **refused)
    return redirect(f"/tickets/{quote(number)}", flash=f"已按知识库 KB-{article_id} 直接答复")


# --- the editor ---------------------------------------------------------------------------


def _editor(request, ctx, session, values, *, article=None, problem=None, status_code=200):
    actor = session.user.actor
    return render(
        request,
        "kb_editor.html",
        session=session,
        values=values,
        article=article,
        categories=[(c.code, ("\u3000" * c.code.count("/")) + c.name) for c in ctx.city.categories],
        choose_unit=actor.role is Role.ADMIN and article is None,
        unit_groups=pickers.unit_groups(ctx.city, None),
        unit_kinds=UNIT_KIND_LABELS_ZH,
        city=ctx.city,
        problem=problem,
        status_code=status_code,
        **_labels(),
    )


def _local(value, tz) -> str:
    return value.astimezone(tz).strftime(forms.DATETIME_INPUT) if value else ""


def _values_of(article: Article, tz) -> dict[str, Any]:
    v = article.latest
    return {
        "question": v.question,
        "variants": "\n".join(v.variants),
        "answer": v.answer,
        "policy_basis": v.policy_basis,
        "categories": list(v.categories),
        "valid_from": _local(v.valid_from, tz),
        "valid_to": _local(v.valid_to, tz),
        "next_review": _local(v.next_review, tz),
        "base_version": str(v.version),
    }


def _posted(form) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: v for k, v in form.items() if isinstance(v, str) and k not in ("categories",)
    }
    values["categories"] = [c for c in form.getlist("categories") if isinstance(c, str) and c]
    return values


def _parse(values: Mapping[str, Any], model, tz):
    data: dict[str, Any] = {
        "question": values.get("question", ""),
        "answer": values.get("answer", ""),
        "policy_basis": values.get("policy_basis", ""),
        "variants": [
            line.strip() for line in str(values.get("variants", "")).splitlines() if line.strip()
        ],
        "categories": values.get("categories") or [],
        "submit": values.get("submit") == "true",
    }
    for name in ("valid_from", "valid_to", "next_review"):
        raw = str(values.get(name) or "").strip()
        if raw:
            data[name] = forms.local_datetime(raw, tz)
    for name in ("unit_code", "base_version"):
        if str(values.get(name) or "").strip() and name in model.model_fields:
            data[name] = str(values[name]).strip()
    return model.model_validate(data)


@router.get("/kb/new", response_class=HTMLResponse)
def new_article_form(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    return _editor(request, ctx, session, {"categories": []})


@router.post("/kb/new")
def new_article(request: Request, ctx: ContextDep, session: PostSession, form: PostedForm):
    values = _posted(form)
    try:
        article = articles.create(ctx, session.user.actor, _parse(values, NewArticle, ctx.city.tz))
    except REFUSALS as exc:
        return _editor(request, ctx, session, values, **refusal(exc, labels=LABELS))
    done = "已保存并提交审核" if values.get("submit") == "true" else "已保存草稿"
    return redirect(f"/kb/articles/{article.id}", flash=f"KB-{article.id} {done}")


@router.get("/kb/articles/{article_id}/edit", response_class=HTMLResponse)
def edit_article_form(article_id: int, request: Request, ctx: ContextDep, session: PageSession):
    try:
        article = articles.get(ctx, session.user.actor, article_id)
    except JiesuError as exc:
        return _article_page(request, ctx, session, article_id, status_code=exc.status)
    return _editor(request, ctx, session, _values_of(article, ctx.city.tz), article=article)


@router.post("/kb/articles/{article_id}/edit")
def edit_article(
    article_id: int, request: Request, ctx: ContextDep, session: PostSession, form: PostedForm
) -> Response:
    values = _posted(form)
    actor = session.user.actor
    try:
        article = articles.get(ctx, actor, article_id)
    except JiesuError as exc:
        return _article_page(request, ctx, session, article_id, status_code=exc.status)
    try:
        articles.edit(ctx, actor, article_id, _parse(values, ArticleEdit, ctx.city.tz))
    except REFUSALS as exc:
        refused = refusal(exc, labels=LABELS)
        return _editor(request, ctx, session, values, article=article, **refused)
    done = "已保存并提交审核" if values.get("submit") == "true" else "已保存为新草稿"
    return redirect(f"/kb/articles/{article_id}", flash=f"KB-{article_id} {done}")


@router.post("/kb/articles/{article_id}/{step}")
def article_step(
    article_id: int,
    step: str,
    request: Request,
    ctx: ContextDep,
    session: PostSession,
    form: PostedForm,
) -> Response:
    if step not in STEPS:
        return render(
            request,
            "error.html",
            session=session,
            problem=Problem([f"没有“{step}”这项操作"], "kb.unknown_step"),
            status_code=404,
        )
    model, perform, done = STEPS[step]
    values = {k: v for k, v in form.items() if isinstance(v, str) and v.strip() and k in LABELS}
    try:
        perform(ctx, session.user.actor, article_id, model.model_validate(values))
    except REFUSALS as exc:
        refused = refusal(exc, labels=LABELS)
        return _article_page(request, ctx, session, article_id, failed=step, **refused)
    return redirect(f"/kb/articles/{article_id}", flash=f"KB-{article_id} {done}")


def install(app: FastAPI) -> None:
    """Serve the knowledge-base pages (the console's static files already serve kb.js)."""
    app.include_router(router)
