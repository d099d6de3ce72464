"""Intake actions on a received ticket: answer it directly or refer it with a reason (I4, I5)."""

from __future__ import annotations

from pydantic import Field

from jiesu.actions import ActionInput, register
from jiesu.domain import commands as c
from jiesu.domain.commands import Action, ReferralReason


class AnswerInput(ActionInput):
    answer: str = Field(min_length=1, max_length=5000, description="答复内容")
    source: str | None = Field(default=None, max_length=200, description="知识库条目及版本")


class ReferInput(ActionInput):
    referral_reason: ReferralReason = Field(description="BJ Art. 11 的分类处置情形")
    destination: str = Field(min_length=1, max_length=500, description="转至何处或告知的渠道")


@register(Action.ANSWER_DIRECTLY, AnswerInput)
def _answer(ctx, ticket, actor, now, data: AnswerInput) -> c.Command:
    return c.AnswerDirectly(reason=data.reason, answer=data.answer, source=data.source)


@register(Action.REFER, ReferInput)
def _refer(ctx, ticket, actor, now, data: ReferInput) -> c.Command:
    return c.Refer(
        reason=data.reason, referral_reason=data.referral_reason, destination=data.destination
    )
