"""Dispatch actions: dispatch, objection review, consultation (D2–D5, D8, H1).

Every dispatch-like action (dispatch, an upheld objection's re-dispatch, a
consultation's decision) checks the catalogue's rules (D8) before anything
changes, computes the deadlines from policy (D6), and records what the
suggestions proposed against what the dispatcher chose — in the timeline
event and in ``dispatch_decisions`` (training data and acceptance figures).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import insert

from jiesu.actions import ActionInput, aware, register, require_unit
from jiesu.city.config import ObjectionClock
from jiesu.domain import commands as c
from jiesu.domain.commands import Action, Deadlines
from jiesu.domain.deadlines import due_after
from jiesu.domain.errors import InvalidInput
from jiesu.domain.ticket import Position
from jiesu.storage.tables import dispatch_decisions
from jiesu.storage.types import InstantOrNone

from . import catalogue, rules
from .deadlines import deadlines_for, supervising_unit
from .suggest import disputing_units, suggest


class CoHandlerInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str = Field(min_length=1, max_length=64)
    task: str = Field(min_length=1, max_length=1000, description="协办任务")
    due: InstantOrNone = Field(default=None, description="协办时限；缺省为主办办结时限")


class DispatchInput(ActionInput):
    lead_unit_code: str = Field(min_length=1, max_length=64, description="主办单位")
    co_handlers: list[CoHandlerInput] = Field(default_factory=list, max_length=20)


class UpholdInput(ActionInput):
    lead_unit_code: str = Field(min_length=1, max_length=64, description="重派至的主办单位")


class RejectInput(ActionInput):
    pass


class StartConsultationInput(ActionInput):
    unit_codes: list[str] = Field(min_length=1, max_length=10, description="邀请会商的单位")
    due: InstantOrNone = Field(default=None, description="意见回复期限；缺省按会商政策")


class PositionInput(ActionInput):
    position: Position = Field(description="会商意见")


class DecideConsultationInput(DispatchInput):
    pass


def _checked(ctx, ticket, session, lead_code: str, co: list[CoHandlerInput]):
    """The lead, the co-handlers with their deadlines, after every rule has passed."""
    lead = require_unit(ctx, lead_code, field="lead_unit_code")
    co_units = [
        require_unit(ctx, item.unit_code, field=f"co_handlers[{i}].unit_code")
        for i, item in enumerate(co)
    ]
    entry = catalogue.current(ctx, session.connection()).entry_for(
        ticket.category, str(ticket.request_type)
    )
    disputants = [u for u in (ctx.city.unit(code) for code in disputing_units(ticket)) if u]
    rules.check(entry, lead, co_units, disputants)
    return lead, co_units


def _suggestion(ctx, ticket, session, chosen: str, exclude=frozenset()) -> tuple[dict, str | None]:
    found = suggest(ctx, session.connection(), ticket, exclude=exclude)
    return found.record(chosen), found.place.community or found.place.street or found.place.district


def _tasks(co: list[CoHandlerInput], default_due: datetime):
    return tuple(
        (item.unit_code, item.task, aware(item.due, f"co_handlers[{i}].due") or default_due)
        for i, item in enumerate(co)
    )


def keep_decision(ctx, uow, ticket, event, actor, now) -> None:
    """Keep suggested against chosen as a row: training data and acceptance figures (D7)."""
    suggestion = event.data.get("suggestion")
    if not suggestion:
        return
    uow.session.execute(
        insert(dispatch_decisions).values(
            ticket_id=ticket.id,
            at=now,
            action=event.action,
            username=actor.username,
            category=ticket.category,
            text=f"{ticket.title}\n{ticket.content}".strip(),
            chosen_unit_code=ticket.lead_unit_code,
            suggested_unit_code=suggestion.get("suggested_unit"),
            accepted=bool(suggestion.get("accepted")),
            rank=suggestion.get("rank"),
            score=suggestion.get("score"),
            model_version=suggestion.get("model_version"),
        )
    )


@register(Action.DISPATCH, DispatchInput, then=lambda *a: keep_decision(*a))
def _dispatch(ctx, ticket, actor, now, data: DispatchInput, session) -> c.Command:
    lead, _ = _checked(ctx, ticket, session, data.lead_unit_code, data.co_handlers)
    deadlines = deadlines_for(ctx, ticket, lead, now)
    suggestion, place = _suggestion(ctx, ticket, session, lead.code)
    return c.Dispatch(
        reason=data.reason,
        lead_unit_code=lead.code,
        supervising_unit_code=supervising_unit(ctx, lead),
        deadlines=deadlines,
        co_handlers=_tasks(data.co_handlers, deadlines.completion_due),
        location_unit_code=place if suggestion["place"]["confidence"] >= 0.6 else None,
        suggestion=suggestion,
    )


@register(Action.UPHOLD_OBJECTION, UpholdInput, then=lambda *a: keep_decision(*a))
def _uphold(ctx, ticket, actor, now, data: UpholdInput, session) -> c.Command:
    lead, _ = _checked(ctx, ticket, session, data.lead_unit_code, [])
    objectors = {o.unit_code for o in ticket.objections if o.decision in (None, "upheld")}
    if lead.code in objectors:
        raise InvalidInput(
            "objection.same_unit",
            "异议成立时不能再派给提出异议的单位",
            "An upheld objection cannot re-dispatch to a unit that objected",
            field="lead_unit_code",
        )
    deadlines = deadlines_for(ctx, ticket, lead, now)
    if ctx.city.objection_policy.clock is ObjectionClock.CONTINUE and ticket.completion_due:
        deadlines = Deadlines(
            contact_due=deadlines.contact_due,
            completion_due=max(ticket.completion_due, deadlines.contact_due),
            basis=f"{ticket.deadline_basis or deadlines.basis}·continued"[:64],
        )
    suggestion, _ = _suggestion(ctx, ticket, session, lead.code, frozenset(objectors))
    return c.UpholdObjection(
        reason=data.reason,
        lead_unit_code=lead.code,
        supervising_unit_code=supervising_unit(ctx, lead),
        deadlines=deadlines,
        suggestion=suggestion,
    )


@register(Action.REJECT_OBJECTION, RejectInput)
def _reject(ctx, ticket, actor, now, data: RejectInput, session) -> c.Command:
    return c.RejectObjection(reason=data.reason)


@register(Action.START_CONSULTATION, StartConsultationInput)
def _start(ctx, ticket, actor, now, data: StartConsultationInput, session) -> c.Command:
    units = [
        require_unit(ctx, code, field=f"unit_codes[{i}]").code
        for i, code in enumerate(data.unit_codes)
    ]
    window = ctx.city.consultation_policy.response_window.to_duration()
    due = aware(data.due, "due") or due_after(now, window, ctx.calendar, ctx.city.tz)
    return c.StartConsultation(reason=data.reason, unit_codes=tuple(units), due=due)


@register(Action.GIVE_POSITION, PositionInput)
def _position(ctx, ticket, actor, now, data: PositionInput, session) -> c.Command:
    return c.GivePosition(reason=data.reason, position=data.position)


@register(Action.DECIDE_CONSULTATION, DecideConsultationInput, then=lambda *a: keep_decision(*a))
def _decide(ctx, ticket, actor, now, data: DecideConsultationInput, session) -> c.Command:
    lead, _ = _checked(ctx, ticket, session, data.lead_unit_code, data.co_handlers)
    deadlines = deadlines_for(ctx, ticket, lead, now)
    suggestion, _ = _suggestion(ctx, ticket, session, lead.code)
    return c.DecideConsultation(
        reason=data.reason,
        lead_unit_code=lead.code,
        supervising_unit_code=supervising_unit(ctx, lead),
        deadlines=deadlines,
        co_handlers=_tasks(data.co_handlers, deadlines.completion_due),
        suggestion=suggestion,
    )
