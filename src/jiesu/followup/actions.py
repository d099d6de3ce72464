"""Follow-up actions of the hotline: return visit, close, re-handling (A1, BJ Art. 23)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from sqlalchemy import select

from jiesu.actions import ActionInput, register
from jiesu.dispatch.deadlines import deadlines_for
from jiesu.domain import commands as c
from jiesu.domain.commands import Action
from jiesu.domain.deadlines import due_after
from jiesu.domain.errors import InvalidInput
from jiesu.domain.ticket import Satisfaction
from jiesu.storage.tables import tickets

from .visits import rehandle_if_due


class VisitInput(ActionInput):
    reached: bool = Field(default=True, description="是否联系上诉求人")
    contacted: bool | None = Field(default=None, description="承办单位是否联系了您")
    solved: bool | None = Field(default=None, description="问题是否解决")
    satisfaction: Satisfaction | None = None
    comment: str = Field(default="", max_length=2000)
    channel: Literal["phone", "sms", "web"] = "phone"
    requester_number: str | None = Field(
        default=None, description="并入本工单的诉求编号（回访其诉求人）；缺省为本工单诉求人"
    )

    @model_validator(mode="after")
    def _answers(self) -> VisitInput:
        if self.reached and (
            self.contacted is None or self.solved is None or self.satisfaction is None
        ):
            raise ValueError("a reached requester answers contacted, solved and satisfaction")
        return self


class CloseInput(ActionInput):
    pass


class ReopenInput(ActionInput):
    pass


@register(Action.RECORD_VISIT, VisitInput, then=lambda *a: rehandle_if_due(*a))
def _visit(ctx, ticket, actor, now, data: VisitInput, session) -> c.Command:
    requester = None
    if data.requester_number and data.requester_number != ticket.number:
        row = session.execute(
            select(tickets.c.id).where(
                tickets.c.number == data.requester_number,
                tickets.c.merged_into_id == ticket.id,
            )
        ).first()
        if row is None:
            raise InvalidInput(
                "visit.not_merged",
                f"{data.requester_number} 不是并入本工单的诉求",
                f"{data.requester_number} was not merged into this ticket",
                field="requester_number",
            )
        requester = row.id
    policy = ctx.city.visit_policy
    return c.RecordVisit(
        reason=data.reason,
        reached=data.reached,
        contacted=bool(data.contacted),
        solved=bool(data.solved),
        satisfaction=str(data.satisfaction or ""),
        comment=data.comment,
        channel=data.channel,
        requester_ticket_id=requester,
        max_attempts=policy.max_attempts,
        retry_after=due_after(now, policy.retry_after.to_duration(), ctx.calendar, ctx.city.tz)
        - now,
    )


@register(Action.CLOSE, CloseInput)
def _close(ctx, ticket, actor, now, data, session) -> c.Command:
    return c.Close(reason=data.reason)


@register(Action.REOPEN, ReopenInput)
def _reopen(ctx, ticket, actor, now, data, session) -> c.Command:
    lead = ctx.city.unit(ticket.lead_unit_code or "")
    deadlines = deadlines_for(ctx, ticket, lead, now) if lead else None
    return c.Reopen(reason=data.reason, deadlines=deadlines)
