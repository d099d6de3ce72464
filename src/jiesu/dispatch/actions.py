"""Dispatch actions: send to a lead unit with co-handlers; decide objections (D2, D5, H1)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from jiesu.actions import ActionInput, aware, register, require_unit
from jiesu.domain import commands as c
from jiesu.domain.commands import Action

from .deadlines import deadlines_for, supervising_unit


class CoHandlerInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str = Field(min_length=1, max_length=64)
    task: str = Field(min_length=1, max_length=1000, description="协办任务")
    due: datetime | None = Field(default=None, description="协办时限；缺省为主办办结时限")


class DispatchInput(ActionInput):
    lead_unit_code: str = Field(min_length=1, max_length=64, description="主办单位")
    co_handlers: list[CoHandlerInput] = Field(default_factory=list, max_length=20)


class UpholdInput(ActionInput):
    lead_unit_code: str = Field(min_length=1, max_length=64, description="重派至的主办单位")


class RejectInput(ActionInput):
    pass


@register(Action.DISPATCH, DispatchInput)
def _dispatch(ctx, ticket, actor, now, data: DispatchInput, session) -> c.Command:
    lead = require_unit(ctx, data.lead_unit_code, field="lead_unit_code")
    deadlines = deadlines_for(ctx, ticket, lead, now)
    co = []
    for i, item in enumerate(data.co_handlers):
        require_unit(ctx, item.unit_code, field=f"co_handlers[{i}].unit_code")
        due = aware(item.due, f"co_handlers[{i}].due") or deadlines.completion_due
        co.append((item.unit_code, item.task, due))
    return c.Dispatch(
        reason=data.reason,
        lead_unit_code=lead.code,
        supervising_unit_code=supervising_unit(ctx, lead),
        deadlines=deadlines,
        co_handlers=tuple(co),
    )


@register(Action.UPHOLD_OBJECTION, UpholdInput)
def _uphold(ctx, ticket, actor, now, data: UpholdInput, session) -> c.Command:
    lead = require_unit(ctx, data.lead_unit_code, field="lead_unit_code")
    return c.UpholdObjection(
        reason=data.reason,
        lead_unit_code=lead.code,
        supervising_unit_code=supervising_unit(ctx, lead),
        deadlines=deadlines_for(ctx, ticket, lead, now),
    )


@register(Action.REJECT_OBJECTION, RejectInput)
def _reject(ctx, ticket, actor, now, data: RejectInput, session) -> c.Command:
    return c.RejectObjection(reason=data.reason)
