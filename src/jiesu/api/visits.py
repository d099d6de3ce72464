"""Return visits (A1): the requester's evaluation page behind the SMS link, and the
operators' queue of visits due. See :mod:`jiesu.followup.visits`.

``GET /api/visit/{id}?exp=&sig=`` shows what the unit replied and asks the three questions;
``POST`` the same URL answers them, once. No login: the signed link is the key. A forged
link is ``visit.bad_link`` (404), an expired one ``visit.link_expired`` (410), a second
answer ``visit.already_answered`` (409); nothing is written then.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from jiesu.actions import run
from jiesu.domain.commands import Action
from jiesu.domain.errors import Conflict, Gone, NotFound
from jiesu.domain.roles import HOTLINE_ROLES, Actor
from jiesu.domain.ticket import REPLY_OUTCOME_LABELS_ZH, Satisfaction
from jiesu.followup import visits
from jiesu.followup.actions import VisitInput

from .deps import ContextDep, role_guard

router = APIRouter(prefix="/api", tags=["return visits"])


class Answers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contacted: bool = Field(description="承办单位是否联系了您")
    solved: bool = Field(description="问题是否解决")
    satisfaction: Satisfaction = Field(description="满意 / 基本满意 / 不满意")
    comment: str = Field(default="", max_length=2000)


def _checked(ctx, visit_id: int, exp: int, sig: str):
    row = visits.visit_row(ctx, visit_id) if visits.link_ok(visit_id, exp, sig) else None
    if row is None:
        raise NotFound("visit.bad_link", "回访链接无效", "This evaluation link is not valid")
    if datetime.fromtimestamp(exp, UTC) < ctx.now():
        raise Gone("visit.link_expired", "回访链接已过期", "This evaluation link has expired")
    return row


def _view(ctx, row) -> dict[str, Any]:
    unit = ctx.city.unit(row.lead_unit_code or "")
    return {
        "number": row.ticket_number,
        "unit_name": unit.name if unit else None,
        "reply_outcome": row.reply_outcome,
        "reply_outcome_zh": REPLY_OUTCOME_LABELS_ZH.get(row.reply_outcome),
        "reply_text": row.reply_text,
        "status": row.status,
        "answered": row.status != "pending",
    }


Sig = Annotated[str, Query(max_length=64)]


@router.get("/visit/{visit_id}", summary="回访评价页 The evaluation behind the SMS link")
def show(visit_id: int, ctx: ContextDep, exp: int, sig: Sig) -> dict[str, Any]:
    return _view(ctx, _checked(ctx, visit_id, exp, sig))


@router.post("/visit/{visit_id}", summary="提交回访评价 Answer the return visit")
def answer(visit_id: int, data: Answers, ctx: ContextDep, exp: int, sig: Sig) -> dict[str, Any]:
    row = _checked(ctx, visit_id, exp, sig)
    if row.status != "pending":
        raise Conflict(
            "visit.already_answered", "您已评价过，感谢您的反馈", "This visit was already answered"
        )
    requester = None
    if row.requester_ticket_id is not None:
        from sqlalchemy import select

        from jiesu.storage.tables import tickets

        with ctx.engine.connect() as conn:
            requester = conn.execute(
                select(tickets.c.number).where(tickets.c.id == row.requester_ticket_id)
            ).scalar_one()
    run(
        ctx,
        visits.requester_actor(ctx, "web"),
        row.ticket_number,
        Action.RECORD_VISIT,
        VisitInput(
            reached=True,
            contacted=data.contacted,
            solved=data.solved,
            satisfaction=data.satisfaction,
            comment=data.comment,
            channel="web",
            requester_number=requester,
        ),
    )
    return {**_view(ctx, visits.visit_row(ctx, visit_id)), "thanks": "感谢您的评价"}


_hotline = role_guard(
    HOTLINE_ROLES, "visit.forbidden", "回访由热线工作人员进行", "Return visits are the hotline's"
)


@router.get("/visits/due", summary="待回访 Return visits due")
def due(ctx: ContextDep, actor: Annotated[Actor, Depends(_hotline)]) -> list[dict[str, Any]]:
    return visits.due_visits(ctx)
