"""Follow-up actions of the hotline: return visit, close, re-handling (A1, BJ Art. 23)."""

from __future__ import annotations

from pydantic import Field

from jiesu.actions import ActionInput, register
from jiesu.dispatch.deadlines import deadlines_for
from jiesu.domain import commands as c
from jiesu.domain.commands import Action
from jiesu.domain.ticket import Satisfaction


class VisitInput(ActionInput):
    contacted: bool = Field(description="承办单位是否联系了您")
    solved: bool = Field(description="问题是否解决")
    satisfaction: Satisfaction
    comment: str = Field(default="", max_length=2000)


class CloseInput(ActionInput):
    pass


class ReopenInput(ActionInput):
    pass


@register(Action.RECORD_VISIT, VisitInput)
def _visit(ctx, ticket, actor, now, data: VisitInput, session) -> c.Command:
    return c.RecordVisit(
        reason=data.reason,
        contacted=data.contacted,
        solved=data.solved,
        satisfaction=data.satisfaction,
        comment=data.comment,
    )


@register(Action.CLOSE, CloseInput)
def _close(ctx, ticket, actor, now, data, session) -> c.Command:
    return c.Close(reason=data.reason)


@register(Action.REOPEN, ReopenInput)
def _reopen(ctx, ticket, actor, now, data, session) -> c.Command:
    lead = ctx.city.unit(ticket.lead_unit_code or "")
    deadlines = deadlines_for(ctx, ticket, lead, now) if lead else None
    return c.Reopen(reason=data.reason, deadlines=deadlines)
