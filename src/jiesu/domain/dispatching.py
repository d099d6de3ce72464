"""What the dispatch commands do to a ticket: dispatch, objections, consultation (D2, D4, D5).

Called only by :func:`jiesu.domain.lifecycle.apply` through ``HANDLERS``. The
rules that need the city (the catalogue, D8) are checked by the dispatch stage
before a command is built; these handlers keep the ticket's own invariants.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import commands as c
from .assignment import add_task, assign, check_lead_and_tasks
from .errors import require, require_text
from .roles import Actor
from .ticket import (
    ConsultationInvite,
    Objection,
    ObjectionDecision,
    ObjectionGrounds,
    Position,
    Status,
    Ticket,
)


def _send(t: Ticket, cmd: c.Dispatch | c.DecideConsultation, now: datetime) -> dict[str, Any]:
    check_lead_and_tasks(t, cmd.lead_unit_code, cmd.co_handlers, now)
    assign(t, cmd.lead_unit_code, cmd.supervising_unit_code, cmd.deadlines, now)
    for unit_code, task, due in cmd.co_handlers:
        add_task(t, unit_code, task, due, now)
    return {"suggestion": dict(cmd.suggestion)} if cmd.suggestion else {}


def _dispatch(t: Ticket, cmd: c.Dispatch, actor: Actor, now: datetime):
    data = _send(t, cmd, now)
    if cmd.location_unit_code and not t.location_unit_code:
        t.location_unit_code = cmd.location_unit_code
    return data


def _raise_objection(t: Ticket, cmd: c.RaiseObjection, actor: Actor, now: datetime):
    require(
        cmd.grounds in set(ObjectionGrounds),
        "objection.bad_grounds",
        "异议理由须为职责或管辖",
        "Objection grounds must be duty or jurisdiction",
    )
    require_text(cmd.reason, "异议理由", "A reason")
    require(
        cmd.window_closes is None or now <= cmd.window_closes,
        "objection.window_closed",
        "已超过派单异议期限，请按首接负责办理",
        "The objection window has closed; the unit handles the ticket as first receiver",
    )
    require(
        not any(o.unit_code == actor.unit_code and o.grounds == cmd.grounds for o in t.objections),
        "objection.repeated",
        "本单位已就同一理由对此工单提出过异议",
        "Your unit has already objected to this ticket on the same grounds",
    )
    t.objections.append(
        Objection(
            unit_code=actor.unit_code,
            grounds=cmd.grounds,
            reason=cmd.reason or "",
            evidence=cmd.evidence,
            raised_at=now,
            category=t.category,
        )
    )
    t.objection_from_status = t.status
    t.objection_reason = cmd.reason
    return {"grounds": cmd.grounds, "evidence": cmd.evidence, "objecting_unit": actor.unit_code}


def _decide(t: Ticket, decision: ObjectionDecision, actor: Actor, reason: str, now) -> Objection:
    objection = t.open_objection()
    require(
        objection is not None,
        "objection.none_open",
        "没有待审核的派单异议",
        "No objection awaits review",
    )
    assert objection is not None
    objection.decision = decision
    objection.decided_at = now
    objection.reviewer_username = actor.username
    objection.review_reason = reason
    t.objection_from_status = None
    t.objection_reason = None
    return objection


def _uphold(t: Ticket, cmd: c.UpholdObjection, actor: Actor, now: datetime):
    require_text(cmd.reason, "审核意见", "A reason")
    require(
        cmd.lead_unit_code != t.lead_unit_code,
        "objection.same_unit",
        "异议成立时须重派至其他单位",
        "An upheld objection re-dispatches to another unit",
    )
    check_lead_and_tasks(t, cmd.lead_unit_code, (), now)
    previous = t.lead_unit_code
    assign(t, cmd.lead_unit_code, cmd.supervising_unit_code, cmd.deadlines, now)
    objection = _decide(t, ObjectionDecision.UPHELD, actor, cmd.reason or "", now)
    data: dict[str, Any] = {"previous_lead_unit": previous, "objecting_unit": objection.unit_code}
    if cmd.suggestion:
        data["suggestion"] = dict(cmd.suggestion)
    return data


def _reject(t: Ticket, cmd: c.RejectObjection, actor: Actor, now: datetime):
    require_text(cmd.reason, "驳回理由", "A reason")
    back_to = t.objection_from_status or Status.DISPATCHED
    objection = _decide(t, ObjectionDecision.REJECTED, actor, cmd.reason or "", now)
    t.status = back_to
    return {"objecting_unit": objection.unit_code}


def _start_consultation(t: Ticket, cmd: c.StartConsultation, actor: Actor, now: datetime):
    require_text(cmd.reason, "会商事项", "The question")
    units = list(cmd.unit_codes)
    require(
        bool(units) and len(set(units)) == len(units),
        "consultation.bad_units",
        "须邀请至少一个单位，且不能重复",
        "Invite at least one unit, each once",
    )
    require(
        cmd.due is not None and cmd.due > now,
        "consultation.bad_due",
        "会商意见期限须晚于现在",
        "The positions' deadline must lie ahead",
    )
    assert cmd.due is not None
    t.consultation_due = cmd.due
    for code in units:
        t.consultation.append(ConsultationInvite(unit_code=code, invited_at=now, due=cmd.due))
    return {"units": units, "due": cmd.due}


def _give_position(t: Ticket, cmd: c.GivePosition, actor: Actor, now: datetime):
    require(
        cmd.position in set(Position),
        "consultation.bad_position",
        "会商意见须为主办、协办或非本单位职责",
        "A position is lead, co_handle or not_ours",
    )
    require_text(cmd.reason, "会商意见", "An opinion")
    invite = t.pending_invite_for(actor.unit_code)
    assert invite is not None  # guaranteed by check()
    invite.position = cmd.position
    invite.opinion = cmd.reason
    invite.responded_at = now
    return {"unit": actor.unit_code, "position": cmd.position, "late": now > invite.due}


def _decide_consultation(t: Ticket, cmd: c.DecideConsultation, actor: Actor, now: datetime):
    require_text(cmd.reason, "会商结论", "The decision's reasoning")
    waiting = [i.unit_code for i in t.consultation if i.responded_at is None]
    require(
        not waiting or (t.consultation_due is not None and now >= t.consultation_due),
        "consultation.pending",
        "尚有受邀单位未回复意见，且未到会商期限",
        "Invited units have not all answered and the consultation's deadline has not passed",
    )
    data = _send(t, cmd, now)
    data["positions"] = {i.unit_code: i.position for i in t.consultation}
    data["no_answer"] = waiting
    t.consultation_due = None
    return data


DISPATCH_HANDLERS: dict[type, Callable[..., dict[str, Any] | None]] = {
    c.Dispatch: _dispatch,
    c.RaiseObjection: _raise_objection,
    c.UpholdObjection: _uphold,
    c.RejectObjection: _reject,
    c.StartConsultation: _start_consultation,
    c.GivePosition: _give_position,
    c.DecideConsultation: _decide_consultation,
}
