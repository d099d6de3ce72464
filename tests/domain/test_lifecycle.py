"""Unit tests of the ticket state machine (``jiesu.domain.lifecycle``).

Requirement IDs (see /work/shared/design/requirements.md): I2 full record, I3
request types, I5 classified handling (and 并单 merging), D2 dispatch with
supervision, D5 dispatch objections, D6 deadline on every order, H1
first-receiver responsibility and co-handlers, H2 contact and feedback, H3
extensions (BJ Art. 15 notification / HH Art. 18 approval), A1 return visit, A7
"七有五性" tags, S1 confidentiality, S2 accountability (every action is recorded).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import pytest

from jiesu.domain import commands as c
from jiesu.domain import lifecycle
from jiesu.domain.commands import Action, ReferralReason
from jiesu.domain.errors import Forbidden, IllegalTransition, InvalidInput, JiesuError
from jiesu.domain.handlers import HANDLERS
from jiesu.domain.lifecycle import TRANSITIONS, Party
from jiesu.domain.roles import Role
from jiesu.domain.ticket import (
    LIVELIHOOD_TAG_LABELS_ZH,
    OPEN_AT_UNIT,
    TERMINAL,
    CoHandlerTask,
    ReplyOutcome,
    RequestType,
    ReturnVisit,
    Satisfaction,
    Status,
    Ticket,
)

from .factories import (
    ADMIN,
    AUTHORITY_UNIT,
    CO_UNIT,
    DISPATCHER,
    HOTLINE_UNIT,
    LEAD_UNIT,
    MERGE_TARGET_ID,
    MERGE_TARGET_NUMBER,
    MERGED_REQUEST_ID,
    OPERATOR,
    OTHER_UNIT,
    SPARE_UNIT,
    SUPERVISING_UNIT,
    SUPERVISOR,
    T0,
    TZ,
    Clock,
    actor_with,
    co_task,
    deadlines,
    make_ticket,
    right_actor,
    snapshot,
    ticket_in,
    unit_handler,
    valid_command,
)

ALL_ROLES = sorted(Role)
ALL_STATES = sorted(Status)
COMMAND_ACTIONS = [a for a in Action if a is not Action.RECEIVE]

#: The fields whose old/new values each event records (everything but the
#: collections and the storage bookkeeping).
EXPECTED_TRACKED = {f.name for f in dataclasses.fields(Ticket)} - {
    "co_handlers",
    "objections",
    "consultation",
    "whistle_calls",
    "visits",
    "id",
    "version",
    "attachments",
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return str(value)
    return value


def _expected_changes(before: Ticket, after: Ticket) -> dict[str, list[Any]]:
    return {
        name: [_jsonable(getattr(before, name)), _jsonable(getattr(after, name))]
        for name in EXPECTED_TRACKED
        if getattr(before, name) != getattr(after, name)
    }


def _setup_for(action: Action, source: Status, clock: Clock) -> Ticket:
    """A ticket in ``source`` that satisfies ``action``'s preconditions."""
    ticket, _ = ticket_in(
        source,
        clock,
        co_handler=action is Action.CO_HANDLER_REPORT,
        pending_extension=action in (Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION),
        whistle=action in (Action.REPORT_IN, Action.CLOSE_WHISTLE),
        contest=action is Action.DECIDE_CONTEST,
    )
    if action is Action.RECORD_VISIT and source in OPEN_AT_UNIT:
        # The deadline watch made a visit due: the deadline expired without a reply.
        ticket.visits.append(
            ReturnVisit(round=ticket.round, due_at=clock.now, created_at=clock.now)
        )
    return ticket


def _legal_cases():
    for action, transition in TRANSITIONS.items():
        for source in sorted(transition.sources):
            for role in sorted(transition.roles):
                yield pytest.param(action, source, role, id=f"{action}-from-{source}-by-{role}")


def _illegal_cases():
    for action, transition in TRANSITIONS.items():
        for state in ALL_STATES:
            if state in transition.sources:
                continue
            for role in sorted(transition.roles):
                yield pytest.param(action, state, role, id=f"{action}-in-{state}-by-{role}")


def _wrong_role_cases():
    for action, transition in TRANSITIONS.items():
        for role in ALL_ROLES:
            if role not in transition.roles:
                yield pytest.param(action, role, id=f"{action}-by-{role}")


# --- the table itself ------------------------------------------------------------------------


def test_transition_table_covers_every_command_action():
    """Every action but RECEIVE is in the table, with a handler, from at least one state."""
    assert set(TRANSITIONS) == set(COMMAND_ACTIONS)
    for action, transition in TRANSITIONS.items():
        assert transition.action is action
        assert transition.sources, action
        assert transition.sources <= set(Status)
        assert transition.roles <= set(Role)
        if action is not Action.URGE:  # 督办 reads and urges, never acts otherwise
            assert Role.SUPERVISOR not in transition.roles
        assert not (transition.sources & TERMINAL - {Status.CLOSED}), action
    handled = {cls.action for cls in HANDLERS}
    assert handled == set(COMMAND_ACTIONS)


def test_tracked_fields_are_every_scalar_field_of_the_ticket():
    """S2: every event records old/new values of all scalar ticket fields."""
    assert set(lifecycle.TRACKED_FIELDS) == EXPECTED_TRACKED


# --- legal transitions -------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "source", "role"), list(_legal_cases()))
def test_legal_transition(action: Action, source: Status, role: Role):
    """Each legal (action, state, role) lands in the right state and records a full event (S2)."""
    clock = Clock()
    ticket = _setup_for(action, source, clock)
    actor = right_actor(action, ticket, role)
    now = clock.tick(minutes=7)
    command = valid_command(action, ticket, now)
    before = snapshot(ticket)

    event = lifecycle.apply(ticket, command, actor, now)

    transition = TRANSITIONS[action]
    if action is Action.REJECT_OBJECTION:
        expected = Status(before.objection_from_status)
    elif action is Action.DECIDE_ESCALATION:  # a new lead takes it over from the start
        expected = Status.DISPATCHED
    elif action is Action.RECORD_VISIT and source is Status.REPLIED:  # the own requester's
        expected = Status.VISITED
    else:
        expected = transition.target or source
    assert ticket.status == expected
    assert event.action == str(action)
    assert event.at == now
    assert event.actor_user_id == actor.user_id
    assert event.actor_username == actor.username
    assert event.actor_role == str(actor.role)
    assert event.actor_unit_code == actor.unit_code
    assert event.from_status == str(source)
    assert event.to_status == str(expected)
    assert event.reason == command.reason
    assert event.changes == _expected_changes(before, ticket)
    if expected != source:
        assert event.changes["status"] == [str(source), str(expected)]
    # The event goes into a JSON column as it is.
    json.dumps(event.changes)
    json.dumps(event.data)
    # Nothing outside the handler's remit moves.
    assert ticket.version == before.version
    assert ticket.number == before.number


def test_timeline_chains_from_receive_to_close():
    """H9/S2: each event's from_status is the previous event's to_status; times ascend."""
    ticket, events = ticket_in(Status.CLOSED)
    assert [e.action for e in events] == [
        "receive",
        "dispatch",
        "acknowledge",
        "contact",
        "reply",
        "record_visit",
        "close",
    ]
    assert events[0].from_status is None
    for prev, nxt in zip(events, events[1:], strict=False):
        assert nxt.from_status == prev.to_status
        assert nxt.at > prev.at
    assert events[-1].to_status == ticket.status == Status.CLOSED


# --- illegal transitions, wrong role, wrong unit -----------------------------------------------


@pytest.mark.parametrize(("action", "state", "role"), list(_illegal_cases()))
def test_illegal_transition(action: Action, state: Status, role: Role):
    """An action outside its source states is refused with ticket.illegal_transition (409)."""
    clock = Clock()
    ticket, _ = ticket_in(state, clock)
    transition = TRANSITIONS[action]
    # Make the role and unit checks pass, so that only the state can refuse.
    if transition.party is Party.LEAD and ticket.lead_unit_code is None:
        ticket.lead_unit_code = LEAD_UNIT
    if transition.party is Party.CO_HANDLER and ticket.open_task_for(CO_UNIT) is None:
        ticket.co_handlers.append(
            CoHandlerTask(CO_UNIT, "配合", due=clock.now + timedelta(days=3), assigned_at=clock.now)
        )
    actor = right_actor(action, ticket, role)
    now = clock.tick()
    before = snapshot(ticket)

    with pytest.raises(IllegalTransition) as info:
        lifecycle.apply(ticket, valid_command(action, ticket, now), actor, now)

    assert info.value.code == "ticket.illegal_transition"
    assert info.value.status == 409
    assert info.value.details == {"status": str(state), "action": str(action)}
    assert info.value.message_zh and info.value.message_en
    assert ticket == before
    assert action not in lifecycle.allowed_actions(ticket, actor)


@pytest.mark.parametrize(("action", "role"), list(_wrong_role_cases()))
def test_wrong_role_is_forbidden(action: Action, role: Role):
    """A role not listed for the action gets ticket.role_forbidden (403), in any state."""
    clock = Clock()
    source = sorted(TRANSITIONS[action].sources)[0]
    ticket = _setup_for(action, source, clock)
    actor = actor_with(role, ticket.lead_unit_code or LEAD_UNIT)
    now = clock.tick()
    before = snapshot(ticket)

    with pytest.raises(Forbidden) as info:
        lifecycle.apply(ticket, valid_command(action, ticket, now), actor, now)

    assert info.value.code == "ticket.role_forbidden"
    assert info.value.status == 403
    assert info.value.details["action"] == str(action)
    assert ticket == before


LEAD_ACTIONS = [a for a, t in TRANSITIONS.items() if t.party is Party.LEAD]


def test_lead_actions_are_the_units_own_work():
    """H1: acknowledge, object, contact, add co-handlers, extend and reply belong to the lead."""
    assert set(LEAD_ACTIONS) == {
        Action.ACKNOWLEDGE,
        Action.RAISE_OBJECTION,
        Action.CONTACT,
        Action.ADD_CO_HANDLER,
        Action.REQUEST_EXTENSION,
        Action.REPLY,
        Action.CONTEST_REQUEST,
        Action.RAISE_WHISTLE,
        Action.CLOSE_WHISTLE,
        Action.ESCALATE,
    }


@pytest.mark.parametrize("action", LEAD_ACTIONS)
@pytest.mark.parametrize("intruder", [OTHER_UNIT, CO_UNIT])
def test_handler_of_another_unit_is_not_the_lead(action: Action, intruder: str):
    """H1: a handler of another unit (even a co-handler) cannot act for the lead unit."""
    clock = Clock()
    source = sorted(TRANSITIONS[action].sources)[0]
    ticket, _ = ticket_in(source, clock, co_handler=True)
    now = clock.tick()
    before = snapshot(ticket)

    with pytest.raises(Forbidden) as info:
        lifecycle.apply(ticket, valid_command(action, ticket, now), unit_handler(intruder), now)

    assert info.value.code == "ticket.not_lead_unit"
    assert info.value.details == {"action": str(action)}
    assert ticket == before


def test_dispatcher_adds_co_handler_without_being_the_lead():
    """H5: the dispatch desk may add co-handling units; no unit check applies to it."""
    clock = Clock()
    ticket, _ = ticket_in(Status.ACKNOWLEDGED, clock)
    now = clock.tick()
    due = now + timedelta(days=2)
    cmd = c.AddCoHandler(unit_code=SPARE_UNIT, task="核查", due=due, reason="协调")
    event = lifecycle.apply(ticket, cmd, DISPATCHER, now)
    assert event.data == {"unit": SPARE_UNIT, "task": "核查", "due": due.isoformat()}
    assert event.changes == {}  # co_handlers is a collection: recorded in data, not changes
    assert [(t.unit_code, t.due, t.assigned_at) for t in ticket.co_handlers] == [
        (SPARE_UNIT, due, now)
    ]


@pytest.mark.parametrize(
    "unit", [LEAD_UNIT, OTHER_UNIT, SPARE_UNIT], ids=["lead", "uninvolved", "other"]
)
def test_co_handler_report_needs_an_open_task(unit: str):
    """H1: only a unit with an open co-handling task may report as co-handler."""
    clock = Clock()
    ticket, _ = ticket_in(Status.ACKNOWLEDGED, clock, co_handler=True)
    now = clock.tick()
    before = snapshot(ticket)
    with pytest.raises(Forbidden) as info:
        lifecycle.apply(ticket, c.CoHandlerReport(report="已办"), unit_handler(unit), now)
    assert info.value.code == "ticket.no_open_task"
    assert ticket == before


def test_co_handler_reports_once_per_task():
    """H1: a co-handler reports its part once; a second report finds no open task."""
    clock = Clock()
    ticket, _ = ticket_in(Status.DISPATCHED, clock, co_handler=True)
    co = unit_handler(CO_UNIT)
    now = clock.tick(hours=2)
    event = lifecycle.apply(ticket, c.CoHandlerReport(report="已核查"), co, now)
    assert ticket.status == Status.DISPATCHED
    assert event.data == {"unit": CO_UNIT, "report": "已核查", "late": False}
    (task,) = ticket.co_handlers
    assert (task.report, task.reported_at, task.is_open) == ("已核查", now, False)
    assert Action.CO_HANDLER_REPORT not in lifecycle.allowed_actions(ticket, co)
    with pytest.raises(Forbidden) as info:
        lifecycle.apply(ticket, c.CoHandlerReport(report="再报"), co, clock.tick())
    assert info.value.code == "ticket.no_open_task"


def test_late_co_handler_report_is_flagged():
    """H1: a co-handler reporting after its own deadline is recorded as late."""
    clock = Clock()
    ticket, _ = ticket_in(Status.ACKNOWLEDGED, clock, co_handler=True)
    due = ticket.co_handlers[0].due
    event = lifecycle.apply(
        ticket, c.CoHandlerReport(report="已办"), unit_handler(CO_UNIT), due + timedelta(seconds=1)
    )
    assert event.data["late"] is True


def test_a_reported_co_handler_can_be_given_a_new_task():
    clock = Clock()
    ticket, _ = ticket_in(Status.ACKNOWLEDGED, clock, co_handler=True)
    lifecycle.apply(ticket, c.CoHandlerReport(report="已办"), unit_handler(CO_UNIT), clock.tick())
    now = clock.tick()
    cmd = c.AddCoHandler(unit_code=CO_UNIT, task="复查", due=now + timedelta(days=1))
    lifecycle.apply(ticket, cmd, unit_handler(LEAD_UNIT), now)
    assert [t.is_open for t in ticket.co_handlers] == [False, True]


def test_dispatch_creates_co_handler_tasks_with_their_own_deadlines():
    """H1: co-handlers are named at dispatch, each with its own task and deadline."""
    clock = Clock()
    ticket, _ = ticket_in(Status.RECEIVED, clock)
    now = clock.tick()
    tasks = (co_task(now), (SPARE_UNIT, "核查产权", now + timedelta(days=4)))
    cmd = c.Dispatch(lead_unit_code=LEAD_UNIT, deadlines=deadlines(now), co_handlers=tasks)
    lifecycle.apply(ticket, cmd, DISPATCHER, now)
    assert [(t.unit_code, t.task, t.due, t.assigned_at, t.is_open) for t in ticket.co_handlers] == [
        (u, task, due, now, True) for u, task, due in tasks
    ]


# --- receive ------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [OPERATOR, DISPATCHER, ADMIN], ids=lambda a: a.role)
def test_receive_records_the_first_event(actor):
    """I1/I2: the first event records who took the request, from which channel, when."""
    ticket = make_ticket(channel="merged_hotline", hotline="12315", status=Status.ANSWERED)
    event = lifecycle.receive(ticket, actor)
    assert ticket.status == Status.RECEIVED
    assert event.action == "receive"
    assert event.at == ticket.received_at == T0
    assert (event.from_status, event.to_status) == (None, "received")
    assert (event.actor_user_id, event.actor_username) == (actor.user_id, actor.username)
    assert (event.actor_role, event.actor_unit_code) == (str(actor.role), HOTLINE_UNIT)
    assert event.data == {"channel": "merged_hotline", "hotline": "12315"}
    assert event.reason is None
    assert event.changes == {}


@pytest.mark.parametrize("actor", [SUPERVISOR, unit_handler()], ids=lambda a: a.role)
def test_receive_is_for_the_hotline_desk_only(actor):
    ticket = make_ticket()
    with pytest.raises(Forbidden) as info:
        lifecycle.receive(ticket, actor)
    assert info.value.code == "ticket.role_forbidden"


# --- allowed_actions ----------------------------------------------------------------------------

A = Action
#: What the hotline desk may do with a new request (I4, I5, 并单, I3/A7).
INTAKE = {A.ANSWER_DIRECTLY, A.REFER, A.DISPATCH, A.MERGE, A.RECLASSIFY}
#: What a lead unit may do to coordinate while handling (H4, H5, H8, BJ Art. 14).
COORDINATE = {A.PROGRESS_REPORT, A.CONTEST_REQUEST, A.RAISE_WHISTLE, A.ESCALATE}

ALLOWED = [
    # (state, ticket options, actor, expected actions)
    (Status.RECEIVED, {}, OPERATOR, INTAKE),
    (Status.RECEIVED, {}, DISPATCHER, INTAKE | {A.START_CONSULTATION}),
    (Status.RECEIVED, {}, ADMIN, INTAKE | {A.START_CONSULTATION}),
    (Status.CONSULTING, {}, DISPATCHER, {A.RECLASSIFY, A.DECIDE_CONSULTATION}),
    (Status.CONSULTING, {}, OPERATOR, {A.RECLASSIFY}),
    (Status.CONSULTING, {}, unit_handler(OTHER_UNIT), {A.GIVE_POSITION}),
    (Status.CONSULTING, {}, unit_handler(CO_UNIT), set()),
    (Status.RECEIVED, {}, SUPERVISOR, set()),
    (Status.RECEIVED, {}, unit_handler(LEAD_UNIT), set()),
    (Status.ANSWERED, {}, OPERATOR, set()),
    (Status.REFERRED, {}, DISPATCHER, set()),
    (Status.MERGED, {}, OPERATOR, set()),
    (Status.MERGED, {}, DISPATCHER, set()),
    (Status.MERGED, {}, ADMIN, set()),
    (
        Status.DISPATCHED,
        {},
        unit_handler(LEAD_UNIT),
        {A.ACKNOWLEDGE, A.RAISE_OBJECTION, A.PROGRESS_REPORT},
    ),
    (Status.DISPATCHED, {}, unit_handler(OTHER_UNIT), set()),
    (Status.DISPATCHED, {}, DISPATCHER, {A.RELEASE_IDENTITY, A.RECLASSIFY}),
    (Status.DISPATCHED, {"confidential": False}, DISPATCHER, {A.RECLASSIFY}),
    (Status.DISPATCHED, {}, OPERATOR, {A.RECLASSIFY}),
    (
        Status.DISPATCHED,
        {"co_handler": True},
        unit_handler(CO_UNIT),
        {A.CO_HANDLER_REPORT, A.PROGRESS_REPORT},
    ),
    (
        Status.ACKNOWLEDGED,
        {},
        unit_handler(LEAD_UNIT),
        {A.RAISE_OBJECTION, A.CONTACT, A.ADD_CO_HANDLER, A.REQUEST_EXTENSION} | COORDINATE,
    ),
    (Status.ACKNOWLEDGED, {}, DISPATCHER, {A.ADD_CO_HANDLER, A.RELEASE_IDENTITY, A.RECLASSIFY}),
    (
        Status.ACKNOWLEDGED,
        {"confidential": False},
        ADMIN,
        {A.ADD_CO_HANDLER, A.RECLASSIFY, A.URGE},
    ),
    (Status.ACKNOWLEDGED, {}, SUPERVISOR, {A.URGE}),
    (
        Status.ACKNOWLEDGED,
        {"whistle": True},
        unit_handler(LEAD_UNIT),
        {
            A.RAISE_OBJECTION,
            A.CONTACT,
            A.ADD_CO_HANDLER,
            A.REQUEST_EXTENSION,
            A.PROGRESS_REPORT,
            A.CONTEST_REQUEST,
            A.CLOSE_WHISTLE,
            A.ESCALATE,
        },
    ),
    (Status.ACKNOWLEDGED, {"whistle": True}, unit_handler(SPARE_UNIT), {A.REPORT_IN}),
    (
        Status.ACKNOWLEDGED,
        {"contest": True},
        DISPATCHER,
        {A.ADD_CO_HANDLER, A.RELEASE_IDENTITY, A.RECLASSIFY, A.DECIDE_CONTEST},
    ),
    (Status.ESCALATED, {}, unit_handler(AUTHORITY_UNIT), {A.DECIDE_ESCALATION}),
    (Status.ESCALATED, {}, unit_handler(LEAD_UNIT), set()),
    (Status.ESCALATED, {}, SUPERVISOR, {A.URGE}),
    (Status.ACKNOWLEDGED, {}, OPERATOR, {A.RECLASSIFY}),
    (
        Status.ACKNOWLEDGED,
        {"pending_extension": True},
        unit_handler(LEAD_UNIT),
        {A.RAISE_OBJECTION, A.CONTACT, A.ADD_CO_HANDLER} | COORDINATE,
    ),
    (
        Status.ACKNOWLEDGED,
        {"pending_extension": True},
        ADMIN,
        {
            A.URGE,
            A.ADD_CO_HANDLER,
            A.GRANT_EXTENSION,
            A.REFUSE_EXTENSION,
            A.RELEASE_IDENTITY,
            A.RECLASSIFY,
        },
    ),
    (
        Status.OBJECTED,
        {},
        DISPATCHER,
        {A.UPHOLD_OBJECTION, A.REJECT_OBJECTION, A.RELEASE_IDENTITY, A.RECLASSIFY},
    ),
    (Status.OBJECTED, {}, OPERATOR, {A.RECLASSIFY}),
    (Status.OBJECTED, {}, unit_handler(LEAD_UNIT), set()),
    (
        Status.IN_PROGRESS,
        {},
        unit_handler(LEAD_UNIT),
        {A.CONTACT, A.ADD_CO_HANDLER, A.REQUEST_EXTENSION, A.REPLY} | COORDINATE,
    ),
    (
        Status.IN_PROGRESS,
        {"co_handler": True},
        unit_handler(CO_UNIT),
        {A.CO_HANDLER_REPORT, A.PROGRESS_REPORT},
    ),
    (Status.REPLIED, {}, OPERATOR, {A.RECORD_VISIT}),
    (Status.REPLIED, {}, DISPATCHER, {A.RECORD_VISIT, A.RELEASE_IDENTITY}),
    (Status.REPLIED, {"confidential": False}, DISPATCHER, {A.RECORD_VISIT}),
    (Status.REPLIED, {}, unit_handler(LEAD_UNIT), set()),
    # The merged request's requester is still to be visited (factories: one merged request).
    (Status.VISITED, {}, OPERATOR, {A.RECORD_VISIT, A.CLOSE, A.REOPEN}),
    (Status.VISITED, {}, ADMIN, {A.RECORD_VISIT, A.CLOSE, A.REOPEN, A.RELEASE_IDENTITY}),
    (Status.CLOSED, {}, DISPATCHER, {A.RECORD_VISIT, A.REOPEN}),
    (Status.CLOSED, {}, SUPERVISOR, set()),
]


@pytest.mark.parametrize(
    ("state", "options", "actor", "expected"),
    ALLOWED,
    ids=[
        f"{s}-{a.role}-{a.unit_code}-"
        + "+".join(k if v is True else f"{k}={v}" for k, v in o.items())
        for s, o, a, _ in ALLOWED
    ],
)
def test_allowed_actions(state, options, actor, expected):
    ticket, _ = ticket_in(state, **options)
    allowed = lifecycle.allowed_actions(ticket, actor)
    assert set(allowed) == expected
    # Listed in the table's order, without duplicates.
    assert allowed == [a for a in TRANSITIONS if a in expected]


# --- intake outcomes (I4, I5) -----------------------------------------------------------------


def test_direct_answer_closes_at_intake():
    """I4: a request answered from the knowledge base is closed at once, with its source."""
    clock = Clock()
    ticket, _ = ticket_in(Status.RECEIVED, clock)
    now = clock.tick()
    cmd = c.AnswerDirectly(answer="可拨打住建委电话查询施工许可。", source="kb:101@3")
    event = lifecycle.apply(ticket, cmd, OPERATOR, now)
    assert (ticket.status, ticket.closed_at, ticket.answer_text) == (
        Status.ANSWERED,
        now,
        cmd.answer,
    )
    assert event.data == {"source": "kb:101@3"}
    assert event.reason is None
    assert lifecycle.allowed_actions(ticket, OPERATOR) == []


@pytest.mark.parametrize("reason", list(ReferralReason))
def test_referral_records_reason_and_destination(reason):
    """I5/I7: each classified-handling case is recorded with where the requester was sent."""
    clock = Clock()
    ticket, _ = ticket_in(Status.RECEIVED, clock)
    now = clock.tick()
    original = ORIGINAL_TICKET_ID if reason is ReferralReason.REPEATED else None
    event = lifecycle.apply(
        ticket,
        c.Refer(
            referral_reason=reason,
            destination="12315",
            original_ticket_id=original,
            reason="依规分类",
        ),
        OPERATOR,
        now,
    )
    assert ticket.status == Status.REFERRED
    assert (ticket.referral_reason, ticket.referral_destination) == (reason, "12315")
    assert ticket.referral_accepted is True  # Beijing's policy: taken, with guidance
    assert ticket.original_ticket_id == original
    assert ticket.closed_at == now
    assert event.changes["referral_reason"] == [None, str(reason)]
    assert event.changes["referral_accepted"] == [None, True]
    assert event.reason == "依规分类"


ORIGINAL_TICKET_ID = 4242


def test_repeated_request_points_at_the_original_ticket():
    """I5: a repeated request with no new facts is told the progress of the first ticket."""
    clock = Clock()
    ticket, _ = ticket_in(Status.RECEIVED, clock)
    cmd = c.Refer(
        referral_reason=ReferralReason.REPEATED,
        destination="告知原工单办理进展",
        original_ticket_id=ORIGINAL_TICKET_ID,
    )
    event = lifecycle.apply(ticket, cmd, DISPATCHER, clock.tick())
    assert ticket.original_ticket_id == ORIGINAL_TICKET_ID
    assert event.changes["original_ticket_id"] == [None, ORIGINAL_TICKET_ID]


def test_a_refusing_deployment_records_the_referral_as_not_accepted():
    """I5: whether a referred request is taken (Beijing) or refused is a deployment policy."""
    clock = Clock()
    ticket, _ = ticket_in(Status.RECEIVED, clock)
    now = clock.tick()
    cmd = c.Refer(
        referral_reason=ReferralReason.OUT_OF_SCOPE, destination="市场渠道", accepted=False
    )
    event = lifecycle.apply(ticket, cmd, OPERATOR, now)
    assert (ticket.status, ticket.closed_at) == (Status.REFERRED, now)
    assert ticket.referral_accepted is False
    assert ticket.original_ticket_id is None
    assert event.changes["referral_accepted"] == [None, False]


# --- dispatch and objections (D2, D5, D6) ----------------------------------------------------


def test_dispatch_writes_deadlines_and_supervision_on_the_order():
    """D2/D6: the order carries the lead, the supervising district and both deadlines."""
    clock = Clock()
    ticket, _ = ticket_in(Status.RECEIVED, clock)
    now = clock.tick()
    dl = deadlines(now)
    cmd = c.Dispatch(lead_unit_code=LEAD_UNIT, supervising_unit_code=SUPERVISING_UNIT, deadlines=dl)
    event = lifecycle.apply(ticket, cmd, DISPATCHER, now)
    assert ticket.lead_unit_code == LEAD_UNIT
    assert ticket.supervising_unit_code == SUPERVISING_UNIT
    assert (ticket.contact_due, ticket.completion_due) == (dl.contact_due, dl.completion_due)
    assert ticket.deadline_basis == dl.basis
    assert ticket.dispatched_at == now
    assert event.changes["completion_due"] == [None, dl.completion_due.isoformat()]
    assert event.changes["lead_unit_code"] == [None, LEAD_UNIT]
    assert event.reason is None


@pytest.mark.parametrize("origin", [Status.DISPATCHED, Status.ACKNOWLEDGED])
def test_raise_objection_records_where_it_came_from(origin):
    """D5: a unit contests duty or jurisdiction; the state it objected from is kept."""
    clock = Clock()
    ticket, _ = ticket_in(origin, clock)
    now = clock.tick()
    cmd = c.RaiseObjection(grounds="duty", evidence="三定方案第5条", reason="不属本单位职责")
    event = lifecycle.apply(ticket, cmd, unit_handler(LEAD_UNIT), now)
    assert ticket.status == Status.OBJECTED
    assert (ticket.objection_from_status, ticket.objection_reason) == (origin, "不属本单位职责")
    assert event.data == {
        "grounds": "duty",
        "evidence": "三定方案第5条",
        "objecting_unit": LEAD_UNIT,
    }
    assert event.changes["objection_from_status"] == [None, str(origin)]


@pytest.mark.parametrize("origin", [Status.DISPATCHED, Status.ACKNOWLEDGED])
def test_rejected_objection_returns_to_where_it_came_from(origin):
    """D5: a rejected objection puts the ticket back in the state the objection came from."""
    clock = Clock()
    ticket, _ = ticket_in(Status.OBJECTED, clock, objection_from=origin)
    before = snapshot(ticket)
    now = clock.tick()
    event = lifecycle.apply(ticket, c.RejectObjection(reason="属本单位职责"), DISPATCHER, now)
    assert ticket.status == origin
    assert (event.from_status, event.to_status) == ("objected", str(origin))
    assert event.changes["status"] == ["objected", str(origin)]
    assert ticket.objection_from_status is None and ticket.objection_reason is None
    # The order stays with the same unit and the same deadlines (the clock kept running).
    assert ticket.lead_unit_code == before.lead_unit_code == LEAD_UNIT
    assert ticket.completion_due == before.completion_due
    assert ticket.acknowledged_at == before.acknowledged_at
    assert lifecycle.allowed_actions(ticket, unit_handler(LEAD_UNIT))


@pytest.mark.parametrize("origin", [Status.DISPATCHED, Status.ACKNOWLEDGED])
def test_upheld_objection_redispatches_to_another_unit(origin):
    """D5: 退单重派 — the order goes to another unit with fresh deadlines."""
    clock = Clock()
    ticket, _ = ticket_in(Status.OBJECTED, clock, objection_from=origin)
    now = clock.tick(hours=3)
    dl = deadlines(now, basis="re-dispatch")
    cmd = c.UpholdObjection(
        lead_unit_code=OTHER_UNIT,
        supervising_unit_code="district-chaoyang",
        deadlines=dl,
        reason="异议成立",
    )
    event = lifecycle.apply(ticket, cmd, DISPATCHER, now)
    assert ticket.status == Status.DISPATCHED
    assert (ticket.lead_unit_code, ticket.supervising_unit_code) == (
        OTHER_UNIT,
        "district-chaoyang",
    )
    assert (ticket.contact_due, ticket.completion_due, ticket.deadline_basis) == (
        dl.contact_due,
        dl.completion_due,
        "re-dispatch",
    )
    assert ticket.dispatched_at == now
    assert ticket.acknowledged_at is None and ticket.contacted_at is None
    assert ticket.objection_from_status is None and ticket.objection_reason is None
    assert event.data == {"previous_lead_unit": LEAD_UNIT, "objecting_unit": LEAD_UNIT}
    assert event.changes["lead_unit_code"] == [LEAD_UNIT, OTHER_UNIT]
    # The objection stays on record with the review's decision (D5).
    [objection] = ticket.objections
    assert (objection.unit_code, objection.decision, objection.decided_at) == (
        LEAD_UNIT,
        "upheld",
        now,
    )
    assert objection.reviewer_username == DISPATCHER.username
    # The new lead takes it over; the old one has no say any more (H1).
    assert Action.ACKNOWLEDGE in lifecycle.allowed_actions(ticket, unit_handler(OTHER_UNIT))
    assert lifecycle.allowed_actions(ticket, unit_handler(LEAD_UNIT)) == []


def test_upheld_objection_does_not_make_an_open_co_handler_the_lead():
    """H1: lead and co-handlers are different units; re-dispatch must keep that true."""
    clock = Clock()
    ticket, _ = ticket_in(Status.OBJECTED, clock, co_handler=True)
    now = clock.tick()
    cmd = c.UpholdObjection(lead_unit_code=CO_UNIT, deadlines=deadlines(now), reason="异议成立")
    try:
        lifecycle.apply(ticket, cmd, DISPATCHER, now)
    except InvalidInput:
        return  # refusing the re-dispatch is one correct answer
    assert ticket.open_task_for(ticket.lead_unit_code) is None  # closing the task is another


# --- handling (H2, H3) ------------------------------------------------------------------------


def test_contact_starts_handling_and_keeps_the_first_contact_time():
    """H2: the first contact with the requester is the response time; later ones don't move it."""
    clock = Clock()
    ticket, _ = ticket_in(Status.ACKNOWLEDGED, clock)
    first = clock.tick()
    event = lifecycle.apply(ticket, c.Contact(note="电话"), unit_handler(), first)
    assert ticket.status == Status.IN_PROGRESS and ticket.contacted_at == first
    assert event.data == {"method": "phone", "outcome": "reached", "note": "电话"}
    second = clock.tick()
    event = lifecycle.apply(ticket, c.Contact(method="visit", note="上门"), unit_handler(), second)
    assert ticket.contacted_at == first
    assert event.changes == {}
    assert (event.from_status, event.to_status) == ("in_progress", "in_progress")


def test_reply_records_outcome_and_drops_a_pending_extension():
    """H2/H3: the reply ends the handling; an undecided extension request lapses."""
    clock = Clock()
    ticket, _ = ticket_in(Status.IN_PROGRESS, clock, pending_extension=True)
    now = clock.tick()
    cmd = c.Reply(outcome=ReplyOutcome.NOT_SOLVABLE_NOW, text="受规划限制暂无法解决，已解释")
    event = lifecycle.apply(ticket, cmd, unit_handler(), now)
    assert ticket.status == Status.REPLIED
    assert (ticket.replied_at, ticket.reply_outcome, ticket.reply_text) == (
        now,
        cmd.outcome,
        cmd.text,
    )
    assert ticket.extension_requested_due is None and ticket.extension_reason is None
    assert "extension_requested_due" in event.changes


def test_extension_by_notification_moves_the_deadline_at_once():
    """H3, BJ Art. 15: with approval_required=False the hotline is told; the deadline moves now."""
    clock = Clock()
    ticket, _ = ticket_in(Status.IN_PROGRESS, clock)
    old_due = ticket.completion_due
    new_due = old_due + timedelta(days=10)
    now = clock.tick()
    cmd = c.RequestExtension(proposed_due=new_due, approval_required=False, reason="需协调产权单位")
    event = lifecycle.apply(ticket, cmd, unit_handler(), now)
    assert ticket.completion_due == new_due
    assert ticket.extension_count == 1
    assert ticket.extension_requested_due is None
    assert ticket.status == Status.IN_PROGRESS
    assert event.changes["completion_due"] == [old_due.isoformat(), new_due.isoformat()]
    assert event.changes["extension_count"] == [0, 1]
    assert event.data == {"proposed_due": new_due.isoformat(), "approval_required": False}
    assert not {A.GRANT_EXTENSION, A.REFUSE_EXTENSION} & set(
        lifecycle.allowed_actions(ticket, DISPATCHER)
    )


def test_extension_needing_approval_waits_for_the_grant():
    """H3, HH Art. 18: the hotline office approves; until then the deadline stands."""
    clock = Clock()
    ticket, _ = ticket_in(Status.ACKNOWLEDGED, clock)
    old_due = ticket.completion_due
    proposed = old_due + timedelta(days=10)
    cmd = c.RequestExtension(proposed_due=proposed, approval_required=True, reason="需协调")
    event = lifecycle.apply(ticket, cmd, unit_handler(), clock.tick())
    assert ticket.completion_due == old_due
    assert (ticket.extension_requested_due, ticket.extension_reason) == (proposed, "需协调")
    assert ticket.extension_count == 0
    assert event.data == {"proposed_due": proposed.isoformat(), "approval_required": True}
    assert "completion_due" not in event.changes

    event = lifecycle.apply(ticket, c.GrantExtension(reason="同意"), DISPATCHER, clock.tick())
    assert ticket.completion_due == proposed
    assert ticket.extension_count == 1
    assert ticket.extension_requested_due is None and ticket.extension_reason is None
    assert event.changes["completion_due"] == [old_due.isoformat(), proposed.isoformat()]
    assert ticket.status == Status.ACKNOWLEDGED


def test_grant_may_set_its_own_new_deadline():
    """H3: the approver may grant a different (still later) deadline than the one proposed."""
    clock = Clock()
    ticket, _ = ticket_in(Status.IN_PROGRESS, clock, pending_extension=True)
    granted = ticket.completion_due + timedelta(days=2)
    assert granted < ticket.extension_requested_due
    lifecycle.apply(ticket, c.GrantExtension(new_due=granted), ADMIN, clock.tick())
    assert ticket.completion_due == granted
    assert ticket.extension_count == 1


def test_refused_extension_leaves_the_deadline_and_allows_a_new_request():
    clock = Clock()
    ticket, _ = ticket_in(Status.IN_PROGRESS, clock, pending_extension=True)
    before = snapshot(ticket)
    event = lifecycle.apply(
        ticket, c.RefuseExtension(reason="理由不充分"), DISPATCHER, clock.tick()
    )
    assert ticket.completion_due == before.completion_due
    assert ticket.extension_count == 0
    assert ticket.extension_requested_due is None and ticket.extension_reason is None
    assert event.reason == "理由不充分"
    assert Action.REQUEST_EXTENSION in lifecycle.allowed_actions(ticket, unit_handler())


@pytest.mark.parametrize("approval_required", [False, True])
def test_extension_limit(approval_required):
    """H3: no more extensions than the policy's max_extensions."""
    clock = Clock()
    ticket, _ = ticket_in(Status.IN_PROGRESS, clock)
    for _ in range(2):
        cmd = c.RequestExtension(
            proposed_due=ticket.completion_due + timedelta(days=3),
            approval_required=approval_required,
            max_extensions=2,
            reason="仍需协调",
        )
        lifecycle.apply(ticket, cmd, unit_handler(), clock.tick())
        if approval_required:
            lifecycle.apply(ticket, c.GrantExtension(), DISPATCHER, clock.tick())
    assert ticket.extension_count == 2
    before = snapshot(ticket)
    cmd = c.RequestExtension(
        proposed_due=ticket.completion_due + timedelta(days=3),
        approval_required=approval_required,
        max_extensions=2,
        reason="第三次",
    )
    with pytest.raises(InvalidInput) as info:
        lifecycle.apply(ticket, cmd, unit_handler(), clock.tick())
    assert info.value.code == "extension.limit"
    assert ticket == before


# --- follow-up (A1) and re-handling --------------------------------------------------------------


def test_visit_and_close():
    """A1: the return visit records the requester's evaluation; closing ends the ticket."""
    clock = Clock()
    ticket, _ = ticket_in(Status.REPLIED, clock)
    now = clock.tick()
    cmd = c.RecordVisit(
        contacted=True, solved=False, satisfaction=Satisfaction.BASICALLY_SATISFIED, comment="尚可"
    )
    event = lifecycle.apply(ticket, cmd, OPERATOR, now)
    assert ticket.status == Status.VISITED
    assert (ticket.visited_at, ticket.visit_contacted, ticket.visit_solved) == (now, True, False)
    assert ticket.satisfaction == Satisfaction.BASICALLY_SATISFIED
    assert event.data == {
        "visit": None,
        "requester_ticket": None,
        "round": 1,
        "attempt": 1,
        "outcome": "answered",
        "channel": "phone",
        "comment": "尚可",
    }
    assert ticket.closed_at is None
    later = clock.tick()
    lifecycle.apply(ticket, c.Close(), OPERATOR, later)
    assert (ticket.status, ticket.closed_at) == (Status.CLOSED, later)
    # The merged request's requester is still visited, after the close (并单: per requester).
    merged = c.RecordVisit(
        contacted=True, solved=True, satisfaction="satisfied", requester_ticket_id=MERGED_REQUEST_ID
    )
    lifecycle.apply(ticket, merged, OPERATOR, clock.tick())
    assert ticket.status == Status.CLOSED
    assert [(v.requester_ticket_id, v.status) for v in ticket.visits] == [
        (None, "answered"),
        (MERGED_REQUEST_ID, "answered"),
    ]


def test_an_unreachable_requester_is_retried_by_policy_then_recorded_as_such():
    """A1: not reached → tried again after the policy's wait; after the last attempt the
    visit is unreachable and the ticket is visited without an evaluation."""
    clock = Clock()
    ticket, _ = ticket_in(Status.REPLIED, clock)
    missed = c.RecordVisit(reached=False, comment="无人接听", max_attempts=2,
                           retry_after=timedelta(hours=4))  # fmt: skip
    now = clock.tick()
    event = lifecycle.apply(ticket, missed, OPERATOR, now)
    visit = ticket.pending_visit()
    assert visit is not None and (visit.attempts, visit.next_attempt_at) == (
        1,
        now + timedelta(hours=4),
    )
    assert ticket.status == Status.REPLIED and event.data["outcome"] == "pending"
    with pytest.raises(InvalidInput):  # not reached needs a word on what happened
        lifecycle.apply(ticket, c.RecordVisit(reached=False), OPERATOR, clock.tick())
    lifecycle.apply(ticket, missed, OPERATOR, clock.tick())
    assert ticket.status == Status.VISITED
    assert (ticket.visit_contacted, ticket.satisfaction) == (None, None)
    assert ticket.visits[0].status == "unreachable"
    assert lifecycle.allowed_actions(ticket, OPERATOR) == [
        Action.RECORD_VISIT,  # the merged request's requester is still due
        Action.CLOSE,
        Action.REOPEN,
    ]


REOPEN_RESET = (
    "closed_at",
    "replied_at",
    "reply_outcome",
    "reply_text",
    "visited_at",
    "visit_contacted",
    "visit_solved",
    "satisfaction",
    "acknowledged_at",
    "contacted_at",
    "extension_requested_due",
    "extension_reason",
)


@pytest.mark.parametrize("state", [Status.VISITED, Status.CLOSED])
def test_reopen_starts_a_new_round_at_the_same_unit(state):
    """退回重办: a new round, back to the lead unit with new deadlines, outcome fields reset."""
    clock = Clock()
    ticket, _ = ticket_in(state, clock)
    before = snapshot(ticket)
    now = clock.tick(days=1)
    dl = deadlines(now, basis="re-handling")
    event = lifecycle.apply(
        ticket, c.Reopen(deadlines=dl, reason="诉求人反映未解决"), DISPATCHER, now
    )
    assert ticket.status == Status.DISPATCHED
    assert ticket.round == 2
    assert event.changes["round"] == [1, 2]
    for name in REOPEN_RESET:
        assert getattr(ticket, name) is None, name
    assert ticket.lead_unit_code == before.lead_unit_code
    assert ticket.supervising_unit_code == before.supervising_unit_code
    assert (ticket.dispatched_at, ticket.contact_due, ticket.completion_due) == (
        now,
        dl.contact_due,
        dl.completion_due,
    )
    assert event.reason == "诉求人反映未解决"
    # The second round runs the same way, and a third can follow.
    for action in (A.ACKNOWLEDGE, A.CONTACT, A.REPLY, A.RECORD_VISIT, A.CLOSE):
        now = clock.tick()
        lifecycle.apply(
            ticket, valid_command(action, ticket, now), right_actor(action, ticket), now
        )
    assert (ticket.status, ticket.round) == (Status.CLOSED, 2)
    now = clock.tick()
    lifecycle.apply(ticket, valid_command(A.REOPEN, ticket, now), OPERATOR, now)
    assert ticket.round == 3


# --- merging (并单), identity release (S1), reclassification (I3, A7) ---------------------------


def test_merged_is_a_terminal_state_reached_only_from_intake():
    """并单 is an intake outcome: from RECEIVED only, and nothing follows it (no reopening)."""
    assert Status.MERGED in TERMINAL
    assert TRANSITIONS[A.MERGE].sources == {Status.RECEIVED}
    assert TRANSITIONS[A.MERGE].target is Status.MERGED
    assert all(Status.MERGED not in t.sources for t in TRANSITIONS.values())


@pytest.mark.parametrize("actor", [OPERATOR, DISPATCHER, ADMIN], ids=lambda a: a.role)
def test_merge_closes_the_ticket_into_another(actor):
    """并单: the ticket is handled as part of another; it is closed and points at that one."""
    clock = Clock()
    ticket, _ = ticket_in(Status.RECEIVED, clock)
    ticket.id = 41
    now = clock.tick()
    cmd = c.Merge(
        into_ticket_id=MERGE_TARGET_ID, into_number=MERGE_TARGET_NUMBER, reason="同一工地"
    )
    event = lifecycle.apply(ticket, cmd, actor, now)
    assert ticket.status == Status.MERGED
    assert (ticket.merged_into_id, ticket.closed_at) == (MERGE_TARGET_ID, now)
    assert event.data == {"into": MERGE_TARGET_NUMBER}
    assert event.changes == {
        "status": ["received", "merged"],
        "merged_into_id": [None, MERGE_TARGET_ID],
        "closed_at": [None, now.isoformat()],
    }
    assert event.reason == "同一工地"
    for anyone in (OPERATOR, DISPATCHER, ADMIN, SUPERVISOR, unit_handler()):
        assert lifecycle.allowed_actions(ticket, anyone) == []


@pytest.mark.parametrize("into_ticket_id", [None, 41], ids=["missing-target", "into-itself"])
def test_merge_needs_another_ticket(into_ticket_id):
    """A merge without a target, or into the ticket itself, is refused: merge.bad_target."""
    clock = Clock()
    ticket, _ = ticket_in(Status.RECEIVED, clock)
    ticket.id = 41
    before = snapshot(ticket)
    cmd = c.Merge(into_ticket_id=into_ticket_id, into_number=ticket.number, reason="重复")
    with pytest.raises(InvalidInput) as info:
        lifecycle.apply(ticket, cmd, OPERATOR, clock.tick())
    assert info.value.code == "merge.bad_target"
    assert info.value.status == 422
    assert ticket == before


NOT_FINAL = [s for s in ALL_STATES if s not in TERMINAL]


@pytest.mark.parametrize("state", NOT_FINAL)
def test_absorb_records_the_merged_ticket_and_changes_nothing_else(state):
    """The handling ticket's timeline records what was merged into it; its state stays."""
    clock = Clock()
    ticket, _ = ticket_in(state, clock)
    before = snapshot(ticket)
    now = clock.tick()
    event = lifecycle.apply(ticket, c.Absorb(merged_number="20250925000777"), OPERATOR, now)
    assert ticket == before
    assert (event.from_status, event.to_status) == (str(state), str(state))
    assert event.data == {"merged": "20250925000777"}
    assert event.changes == {}


def test_absorb_is_only_ever_a_consequence_of_a_merge():
    """ABSORB is performed by the service with MERGE, never offered in a menu on its own."""
    assert A.ABSORB in lifecycle.CONSEQUENTIAL
    assert TRANSITIONS[A.ABSORB].sources == set(NOT_FINAL)
    actors = [OPERATOR, DISPATCHER, ADMIN, SUPERVISOR, *map(unit_handler, (LEAD_UNIT, CO_UNIT))]
    for state in ALL_STATES:
        for options in ({}, {"co_handler": True}):
            ticket, _ = ticket_in(state, **options)
            for actor in actors:
                assert A.ABSORB not in lifecycle.allowed_actions(ticket, actor), (state, actor)


@pytest.mark.parametrize("state", sorted(TRANSITIONS[A.RELEASE_IDENTITY].sources))
def test_release_identity_to_the_lead_and_a_co_handler(state):
    """S1: the hotline tells an involved unit who a confidential requester is, one unit at a time."""
    clock = Clock()
    ticket, _ = ticket_in(state, clock, co_handler=True)
    now = clock.tick()
    cmd = c.ReleaseIdentity(unit_code=LEAD_UNIT, reason="需上门核实")
    event = lifecycle.apply(ticket, cmd, DISPATCHER, now)
    assert ticket.identity_released_units == [LEAD_UNIT]
    assert ticket.status == state
    assert event.data == {"unit": LEAD_UNIT}
    assert event.changes == {"identity_released_units": [[], [LEAD_UNIT]]}
    assert event.reason == "需上门核实"
    cmd = c.ReleaseIdentity(unit_code=CO_UNIT, reason="协办需联系")
    event = lifecycle.apply(ticket, cmd, ADMIN, clock.tick())
    assert ticket.identity_released_units == [LEAD_UNIT, CO_UNIT]
    assert event.changes == {"identity_released_units": [[LEAD_UNIT], [LEAD_UNIT, CO_UNIT]]}


def test_release_identity_to_a_co_handler_that_has_reported():
    """A co-handler stays involved after its report (it may need to follow up)."""
    clock = Clock()
    ticket, _ = ticket_in(Status.IN_PROGRESS, clock, co_handler=True)
    lifecycle.apply(ticket, c.CoHandlerReport(report="已办"), unit_handler(CO_UNIT), clock.tick())
    cmd = c.ReleaseIdentity(unit_code=CO_UNIT, reason="需回访核实")
    lifecycle.apply(ticket, cmd, DISPATCHER, clock.tick())
    assert ticket.identity_released_units == [CO_UNIT]


def test_release_identity_twice_to_the_same_unit_is_refused():
    clock = Clock()
    ticket, _ = ticket_in(Status.ACKNOWLEDGED, clock)
    cmd = c.ReleaseIdentity(unit_code=LEAD_UNIT, reason="需上门核实")
    lifecycle.apply(ticket, cmd, DISPATCHER, clock.tick())
    before = snapshot(ticket)
    with pytest.raises(InvalidInput) as info:
        lifecycle.apply(ticket, cmd, ADMIN, clock.tick())
    assert info.value.code == "identity.already_released"
    assert ticket == before


def test_release_identity_follows_the_order_to_the_new_lead():
    """S1: after a re-dispatch the former lead is no longer involved; the new lead is."""
    clock = Clock()
    ticket, _ = ticket_in(Status.OBJECTED, clock)
    now = clock.tick()
    cmd = c.UpholdObjection(lead_unit_code=OTHER_UNIT, deadlines=deadlines(now), reason="成立")
    lifecycle.apply(ticket, cmd, DISPATCHER, now)
    before = snapshot(ticket)
    with pytest.raises(InvalidInput) as info:
        lifecycle.apply(
            ticket, c.ReleaseIdentity(unit_code=LEAD_UNIT, reason="核实"), DISPATCHER, clock.tick()
        )
    assert info.value.code == "identity.unit_not_involved"
    assert ticket == before
    lifecycle.apply(
        ticket, c.ReleaseIdentity(unit_code=OTHER_UNIT, reason="核实"), DISPATCHER, clock.tick()
    )
    assert ticket.identity_released_units == [OTHER_UNIT]


def test_a_release_made_to_a_former_lead_stays_on_record():
    """What was released cannot be taken back: a re-dispatch keeps the list as it was."""
    clock = Clock()
    ticket, _ = ticket_in(Status.DISPATCHED, clock)
    cmd = c.ReleaseIdentity(unit_code=LEAD_UNIT, reason="核实")
    lifecycle.apply(ticket, cmd, DISPATCHER, clock.tick())
    objection = c.RaiseObjection(grounds="duty", reason="不属本单位职责")
    lifecycle.apply(ticket, objection, unit_handler(LEAD_UNIT), clock.tick())
    now = clock.tick()
    cmd = c.UpholdObjection(lead_unit_code=OTHER_UNIT, deadlines=deadlines(now), reason="成立")
    lifecycle.apply(ticket, cmd, DISPATCHER, now)
    assert ticket.identity_released_units == [LEAD_UNIT]


@pytest.mark.parametrize("confidential", [True, False])
def test_release_identity_is_offered_only_for_a_confidential_ticket(confidential):
    for state in sorted(TRANSITIONS[A.RELEASE_IDENTITY].sources):
        ticket, _ = ticket_in(state, confidential=confidential)
        offered = A.RELEASE_IDENTITY in lifecycle.allowed_actions(ticket, DISPATCHER)
        assert offered is confidential, state


@pytest.mark.parametrize("state", sorted(TRANSITIONS[A.RECLASSIFY].sources))
def test_reclassify_changes_only_what_differs(state):
    """I3/A7: the hotline corrects the type, category or tags; only real changes are recorded."""
    clock = Clock()
    ticket, _ = ticket_in(state, clock)
    before = snapshot(ticket)
    now = clock.tick()
    cmd = c.Reclassify(
        request_type=ticket.request_type,  # the same: not a change
        category="城乡建设/施工管理/施工噪音",
        tags=("safety", "livability", "safety"),
        reason="按目录修正",
    )
    event = lifecycle.apply(ticket, cmd, OPERATOR, now)
    assert ticket.status == state
    assert ticket.request_type == before.request_type
    assert ticket.category == "城乡建设/施工管理/施工噪音"
    assert ticket.tags == ["safety", "livability"]  # duplicates dropped, order kept
    assert event.changes == {
        "category": [before.category, "城乡建设/施工管理/施工噪音"],
        "tags": [[], ["safety", "livability"]],
    }
    assert event.reason == "按目录修正"


def test_reclassify_type_and_clear_tags():
    clock = Clock()
    ticket, _ = ticket_in(Status.RECEIVED, clock)
    lifecycle.apply(ticket, c.Reclassify(tags=("housing",)), OPERATOR, clock.tick())
    event = lifecycle.apply(
        ticket, c.Reclassify(request_type=RequestType.HELP, tags=()), DISPATCHER, clock.tick()
    )
    assert (ticket.request_type, ticket.tags) == (RequestType.HELP, [])
    assert event.changes == {"request_type": ["complaint", "help"], "tags": [["housing"], []]}


def test_every_livelihood_tag_is_accepted():
    """A7: the tags are exactly the "七有五性" dimensions."""
    clock = Clock()
    ticket, _ = ticket_in(Status.RECEIVED, clock)
    lifecycle.apply(ticket, c.Reclassify(tags=tuple(LIVELIHOOD_TAG_LABELS_ZH)), ADMIN, clock.tick())
    assert ticket.tags == list(LIVELIHOOD_TAG_LABELS_ZH)
    assert len(ticket.tags) == 12


# --- bugs found and fixed: reclassify and recorded changes -----------------------------------


@pytest.mark.parametrize("category", ["", "   "], ids=["empty", "blank"])
def test_reclassify_refuses_a_blank_category(category):
    clock = Clock()
    ticket, _ = ticket_in(Status.DISPATCHED, clock)
    before = snapshot(ticket)
    with pytest.raises(InvalidInput):
        lifecycle.apply(ticket, c.Reclassify(category=category), OPERATOR, clock.tick())
    assert ticket == before


def test_reordering_the_tags_is_no_change():
    clock = Clock()
    ticket, _ = ticket_in(Status.RECEIVED, clock)
    lifecycle.apply(ticket, c.Reclassify(tags=("safety", "housing")), OPERATOR, clock.tick())
    before = snapshot(ticket)
    with pytest.raises(InvalidInput) as info:
        lifecycle.apply(ticket, c.Reclassify(tags=("housing", "safety")), OPERATOR, clock.tick())
    assert info.value.code == "classify.unchanged"
    assert ticket == before


def test_recorded_changes_do_not_alias_the_tickets_lists():
    """S2: a recorded event is history; changing the ticket later must not rewrite it."""
    clock = Clock()
    ticket, _ = ticket_in(Status.ACKNOWLEDGED, clock)
    tagged = lifecycle.apply(ticket, c.Reclassify(tags=("safety",)), OPERATOR, clock.tick())
    released = lifecycle.apply(
        ticket, c.ReleaseIdentity(unit_code=LEAD_UNIT, reason="核实"), DISPATCHER, clock.tick()
    )
    ticket.tags.append("housing")
    ticket.identity_released_units.append(OTHER_UNIT)
    assert tagged.changes["tags"] == [[], ["safety"]]
    assert released.changes["identity_released_units"] == [[], [LEAD_UNIT]]


# --- input errors --------------------------------------------------------------------------------

_PAST = timedelta(hours=-1)


def _dl(now, contact=timedelta(hours=24), completion=timedelta(days=5)):
    return deadlines(now, contact, completion)


# (id, state, ticket options, actor, command builder (ticket, now) -> Command, error code)
# fmt: off
INPUT_ERRORS = [
    ("answer-empty", Status.RECEIVED, {}, OPERATOR, lambda t, n: c.AnswerDirectly(answer=""), "input.required"),
    ("answer-blank", Status.RECEIVED, {}, OPERATOR, lambda t, n: c.AnswerDirectly(answer="  \n"), "input.required"),
    ("refer-unknown-reason", Status.RECEIVED, {}, OPERATOR, lambda t, n: c.Refer(referral_reason="whim", destination="110"), "referral.unknown_reason"),
    ("refer-no-destination", Status.RECEIVED, {}, OPERATOR, lambda t, n: c.Refer(referral_reason="emergency", destination=" "), "input.required"),
    ("dispatch-no-lead", Status.RECEIVED, {}, DISPATCHER, lambda t, n: c.Dispatch(lead_unit_code="", deadlines=_dl(n)), "input.required"),
    ("dispatch-no-deadline", Status.RECEIVED, {}, DISPATCHER, lambda t, n: c.Dispatch(lead_unit_code=LEAD_UNIT), "dispatch.no_deadline"),
    ("dispatch-contact-due-now", Status.RECEIVED, {}, DISPATCHER, lambda t, n: c.Dispatch(lead_unit_code=LEAD_UNIT, deadlines=_dl(n, contact=timedelta(0))), "dispatch.bad_deadline"),
    ("dispatch-deadlines-past", Status.RECEIVED, {}, DISPATCHER, lambda t, n: c.Dispatch(lead_unit_code=LEAD_UNIT, deadlines=_dl(n, _PAST, _PAST)), "dispatch.bad_deadline"),
    ("dispatch-completion-before-contact", Status.RECEIVED, {}, DISPATCHER, lambda t, n: c.Dispatch(lead_unit_code=LEAD_UNIT, deadlines=_dl(n, timedelta(days=2), timedelta(days=1))), "dispatch.bad_deadline"),
    ("dispatch-co-is-lead", Status.RECEIVED, {}, DISPATCHER, lambda t, n: c.Dispatch(lead_unit_code=LEAD_UNIT, deadlines=_dl(n), co_handlers=(co_task(n, LEAD_UNIT),)), "cohandler.duplicate"),
    ("dispatch-co-twice", Status.RECEIVED, {}, DISPATCHER, lambda t, n: c.Dispatch(lead_unit_code=LEAD_UNIT, deadlines=_dl(n), co_handlers=(co_task(n), co_task(n))), "cohandler.duplicate"),
    ("objection-bad-grounds", Status.DISPATCHED, {}, unit_handler(), lambda t, n: c.RaiseObjection(grounds="workload", reason="太忙"), "objection.bad_grounds"),
    ("objection-no-reason", Status.DISPATCHED, {}, unit_handler(), lambda t, n: c.RaiseObjection(grounds="duty"), "input.required"),
    ("objection-blank-reason", Status.ACKNOWLEDGED, {}, unit_handler(), lambda t, n: c.RaiseObjection(grounds="duty", reason=" "), "input.required"),
    ("uphold-no-reason", Status.OBJECTED, {}, DISPATCHER, lambda t, n: c.UpholdObjection(lead_unit_code=OTHER_UNIT, deadlines=_dl(n)), "input.required"),
    ("uphold-same-unit", Status.OBJECTED, {}, DISPATCHER, lambda t, n: c.UpholdObjection(lead_unit_code=LEAD_UNIT, deadlines=_dl(n), reason="成立"), "objection.same_unit"),
    ("uphold-no-lead", Status.OBJECTED, {}, DISPATCHER, lambda t, n: c.UpholdObjection(lead_unit_code="", deadlines=_dl(n), reason="成立"), "input.required"),
    ("uphold-no-deadline", Status.OBJECTED, {}, DISPATCHER, lambda t, n: c.UpholdObjection(lead_unit_code=OTHER_UNIT, reason="成立"), "dispatch.no_deadline"),
    ("uphold-deadline-past", Status.OBJECTED, {}, DISPATCHER, lambda t, n: c.UpholdObjection(lead_unit_code=OTHER_UNIT, deadlines=_dl(n, _PAST, timedelta(days=1)), reason="成立"), "dispatch.bad_deadline"),
    ("reject-no-reason", Status.OBJECTED, {}, DISPATCHER, lambda t, n: c.RejectObjection(), "input.required"),
    ("contact-bad-method", Status.ACKNOWLEDGED, {}, unit_handler(), lambda t, n: c.Contact(method="fax"), "contact.bad_value"),
    ("contact-bad-outcome", Status.IN_PROGRESS, {}, unit_handler(), lambda t, n: c.Contact(outcome="maybe"), "contact.bad_value"),
    ("co-add-no-unit", Status.ACKNOWLEDGED, {}, unit_handler(), lambda t, n: c.AddCoHandler(unit_code="", task="配合", due=n + timedelta(days=1)), "input.required"),
    ("co-add-no-task", Status.ACKNOWLEDGED, {}, unit_handler(), lambda t, n: c.AddCoHandler(unit_code=SPARE_UNIT, task="", due=n + timedelta(days=1)), "input.required"),
    ("co-add-no-due", Status.ACKNOWLEDGED, {}, unit_handler(), lambda t, n: c.AddCoHandler(unit_code=SPARE_UNIT, task="配合"), "cohandler.bad_due"),
    ("co-add-due-now", Status.IN_PROGRESS, {}, DISPATCHER, lambda t, n: c.AddCoHandler(unit_code=SPARE_UNIT, task="配合", due=n), "cohandler.bad_due"),
    ("co-add-due-past", Status.IN_PROGRESS, {}, unit_handler(), lambda t, n: c.AddCoHandler(unit_code=SPARE_UNIT, task="配合", due=n + _PAST), "cohandler.bad_due"),
    ("co-add-lead", Status.ACKNOWLEDGED, {}, unit_handler(), lambda t, n: c.AddCoHandler(unit_code=LEAD_UNIT, task="配合", due=n + timedelta(days=1)), "cohandler.duplicate"),
    ("co-add-open-task", Status.ACKNOWLEDGED, {"co_handler": True}, DISPATCHER, lambda t, n: c.AddCoHandler(unit_code=CO_UNIT, task="配合", due=n + timedelta(days=1)), "cohandler.duplicate"),
    ("co-report-empty", Status.ACKNOWLEDGED, {"co_handler": True}, unit_handler(CO_UNIT), lambda t, n: c.CoHandlerReport(report=" "), "input.required"),
    ("extension-no-reason", Status.ACKNOWLEDGED, {}, unit_handler(), lambda t, n: c.RequestExtension(proposed_due=t.completion_due + timedelta(days=1)), "input.required"),
    ("extension-no-date", Status.ACKNOWLEDGED, {}, unit_handler(), lambda t, n: c.RequestExtension(reason="需要"), "extension.not_later"),
    ("extension-same-date", Status.IN_PROGRESS, {}, unit_handler(), lambda t, n: c.RequestExtension(proposed_due=t.completion_due, reason="需要"), "extension.not_later"),
    ("extension-earlier", Status.IN_PROGRESS, {}, unit_handler(), lambda t, n: c.RequestExtension(proposed_due=t.completion_due - timedelta(days=1), reason="需要", approval_required=False), "extension.not_later"),
    ("extension-second-pending", Status.IN_PROGRESS, {"pending_extension": True}, unit_handler(), lambda t, n: c.RequestExtension(proposed_due=t.completion_due + timedelta(days=30), reason="再延"), "extension.pending"),
    ("extension-limit-zero", Status.IN_PROGRESS, {}, unit_handler(), lambda t, n: c.RequestExtension(proposed_due=t.completion_due + timedelta(days=3), reason="需要", max_extensions=0), "extension.limit"),
    ("grant-none-pending", Status.ACKNOWLEDGED, {}, DISPATCHER, lambda t, n: c.GrantExtension(), "extension.none_pending"),
    ("grant-not-later", Status.IN_PROGRESS, {"pending_extension": True}, DISPATCHER, lambda t, n: c.GrantExtension(new_due=t.completion_due), "extension.not_later"),
    ("grant-earlier", Status.IN_PROGRESS, {"pending_extension": True}, ADMIN, lambda t, n: c.GrantExtension(new_due=t.completion_due - timedelta(hours=1)), "extension.not_later"),
    ("refuse-none-pending", Status.IN_PROGRESS, {}, DISPATCHER, lambda t, n: c.RefuseExtension(reason="不同意"), "extension.none_pending"),
    ("refuse-no-reason", Status.ACKNOWLEDGED, {"pending_extension": True}, DISPATCHER, lambda t, n: c.RefuseExtension(), "input.required"),
    ("reply-bad-outcome", Status.IN_PROGRESS, {}, unit_handler(), lambda t, n: c.Reply(outcome="done", text="已办"), "reply.bad_outcome"),
    ("reply-no-outcome", Status.IN_PROGRESS, {}, unit_handler(), lambda t, n: c.Reply(text="已办"), "reply.bad_outcome"),
    ("reply-no-text", Status.IN_PROGRESS, {}, unit_handler(), lambda t, n: c.Reply(outcome="solved", text=""), "input.required"),
    ("visit-no-satisfaction", Status.REPLIED, {}, OPERATOR, lambda t, n: c.RecordVisit(), "visit.bad_satisfaction"),
    ("visit-bad-satisfaction", Status.REPLIED, {}, OPERATOR, lambda t, n: c.RecordVisit(satisfaction="ecstatic"), "visit.bad_satisfaction"),
    ("reopen-no-reason", Status.VISITED, {}, OPERATOR, lambda t, n: c.Reopen(deadlines=_dl(n)), "input.required"),
    ("reopen-no-deadline", Status.CLOSED, {}, DISPATCHER, lambda t, n: c.Reopen(reason="未解决"), "dispatch.no_deadline"),
    ("reopen-deadline-past", Status.CLOSED, {}, DISPATCHER, lambda t, n: c.Reopen(deadlines=_dl(n, _PAST, _PAST), reason="未解决"), "dispatch.bad_deadline"),
    ("refer-repeated-no-original", Status.RECEIVED, {}, OPERATOR, lambda t, n: c.Refer(referral_reason="repeated", destination="告知原工单进展"), "referral.no_original"),
    ("refer-repeated-refused-no-original", Status.RECEIVED, {}, DISPATCHER, lambda t, n: c.Refer(referral_reason="repeated", destination="不予受理", accepted=False), "referral.no_original"),
    ("merge-no-target", Status.RECEIVED, {}, OPERATOR, lambda t, n: c.Merge(into_number=MERGE_TARGET_NUMBER, reason="同一工地"), "merge.bad_target"),
    ("absorb-no-number", Status.DISPATCHED, {}, OPERATOR, lambda t, n: c.Absorb(), "input.required"),
    ("absorb-blank-number", Status.IN_PROGRESS, {}, ADMIN, lambda t, n: c.Absorb(merged_number=" "), "input.required"),
    ("release-not-confidential", Status.DISPATCHED, {"confidential": False}, DISPATCHER, lambda t, n: c.ReleaseIdentity(unit_code=LEAD_UNIT, reason="需上门"), "identity.not_confidential"),
    ("release-not-confidential-visited", Status.VISITED, {"confidential": False}, ADMIN, lambda t, n: c.ReleaseIdentity(unit_code=LEAD_UNIT, reason="需上门"), "identity.not_confidential"),
    ("release-no-reason", Status.ACKNOWLEDGED, {}, DISPATCHER, lambda t, n: c.ReleaseIdentity(unit_code=LEAD_UNIT), "input.required"),
    ("release-blank-reason", Status.REPLIED, {}, ADMIN, lambda t, n: c.ReleaseIdentity(unit_code=LEAD_UNIT, reason="  "), "input.required"),
    ("release-uninvolved-unit", Status.IN_PROGRESS, {}, DISPATCHER, lambda t, n: c.ReleaseIdentity(unit_code=OTHER_UNIT, reason="核实"), "identity.unit_not_involved"),
    ("release-supervising-district", Status.DISPATCHED, {}, DISPATCHER, lambda t, n: c.ReleaseIdentity(unit_code=SUPERVISING_UNIT, reason="督办"), "identity.unit_not_involved"),
    ("release-hotline-itself", Status.OBJECTED, {}, ADMIN, lambda t, n: c.ReleaseIdentity(unit_code=HOTLINE_UNIT, reason="核实"), "identity.unit_not_involved"),
    ("release-no-unit", Status.ACKNOWLEDGED, {}, DISPATCHER, lambda t, n: c.ReleaseIdentity(reason="核实"), "identity.unit_not_involved"),
    ("reclassify-bad-type", Status.RECEIVED, {}, OPERATOR, lambda t, n: c.Reclassify(request_type="gripe"), "classify.bad_request_type"),
    ("reclassify-empty-type", Status.DISPATCHED, {}, DISPATCHER, lambda t, n: c.Reclassify(request_type="", category="新分类"), "classify.bad_request_type"),
    ("reclassify-bad-tag", Status.ACKNOWLEDGED, {}, OPERATOR, lambda t, n: c.Reclassify(tags=("safety", "happiness")), "classify.bad_tag"),
    ("reclassify-label-not-key", Status.RECEIVED, {}, ADMIN, lambda t, n: c.Reclassify(tags=("安全性",)), "classify.bad_tag"),
    ("reclassify-bad-tag-good-type", Status.IN_PROGRESS, {}, OPERATOR, lambda t, n: c.Reclassify(request_type="report", tags=("七有",)), "classify.bad_tag"),
    ("reclassify-nothing", Status.RECEIVED, {}, OPERATOR, lambda t, n: c.Reclassify(reason="无"), "classify.unchanged"),
    ("reclassify-same-values", Status.OBJECTED, {}, DISPATCHER, lambda t, n: c.Reclassify(request_type=t.request_type, category=t.category, tags=tuple(t.tags)), "classify.unchanged"),
]
# fmt: on


@pytest.mark.parametrize(
    ("state", "options", "actor", "build", "code"),
    [pytest.param(*case[1:], id=case[0]) for case in INPUT_ERRORS],
)
def test_invalid_input_is_refused_and_changes_nothing(state, options, actor, build, code):
    """Bad input raises InvalidInput (422) with a stable code and leaves the ticket as it was."""
    clock = Clock()
    ticket, _ = ticket_in(state, clock, **options)
    now = clock.tick()
    command = build(ticket, now)
    before = snapshot(ticket)
    with pytest.raises(InvalidInput) as info:
        lifecycle.apply(ticket, command, actor, now)
    assert info.value.code == code
    assert info.value.status == 422
    assert info.value.message_zh and info.value.message_en
    assert ticket == before


BAD_DISPATCH_CO_HANDLERS = {
    "due-in-past": lambda n: ((CO_UNIT, "配合", n - timedelta(hours=1)),),
    "empty-task": lambda n: ((CO_UNIT, "", n + timedelta(days=1)),),
    "second-of-two-bad": lambda n: (co_task(n), (SPARE_UNIT, "配合", n)),
}


@pytest.mark.parametrize(
    "co_handlers", BAD_DISPATCH_CO_HANDLERS.values(), ids=BAD_DISPATCH_CO_HANDLERS
)
def test_dispatch_with_a_bad_co_handler_is_refused(co_handlers):
    clock = Clock()
    ticket, _ = ticket_in(Status.RECEIVED, clock)
    now = clock.tick()
    cmd = c.Dispatch(
        lead_unit_code=LEAD_UNIT, deadlines=deadlines(now), co_handlers=co_handlers(now)
    )
    with pytest.raises(InvalidInput) as info:
        lifecycle.apply(ticket, cmd, DISPATCHER, now)
    assert info.value.code in {"cohandler.bad_due", "input.required"}
    assert ticket.status == Status.RECEIVED


@pytest.mark.parametrize(
    "co_handlers", BAD_DISPATCH_CO_HANDLERS.values(), ids=BAD_DISPATCH_CO_HANDLERS
)
def test_dispatch_with_a_bad_co_handler_changes_nothing(co_handlers):
    """Handlers validate before mutating: a refused dispatch leaves the ticket untouched."""
    clock = Clock()
    ticket, _ = ticket_in(Status.RECEIVED, clock)
    now = clock.tick()
    before = snapshot(ticket)
    cmd = c.Dispatch(
        lead_unit_code=LEAD_UNIT, deadlines=deadlines(now), co_handlers=co_handlers(now)
    )
    with pytest.raises(InvalidInput):
        lifecycle.apply(ticket, cmd, DISPATCHER, now)
    assert ticket == before


# --- errors --------------------------------------------------------------------------------------


def test_errors_carry_code_and_bilingual_messages():
    """The API turns every domain error into code + message_zh + message_en (+ details)."""
    ticket, _ = ticket_in(Status.RECEIVED)
    with pytest.raises(JiesuError) as info:
        lifecycle.apply(ticket, c.Close(), OPERATOR, T0 + timedelta(hours=1))
    body = info.value.as_dict()
    assert body["code"] == "ticket.illegal_transition"
    assert "已登记" in body["message_zh"] and "结案" in body["message_zh"]
    assert body["message_en"] == "Cannot close a ticket that is received"
    assert body["details"] == {"status": "received", "action": "close"}
    assert str(info.value).startswith("ticket.illegal_transition: ")


def test_clock_is_aware_and_in_the_city_zone():
    """The tests' clock is a fixed, aware Asia/Shanghai time (the domain never reads a clock)."""
    assert T0.tzinfo is TZ and T0.utcoffset() == timedelta(hours=8)
