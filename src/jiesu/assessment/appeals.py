"""Appeals (考评申诉, A6): a unit contests a ticket's effect on its score; a reviewer decides.

A unit that led a ticket may appeal within ``appeal_policy.window_days`` of its evaluation
(or of its close) on one of three grounds: the request was unreasonable, it was wrongly
dispatched, or the requester's evaluation is contradicted by evidence. The assessment office
(supervisors, administrators) decides with a reason; an upheld appeal takes the ticket out
of that unit's counts. Every appeal and decision stays on record and is shown to whoever
reviews the next appeal of the same ticket. One appeal at a time per ticket and unit, and
never twice on the same grounds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update

from jiesu.context import Context
from jiesu.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from jiesu.domain.roles import HOTLINE_ROLES, Actor, Role
from jiesu.intake.receive import check_attachments
from jiesu.storage.tables import appeals as ap
from jiesu.storage.tables import tickets as t
from jiesu.storage.types import is_row_number
from jiesu.storage.uow import UnitOfWork

REVIEWERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


class Grounds(StrEnum):
    UNREASONABLE_REQUEST = "unreasonable_request"  # 诉求不合理
    WRONGLY_DISPATCHED = "wrongly_dispatched"  # 派单错误
    EVALUATION_CONTRADICTED = "evaluation_contradicted"  # 评价与事实不符，有证据


GROUNDS_LABELS_ZH = {
    Grounds.UNREASONABLE_REQUEST: "诉求不合理",
    Grounds.WRONGLY_DISPATCHED: "派单错误",
    Grounds.EVALUATION_CONTRADICTED: "评价与事实不符",
}


def _row_out(row) -> dict[str, Any]:
    return {k: v for k, v in row._mapping.items()}


def history(ctx: Context, ticket_id: int) -> list[dict[str, Any]]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(ap).where(ap.c.ticket_id == ticket_id).order_by(ap.c.id))
        return [_row_out(r) for r in rows]


def file(
    ctx: Context,
    actor: Actor,
    number: str,
    grounds: str,
    reason: str,
    evidence: str = "",
    attachments: list[str] | None = None,
) -> dict[str, Any]:
    now = ctx.now()
    if not reason.strip():
        raise InvalidInput("input.required", "请填写申诉理由", "A reason is required")
    with UnitOfWork(ctx.engine) as uow:
        ticket = uow.session.execute(
            select(t.c.id, t.c.number, t.c.lead_unit_code, t.c.visited_at, t.c.closed_at).where(
                t.c.number == number
            )
        ).first()
        if ticket is None or ticket.lead_unit_code != actor.unit_code:
            raise NotFound(
                "ticket.not_found", f"工单 {number} 不存在", f"Ticket {number} not found"
            )  # a unit appeals only its own tickets; others do not exist for it
        evaluated = ticket.visited_at or ticket.closed_at
        if evaluated is None:
            raise InvalidInput(
                "appeal.too_early",
                "工单尚未回访评价，不能申诉",
                "The ticket has not been evaluated yet",
            )
        if now > evaluated + timedelta(days=ctx.city.appeal_policy.window_days):
            raise InvalidInput(
                "appeal.window_closed",
                f"已超过申诉期限（评价后{ctx.city.appeal_policy.window_days}天）",
                "The appeal window has closed",
            )
        earlier = uow.session.execute(
            select(ap.c.grounds, ap.c.decision).where(
                ap.c.ticket_id == ticket.id, ap.c.unit_code == actor.unit_code
            )
        ).all()
        if any(d is None for _, d in earlier):
            raise Conflict("appeal.pending", "已有待审核的申诉", "An appeal is already pending")
        if any(g == grounds for g, _ in earlier):
            raise InvalidInput(
                "appeal.repeated",
                "已就同一理由申诉过",
                "The unit has already appealed this ticket on these grounds",
            )
        check_attachments(uow.session, attachments or [])
        new_id = uow.session.execute(
            ap.insert()
            .values(
                ticket_id=ticket.id,
                unit_code=actor.unit_code,
                grounds=grounds,
                reason=reason.strip(),
                evidence=evidence,
                attachments=attachments or [],
                filed_at=now,
                filed_by=actor.username,
            )
            .returning(ap.c.id)
        ).scalar_one()
        uow.commit()
    return get(ctx, new_id)


def get(ctx: Context, appeal_id: int) -> dict[str, Any]:
    row = None
    if is_row_number(appeal_id):
        with ctx.engine.connect() as conn:
            row = conn.execute(
                select(ap, t.c.number).join(t, t.c.id == ap.c.ticket_id).where(ap.c.id == appeal_id)
            ).first()
    if row is None:
        raise NotFound("appeal.not_found", "申诉不存在", "No such appeal")
    return _row_out(row)


#: The most appeals a listing holds.
LISTED = 1000


def list_appeals(ctx: Context, actor: Actor, table, query, pending_only: bool) -> list[Any]:
    """The rows of ``query`` over ``table`` (tickets' or charges' appeals) that ``actor``
    may see, oldest first: the pending ones, the longest waiting first (a queue), or all,
    the newest :data:`LISTED` (a history); a unit sees only its own."""
    if pending_only:
        query = query.where(table.c.decision.is_(None)).order_by(table.c.id)
    else:
        query = query.order_by(table.c.id.desc())
    if actor.role not in HOTLINE_ROLES:
        query = query.where(table.c.unit_code == actor.unit_code)
    with ctx.engine.connect() as conn:
        rows = conn.execute(query.limit(LISTED)).all()
    return rows if pending_only else rows[::-1]


def listing(ctx: Context, actor: Actor, pending_only: bool = True) -> list[dict[str, Any]]:
    query = select(ap, t.c.number).join(t, t.c.id == ap.c.ticket_id)
    return [_row_out(r) for r in list_appeals(ctx, actor, ap, query, pending_only)]


def decide(ctx: Context, actor: Actor, appeal_id: int, upheld: bool, reason: str) -> dict:
    not_found = NotFound("appeal.not_found", "申诉不存在", "No such appeal")
    record_decision(ctx, actor, ap, appeal_id, upheld, reason, not_found)
    return get(ctx, appeal_id)


def record_decision(ctx: Context, actor: Actor, table, appeal_id: int, upheld: bool,
                    reason: str, not_found: NotFound) -> None:  # fmt: skip
    """The office decides an appeal of ``table`` (tickets' or charges'): once, with a reason,
    by a supervisor or an administrator."""
    if actor.role not in REVIEWERS:
        raise Forbidden(
            "appeal.forbidden", "只有考评办（督办人员、管理员）可以审核申诉",
            "Only the assessment office (supervisors, administrators) reviews appeals",
        )  # fmt: skip
    if not (reason or "").strip():
        raise InvalidInput("input.required", "请填写审核意见", "A reason is required")
    if not is_row_number(appeal_id):
        raise not_found
    now: datetime = ctx.now()
    with UnitOfWork(ctx.engine) as uow:
        done = uow.session.execute(
            update(table)
            .where(table.c.id == appeal_id, table.c.decision.is_(None))
            .values(
                decision="upheld" if upheld else "rejected",
                decided_at=now,
                reviewer=actor.username,
                review_reason=reason.strip(),
            )  # fmt: skip
        ).rowcount
        if not done:
            if (
                uow.session.execute(select(table.c.id).where(table.c.id == appeal_id)).first()
                is None
            ):
                raise not_found
            raise Conflict("appeal.decided", "该申诉已审核", "The appeal was already decided")
        uow.commit()


def upheld_exclusions():
    """The (ticket, unit) pairs an upheld appeal takes out of the counts."""
    return select(ap.c.ticket_id, ap.c.unit_code).where(ap.c.decision == "upheld")
