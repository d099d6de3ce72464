"""Builders for the domain tests: a fixed clock, actors, tickets in every state, valid commands.

Everything here goes through the public domain surface (``lifecycle.receive`` and
``lifecycle.apply``), so a ticket "in state X" is one that really got there.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jiesu.domain import commands as c
from jiesu.domain import lifecycle
from jiesu.domain.commands import Action, ContactMethod, ContactOutcome, ReferralReason
from jiesu.domain.roles import Actor, Role
from jiesu.domain.ticket import (
    Channel,
    ReplyOutcome,
    RequestType,
    Satisfaction,
    Status,
    Ticket,
    TimelineEvent,
)

TZ = ZoneInfo("Asia/Shanghai")
#: The fixed start of every test clock: a Thursday morning in the city's zone.
T0 = datetime(2025, 9, 25, 9, 30, tzinfo=TZ)

HOTLINE_UNIT = "hotline-centre"
LEAD_UNIT = "street-jianguomen"
OTHER_UNIT = "street-chaowai"
CO_UNIT = "dept-urban-management"
SPARE_UNIT = "dept-housing"
AUTHORITY_UNIT = "district-chaoyang"  # where a street escalates (H5)
MERGED_REQUEST_ID = 77  # a request merged into the ticket: its requester is visited too
SUPERVISING_UNIT = "district-dongcheng"

#: The ticket another one is merged into (并单), as the service would name it.
MERGE_TARGET_ID = 987654
MERGE_TARGET_NUMBER = "20250925999999"

OPERATOR = Actor(user_id=1, username="operator1", role=Role.OPERATOR, unit_code=HOTLINE_UNIT)
DISPATCHER = Actor(user_id=2, username="dispatcher1", role=Role.DISPATCHER, unit_code=HOTLINE_UNIT)
ADMIN = Actor(user_id=3, username="admin1", role=Role.ADMIN, unit_code=HOTLINE_UNIT)
SUPERVISOR = Actor(user_id=4, username="supervisor1", role=Role.SUPERVISOR, unit_code=HOTLINE_UNIT)
HOTLINE_ACTORS = {a.role: a for a in (OPERATOR, DISPATCHER, ADMIN, SUPERVISOR)}


def unit_handler(unit_code: str = LEAD_UNIT) -> Actor:
    return Actor(
        user_id=100 + sum(map(ord, unit_code)) % 800,
        username=f"handler@{unit_code}",
        role=Role.UNIT_HANDLER,
        unit_code=unit_code,
    )


def actor_with(role: Role, unit_code: str = LEAD_UNIT) -> Actor:
    """An actor of ``role``; unit handlers belong to ``unit_code``, others to the hotline."""
    return unit_handler(unit_code) if role is Role.UNIT_HANDLER else HOTLINE_ACTORS[role]


def right_actor(action: Action, ticket: Ticket, role: Role | None = None) -> Actor:
    """An actor that passes the role and unit checks of ``action`` on ``ticket``."""
    transition = lifecycle.TRANSITIONS[action]
    if role is None:
        role = sorted(transition.roles)[0]
    if role is Role.UNIT_HANDLER:
        if transition.party is lifecycle.Party.SUMMONED:
            calls = [c.unit_code for c in ticket.whistle_calls if c.is_open]
            return unit_handler(calls[0] if calls else SPARE_UNIT)
        if transition.party is lifecycle.Party.AUTHORITY:
            return unit_handler(ticket.escalated_to or AUTHORITY_UNIT)
        if transition.party is lifecycle.Party.CONSULTEE:
            pending = [i.unit_code for i in ticket.consultation if i.responded_at is None]
            return unit_handler(pending[0] if pending else OTHER_UNIT)
        if transition.party is lifecycle.Party.CO_HANDLER:
            open_tasks = [t for t in ticket.co_handlers if t.is_open]
            return unit_handler(open_tasks[0].unit_code if open_tasks else CO_UNIT)
        return unit_handler(ticket.lead_unit_code or LEAD_UNIT)
    return HOTLINE_ACTORS[role]


class Clock:
    """A settable clock: tests pass ``clock.now`` into the domain."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def tick(self, **delta: float) -> datetime:
        self.now += timedelta(**delta) if delta else timedelta(minutes=10)
        return self.now


_numbers = itertools.count(1)


def make_ticket(**overrides: Any) -> Ticket:
    fields: dict[str, Any] = {
        "number": f"20250925{next(_numbers):06d}",
        "received_at": T0,
        "channel": Channel.PHONE,
        "request_type": RequestType.COMPLAINT,
        "category": "城乡建设/施工管理/夜间施工扰民",
        "content": "小区旁工地夜间施工，噪音扰民，希望尽快处理。",
        "requester_name": "张先生",
        "requester_phone": "13800000000",
        "title": "夜间施工扰民",
        "address": "东城区建国门内大街",
        "location_unit_code": LEAD_UNIT,
        "received_by_unit_code": HOTLINE_UNIT,
        "confidential": True,  # so that releasing the identity is a legal action too
    }
    fields.update(overrides)
    return Ticket(**fields)


def deadlines(
    now: datetime,
    contact: timedelta = timedelta(hours=24),
    completion: timedelta = timedelta(days=5),
    basis: str = "test: contact 24h, completion 5 days",
) -> c.Deadlines:
    return c.Deadlines(contact_due=now + contact, completion_due=now + completion, basis=basis)


def co_task(now: datetime, unit_code: str = CO_UNIT) -> tuple[str, str, datetime]:
    return (unit_code, "配合查处夜间违规施工", now + timedelta(days=3))


def valid_command(action: Action, ticket: Ticket, now: datetime) -> c.Command:
    """A command for ``action`` whose parameters are valid for ``ticket`` at ``now``."""
    if action is Action.ANSWER_DIRECTLY:
        return c.AnswerDirectly(
            answer="夜间施工须持夜间施工许可，可向住建委查询。", source="kb:101@3"
        )
    if action is Action.REFER:
        return c.Refer(
            referral_reason=ReferralReason.EMERGENCY, destination="110", reason="涉及人身安全"
        )
    if action is Action.DISPATCH:
        return c.Dispatch(
            lead_unit_code=LEAD_UNIT,
            supervising_unit_code=SUPERVISING_UNIT,
            deadlines=deadlines(now),
            reason="属地管理，派街道办理",
        )
    if action is Action.ACKNOWLEDGE:
        return c.Acknowledge()
    if action is Action.RAISE_OBJECTION:
        return c.RaiseObjection(
            grounds="jurisdiction", evidence="工地位于朝外街道辖区", reason="不属本街道管辖"
        )
    if action is Action.UPHOLD_OBJECTION:
        new_lead = OTHER_UNIT if ticket.lead_unit_code != OTHER_UNIT else LEAD_UNIT
        return c.UpholdObjection(
            lead_unit_code=new_lead, deadlines=deadlines(now), reason="经核实异议成立"
        )
    if action is Action.REJECT_OBJECTION:
        return c.RejectObjection(reason="经核实属本单位职责")
    if action is Action.CONTACT:
        return c.Contact(
            method=ContactMethod.PHONE, outcome=ContactOutcome.REACHED, note="已电话联系"
        )
    if action is Action.ADD_CO_HANDLER:
        unit = next(
            u
            for u in (CO_UNIT, SPARE_UNIT, OTHER_UNIT)
            if u != ticket.lead_unit_code and ticket.open_task_for(u) is None
        )
        return c.AddCoHandler(
            unit_code=unit, task="核查施工许可", due=now + timedelta(days=2), reason="需住建协同"
        )
    if action is Action.CO_HANDLER_REPORT:
        return c.CoHandlerReport(report="已核查，施工方无夜间施工许可")
    if action is Action.REQUEST_EXTENSION:
        base = ticket.completion_due or now
        return c.RequestExtension(proposed_due=base + timedelta(days=5), reason="需协调产权单位")
    if action is Action.GRANT_EXTENSION:
        return c.GrantExtension(reason="同意延期")
    if action is Action.REFUSE_EXTENSION:
        return c.RefuseExtension(reason="理由不充分")
    if action is Action.REPLY:  # one request was merged into this one: two visits are due
        return c.Reply(
            outcome=ReplyOutcome.SOLVED,
            text="已责令施工方停止夜间施工",
            merged_ticket_ids=(MERGED_REQUEST_ID,),
        )
    if action is Action.RECORD_VISIT:  # the own requester first, then the merged one's
        own = ticket.pending_visit() is not None and ticket.status not in (
            Status.VISITED,
            Status.CLOSED,
        )
        return c.RecordVisit(
            contacted=True,
            solved=True,
            satisfaction=Satisfaction.SATISFIED,
            requester_ticket_id=None if own else MERGED_REQUEST_ID,
        )
    if action is Action.CLOSE:
        return c.Close()
    if action is Action.REOPEN:
        return c.Reopen(deadlines=deadlines(now), reason="诉求人反映施工仍在继续")
    if action is Action.MERGE:
        return c.Merge(
            into_ticket_id=MERGE_TARGET_ID, into_number=MERGE_TARGET_NUMBER, reason="同一工地"
        )
    if action is Action.ABSORB:
        return c.Absorb(merged_number="20250925999998", reason="同一工地")
    if action is Action.RELEASE_IDENTITY:
        # The lead first, then co-handlers: the first involved unit not yet told.
        involved = [ticket.lead_unit_code or LEAD_UNIT, *(t.unit_code for t in ticket.co_handlers)]
        unit = next((u for u in involved if u not in ticket.identity_released_units), involved[0])
        return c.ReleaseIdentity(unit_code=unit, reason="需上门核实")
    if action is Action.RECLASSIFY:
        new_type = (
            RequestType.REPORT if ticket.request_type != RequestType.REPORT else RequestType.HELP
        )
        return c.Reclassify(request_type=new_type, tags=("safety",), reason="实为举报")
    if action is Action.START_CONSULTATION:
        # Due in 5 minutes: one clock tick later, the hotline may decide without every answer.
        return c.StartConsultation(
            unit_codes=(LEAD_UNIT, OTHER_UNIT), due=now + timedelta(minutes=5), reason="职责不清"
        )
    if action is Action.GIVE_POSITION:
        return c.GivePosition(position="not_ours", reason="不属本单位职责")
    if action is Action.DECIDE_CONSULTATION:
        return c.DecideConsultation(
            lead_unit_code=LEAD_UNIT, deadlines=deadlines(now), reason="按会商意见由其主办"
        )
    if action is Action.PROGRESS_REPORT:
        return c.ProgressReport(text="已约谈施工方，整改中")
    if action is Action.CONTEST_REQUEST:
        return c.ContestRequest(
            kind="improper", reason="诉求人要求拆除合法建筑", evidence="规划许可"
        )
    if action is Action.DECIDE_CONTEST:
        return c.DecideContest(accepted=True, reason="经核实属不合理诉求")
    if action is Action.URGE:
        return c.Urge(reason="临近时限，请加快办理")
    if action is Action.RAISE_WHISTLE:
        return c.RaiseWhistle(
            unit_codes=(SPARE_UNIT, OTHER_UNIT), report_due=now + timedelta(hours=4),
            reason="占道施工需城管、交通联合处置",
        )  # fmt: skip
    if action is Action.REPORT_IN:
        return c.ReportIn(reason="已到场，责令施工方恢复道路")
    if action is Action.CLOSE_WHISTLE:
        return c.CloseWhistle(reason="联合处置完毕")
    if action is Action.ESCALATE:
        return c.Escalate(authority_unit_code=AUTHORITY_UNIT, reason="涉及多部门，本单位无法协调")
    if action is Action.DECIDE_ESCALATION:
        return c.DecideEscalation(
            lead_unit_code=OTHER_UNIT if ticket.lead_unit_code != OTHER_UNIT else LEAD_UNIT,
            reason="由属地部门主办",
        )
    raise AssertionError(f"no command for {action}")


#: How to reach each state from RECEIVED, one action at a time.
PATHS: dict[Status, tuple[Action, ...]] = {
    Status.RECEIVED: (),
    Status.ANSWERED: (Action.ANSWER_DIRECTLY,),
    Status.REFERRED: (Action.REFER,),
    Status.DISPATCHED: (Action.DISPATCH,),
    Status.OBJECTED: (Action.DISPATCH, Action.RAISE_OBJECTION),
    Status.ACKNOWLEDGED: (Action.DISPATCH, Action.ACKNOWLEDGE),
    Status.IN_PROGRESS: (Action.DISPATCH, Action.ACKNOWLEDGE, Action.CONTACT),
    Status.REPLIED: (Action.DISPATCH, Action.ACKNOWLEDGE, Action.CONTACT, Action.REPLY),
    Status.VISITED: (
        Action.DISPATCH,
        Action.ACKNOWLEDGE,
        Action.CONTACT,
        Action.REPLY,
        Action.RECORD_VISIT,
    ),
    Status.CLOSED: (
        Action.DISPATCH,
        Action.ACKNOWLEDGE,
        Action.CONTACT,
        Action.REPLY,
        Action.RECORD_VISIT,
        Action.CLOSE,
    ),
    Status.MERGED: (Action.MERGE,),
    Status.CONSULTING: (Action.START_CONSULTATION,),
    Status.ESCALATED: (Action.DISPATCH, Action.ACKNOWLEDGE, Action.ESCALATE),
}


def ticket_in(
    status: Status,
    clock: Clock | None = None,
    *,
    co_handler: bool = False,
    pending_extension: bool = False,
    objection_from: Status = Status.DISPATCHED,
    confidential: bool = True,
    whistle: bool = False,
    contest: bool = False,
) -> tuple[Ticket, list[TimelineEvent]]:
    """A ticket driven through the lifecycle into ``status``, with its timeline.

    ``co_handler``: dispatch with an open co-handling task for :data:`CO_UNIT`.
    ``pending_extension``: leave an extension request awaiting approval (handling states).
    ``objection_from``: for OBJECTED, the state the objection was raised in.
    ``confidential``: whether the requester asked for confidentiality (S1).
    ``whistle``: the lead (a street) has an open whistle summoning two departments (H4).
    ``contest``: the lead's contest of an improper request awaits the hotline (H8).
    """
    clock = clock or Clock()
    ticket = make_ticket(received_at=clock.now, confidential=confidential)
    events = [lifecycle.receive(ticket, OPERATOR)]
    path = list(PATHS[status])
    if status is Status.OBJECTED and objection_from is Status.ACKNOWLEDGED:
        path = [Action.DISPATCH, Action.ACKNOWLEDGE, Action.RAISE_OBJECTION]
    if pending_extension:
        assert status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.OBJECTED)
        at = path.index(Action.RAISE_OBJECTION) if Action.RAISE_OBJECTION in path else len(path)
        path.insert(at, Action.REQUEST_EXTENSION)
    if whistle:
        path.append(Action.RAISE_WHISTLE)
    if contest:
        at = path.index(Action.REPLY) if Action.REPLY in path else len(path)
        path.insert(at, Action.CONTEST_REQUEST)
    for action in path:
        now = clock.tick()
        command = valid_command(action, ticket, now)
        if action is Action.DISPATCH and co_handler:
            command = dataclasses.replace(command, co_handlers=(co_task(now),))
        events.append(lifecycle.apply(ticket, command, right_actor(action, ticket), now))
    assert ticket.status == status, (ticket.status, status)
    return ticket, events


def snapshot(ticket: Ticket) -> Ticket:
    """A deep copy to compare the whole ticket (every dataclass field) against later."""
    return copy.deepcopy(ticket)
