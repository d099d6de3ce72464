"""What the coordination commands do while a ticket is handled (H1, H4, H5, H8; BJ Art. 14,
16, 20; HH Art. 19, 21): progress reports, contests of improper requests, urging,
whistle and report-in, escalation.

Called only by :func:`jiesu.domain.lifecycle.apply` through ``HANDLERS``. Which units may
be summoned or escalated to is decided by the handling stage from the city's unit tree;
these handlers keep the ticket's own invariants.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import commands as c
from .assignment import add_task, check_lead_and_tasks, clear_extension_request
from .errors import require, require_text
from .roles import Actor
from .ticket import ContestKind, Status, Ticket, WhistleCall


def _progress(t: Ticket, cmd: c.ProgressReport, actor: Actor, now: datetime):
    require_text(cmd.text, "阶段性反馈", "The progress report")
    task = t.open_task_for(actor.unit_code)
    late = now > (task.due if task else t.completion_due or now)
    role = "co_handler" if task is not None else "lead"
    return {"unit": actor.unit_code, "as": role, "text": cmd.text, "late": late}


def _contest(t: Ticket, cmd: c.ContestRequest, actor: Actor, now: datetime):
    require(
        cmd.kind in set(ContestKind),
        "contest.bad_kind",
        "申请类型须为不合理诉求或应由诉求人承担费用",
        "The kind is improper or requester_costs",
    )
    require_text(cmd.reason, "申请理由", "A reason")
    require(
        t.contest_status != "pending",
        "contest.pending",
        "已有待认定的申请",
        "A contest is already awaiting the hotline's decision",
    )
    t.contest_kind = cmd.kind
    t.contest_reason = cmd.reason
    t.contest_status = "pending"
    return {"kind": cmd.kind, "evidence": cmd.evidence}


def _decide_contest(t: Ticket, cmd: c.DecideContest, actor: Actor, now: datetime):
    require(
        t.contest_status == "pending",
        "contest.none_pending",
        "没有待认定的申请",
        "No contest awaits a decision",
    )
    require_text(cmd.reason, "认定意见", "A reason")
    t.contest_status = "accepted" if cmd.accepted else "rejected"
    return {"kind": t.contest_kind, "accepted": cmd.accepted}


def _urge(t: Ticket, cmd: c.Urge, actor: Actor, now: datetime):
    require_text(cmd.reason, "督办意见", "The supervisor's note")
    t.urge_count += 1
    overdue = t.completion_due is not None and now > t.completion_due
    return {"urge": t.urge_count, "overdue": overdue}


def _raise_whistle(t: Ticket, cmd: c.RaiseWhistle, actor: Actor, now: datetime):
    require_text(cmd.reason, "吹哨事由", "What the departments are summoned for")
    units = list(cmd.unit_codes)
    require(
        bool(units) and len(set(units)) == len(units) and actor.unit_code not in units,
        "whistle.bad_units",
        "须召集至少一个部门，不能重复，也不能是本单位",
        "Summon at least one department, each once, not yourself",
    )
    require(
        not t.whistle_open,
        "whistle.open",
        "本工单已有进行中的吹哨",
        "A whistle is already open on this ticket",
    )
    require(
        cmd.report_due is not None and cmd.report_due > now,
        "whistle.bad_due",
        "报到时限须晚于现在",
        "The report-in time must lie ahead",
    )
    assert cmd.report_due is not None
    t.whistle_round += 1
    t.whistle_open = True
    for code in units:
        t.whistle_calls.append(
            WhistleCall(
                unit_code=code,
                whistle_round=t.whistle_round,
                summoned_at=now,
                report_due=cmd.report_due,
            )
        )
    return {"round": t.whistle_round, "units": units, "report_due": cmd.report_due}


def _report_in(t: Ticket, cmd: c.ReportIn, actor: Actor, now: datetime):
    require_text(cmd.reason, "报到及处置情况", "What the department does")
    call = t.open_call_for(actor.unit_code)
    assert call is not None  # guaranteed by check()
    call.reported_at = now
    call.action_taken = cmd.reason
    return {"unit": actor.unit_code, "round": call.whistle_round, "late": now > call.report_due}


def _close_whistle(t: Ticket, cmd: c.CloseWhistle, actor: Actor, now: datetime):
    require(t.whistle_open, "whistle.none_open", "没有进行中的吹哨", "No whistle is open")
    require_text(cmd.reason, "吹哨处置结果", "The outcome")
    calls = [c for c in t.whistle_calls if c.whistle_round == t.whistle_round]
    t.whistle_open = False
    return {
        "round": t.whistle_round,
        "reported": [c.unit_code for c in calls if c.reported_at is not None],
        "absent": [c.unit_code for c in calls if c.reported_at is None],
    }


def _escalate(t: Ticket, cmd: c.Escalate, actor: Actor, now: datetime):
    require_text(cmd.reason, "提请协调的理由", "Why the unit cannot coordinate it")
    require_text(cmd.authority_unit_code, "协调单位", "The authority")
    t.escalated_to = cmd.authority_unit_code
    t.escalated_from_status = t.status
    if cmd.authority_unit_code not in t.escalation_authorities:
        t.escalation_authorities = [*t.escalation_authorities, cmd.authority_unit_code]
    return {"authority": cmd.authority_unit_code, "previous_lead_unit": t.lead_unit_code}


def _decide_escalation(t: Ticket, cmd: c.DecideEscalation, actor: Actor, now: datetime):
    require_text(cmd.reason, "协调意见", "The authority's decision")
    require_text(cmd.lead_unit_code, "主办单位", "The lead unit")
    check_lead_and_tasks(t, cmd.lead_unit_code, cmd.co_handlers, now)
    previous = t.lead_unit_code
    if cmd.lead_unit_code != previous:  # a new lead takes it over and acknowledges it
        t.lead_unit_code = cmd.lead_unit_code
        t.supervising_unit_code = cmd.supervising_unit_code
        t.acknowledged_at = None
        t.status = Status.DISPATCHED
        clear_extension_request(t)  # the old lead's request goes with it
    else:  # the same lead carries on where it was, now with the co-handlers named
        t.status = t.escalated_from_status or Status.ACKNOWLEDGED
    for unit_code, task, due in cmd.co_handlers:
        add_task(t, unit_code, task, due, now)
    t.escalated_to = None
    t.escalated_from_status = None
    return {"authority": actor.unit_code, "previous_lead_unit": previous}


COORDINATION_HANDLERS: dict[type, Callable[..., dict[str, Any] | None]] = {
    c.ProgressReport: _progress,
    c.ContestRequest: _contest,
    c.DecideContest: _decide_contest,
    c.Urge: _urge,
    c.RaiseWhistle: _raise_whistle,
    c.ReportIn: _report_in,
    c.CloseWhistle: _close_whistle,
    c.Escalate: _escalate,
    c.DecideEscalation: _decide_escalation,
}
