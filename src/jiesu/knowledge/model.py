"""The knowledge base's vocabulary: version states, articles as read from storage, who may do what.

An article (知识库条目) belongs to one unit and has numbered versions. A
version's row in ``kb_versions`` is also the record of the step that made
it: who wrote, submitted or withdrew it and when (``author``,
``created_at``), and who reviewed it and when (``reviewed_by``,
``reviewed_at``, ``review_note``). Only the version named by
``kb_articles.published_version`` is offered, and only while it is valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from jiesu.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from jiesu.domain.roles import HOTLINE_ROLES, Actor, Role


class VersionStatus(StrEnum):
    DRAFT = "draft"  # saved, not yet submitted
    IN_REVIEW = "in_review"  # submitted to the hotline for review
    PUBLISHED = "published"  # approved: the version offered to operators and citizens
    REJECTED = "rejected"  # sent back with a note
    SUPERSEDED = "superseded"  # replaced by a later version of the same article
    WITHDRAWN = "withdrawn"  # the record of taking the article out of service


VERSION_STATUS_LABELS_ZH = {
    VersionStatus.DRAFT: "草稿",
    VersionStatus.IN_REVIEW: "待审核",
    VersionStatus.PUBLISHED: "已发布",
    VersionStatus.REJECTED: "已退回",
    VersionStatus.SUPERSEDED: "已被替代",
    VersionStatus.WITHDRAWN: "已撤回",
}

#: Versions still being worked on: at most one per article, always the latest.
OPEN = frozenset({VersionStatus.DRAFT, VersionStatus.IN_REVIEW})

#: Who reviews (BJ Art. 31: the hotline keeps the one knowledge base; units submit to it).
REVIEWER_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})


class Validity(StrEnum):
    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"


VALIDITY_LABELS_ZH = {
    Validity.VALID: "有效",
    Validity.NOT_YET_VALID: "未生效",
    Validity.EXPIRED: "已过期",
}


def validity(valid_from: datetime, valid_to: datetime | None, now: datetime) -> Validity:
    """``valid_from`` inclusive, ``valid_to`` exclusive: an article ends at its boundary."""
    if now < valid_from:
        return Validity.NOT_YET_VALID
    if valid_to is not None and now >= valid_to:
        return Validity.EXPIRED
    return Validity.VALID


@dataclass(frozen=True)
class ArticleVersion:
    article_id: int
    version: int
    status: VersionStatus
    question: str
    variants: tuple[str, ...]
    answer: str
    policy_basis: str
    categories: tuple[str, ...]
    valid_from: datetime
    valid_to: datetime | None
    next_review: datetime
    author: str
    author_user_id: int | None
    created_at: datetime
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_note: str | None = None

    def validity(self, now: datetime) -> Validity:
        return validity(self.valid_from, self.valid_to, now)

    @property
    def source(self) -> str:
        """How a direct answer cites this version (I4): ``KB-<id> v<version>``."""
        return f"KB-{self.article_id} v{self.version}"


@dataclass(frozen=True)
class Article:
    id: int
    unit_code: str
    published_version: int | None
    created_at: datetime
    updated_at: datetime
    versions: tuple[ArticleVersion, ...]  # oldest first

    @property
    def latest(self) -> ArticleVersion:
        return self.versions[-1]

    @property
    def published(self) -> ArticleVersion | None:
        if self.published_version is None:
            return None
        return next((v for v in self.versions if v.version == self.published_version), None)

    @property
    def pending(self) -> ArticleVersion | None:
        """The open draft or submission, if any (it is always the latest version)."""
        return self.latest if self.latest.status in OPEN else None

    def version(self, number: int) -> ArticleVersion:
        for v in self.versions:
            if v.version == number:
                return v
        raise NotFound(
            "kb.version_not_found",
            f"知识库条目 KB-{self.id} 没有第 {number} 版",
            f"Article KB-{self.id} has no version {number}",
        )

    def state(self) -> str:
        """One word for lists: published, or the latest version's status."""
        if self.published_version is not None:
            return VersionStatus.PUBLISHED
        return self.latest.status


# --- who may do what ----------------------------------------------------------------------


def may_author(actor: Actor, unit_code: str) -> bool:
    """A unit keeps its own articles current (BJ Art. 31); an admin may act for any unit."""
    return actor.role is Role.ADMIN or (
        actor.role is Role.UNIT_HANDLER and actor.unit_code == unit_code
    )


def may_review(actor: Actor) -> bool:
    return actor.role in REVIEWER_ROLES


def may_see_unpublished(actor: Actor, unit_code: str) -> bool:
    """Drafts and history are the owning unit's and the hotline's; others see published text."""
    return actor.role in HOTLINE_ROLES or actor.unit_code == unit_code


def ensure_author(actor: Actor, unit_code: str) -> None:
    if not may_author(actor, unit_code):
        raise Forbidden(
            "kb.not_your_unit",
            "只能维护本单位的知识库条目",
            "Only the owning unit (or an admin) may change this article",
        )


def ensure_reviewer(actor: Actor) -> None:
    if not may_review(actor):
        raise Forbidden(
            "kb.not_reviewer",
            "只有派单员或管理员可以审核知识库条目",
            "Only dispatchers and admins review knowledge-base articles",
        )


# --- errors -------------------------------------------------------------------------------


def not_found(article_id: int) -> NotFound:
    return NotFound(
        "kb.not_found",
        f"知识库条目 KB-{article_id} 不存在",
        f"Knowledge-base article KB-{article_id} not found",
    )


def wrong_state(code: str, zh: str, en: str, **details) -> Conflict:
    return Conflict(code, zh, en, **details)


def not_offered(version: ArticleVersion | None, article_id: int, now: datetime) -> Conflict | None:
    """Why an article cannot be offered now, or None when it can."""
    if version is None:
        return Conflict(
            "kb.not_published",
            f"知识库条目 KB-{article_id} 未发布或已撤回，不能引用",
            f"Article KB-{article_id} is not published",
        )
    state = version.validity(now)
    if state is Validity.EXPIRED:
        return Conflict(
            "kb.expired",
            f"知识库条目 {version.source} 已过有效期，不能引用",
            f"Article {version.source} has expired",
        )
    if state is Validity.NOT_YET_VALID:
        return Conflict(
            "kb.not_yet_valid",
            f"知识库条目 {version.source} 尚未生效，不能引用",
            f"Article {version.source} is not valid yet",
        )
    return None


def invalid(code: str, zh: str, en: str, field: str) -> InvalidInput:
    return InvalidInput(code, zh, en, field=field)
