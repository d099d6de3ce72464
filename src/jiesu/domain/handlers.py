"""What each lifecycle command does to a ticket, once the state machine has allowed it.

Each handler validates its input before changing anything, mutates the
ticket, and returns extra data for the timeline event. Only
:func:`jiesu.domain.lifecycle.apply` calls them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import commands as c
from .assignment import add_task as _add_task
from .assignment import assign as _assign
from .assignment import clear_extension_request as _clear_extension_request
from .coordination import COORDINATION_HANDLERS
from .dispatching import DISPATCH_HANDLERS
from .errors import require as _require
from .errors import require_text as _require_text
from .followup import FOLLOWUP_HANDLERS
from .roles import Actor
from .ticket import (
    LIVELIHOOD_TAG_LABELS_ZH,
    RequestType,
    Ticket,
)


def _answer(t: Ticket, cmd: c.AnswerDirectly, actor: Actor, now: datetime):
    _require_text(cmd.answer, "答复内容", "The answer")
    t.answer_text = cmd.answer
    t.closed_at = now
    return {"source": cmd.source} if cmd.source else {}


def _refer(t: Ticket, cmd: c.Refer, actor: Actor, now: datetime):
    _require(
        cmd.referral_reason in set(c.ReferralReason),
        "referral.unknown_reason",
        "未知的分类处置原因",
        f"Unknown referral reason: {cmd.referral_reason}",
    )
    _require_text(cmd.destination, "去向或告知内容", "The destination")
    _require(
        cmd.referral_reason != c.ReferralReason.REPEATED or cmd.original_ticket_id is not None,
        "referral.no_original",
        "重复诉求须关联原工单",
        "A repeated request must point at the original ticket",
    )
    t.referral_reason = cmd.referral_reason
    t.referral_destination = cmd.destination
    t.referral_accepted = cmd.accepted
    t.original_ticket_id = cmd.original_ticket_id
    t.closed_at = now
    if cmd.original_ticket_id is not None:
        return {"original": cmd.original_number, "original_status": cmd.original_progress}
    return None


def _acknowledge(t: Ticket, cmd: c.Acknowledge, actor: Actor, now: datetime):
    t.acknowledged_at = now


def _contact(t: Ticket, cmd: c.Contact, actor: Actor, now: datetime):
    _require(
        cmd.method in set(c.ContactMethod) and cmd.outcome in set(c.ContactOutcome),
        "contact.bad_value",
        "联系方式或结果无效",
        "Unknown contact method or outcome",
    )
    if t.contacted_at is None:
        t.contacted_at = now
    return {"method": cmd.method, "outcome": cmd.outcome, "note": cmd.note}


def _add_co_handler(t: Ticket, cmd: c.AddCoHandler, actor: Actor, now: datetime):
    _add_task(t, cmd.unit_code, cmd.task, cmd.due, now)
    return {"unit": cmd.unit_code, "task": cmd.task, "due": cmd.due}


def _co_report(t: Ticket, cmd: c.CoHandlerReport, actor: Actor, now: datetime):
    _require_text(cmd.report, "协办反馈", "The report")
    task = t.open_task_for(actor.unit_code)
    assert task is not None  # guaranteed by check()
    task.report = cmd.report
    task.reported_at = now
    return {"unit": task.unit_code, "report": cmd.report, "late": now > task.due}


def _request_extension(t: Ticket, cmd: c.RequestExtension, actor: Actor, now: datetime):
    _require_text(cmd.reason, "延期理由", "A reason")
    _require(
        t.extension_requested_due is None,
        "extension.pending",
        "已有延期申请待审批",
        "An extension request is already pending",
    )
    _require(
        t.extension_count < cmd.max_extensions,
        "extension.limit",
        f"延期次数已达上限（{cmd.max_extensions}次）",
        f"No more than {cmd.max_extensions} extensions",
    )
    _require(
        cmd.proposed_due is not None
        and t.completion_due is not None
        and cmd.proposed_due > t.completion_due,
        "extension.not_later",
        "延期后的时限须晚于现有办结时限",
        "The proposed deadline must be later than the current one",
    )
    assert cmd.proposed_due is not None
    _require(
        cmd.proposed_due > now,
        "extension.not_later",
        "延期后的时限须晚于现在",
        "The proposed deadline must lie ahead",
    )
    if cmd.approval_required:
        t.extension_requested_due = cmd.proposed_due
        t.extension_reason = cmd.reason
        return {"proposed_due": cmd.proposed_due, "approval_required": True}
    # Notification only (BJ Art. 15): the hotline is told, the deadline moves at once.
    t.set_completion_due(cmd.proposed_due)
    t.extension_count += 1
    return {"proposed_due": cmd.proposed_due, "approval_required": False}


def _require_pending_extension(t: Ticket) -> None:
    _require(
        t.extension_requested_due is not None,
        "extension.none_pending",
        "没有待审批的延期申请",
        "No extension request is pending",
    )


def _grant_extension(t: Ticket, cmd: c.GrantExtension, actor: Actor, now: datetime):
    _require_pending_extension(t)
    new_due = cmd.new_due or t.extension_requested_due
    assert new_due is not None and t.completion_due is not None
    _require(
        new_due > t.completion_due and new_due > now,
        "extension.not_later",
        "延期后的时限须晚于现有办结时限",
        "The new deadline must be later than the current one",
    )
    t.set_completion_due(new_due)
    t.extension_count += 1
    _clear_extension_request(t)


def _refuse_extension(t: Ticket, cmd: c.RefuseExtension, actor: Actor, now: datetime):
    _require_pending_extension(t)
    _require_text(cmd.reason, "不同意理由", "A reason")
    _clear_extension_request(t)


def _close(t: Ticket, cmd: c.Close, actor: Actor, now: datetime):
    t.closed_at = now


def _reopen(t: Ticket, cmd: c.Reopen, actor: Actor, now: datetime):
    _require_text(cmd.reason, "重办理由", "A reason")
    assert t.lead_unit_code is not None
    _assign(t, t.lead_unit_code, t.supervising_unit_code, cmd.deadlines, now)
    t.round += 1
    t.closed_at = None
    t.replied_at = None
    t.reply_outcome = None
    t.reply_text = None
    t.visited_at = None
    t.visit_contacted = None
    t.visit_solved = None
    t.satisfaction = None


def _merge(t: Ticket, cmd: c.Merge, actor: Actor, now: datetime):
    _require(
        cmd.into_ticket_id is not None and cmd.into_ticket_id != t.id,
        "merge.bad_target",
        "须并入另一张在办工单",
        "A ticket merges into another open ticket",
    )
    t.merged_into_id = cmd.into_ticket_id
    t.closed_at = now
    return {"into": cmd.into_number}


def _absorb(t: Ticket, cmd: c.Absorb, actor: Actor, now: datetime):
    _require_text(cmd.merged_number, "被并工单", "The merged ticket")
    return {"merged": cmd.merged_number}


def _release_identity(t: Ticket, cmd: c.ReleaseIdentity, actor: Actor, now: datetime):
    _require(
        t.confidential,
        "identity.not_confidential",
        "该工单未要求保密，无需披露",
        "The requester did not ask for confidentiality",
    )
    _require_text(cmd.reason, "披露理由", "A reason")
    _require(
        cmd.unit_code == t.lead_unit_code or t.is_co_handler(cmd.unit_code),
        "identity.unit_not_involved",
        "只能向主办或协办单位披露",
        "Identity can be released only to the lead or a co-handling unit",
    )
    _require(
        cmd.unit_code not in t.identity_released_units,
        "identity.already_released",
        "已向该单位披露",
        "Already released to that unit",
    )
    t.identity_released_units = [*t.identity_released_units, cmd.unit_code]
    return {"unit": cmd.unit_code}


def _reclassify(t: Ticket, cmd: c.Reclassify, actor: Actor, now: datetime):
    if cmd.request_type is not None:
        _require(
            cmd.request_type in set(RequestType),
            "classify.bad_request_type",
            "诉求类型无效",
            f"Unknown request type {cmd.request_type!r}",
        )
    if cmd.category is not None:
        _require_text(cmd.category, "事项分类", "The category")
    if cmd.tags is not None:
        unknown = sorted(set(cmd.tags) - set(LIVELIHOOD_TAG_LABELS_ZH))
        _require(not unknown, "classify.bad_tag", "七有五性标签无效", f"Unknown tags {unknown}")
    changed = {
        "request_type": cmd.request_type,
        "category": cmd.category,
        "tags": list(dict.fromkeys(cmd.tags)) if cmd.tags is not None else None,
    }
    same_tags = changed["tags"] is not None and set(changed["tags"]) == set(t.tags)
    if same_tags:  # tags are a set: another order is no change
        changed["tags"] = None
    changed = {k: v for k, v in changed.items() if v is not None and v != getattr(t, k)}
    _require(bool(changed), "classify.unchanged", "分类没有变化", "Nothing to change")
    for name, value in changed.items():
        setattr(t, name, value)


HANDLERS: dict[type, Callable[..., dict[str, Any] | None]] = {
    c.AnswerDirectly: _answer,
    c.Refer: _refer,
    **DISPATCH_HANDLERS,
    **COORDINATION_HANDLERS,
    **FOLLOWUP_HANDLERS,
    c.Acknowledge: _acknowledge,
    c.Contact: _contact,
    c.AddCoHandler: _add_co_handler,
    c.CoHandlerReport: _co_report,
    c.RequestExtension: _request_extension,
    c.GrantExtension: _grant_extension,
    c.RefuseExtension: _refuse_extension,
    c.Close: _close,
    c.Reopen: _reopen,
    c.Merge: _merge,
    c.Absorb: _absorb,
    c.ReleaseIdentity: _release_identity,
    c.Reclassify: _reclassify,
}
