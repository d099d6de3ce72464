"""What the knowledge-base endpoints return: staff views with history, public views without.

The public models are separate classes, not staff models with fields
dropped, so that nothing internal (author, reviewer, notes, review dates,
drafts, unit codes) can reach a citizen by accident.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from jiesu.city.config import CityConfig
from jiesu.domain.roles import Actor

from .articles import actor_may_withdraw
from .model import (
    VERSION_STATUS_LABELS_ZH,
    Article,
    ArticleVersion,
    VersionStatus,
    may_author,
    may_review,
)
from .search import Hit


class VersionOut(BaseModel):
    version: int
    status: str
    status_label: str
    question: str
    variants: list[str]
    answer: str
    policy_basis: str
    categories: list[str]
    valid_from: datetime
    valid_to: datetime | None
    validity: str  # valid | not_yet_valid | expired, now
    next_review: datetime
    author: str  # who wrote, submitted or withdrew this version
    created_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str | None
    source: str  # KB-<id> v<version>, as a direct answer cites it


class ArticleOut(BaseModel):
    id: int
    unit_code: str
    unit_name: str
    state: str  # published, or the latest version's status
    state_label: str
    published_version: int | None
    latest_version: int
    current: VersionOut  # the published version, else the latest
    pending: VersionOut | None  # an open draft or submission
    versions: list[VersionOut]  # newest first
    created_at: datetime
    updated_at: datetime
    may_edit: bool  # the owning unit (or an admin)
    may_review: bool  # dispatchers and admins
    may_withdraw: bool


class ArticleSummary(BaseModel):
    id: int
    unit_code: str
    unit_name: str
    state: str
    state_label: str
    published_version: int | None
    latest_version: int
    latest_status: str
    question: str
    categories: list[str]
    validity: str
    next_review: datetime
    updated_at: datetime


class ArticlePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ArticleSummary]


class HitOut(BaseModel):
    article_id: int
    version: int
    source: str
    score: float
    question: str
    snippet: str
    unit_code: str
    unit_name: str
    categories: list[str]


class SearchOut(BaseModel):
    query: str
    took_ms: float
    hits: list[HitOut]


class PublicHit(BaseModel):
    article_id: int
    version: int
    question: str
    snippet: str
    unit_name: str
    categories: list[str]
    score: float


class PublicSearchOut(BaseModel):
    query: str
    hits: list[PublicHit]


class PublicArticle(BaseModel):
    id: int
    version: int
    question: str
    variants: list[str]
    answer: str
    policy_basis: str
    unit_name: str
    categories: list[str]
    valid_from: datetime
    valid_to: datetime | None


def unit_name(city: CityConfig, code: str) -> str:
    unit = city.unit(code)
    return unit.name if unit else code


def state_label(state: str) -> str:
    return VERSION_STATUS_LABELS_ZH.get(VersionStatus(state), state)


def version_out(v: ArticleVersion, now: datetime) -> VersionOut:
    return VersionOut(
        version=v.version,
        status=v.status,
        status_label=VERSION_STATUS_LABELS_ZH[v.status],
        question=v.question,
        variants=list(v.variants),
        answer=v.answer,
        policy_basis=v.policy_basis,
        categories=list(v.categories),
        valid_from=v.valid_from,
        valid_to=v.valid_to,
        validity=v.validity(now),
        next_review=v.next_review,
        author=v.author,
        created_at=v.created_at,
        reviewed_by=v.reviewed_by,
        reviewed_at=v.reviewed_at,
        review_note=v.review_note,
        source=v.source,
    )


def article_out(a: Article, actor: Actor, city: CityConfig, now: datetime) -> ArticleOut:
    current = a.published or a.latest
    pending = a.pending
    return ArticleOut(
        id=a.id,
        unit_code=a.unit_code,
        unit_name=unit_name(city, a.unit_code),
        state=a.state(),
        state_label=state_label(a.state()),
        published_version=a.published_version,
        latest_version=a.latest.version,
        current=version_out(current, now),
        pending=version_out(pending, now) if pending else None,
        versions=[version_out(v, now) for v in reversed(a.versions)],
        created_at=a.created_at,
        updated_at=a.updated_at,
        may_edit=may_author(actor, a.unit_code),
        may_review=may_review(actor),
        may_withdraw=a.published_version is not None and actor_may_withdraw(actor, a),
    )


def summary(a: Article, city: CityConfig, now: datetime) -> ArticleSummary:
    shown = a.published or a.latest
    return ArticleSummary(
        id=a.id,
        unit_code=a.unit_code,
        unit_name=unit_name(city, a.unit_code),
        state=a.state(),
        state_label=state_label(a.state()),
        published_version=a.published_version,
        latest_version=a.latest.version,
        latest_status=a.latest.status,
        question=shown.question,
        categories=list(shown.categories),
        validity=shown.validity(now),
        next_review=shown.next_review,
        updated_at=a.updated_at,
    )


def hit_out(h: Hit, city: CityConfig) -> HitOut:
    return HitOut(
        article_id=h.article_id,
        version=h.version,
        source=h.source,
        score=h.score,
        question=h.question,
        snippet=h.snippet,
        unit_code=h.unit_code,
        unit_name=unit_name(city, h.unit_code),
        categories=list(h.categories),
    )


def public_hit(h: Hit, city: CityConfig) -> PublicHit:
    return PublicHit(
        article_id=h.article_id,
        version=h.version,
        question=h.question,
        snippet=h.snippet,
        unit_name=unit_name(city, h.unit_code),
        categories=list(h.categories),
        score=h.score,
    )


def public_article(v: ArticleVersion, unit_code: str, city: CityConfig) -> PublicArticle:
    return PublicArticle(
        id=v.article_id,
        version=v.version,
        question=v.question,
        variants=list(v.variants),
        answer=v.answer,
        policy_basis=v.policy_basis,
        unit_name=unit_name(city, unit_code),
        categories=list(v.categories),
        valid_from=v.valid_from,
        valid_to=v.valid_to,
    )
