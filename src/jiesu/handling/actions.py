"""Handling actions of the lead unit and its co-handlers (H1, H2, H3, D5)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field
from sqlalchemy import select

from jiesu.actions import ActionInput, aware, register, require_unit
from jiesu.dispatch import catalogue, rules
from jiesu.domain import commands as c
from jiesu.domain.commands import Action, ContactMethod, ContactOutcome
from jiesu.domain.deadlines import due_after
from jiesu.domain.errors import InvalidInput
from jiesu.domain.ticket import ReplyOutcome
from jiesu.followup.visits import queue_visit_links
from jiesu.intake.receive import check_attachments
from jiesu.storage.tables import tickets
from jiesu.storage.types import Instant, InstantOrNone


class AcknowledgeInput(ActionInput):
    pass


class ObjectionInput(ActionInput):
    grounds: Literal["duty", "jurisdiction"] = Field(description="职责 duty / 管辖 jurisdiction")
    evidence: str = Field(default="", max_length=5000, description="依据")


class ContactInput(ActionInput):
    method: ContactMethod = ContactMethod.PHONE
    outcome: ContactOutcome = ContactOutcome.REACHED
    note: str = Field(default="", max_length=2000)


class AddCoHandlerInput(ActionInput):
    unit_code: str = Field(min_length=1, max_length=64)
    task: str = Field(min_length=1, max_length=1000)
    due: InstantOrNone = None


class CoHandlerReportInput(ActionInput):
    report: str = Field(min_length=1, max_length=5000)


class ExtensionInput(ActionInput):
    proposed_due: Instant = Field(description="申请延期至")


class GrantExtensionInput(ActionInput):
    new_due: InstantOrNone = Field(default=None, description="缺省为申请的时限")


class RefuseExtensionInput(ActionInput):
    pass


class ReplyInput(ActionInput):
    outcome: ReplyOutcome
    text: str = Field(min_length=1, max_length=5000, description="办理情况")
    attachments: list[str] = Field(
        default_factory=list, max_length=20, description="办理附件（先上传，填其 sha256）"
    )


@register(Action.ACKNOWLEDGE, AcknowledgeInput)
def _acknowledge(ctx, ticket, actor, now, data, session) -> c.Command:
    return c.Acknowledge(reason=data.reason)


@register(Action.RAISE_OBJECTION, ObjectionInput)
def _objection(ctx, ticket, actor, now, data: ObjectionInput, session) -> c.Command:
    window = ctx.city.objection_policy.window.to_duration()
    closes = due_after(ticket.dispatched_at, window, ctx.calendar, ctx.city.tz)
    return c.RaiseObjection(
        reason=data.reason, grounds=data.grounds, evidence=data.evidence, window_closes=closes
    )


@register(Action.CONTACT, ContactInput)
def _contact(ctx, ticket, actor, now, data: ContactInput, session) -> c.Command:
    return c.Contact(reason=data.reason, method=data.method, outcome=data.outcome, note=data.note)


@register(Action.ADD_CO_HANDLER, AddCoHandlerInput)
def _add_co_handler(ctx, ticket, actor, now, data: AddCoHandlerInput, session) -> c.Command:
    unit = require_unit(ctx, data.unit_code, field="unit_code")
    entry = catalogue.current(ctx, session.connection()).entry_for(
        ticket.category, str(ticket.request_type)
    )
    rules.check_co_handler(entry, unit)
    due = aware(data.due, "due") or ticket.completion_due
    return c.AddCoHandler(reason=data.reason, unit_code=data.unit_code, task=data.task, due=due)


@register(Action.CO_HANDLER_REPORT, CoHandlerReportInput)
def _co_report(ctx, ticket, actor, now, data: CoHandlerReportInput, session) -> c.Command:
    return c.CoHandlerReport(reason=data.reason, report=data.report)


def _within_policy(ctx, ticket, due: datetime, field: str) -> datetime:
    policy = ctx.city.extension_policy
    aware(due, field)
    if ticket.completion_due is not None and due > ticket.completion_due + timedelta(
        days=policy.max_days
    ):
        raise InvalidInput(
            "extension.beyond_policy",
            f"单次延期不得超过{policy.max_days}天",
            f"An extension may add at most {policy.max_days} days",
            field=field,
        )
    return due


@register(Action.REQUEST_EXTENSION, ExtensionInput)
def _request_extension(ctx, ticket, actor, now, data: ExtensionInput, session) -> c.Command:
    policy = ctx.city.extension_policy
    return c.RequestExtension(
        reason=data.reason,
        proposed_due=_within_policy(ctx, ticket, data.proposed_due, "proposed_due"),
        approval_required=policy.approval_required,
        max_extensions=policy.max_extensions,
    )


@register(Action.GRANT_EXTENSION, GrantExtensionInput)
def _grant(ctx, ticket, actor, now, data: GrantExtensionInput, session) -> c.Command:
    new_due = data.new_due and _within_policy(ctx, ticket, data.new_due, "new_due")
    return c.GrantExtension(reason=data.reason, new_due=new_due)


@register(Action.REFUSE_EXTENSION, RefuseExtensionInput)
def _refuse(ctx, ticket, actor, now, data, session) -> c.Command:
    return c.RefuseExtension(reason=data.reason)


@register(Action.REPLY, ReplyInput, then=lambda *a: queue_visit_links(*a))
def _reply(ctx, ticket, actor, now, data: ReplyInput, session) -> c.Command:
    check_attachments(session, data.attachments)
    window = ctx.city.visit_policy.due_within.to_duration()
    merged = session.execute(
        select(tickets.c.id).where(tickets.c.merged_into_id == ticket.id).order_by(tickets.c.id)
    ).scalars()
    return c.Reply(
        reason=data.reason,
        outcome=data.outcome,
        text=data.text,
        attachments=tuple(data.attachments),
        visit_due=due_after(now, window, ctx.calendar, ctx.city.tz),
        merged_ticket_ids=tuple(merged),
    )
