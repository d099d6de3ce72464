"""Answering a received ticket directly, from the knowledge base where it can be (I4).

Referral, merging, reclassification and identity release are in ``classified.py``.
"""

from __future__ import annotations

from pydantic import Field

from jiesu.actions import ActionInput, register
from jiesu.domain import commands as c
from jiesu.domain.commands import Action


class AnswerInput(ActionInput):
    answer: str = Field(min_length=1, max_length=5000, description="答复内容")
    source: str | None = Field(default=None, max_length=200, description="知识库条目及版本")


@register(Action.ANSWER_DIRECTLY, AnswerInput)
def _answer(ctx, ticket, actor, now, data: AnswerInput, session) -> c.Command:
    return c.AnswerDirectly(reason=data.reason, answer=data.answer, source=data.source)
