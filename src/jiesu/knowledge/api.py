"""Knowledge-base endpoints: staff under ``/api/kb``, citizens under ``/api/public/kb`` (BJ Art. 31).

Staff endpoints need a login; changes made with the console's cookie need
the CSRF header like every other change. The public endpoints need no
login and answer only from currently valid published versions, through
their own response models, so nothing internal can leak.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from jiesu.api.deps import ActorDep, ContextDep
from jiesu.domain.errors import JiesuError
from jiesu.domain.roles import Role
from jiesu.storage.types import MAX_INT, RowNumber
from jiesu.storage.uow import UnitOfWork

from . import articles, records, search
from .inputs import ApproveInput, ArticleEdit, NewArticle, RejectInput, SubmitInput, WithdrawInput
from .model import VersionStatus, not_found
from .schemas import (
    ArticleOut,
    ArticlePage,
    PublicArticle,
    PublicSearchOut,
    SearchOut,
    article_out,
    hit_out,
    public_article,
    public_hit,
    summary,
)

router = APIRouter(prefix="/api/kb", tags=["knowledge base"])
public_router = APIRouter(prefix="/api/public/kb", tags=["public"])

Query_ = Annotated[str, Query(max_length=200, description="查询内容（可以是整句话）")]


# --- search ------------------------------------------------------------------------------


@router.get("/search", response_model=SearchOut, summary="知识库检索 Search while typing")
def staff_search(
    ctx: ContextDep,
    actor: ActorDep,
    q: Query_ = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchOut:
    started = time.perf_counter()
    hits = search.search(ctx, q, limit)
    took = (time.perf_counter() - started) * 1000
    return SearchOut(query=q, took_ms=round(took, 2), hits=[hit_out(h, ctx.city) for h in hits])


@public_router.get(
    "/search", response_model=PublicSearchOut, summary="公众查询知识库 Public search"
)
def public_search(
    ctx: ContextDep, q: Query_ = "", limit: Annotated[int, Query(ge=1, le=20)] = 10
) -> PublicSearchOut:
    hits = search.search(ctx, q, limit)
    return PublicSearchOut(query=q, hits=[public_hit(h, ctx.city) for h in hits])


@public_router.get(
    "/articles/{article_id}", response_model=PublicArticle, summary="公众查看知识 Public article"
)
def public_get(article_id: RowNumber, ctx: ContextDep) -> PublicArticle:
    with UnitOfWork(ctx.engine, write=False) as uow:
        try:
            row = records.offered(uow.session, article_id, ctx.now())
        except JiesuError:  # unknown, unpublished, expired or not yet valid: all the same here
            raise not_found(article_id) from None
    return public_article(row.version, row.unit_code, ctx.city)


# --- staff: reading ----------------------------------------------------------------------


@router.get("/articles", response_model=ArticlePage, summary="知识库条目列表 List articles")
def list_articles(
    ctx: ContextDep,
    actor: ActorDep,
    unit: str | None = None,
    state: VersionStatus | None = None,
    category: str | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    review_due_within_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> ArticlePage:
    now = ctx.now()
    flt = records.ArticleFilter(
        unit_code=unit,
        state=str(state) if state else None,
        category=category,
        text=q,
        review_due_before=(
            now + timedelta(days=review_due_within_days)
            if review_due_within_days is not None
            else None
        ),
        visible_to_unit=actor.unit_code if actor.role is Role.UNIT_HANDLER else None,
        limit=limit,
        offset=offset,
    )
    with UnitOfWork(ctx.engine, write=False) as uow:
        items, total = records.list_articles(uow.session, flt)
    shown = [summary(articles.visible(a, actor), ctx.city, now) for a in items]
    return ArticlePage(total=total, limit=limit, offset=offset, items=shown)


@router.get("/review-queue", response_model=list[ArticleOut], summary="待审核 Review queue")
def review_queue(ctx: ContextDep, actor: ActorDep) -> list[ArticleOut]:
    """Reviewers see every unit's submissions; a unit handler sees their own unit's."""
    unit = None if actor.role in (Role.DISPATCHER, Role.ADMIN, Role.SUPERVISOR) else actor.unit_code
    with UnitOfWork(ctx.engine, write=False) as uow:
        queue = records.review_queue(uow.session, unit)
    now = ctx.now()
    return [article_out(articles.visible(a, actor), actor, ctx.city, now) for a in queue]


@router.get("/articles/{article_id}", response_model=ArticleOut, summary="条目及版本历史 Read")
def get_article(article_id: RowNumber, ctx: ContextDep, actor: ActorDep) -> ArticleOut:
    return article_out(articles.get(ctx, actor, article_id), actor, ctx.city, ctx.now())


# --- staff: the workflow -----------------------------------------------------------------


@router.post(
    "/articles", status_code=201, response_model=ArticleOut, summary="新建条目 Create a draft"
)
def create_article(data: NewArticle, ctx: ContextDep, actor: ActorDep) -> ArticleOut:
    return article_out(articles.create(ctx, actor, data), actor, ctx.city, ctx.now())


@router.post(
    "/articles/{article_id}/versions",
    status_code=201,
    response_model=ArticleOut,
    summary="编辑（新版本） Edit: a new draft version",
)
def edit_article(
    article_id: RowNumber, data: ArticleEdit, ctx: ContextDep, actor: ActorDep
) -> ArticleOut:
    return article_out(articles.edit(ctx, actor, article_id, data), actor, ctx.city, ctx.now())


@router.post("/articles/{article_id}/submit", response_model=ArticleOut, summary="提交审核 Submit")
def submit_article(
    article_id: RowNumber, ctx: ContextDep, actor: ActorDep, data: SubmitInput | None = None
) -> ArticleOut:
    article = articles.submit(ctx, actor, article_id, data or SubmitInput())
    return article_out(article, actor, ctx.city, ctx.now())


@router.post(
    "/articles/{article_id}/approve", response_model=ArticleOut, summary="审核通过并发布 Approve"
)
def approve_article(
    article_id: RowNumber, data: ApproveInput, ctx: ContextDep, actor: ActorDep
) -> ArticleOut:
    return article_out(articles.approve(ctx, actor, article_id, data), actor, ctx.city, ctx.now())


@router.post("/articles/{article_id}/reject", response_model=ArticleOut, summary="退回 Reject")
def reject_article(
    article_id: RowNumber, data: RejectInput, ctx: ContextDep, actor: ActorDep
) -> ArticleOut:
    return article_out(articles.reject(ctx, actor, article_id, data), actor, ctx.city, ctx.now())


@router.post("/articles/{article_id}/withdraw", response_model=ArticleOut, summary="撤回 Withdraw")
def withdraw_article(
    article_id: RowNumber, data: WithdrawInput, ctx: ContextDep, actor: ActorDep
) -> ArticleOut:
    article = articles.withdraw(ctx, actor, article_id, data)
    return article_out(article, actor, ctx.city, ctx.now())
