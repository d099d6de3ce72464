"""Reading articles and versions from ``kb_articles`` and ``kb_versions``, inside a caller's session.

Reads take the caller's session so that a ticket action (answering from an
article) and a workflow step see the rows of their own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from jiesu.storage import tables

from .model import Article, ArticleVersion, VersionStatus, not_found, not_offered

A = tables.kb_articles.c
V = tables.kb_versions.c


def version_from_row(row: Any) -> ArticleVersion:
    return ArticleVersion(
        article_id=row.article_id,
        version=row.version,
        status=VersionStatus(row.status),
        question=row.question,
        variants=tuple(row.variants or ()),
        answer=row.answer,
        policy_basis=row.policy_basis or "",
        categories=tuple(row.categories or ()),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        next_review=row.next_review,
        author=row.author,
        author_user_id=row.author_user_id,
        created_at=row.created_at,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        review_note=row.review_note,
    )


def _versions_of(session: Session, ids: Sequence[int]) -> dict[int, list[ArticleVersion]]:
    out: dict[int, list[ArticleVersion]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):  # keep IN lists short for both databases
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(tables.kb_versions)
            .where(V.article_id.in_(chunk))
            .order_by(V.article_id, V.version)
        )
        for row in rows:
            out[row.article_id].append(version_from_row(row))
    return out


def _articles(session: Session, rows: Iterable[Any]) -> list[Article]:
    rows = list(rows)
    versions = _versions_of(session, [r.id for r in rows])
    return [
        Article(
            id=r.id,
            unit_code=r.unit_code,
            published_version=r.published_version,
            created_at=r.created_at,
            updated_at=r.updated_at,
            versions=tuple(versions[r.id]),
        )
        for r in rows
        if versions[r.id]
    ]


def load_article(session: Session, article_id: int, *, for_update: bool = False) -> Article:
    """The article with its whole history; ``for_update`` locks its row (PostgreSQL) so that
    concurrent steps on one article run one after the other."""
    stmt = select(tables.kb_articles).where(A.id == article_id)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.execute(stmt).first()
    found = _articles(session, [row]) if row is not None else []
    if not found:
        raise not_found(article_id)
    return found[0]


def offered(session: Session, article_id: int, now: datetime) -> PublishedRow:
    """The version an operator may answer from now, with its unit: published and valid,
    else ``kb.not_found``, ``kb.not_published``, ``kb.expired`` or ``kb.not_yet_valid``."""
    row = session.execute(
        select(tables.kb_versions, A.unit_code)
        .join(tables.kb_articles, A.id == V.article_id)
        .where(A.id == article_id, V.version == A.published_version)
    ).first()
    if row is None:
        exists = session.execute(select(A.id).where(A.id == article_id)).first()
        if exists is None:
            raise not_found(article_id)
    version = version_from_row(row) if row is not None else None
    problem = not_offered(version, article_id, now)
    if problem is not None:
        raise problem
    assert row is not None and version is not None
    return PublishedRow(row.unit_code, version)


# --- lists --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleFilter:
    unit_code: str | None = None
    state: str | None = None  # published | draft | in_review | rejected | withdrawn
    category: str | None = None  # code or first-level prefix
    text: str | None = None  # in the question of any version
    review_due_before: datetime | None = None  # published versions due for review
    visible_to_unit: str | None = None  # a unit handler: own articles, others' published ones
    limit: int = 50
    offset: int = 0


def _latest_versions():
    return (
        select(V.article_id, func.max(V.version).label("latest"))
        .group_by(V.article_id)
        .subquery("latest")
    )


def list_articles(session: Session, flt: ArticleFilter) -> tuple[list[Article], int]:
    """Articles matching ``flt``, most recently changed first, and how many match in all."""
    latest = _latest_versions()
    last = tables.kb_versions.alias("last")
    stmt = (
        select(tables.kb_articles)
        .join(latest, latest.c.article_id == A.id)
        .join(last, and_(last.c.article_id == A.id, last.c.version == latest.c.latest))
    )
    conds = []
    if flt.visible_to_unit is not None:
        conds.append(or_(A.unit_code == flt.visible_to_unit, A.published_version.is_not(None)))
    if flt.unit_code:
        conds.append(A.unit_code == flt.unit_code)
    if flt.state == VersionStatus.PUBLISHED:
        conds.append(A.published_version.is_not(None))
    elif flt.state:
        conds.append(last.c.status == flt.state)
    if flt.text:
        like = f"%{flt.text}%"
        conds.append(
            A.id.in_(select(V.article_id).where(or_(V.question.like(like), V.answer.like(like))))
        )
    if flt.review_due_before is not None:
        conds.append(
            A.id.in_(
                select(V.article_id)
                .join(tables.kb_articles, A.id == V.article_id)
                .where(
                    V.version == A.published_version,
                    V.next_review <= flt.review_due_before,
                )
            )
        )
    stmt = stmt.where(*conds).order_by(A.updated_at.desc(), A.id.desc())
    if not flt.category:
        total = session.execute(
            select(func.count()).select_from(stmt.with_only_columns(A.id).subquery())
        ).scalar_one()
        rows = session.execute(stmt.limit(flt.limit).offset(flt.offset))
        return _articles(session, rows), total
    # Categories are a JSON list: filter them here (a knowledge base is thousands, not millions).
    matching = [a for a in _articles(session, session.execute(stmt)) if _in_category(a, flt)]
    return matching[flt.offset : flt.offset + flt.limit], len(matching)


def _in_category(article: Article, flt: ArticleFilter) -> bool:
    shown = article.published if article.published else article.latest
    prefix = f"{flt.category}/"
    return any(c == flt.category or c.startswith(prefix) for c in shown.categories)


def review_queue(session: Session, unit_code: str | None = None) -> list[Article]:
    """Articles whose latest version waits for review, oldest submission first."""
    latest = _latest_versions()
    stmt = (
        select(tables.kb_articles)
        .join(latest, latest.c.article_id == A.id)
        .join(
            tables.kb_versions,
            and_(V.article_id == A.id, V.version == latest.c.latest),
        )
        .where(V.status == VersionStatus.IN_REVIEW)
        .order_by(V.created_at, A.id)
    )
    if unit_code is not None:
        stmt = stmt.where(A.unit_code == unit_code)
    return _articles(session, session.execute(stmt))


@dataclass(frozen=True)
class PublishedRow:
    """A published version with its owning unit, as the search index and reminders need it."""

    unit_code: str
    version: ArticleVersion


def published_versions(
    session: Session, *, review_due_before: datetime | None = None
) -> list[PublishedRow]:
    stmt = (
        select(tables.kb_versions, A.unit_code)
        .join(tables.kb_articles, A.id == V.article_id)
        .where(V.version == A.published_version)
        .order_by(V.article_id)
    )
    if review_due_before is not None:
        stmt = stmt.where(V.next_review <= review_due_before)
    return [PublishedRow(row.unit_code, version_from_row(row)) for row in session.execute(stmt)]


def change_stamp(session: Session) -> tuple[int, datetime | None]:
    """A cheap fingerprint of the table: it changes whenever any article changes."""
    row = session.execute(select(func.count(), func.max(A.updated_at))).one()
    return int(row[0]), row[1]
