"""Appeals against a proactive governance charge (A2, A6; BJ Art. 36, 容错纠错).

A late topic task or a weekly warning answered late costs its unit points
(:mod:`jiesu.assessment.governance`). The unit charged may contest it once, within
``appeal_policy.window_days`` of the deadline it missed (the task's due day was set before
the work was known, the measures were reported by another way, the warning was wrong); the
assessment office (supervisors, administrators) decides with a reason, as for tickets. An
upheld appeal takes the charge out of the counts: the month's points are recomputed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from jiesu.context import Context
from jiesu.domain.errors import Conflict, InvalidInput, NotFound
from jiesu.domain.roles import HOTLINE_ROLES, Actor
from jiesu.storage.tables import governance_appeals as ga
from jiesu.storage.types import is_row_number
from jiesu.storage.uow import UnitOfWork

from .appeals import list_appeals, record_decision
from .governance import KIND_LABELS_ZH, TASK, WARNING, Charge, charges

REASON_MAX = 2000


def _not_found() -> NotFound:
    return NotFound("governance_appeal.not_found", "申诉不存在", "No such appeal")


def find_charge(ctx: Context, kind: str, item_id: int, unit_code: str) -> Charge:
    """The charge ``unit_code`` bears for the item, whenever its deadline fell (within
    the appeal window: older ones cannot be appealed anyway)."""
    window = timedelta(days=ctx.city.appeal_policy.window_days)
    now = ctx.now()
    # Deadlines at most ``window`` ago; a task's due day began a day before its deadline.
    for c in charges(ctx, now - window - timedelta(days=1), now):
        if (c.kind, c.item_id, c.unit_code) == (kind, item_id, unit_code):
            return c
    raise InvalidInput(
        "governance_appeal.not_charged",
        "本单位没有可申诉的该项扣分（未逾期，或已超过申诉期限）",
        "Your unit bears no such charge that may still be appealed",
    )


def file(ctx: Context, actor: Actor, kind: str, item_id: int, reason: str) -> dict[str, Any]:
    reason = (reason or "").strip()
    if kind not in (TASK, WARNING):
        raise InvalidInput(
            "governance_appeal.bad_kind",
            "申诉事项须为专题任务（task）或预警（warning）",
            "The charge is a task or a warning",
        )
    if not reason or len(reason) > REASON_MAX:
        raise InvalidInput(
            "input.required", f"请填写申诉理由（1–{REASON_MAX} 字）", "A reason is required"
        )
    charge = find_charge(ctx, kind, item_id, actor.unit_code)
    if ctx.now() > charge.deadline + timedelta(days=ctx.city.appeal_policy.window_days):
        raise InvalidInput(
            "appeal.window_closed",
            f"已超过申诉期限（逾期后{ctx.city.appeal_policy.window_days}天）",
            "The appeal window has closed",
        )
    if charge.appeal is not None:
        raise Conflict(
            "governance_appeal.repeated", "该项扣分已申诉过", "This charge was appealed already"
        )
    try:
        with UnitOfWork(ctx.engine) as uow:
            new_id = uow.session.execute(
                ga.insert()
                .values(
                    kind=kind,
                    item_id=item_id,
                    unit_code=actor.unit_code,
                    reason=reason,
                    filed_at=ctx.now(),
                    filed_by=actor.username,
                )  # fmt: skip
                .returning(ga.c.id)
            ).scalar_one()
            uow.commit()
    except IntegrityError as exc:  # the same charge appealed at the same moment
        raise Conflict(
            "governance_appeal.repeated", "该项扣分已申诉过", "This charge was appealed already"
        ) from exc
    return get(ctx, actor, new_id)


def _out(row) -> dict[str, Any]:
    found = dict(row._mapping)
    return found | {"kind_zh": KIND_LABELS_ZH.get(found["kind"], found["kind"])}


def get(ctx: Context, actor: Actor, appeal_id: int) -> dict[str, Any]:
    row = None
    if is_row_number(appeal_id):
        with ctx.engine.connect() as conn:
            row = conn.execute(select(ga).where(ga.c.id == appeal_id)).first()
    if row is None or (actor.role not in HOTLINE_ROLES and row.unit_code != actor.unit_code):
        raise _not_found()
    return _out(row)


def listing(ctx: Context, actor: Actor, pending_only: bool = True) -> list[dict[str, Any]]:
    return [_out(r) for r in list_appeals(ctx, actor, ga, select(ga), pending_only)]


def decide(ctx: Context, actor: Actor, appeal_id: int, upheld: bool, reason: str) -> dict:
    record_decision(ctx, actor, ga, appeal_id, upheld, reason, _not_found())
    return get(ctx, actor, appeal_id)
