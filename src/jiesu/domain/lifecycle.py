"""The one state machine of a ticket.

Every change of a ticket's state goes through :func:`apply`, which checks the
transition table (state, role and unit), applies the command and returns the
timeline event that records it. Nothing else in jiesu assigns ``status``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from . import commands as c
from .commands import Action
from .errors import Forbidden, IllegalTransition
from .handlers import HANDLERS
from .roles import Actor, Role
from .ticket import OPEN_AT_UNIT, TERMINAL, Status, Ticket, TimelineEvent


class Party(StrEnum):
    """Whose ticket it must be for the actor to act."""

    HOTLINE = "hotline"  # the hotline centre's staff
    LEAD = "lead"  # a handler of the lead unit (主办)
    CO_HANDLER = "co_handler"  # a handler of a co-handling unit with an open task (协办)
    CONSULTEE = "consultee"  # a handler of a unit invited to a consultation, not yet answered
    INVOLVED = "involved"  # the lead, or a co-handler with an open task
    SUMMONED = "summoned"  # a department summoned by the open whistle, not yet reported in
    AUTHORITY = "authority"  # the unit the ticket was escalated to


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status | None  # None: the ticket stays in its state (or the handler decides)
    roles: frozenset[Role]
    party: Party


_HOTLINE_DESK = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN})
_DISPATCH_DESK = frozenset({Role.DISPATCHER, Role.ADMIN})
_UNIT = frozenset({Role.UNIT_HANDLER})
_HANDLING = frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS})
_AT_UNITS = OPEN_AT_UNIT | {Status.REPLIED, Status.VISITED}
_NOT_FINAL = frozenset(Status) - TERMINAL


def _t(action, sources, target, roles, party=Party.HOTLINE) -> Transition:
    return Transition(action, frozenset(sources), target, roles, party)


TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in [
        _t(Action.ANSWER_DIRECTLY, {Status.RECEIVED}, Status.ANSWERED, _HOTLINE_DESK),
        _t(Action.REFER, {Status.RECEIVED}, Status.REFERRED, _HOTLINE_DESK),
        _t(Action.DISPATCH, {Status.RECEIVED}, Status.DISPATCHED, _HOTLINE_DESK),
        _t(Action.ACKNOWLEDGE, {Status.DISPATCHED}, Status.ACKNOWLEDGED, _UNIT, Party.LEAD),
        _t(
            Action.RAISE_OBJECTION,
            {Status.DISPATCHED, Status.ACKNOWLEDGED},
            Status.OBJECTED,
            _UNIT,
            Party.LEAD,
        ),
        _t(Action.UPHOLD_OBJECTION, {Status.OBJECTED}, Status.DISPATCHED, _DISPATCH_DESK),
        _t(Action.REJECT_OBJECTION, {Status.OBJECTED}, None, _DISPATCH_DESK),
        _t(Action.CONTACT, _HANDLING, Status.IN_PROGRESS, _UNIT, Party.LEAD),
        _t(Action.ADD_CO_HANDLER, _HANDLING, None, _UNIT | _DISPATCH_DESK, Party.LEAD),
        _t(
            Action.CO_HANDLER_REPORT,
            _HANDLING | {Status.DISPATCHED},
            None,
            _UNIT,
            Party.CO_HANDLER,
        ),
        _t(Action.REQUEST_EXTENSION, _HANDLING, None, _UNIT, Party.LEAD),
        _t(Action.GRANT_EXTENSION, _HANDLING, None, _DISPATCH_DESK),
        _t(Action.REFUSE_EXTENSION, _HANDLING, None, _DISPATCH_DESK),
        _t(Action.REPLY, {Status.IN_PROGRESS}, Status.REPLIED, _UNIT, Party.LEAD),
        _t(
            Action.RECORD_VISIT,  # at a unit: the visit due when the deadline expired
            OPEN_AT_UNIT | {Status.REPLIED, Status.VISITED, Status.CLOSED},
            None,  # visited once the own requester's visit is final (the handler decides)
            _HOTLINE_DESK,
        ),
        _t(Action.CLOSE, {Status.VISITED}, Status.CLOSED, _HOTLINE_DESK),
        _t(Action.REOPEN, {Status.VISITED, Status.CLOSED}, Status.DISPATCHED, _HOTLINE_DESK),
        _t(Action.MERGE, {Status.RECEIVED}, Status.MERGED, _HOTLINE_DESK),
        _t(Action.ABSORB, _NOT_FINAL, None, _HOTLINE_DESK),
        _t(Action.RELEASE_IDENTITY, _AT_UNITS, None, _DISPATCH_DESK),
        _t(
            Action.RECLASSIFY,
            {Status.RECEIVED, Status.CONSULTING} | OPEN_AT_UNIT,
            None,
            _HOTLINE_DESK,
        ),
        _t(Action.START_CONSULTATION, {Status.RECEIVED}, Status.CONSULTING, _DISPATCH_DESK),
        _t(Action.GIVE_POSITION, {Status.CONSULTING}, None, _UNIT, Party.CONSULTEE),
        _t(Action.DECIDE_CONSULTATION, {Status.CONSULTING}, Status.DISPATCHED, _DISPATCH_DESK),
        _t(Action.PROGRESS_REPORT, _HANDLING | {Status.DISPATCHED}, None, _UNIT, Party.INVOLVED),
        _t(Action.CONTEST_REQUEST, _HANDLING, None, _UNIT, Party.LEAD),
        _t(Action.DECIDE_CONTEST, _HANDLING | {Status.REPLIED}, None, _DISPATCH_DESK),
        _t(Action.URGE, OPEN_AT_UNIT, None, frozenset({Role.SUPERVISOR, Role.ADMIN})),
        _t(Action.RAISE_WHISTLE, _HANDLING, None, _UNIT, Party.LEAD),
        _t(Action.REPORT_IN, _HANDLING, None, _UNIT, Party.SUMMONED),
        _t(Action.CLOSE_WHISTLE, _HANDLING, None, _UNIT, Party.LEAD),
        _t(Action.ESCALATE, _HANDLING, Status.ESCALATED, _UNIT, Party.LEAD),
        _t(Action.DECIDE_ESCALATION, {Status.ESCALATED}, None, _UNIT, Party.AUTHORITY),
    ]
}

#: Fields whose old and new values are written into each event's ``changes``.
TRACKED_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(Ticket)
    if f.name
    not in {
        "co_handlers",
        "objections",
        "consultation",
        "whistle_calls",
        "visits",
        "id",
        "version",
        "attachments",
    }
)


def check(ticket: Ticket, action: Action, actor: Actor) -> Transition:
    """Raise unless ``actor`` may perform ``action`` on ``ticket`` now."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise IllegalTransition(
            "ticket.unknown_action", f"未知操作：{action}", f"Unknown action: {action}"
        )
    if actor.role not in transition.roles:
        raise Forbidden(
            "ticket.role_forbidden",
            f"“{actor.role.label_zh}”角色不能执行“{action.label_zh}”",
            f"Role {actor.role} may not {action}",
            action=str(action),
        )
    if (
        transition.party is Party.LEAD
        and actor.role is Role.UNIT_HANDLER
        and ticket.lead_unit_code != actor.unit_code
    ):
        raise Forbidden(
            "ticket.not_lead_unit",
            "只有主办单位可以执行此操作",
            "Only the lead unit may do this",
            action=str(action),
        )
    if transition.party is Party.CO_HANDLER and ticket.open_task_for(actor.unit_code) is None:
        raise Forbidden(
            "ticket.no_open_task",
            "本单位在此工单上没有待反馈的协办任务",
            "Your unit has no open co-handling task on this ticket",
        )
    if Status(ticket.status) not in transition.sources:
        raise IllegalTransition(
            "ticket.illegal_transition",
            f"工单处于“{Status(ticket.status).label_zh}”状态，不能“{action.label_zh}”",
            f"Cannot {action} a ticket that is {ticket.status}",
            status=str(ticket.status),
            action=str(action),
        )
    _check_party(ticket, transition, actor)
    return transition


def _check_party(ticket: Ticket, transition: Transition, actor: Actor) -> None:
    """The parties checked after the state: whether the unit has its part in it now."""
    if actor.role is not Role.UNIT_HANDLER:
        return
    unit = actor.unit_code
    if transition.party is Party.INVOLVED and not (
        ticket.lead_unit_code == unit or ticket.open_task_for(unit) is not None
    ):
        raise Forbidden(
            "ticket.not_involved",
            "只有主办单位或有待办协办任务的单位可以反馈",
            "Only the lead or a unit with an open co-handling task may report",
        )
    if transition.party is Party.SUMMONED and ticket.open_call_for(unit) is None:
        raise Forbidden(
            "ticket.not_summoned",
            "本单位未被此次吹哨召集，或已报到",
            "Your unit is not summoned by the open whistle, or has already reported in",
        )
    if transition.party is Party.AUTHORITY and ticket.escalated_to != unit:
        raise Forbidden(
            "ticket.not_authority",
            "只有被提请协调的单位可以确定主办和协办",
            "Only the authority the ticket was escalated to may decide",
        )
    if transition.party is Party.CONSULTEE and ticket.pending_invite_for(unit) is None:
        raise Forbidden(
            "ticket.not_invited",
            "本单位未受邀参加此工单的会商，或已回复意见",
            "Your unit is not invited to this consultation, or has already answered",
        )


#: Actions a service performs as the consequence of another, never offered on their own.
CONSEQUENTIAL = frozenset({Action.ABSORB})


def allowed_actions(ticket: Ticket, actor: Actor) -> list[Action]:
    """The actions ``actor`` could take on ``ticket`` now (for forms and menus)."""
    allowed = []
    for action in TRANSITIONS:
        if action in CONSEQUENTIAL:
            continue
        try:
            check(ticket, action, actor)
        except (Forbidden, IllegalTransition):
            continue
        if _precondition_holds(ticket, action):
            allowed.append(action)
    return allowed


def _precondition_holds(ticket: Ticket, action: Action) -> bool:
    pending = ticket.extension_requested_due is not None
    if action in (Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION):
        return pending
    if action is Action.REQUEST_EXTENSION:
        return not pending
    if action is Action.RELEASE_IDENTITY:
        return ticket.confidential
    if action is Action.RECORD_VISIT:
        return any(v.status == "pending" for v in ticket.visits) or (
            ticket.status == Status.REPLIED and not ticket.visits
        )
    if action is Action.CLOSE:
        return not any(v.is_primary and not v.is_final for v in ticket.visits)
    if action is Action.CONTEST_REQUEST:
        return ticket.contest_status != "pending"
    if action is Action.DECIDE_CONTEST:
        return ticket.contest_status == "pending"
    if action is Action.RAISE_WHISTLE:
        return not ticket.whistle_open
    if action is Action.CLOSE_WHISTLE:
        return ticket.whistle_open
    return True


def apply(ticket: Ticket, command: c.Command, actor: Actor, now: datetime) -> TimelineEvent:
    """Check and apply ``command``; return the timeline event to append (not yet stored)."""
    transition = check(ticket, command.action, actor)
    before = {name: getattr(ticket, name) for name in TRACKED_FIELDS}
    from_status = ticket.status
    data = HANDLERS[type(command)](ticket, command, actor, now) or {}
    if transition.target is not None:
        ticket.status = transition.target
    changes = {
        name: [_jsonable(before[name]), _jsonable(getattr(ticket, name))]
        for name in TRACKED_FIELDS
        if before[name] != getattr(ticket, name)
    }
    return TimelineEvent(
        action=str(command.action),
        at=now,
        actor_user_id=actor.user_id,
        actor_username=actor.username,
        actor_role=str(actor.role),
        actor_unit_code=actor.unit_code,
        from_status=str(from_status),
        to_status=str(ticket.status),
        reason=command.reason or None,
        changes=changes,
        data={k: _jsonable(v) for k, v in data.items()},
    )


def receive(ticket: Ticket, actor: Actor) -> TimelineEvent:
    """The first event of every ticket: it was taken and recorded (接, I2)."""
    if actor.role not in _HOTLINE_DESK:
        raise Forbidden(
            "ticket.role_forbidden",
            f"“{actor.role.label_zh}”角色不能登记诉求",
            f"Role {actor.role} may not record requests",
        )
    ticket.status = Status.RECEIVED
    return TimelineEvent(
        action=str(Action.RECEIVE),
        at=ticket.received_at,
        actor_user_id=actor.user_id,
        actor_username=actor.username,
        actor_role=str(actor.role),
        actor_unit_code=actor.unit_code,
        from_status=None,
        to_status=str(Status.RECEIVED),
        data={"channel": str(ticket.channel), "hotline": ticket.hotline},
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, (list, tuple)):  # a copy: the event must not change with the ticket
        return [_jsonable(v) for v in value]
    return value
