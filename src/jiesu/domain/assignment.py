"""Putting a ticket in a unit's hands: lead, deadlines and co-handling tasks (D2, D6, H1).

Shared by the dispatch-like commands (dispatch, upheld objection, consultation
decision, re-handling) and the handling commands that add co-handlers.
"""

from __future__ import annotations

from datetime import datetime

from . import commands as c
from .errors import require, require_text
from .ticket import CoHandlerTask, Ticket, warn_time


def assign(
    t: Ticket, lead: str, supervising: str | None, deadlines: c.Deadlines | None, now: datetime
) -> None:
    """Make ``lead`` the lead unit with fresh deadlines (checked before anything changes)."""
    require_text(lead, "主办单位", "The lead unit")
    require(
        deadlines is not None,
        "dispatch.no_deadline",
        "派单必须注明办理时限",
        "A dispatch needs deadlines",
    )
    assert deadlines is not None
    require(
        deadlines.contact_due > now and deadlines.completion_due >= deadlines.contact_due,
        "dispatch.bad_deadline",
        "办理时限必须晚于派单时间，且办结时限不早于联系时限",
        "Deadlines must lie after the dispatch, completion no earlier than contact",
    )
    t.lead_unit_code = lead
    t.supervising_unit_code = supervising
    t.dispatched_at = now
    t.warn_share = deadlines.warn_share
    t.contact_due = deadlines.contact_due
    t.contact_warn_at = warn_time(now, deadlines.contact_due, deadlines.warn_share)
    t.set_completion_due(deadlines.completion_due)
    t.deadline_basis = deadlines.basis
    t.acknowledged_at = None
    t.contacted_at = None
    clear_extension_request(t)


def check_lead_and_tasks(
    t: Ticket, lead: str, co_handlers: tuple[tuple[str, str, datetime], ...], now: datetime
) -> None:
    """Every check of a dispatch's co-handlers, before any change."""
    co_units = [unit for unit, _, _ in co_handlers]
    require(
        lead not in co_units and len(set(co_units)) == len(co_units),
        "cohandler.duplicate",
        "协办单位不能重复，也不能是主办单位",
        "Co-handlers must differ from each other and from the lead",
    )
    require(
        t.open_task_for(lead) is None,
        "cohandler.duplicate",
        "该单位尚有待反馈的协办任务，不能同时作为主办单位",
        "That unit has an open co-handling task and cannot also lead",
    )
    for unit_code, task, due in co_handlers:
        check_task(t, unit_code, task, due, now, lead=lead)


def check_task(
    t: Ticket, unit_code: str, task: str, due: datetime | None, now: datetime, *, lead: str | None
) -> None:
    require_text(unit_code, "协办单位", "The co-handling unit")
    require_text(task, "协办任务", "The task")
    require(
        due is not None and due > now,
        "cohandler.bad_due",
        "协办时限须晚于现在",
        "The task's deadline must lie ahead",
    )
    require(
        unit_code != lead and t.open_task_for(unit_code) is None,
        "cohandler.duplicate",
        "该单位已是主办单位或已有待办协办任务",
        "That unit already leads or has an open task",
    )


def add_task(t: Ticket, unit_code: str, task: str, due: datetime | None, now: datetime) -> None:
    check_task(t, unit_code, task, due, now, lead=t.lead_unit_code)
    assert due is not None
    t.co_handlers.append(CoHandlerTask(unit_code=unit_code, task=task, due=due, assigned_at=now))


def clear_extension_request(t: Ticket) -> None:
    t.extension_requested_due = None
    t.extension_reason = None
