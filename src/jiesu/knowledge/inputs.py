"""What a unit sends to write or change an article, and the checks against the city.

The pydantic models catch shape errors (``input.invalid``); :func:`checked`
catches what needs the city, the clock or both (``kb.*``), before anything
is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from jiesu.actions import aware
from jiesu.context import Context
from jiesu.domain.errors import InvalidInput
from jiesu.storage.types import InstantOrNone, RowNumber, RowNumberOrNone

from .model import invalid

#: When no next review date is given: half a year after the article takes effect.
DEFAULT_REVIEW_AFTER = timedelta(days=180)
MAX_VARIANTS = 30


class ArticleInput(BaseModel):
    """The content of one version. ``submit`` sends it for review at once (保存并提交)."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=300, description="标准问题")
    variants: list[Annotated[str, StringConstraints(max_length=300)]] = Field(
        default_factory=list, max_length=MAX_VARIANTS, description="相似问法"
    )
    answer: str = Field(min_length=1, max_length=5000, description="答复口径")
    policy_basis: str = Field(default="", max_length=2000, description="政策依据")
    categories: list[str] = Field(min_length=1, max_length=10, description="事项分类")
    valid_from: InstantOrNone = Field(default=None, description="生效时间（缺省为现在）")
    valid_to: InstantOrNone = Field(default=None, description="失效时间（不填为长期有效）")
    next_review: InstantOrNone = Field(
        default=None, description="下次复核日期（缺省为生效后 180 天）"
    )
    submit: bool = Field(default=False, description="保存后立即提交审核")


class NewArticle(ArticleInput):
    unit_code: str | None = Field(
        default=None, max_length=64, description="所属单位（缺省为本人单位）"
    )


class ArticleEdit(ArticleInput):
    base_version: RowNumberOrNone = Field(
        default=None, description="编辑所依据的最新版本号；不一致时拒绝（kb.conflict）"
    )


class SubmitInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: RowNumberOrNone = Field(default=None, description="要提交的草稿版本（缺省为最新）")


class ApproveInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: RowNumber = Field(description="待审核的版本号")
    note: str | None = Field(default=None, max_length=2000, description="审核意见")


class RejectInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: RowNumber = Field(description="待审核的版本号")
    note: str = Field(min_length=1, max_length=2000, description="退回理由")


class WithdrawInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, description="撤回理由")


@dataclass(frozen=True)
class Content:
    """A version's content after every check: what gets written."""

    question: str
    variants: tuple[str, ...]
    answer: str
    policy_basis: str
    categories: tuple[str, ...]
    valid_from: datetime
    valid_to: datetime | None
    next_review: datetime


def _text(value: str, field: str, zh: str, en: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput("input.required", f"请填写{zh}", f"{en} is required", field=field)
    return value


def checked(ctx: Context, data: ArticleInput, now: datetime) -> Content:
    """The version's content, or the first problem as a clear error; nothing is written."""
    question = _text(data.question, "question", "标准问题", "The question")
    answer = _text(data.answer, "answer", "答复口径", "The answer")
    variants: list[str] = []
    for raw in data.variants:
        v = raw.strip()
        if v and v != question and v not in variants:
            variants.append(v)
    categories: list[str] = []
    for code in data.categories:
        code = code.strip()
        if code not in ctx.city.category_codes:
            raise invalid(
                "kb.unknown_category",
                f"事项分类“{code}”不存在",
                f"Unknown category {code!r}",
                "categories",
            )
        if code not in categories:
            categories.append(code)
    valid_from = aware(data.valid_from, "valid_from") or now
    valid_to = aware(data.valid_to, "valid_to")
    if valid_to is not None and valid_to <= valid_from:
        raise invalid(
            "kb.invalid_period",
            "失效时间必须晚于生效时间",
            "valid_to must be after valid_from",
            "valid_to",
        )
    if valid_to is not None and valid_to <= now:
        raise invalid(
            "kb.already_expired",
            "失效时间已过，这样的条目不会被使用",
            "valid_to has passed: the article would never be offered",
            "valid_to",
        )
    next_review = aware(data.next_review, "next_review")
    if next_review is None:
        next_review = max(valid_from, now) + DEFAULT_REVIEW_AFTER
        if valid_to is not None:
            next_review = min(next_review, valid_to)
    elif next_review <= now:
        raise invalid(
            "kb.review_in_past",
            "下次复核日期须晚于现在",
            "next_review must lie ahead",
            "next_review",
        )
    return Content(
        question=question,
        variants=tuple(variants),
        answer=answer,
        policy_basis=data.policy_basis.strip(),
        categories=tuple(categories),
        valid_from=valid_from,
        valid_to=valid_to,
        next_review=next_review,
    )


def owning_unit(ctx: Context, code: str) -> str:
    if ctx.city.unit(code) is None:
        raise invalid(
            "kb.unknown_unit",
            f"单位“{code}”不是本市的单位",
            f"Unit {code!r} is not a unit of this city",
            "unit_code",
        )
    return code
