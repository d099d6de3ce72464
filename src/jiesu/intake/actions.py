"""Answering a received ticket directly, from the knowledge base where it can be (I4).

Referral, merging, reclassification and identity release are in ``classified.py``.
"""

from __future__ import annotations

from pydantic import Field

from jiesu.actions import ActionInput, register
from jiesu.domain import commands as c
from jiesu.domain.commands import Action
from jiesu.knowledge.records import offered
from jiesu.storage.types import RowNumberOrNone


class AnswerInput(ActionInput):
    article_id: RowNumberOrNone = Field(
        default=None, description="知识库条目编号：按其当前有效的发布版本答复并引用"
    )
    answer: str | None = Field(
        default=None, max_length=5000, description="答复内容（引用知识库时缺省为条目的答复口径）"
    )
    source: str | None = Field(default=None, max_length=200, description="知识库条目及版本")


@register(Action.ANSWER_DIRECTLY, AnswerInput)
def _answer(ctx, ticket, actor, now, data: AnswerInput, session) -> c.Command:
    if data.article_id is None:
        return c.AnswerDirectly(reason=data.reason, answer=data.answer or "", source=data.source)
    # Only the version offered now may be cited: published, not expired, already in force.
    article = offered(session, data.article_id, now).version
    edited = data.answer if data.answer and data.answer.strip() else None
    return c.AnswerDirectly(
        reason=data.reason, answer=edited or article.answer, source=article.source
    )
