"""Coordination while handling: progress reports, contests of improper requests, urging,
whistle and report-in, escalation (H1, H4, H5, H8; BJ Art. 14, 16, 20; HH Art. 19, 21)."""

from __future__ import annotations

from pydantic import Field

from jiesu.actions import ActionInput, aware, register, require_unit
from jiesu.dispatch import catalogue, rules
from jiesu.dispatch.actions import CoHandlerInput
from jiesu.dispatch.deadlines import supervising_unit
from jiesu.domain import commands as c
from jiesu.domain.commands import Action
from jiesu.domain.deadlines import due_after
from jiesu.domain.ticket import ContestKind
from jiesu.storage.types import InstantOrNone

from .authority import check_authority, check_whistle


class ProgressInput(ActionInput):
    text: str = Field(min_length=1, max_length=5000, description="阶段性办理情况")


class ContestInput(ActionInput):
    kind: ContestKind = Field(
        description="不合理诉求 improper / 应由诉求人承担费用 requester_costs"
    )
    evidence: str = Field(default="", max_length=5000, description="依据")


class DecideContestInput(ActionInput):
    accepted: bool = Field(description="是否认定")


class UrgeInput(ActionInput):
    pass


class WhistleInput(ActionInput):
    unit_codes: list[str] = Field(min_length=1, max_length=10, description="召集的部门")
    report_due: InstantOrNone = Field(default=None, description="报到时限；缺省按政策")


class ReportInInput(ActionInput):
    pass


class CloseWhistleInput(ActionInput):
    pass


class EscalateInput(ActionInput):
    authority_unit_code: str = Field(min_length=1, max_length=64, description="提请协调的单位")


class DecideEscalationInput(ActionInput):
    lead_unit_code: str = Field(min_length=1, max_length=64, description="主办单位")
    co_handlers: list[CoHandlerInput] = Field(default_factory=list, max_length=20)


@register(Action.PROGRESS_REPORT, ProgressInput)
def _progress(ctx, ticket, actor, now, data: ProgressInput, session) -> c.Command:
    return c.ProgressReport(reason=data.reason, text=data.text)


@register(Action.CONTEST_REQUEST, ContestInput)
def _contest(ctx, ticket, actor, now, data: ContestInput, session) -> c.Command:
    return c.ContestRequest(reason=data.reason, kind=data.kind, evidence=data.evidence)


@register(Action.DECIDE_CONTEST, DecideContestInput)
def _decide_contest(ctx, ticket, actor, now, data: DecideContestInput, session) -> c.Command:
    return c.DecideContest(reason=data.reason, accepted=data.accepted)


@register(Action.URGE, UrgeInput)
def _urge(ctx, ticket, actor, now, data: UrgeInput, session) -> c.Command:
    return c.Urge(reason=data.reason)


@register(Action.RAISE_WHISTLE, WhistleInput)
def _whistle(ctx, ticket, actor, now, data: WhistleInput, session) -> c.Command:
    summoned = [
        require_unit(ctx, code, field=f"unit_codes[{i}]") for i, code in enumerate(data.unit_codes)
    ]
    check_whistle(ctx.city, ctx.city.unit(ticket.lead_unit_code or ""), summoned)
    window = ctx.city.handling_policy.whistle_report_window.to_duration()
    due = aware(data.report_due, "report_due") or due_after(now, window, ctx.calendar, ctx.city.tz)
    return c.RaiseWhistle(
        reason=data.reason, unit_codes=tuple(u.code for u in summoned), report_due=due
    )


@register(Action.REPORT_IN, ReportInInput)
def _report_in(ctx, ticket, actor, now, data: ReportInInput, session) -> c.Command:
    return c.ReportIn(reason=data.reason)


@register(Action.CLOSE_WHISTLE, CloseWhistleInput)
def _close_whistle(ctx, ticket, actor, now, data: CloseWhistleInput, session) -> c.Command:
    return c.CloseWhistle(reason=data.reason)


@register(Action.ESCALATE, EscalateInput)
def _escalate(ctx, ticket, actor, now, data: EscalateInput, session) -> c.Command:
    authority = ctx.city.unit(data.authority_unit_code)
    if authority is None:
        authority = require_unit(ctx, data.authority_unit_code, field="authority_unit_code")
    check_authority(ctx.city, ctx.city.unit(ticket.lead_unit_code or ""), authority)
    return c.Escalate(reason=data.reason, authority_unit_code=authority.code)


@register(Action.DECIDE_ESCALATION, DecideEscalationInput)
def _decide_escalation(ctx, ticket, actor, now, data: DecideEscalationInput, session):
    lead = require_unit(ctx, data.lead_unit_code, field="lead_unit_code")
    co_units = [
        require_unit(ctx, item.unit_code, field=f"co_handlers[{i}].unit_code")
        for i, item in enumerate(data.co_handlers)
    ]
    entry = catalogue.current(ctx, session.connection()).entry_for(
        ticket.category, str(ticket.request_type)
    )
    rules.check(entry, lead, co_units)
    default_due = ticket.completion_due or now
    return c.DecideEscalation(
        reason=data.reason,
        lead_unit_code=lead.code,
        supervising_unit_code=supervising_unit(ctx, lead),
        co_handlers=tuple(
            (item.unit_code, item.task, aware(item.due, f"co_handlers[{i}].due") or default_due)
            for i, item in enumerate(data.co_handlers)
        ),
    )
