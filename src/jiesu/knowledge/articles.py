"""The knowledge base's workflow: draft → review → published, kept current by each unit (I4, O2).

Every step runs in one transaction, with the article's row locked, and
leaves its trace in ``kb_versions``: a step taken by the owning unit
(writing, editing, submitting, withdrawing) appends a version row naming
who and when; a review decision (approve, reject) is written on the
version under review (``reviewed_by``, ``reviewed_at``, ``review_note``).
A published version is never changed in place: an edit makes a new draft
and the old version stays published until the new one is approved. At
most one version is open (draft or in review), and it is the latest.

After a commit that changes what is published, the search index is told,
so operators never wait for it (:func:`jiesu.knowledge.search.changed`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiesu.context import Context
from jiesu.domain.errors import Conflict, Forbidden
from jiesu.domain.roles import Actor
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

from . import search
from .inputs import (
    ApproveInput,
    ArticleEdit,
    Content,
    NewArticle,
    RejectInput,
    SubmitInput,
    WithdrawInput,
    checked,
    owning_unit,
)
from .model import (
    Article,
    ArticleVersion,
    Validity,
    VersionStatus,
    ensure_author,
    ensure_reviewer,
    invalid,
    may_author,
    may_review,
    may_see_unpublished,
    not_found,
    wrong_state,
)
from .records import load_article

A = tables.kb_articles.c
V = tables.kb_versions.c


# --- reading ------------------------------------------------------------------------------


def get(ctx: Context, actor: Actor, article_id: int) -> Article:
    """The article as ``actor`` may see it: the whole history for the owning unit and the
    hotline, only the published version for other units (an unpublished one does not exist)."""
    with UnitOfWork(ctx.engine, write=False) as uow:
        article = load_article(uow.session, article_id)
    return visible(article, actor)


def visible(article: Article, actor: Actor) -> Article:
    if may_see_unpublished(actor, article.unit_code):
        return article
    published = article.published
    if published is None:
        raise not_found(article.id)
    return Article(
        article.id,
        article.unit_code,
        article.published_version,
        article.created_at,
        article.updated_at,
        (published,),
    )


# --- writing ------------------------------------------------------------------------------


def create(ctx: Context, actor: Actor, data: NewArticle) -> Article:
    """A new article of ``data.unit_code`` (default: the actor's unit), version 1 as a draft,
    or straight into review with ``submit``."""
    now = ctx.now()
    unit_code = owning_unit(ctx, data.unit_code or actor.unit_code)
    ensure_author(actor, unit_code)
    content = checked(ctx, data, now)
    with UnitOfWork(ctx.engine) as uow:
        article_id = uow.session.execute(
            tables.kb_articles.insert()
            .values(unit_code=unit_code, published_version=None, created_at=now, updated_at=now)
            .returning(A.id)
        ).scalar_one()
        status = VersionStatus.IN_REVIEW if data.submit else VersionStatus.DRAFT
        _append(uow.session, article_id, 1, status, content, actor, now)
        article = load_article(uow.session, article_id)
        uow.commit()
    return article


def edit(ctx: Context, actor: Actor, article_id: int, data: ArticleEdit) -> Article:
    """A new version with new content. An open draft or submission it replaces is superseded;
    the published version, if any, stays offered until the new one is approved."""
    now = ctx.now()

    def step(session: Session, article: Article) -> None:
        ensure_author(actor, article.unit_code)
        if data.base_version is not None and data.base_version != article.latest.version:
            raise Conflict(
                "kb.conflict",
                f"条目已有更新的第 {article.latest.version} 版，请刷新后再编辑",
                f"The article has a newer version {article.latest.version}; reload and edit again",
                base_version=data.base_version,
                latest_version=article.latest.version,
            )
        content = checked(ctx, data, now)
        _close_pending(session, article)
        status = VersionStatus.IN_REVIEW if data.submit else VersionStatus.DRAFT
        _append(session, article.id, article.latest.version + 1, status, content, actor, now)

    return _step(ctx, article_id, now, step)


def submit(ctx: Context, actor: Actor, article_id: int, data: SubmitInput) -> Article:
    """Send the open draft for review: recorded as a new version by the submitter."""
    now = ctx.now()

    def step(session: Session, article: Article) -> None:
        ensure_author(actor, article.unit_code)
        draft = article.latest
        if draft.status is not VersionStatus.DRAFT or (
            data.version is not None and data.version != draft.version
        ):
            raise wrong_state(
                "kb.nothing_to_submit",
                "没有可提交的草稿（可能已提交或已被更新）",
                "There is no such draft to submit (already submitted or replaced)",
                latest_version=draft.version,
                latest_status=str(draft.status),
            )
        _close_pending(session, article)
        _append(
            session,
            article.id,
            draft.version + 1,
            VersionStatus.IN_REVIEW,
            _content(draft),
            actor,
            now,
        )

    return _step(ctx, article_id, now, step)


def approve(ctx: Context, actor: Actor, article_id: int, data: ApproveInput) -> Article:
    """Publish the version under review; the previously published version is superseded."""
    now = ctx.now()

    def step(session: Session, article: Article) -> None:
        ensure_reviewer(actor)
        version = _under_review(article, data.version)
        _not_own(actor, version)
        if version.validity(now) is Validity.EXPIRED:
            raise wrong_state(
                "kb.expired",
                f"{version.source} 已过有效期，不能发布",
                f"{version.source} has expired and cannot be published",
            )
        if article.published_version is not None:
            _set_status(session, article.id, article.published_version, VersionStatus.SUPERSEDED)
        _set_status(
            session,
            article.id,
            version.version,
            VersionStatus.PUBLISHED,
            reviewed_by=actor.username,
            reviewed_at=now,
            review_note=(data.note or "").strip() or None,
        )
        _touch(session, article.id, now, published_version=version.version)

    article = _step(ctx, article_id, now, step)
    search.changed(ctx)
    return article


def reject(ctx: Context, actor: Actor, article_id: int, data: RejectInput) -> Article:
    """Send the version under review back with a note; what is published stays published."""
    now = ctx.now()

    def step(session: Session, article: Article) -> None:
        ensure_reviewer(actor)
        version = _under_review(article, data.version)
        _not_own(actor, version)
        note = data.note.strip()
        if not note:
            raise invalid("kb.note_required", "请填写退回理由", "Say why it is sent back", "note")
        _set_status(
            session,
            article.id,
            version.version,
            VersionStatus.REJECTED,
            reviewed_by=actor.username,
            reviewed_at=now,
            review_note=note,
        )

    return _step(ctx, article_id, now, step)


def withdraw(ctx: Context, actor: Actor, article_id: int, data: WithdrawInput) -> Article:
    """Take the article out of service at once (by its unit or a reviewer). The withdrawal is
    recorded as a version naming who and why; a pending revision is closed with it."""
    now = ctx.now()

    def step(session: Session, article: Article) -> None:
        if not actor_may_withdraw(actor, article):
            raise Forbidden(
                "kb.not_your_unit",
                "只有所属单位或审核人员可以撤回条目",
                "Only the owning unit or a reviewer may withdraw the article",
            )
        published = article.published
        reason = data.reason.strip()
        if published is None:
            raise wrong_state(
                "kb.not_published", "该条目没有已发布的版本", "The article is not published"
            )
        if not reason:
            raise invalid("kb.note_required", "请填写撤回理由", "Say why it is withdrawn", "reason")
        _close_pending(session, article)
        _set_status(session, article.id, published.version, VersionStatus.SUPERSEDED)
        _append(
            session,
            article.id,
            article.latest.version + 1,
            VersionStatus.WITHDRAWN,
            _content(published),
            actor,
            now,
            review_note=reason,
        )
        _touch(session, article.id, now, published_version=None)

    article = _step(ctx, article_id, now, step)
    search.changed(ctx)
    return article


def actor_may_withdraw(actor: Actor, article: Article) -> bool:
    return may_author(actor, article.unit_code) or may_review(actor)


# --- the parts ----------------------------------------------------------------------------


def _step(ctx: Context, article_id: int, now: datetime, step) -> Article:
    """Run ``step`` on the locked article in one transaction; return the article after it."""
    try:
        with UnitOfWork(ctx.engine) as uow:
            article = load_article(uow.session, article_id, for_update=True)
            step(uow.session, article)
            _touch(uow.session, article_id, now)
            after = load_article(uow.session, article_id)
            uow.commit()
    except IntegrityError as exc:  # a concurrent step took the same version number
        raise Conflict(
            "kb.conflict",
            "条目刚被他人修改，请刷新后重试",
            "The article was changed by someone else; reload and try again",
        ) from exc
    return after


def _append(
    session: Session,
    article_id: int,
    version: int,
    status: VersionStatus,
    content: Content,
    actor: Actor,
    now: datetime,
    *,
    review_note: str | None = None,
) -> None:
    session.execute(
        tables.kb_versions.insert().values(
            article_id=article_id,
            version=version,
            status=str(status),
            question=content.question,
            variants=list(content.variants),
            answer=content.answer,
            policy_basis=content.policy_basis,
            categories=list(content.categories),
            valid_from=content.valid_from,
            valid_to=content.valid_to,
            next_review=content.next_review,
            author_user_id=actor.user_id,
            author=actor.username,
            created_at=now,
            review_note=review_note,
        )
    )


def _set_status(
    session: Session, article_id: int, version: int, status: VersionStatus, **review
) -> None:
    session.execute(
        update(tables.kb_versions)
        .where(V.article_id == article_id, V.version == version)
        .values(status=str(status), **review)
    )


def _touch(session: Session, article_id: int, now: datetime, **values) -> None:
    session.execute(
        update(tables.kb_articles).where(A.id == article_id).values(updated_at=now, **values)
    )


def _close_pending(session: Session, article: Article) -> None:
    pending = article.pending
    if pending is not None:
        _set_status(session, article.id, pending.version, VersionStatus.SUPERSEDED)


def _content(v: ArticleVersion) -> Content:
    return Content(
        question=v.question,
        variants=v.variants,
        answer=v.answer,
        policy_basis=v.policy_basis,
        categories=v.categories,
        valid_from=v.valid_from,
        valid_to=v.valid_to,
        next_review=v.next_review,
    )


def _under_review(article: Article, number: int) -> ArticleVersion:
    latest = article.latest
    if latest.status is not VersionStatus.IN_REVIEW or latest.version != number:
        raise wrong_state(
            "kb.not_in_review",
            f"KB-{article.id} 第 {number} 版不在待审核状态",
            f"Version {number} of KB-{article.id} is not waiting for review",
            latest_version=latest.version,
            latest_status=str(latest.status),
        )
    return latest


def _not_own(actor: Actor, version: ArticleVersion) -> None:
    """Four eyes: whoever submitted a version does not approve or reject it."""
    if actor.username == version.author:
        raise Forbidden(
            "kb.self_review",
            "不能审核本人提交的版本",
            "You cannot review a version you submitted yourself",
        )
