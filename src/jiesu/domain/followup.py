"""The reply and the return visits that follow it (A1, BJ Art. 23; H2).

A reply makes a return visit due for the ticket's own requester and for the requester of
every request merged into it. Each visit is tried until the requester answers — were
they contacted, is it solved, how satisfied — or until the policy's attempts are used up
(unreachable). When the own requester's visit is final the ticket is visited; the
re-handling policy may then send it back (a new round, whose visits are new rows).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import commands as c
from .assignment import clear_extension_request
from .errors import require, require_text
from .roles import Actor
from .ticket import ReplyOutcome, ReturnVisit, Satisfaction, Status, Ticket, VisitStatus


def _reply(t: Ticket, cmd: c.Reply, actor: Actor, now: datetime):
    require(
        cmd.outcome in set(ReplyOutcome),
        "reply.bad_outcome",
        "办结结果须为已解决、已解释说明或暂时无法解决",
        "Outcome must be solved, explained or not_solvable_now",
    )
    require_text(cmd.text, "办理情况", "What was done")
    t.replied_at = now
    t.reply_outcome = cmd.outcome
    t.reply_text = cmd.text
    clear_extension_request(t)
    due = cmd.visit_due or now
    for requester in (None, *dict.fromkeys(cmd.merged_ticket_ids)):
        waiting = t.pending_visit(requester)
        if waiting is not None and waiting.round == t.round:
            continue  # a visit made due when the deadline expired serves (BJ Art. 23)
        t.visits.append(
            ReturnVisit(round=t.round, due_at=due, created_at=now, requester_ticket_id=requester)
        )
    data: dict[str, Any] = {"visits_due": due}
    if cmd.attachments:
        t.attachments = list(dict.fromkeys([*t.attachments, *cmd.attachments]))
        data["attachments"] = list(cmd.attachments)
    return data


def _record_visit(t: Ticket, cmd: c.RecordVisit, actor: Actor, now: datetime):
    visit = t.pending_visit(cmd.requester_ticket_id)
    require(
        visit is not None,
        "visit.not_pending",
        "该回访已完成或不存在",
        "No such return visit is pending (answered, unreachable, or unknown)",
    )
    assert visit is not None
    require(
        cmd.channel in ("phone", "sms", "web"),
        "visit.bad_channel",
        "回访方式须为电话、短信或网页",
        "The channel is phone, sms or web",
    )
    if cmd.reached:
        require(
            cmd.satisfaction in set(Satisfaction),
            "visit.bad_satisfaction",
            "满意度须为满意、基本满意或不满意",
            "Satisfaction must be satisfied, basically_satisfied or unsatisfied",
        )
    else:
        require_text(cmd.comment or cmd.reason, "未联系上的情况", "What happened")
    if t.status in (Status.VISITED, Status.CLOSED):
        require(
            not visit.is_primary,
            "visit.not_pending",
            "该回访已完成或不存在",
            "No such return visit is pending (answered, unreachable, or unknown)",
        )
    visit.attempts += 1
    if cmd.reached:
        visit.status = VisitStatus.ANSWERED
        visit.channel = cmd.channel
        visit.contacted = cmd.contacted
        visit.solved = cmd.solved
        visit.satisfaction = cmd.satisfaction
        visit.comment = cmd.comment
        visit.answered_at = now
        visit.next_attempt_at = None
    elif visit.attempts >= cmd.max_attempts:
        visit.status = VisitStatus.UNREACHABLE
        visit.next_attempt_at = None
    else:
        visit.next_attempt_at = now + cmd.retry_after
    if visit.is_primary and visit.is_final and t.status == Status.REPLIED:
        t.status = Status.VISITED
        t.visited_at = now
        t.visit_contacted = visit.contacted
        t.visit_solved = visit.solved
        t.satisfaction = visit.satisfaction
    return {
        "visit": visit.id,
        "requester_ticket": visit.requester_ticket_id,
        "round": visit.round,
        "attempt": visit.attempts,
        "outcome": str(visit.status),
        "channel": cmd.channel,
        "comment": cmd.comment,
    }


FOLLOWUP_HANDLERS: dict[type, Callable[..., dict[str, Any] | None]] = {
    c.Reply: _reply,
    c.RecordVisit: _record_visit,
}
