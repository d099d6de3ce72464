"""The requester answers the return visit by the signed link of the SMS (A1).

No login: the link is the key. A forged link is ``visit.bad_link`` (404), an expired one
``visit.link_expired`` (410), a second answer ``visit.already_answered`` (409); nothing
is written then. The answer goes through the registered ``record_visit`` action, as the
phone operator's does, so the re-handling policy applies alike. Used by the JSON API
(:mod:`jiesu.api.visits`) and by the citizen's page (:mod:`jiesu.console.public_pages`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from jiesu.actions import run
from jiesu.context import Context
from jiesu.domain.commands import Action
from jiesu.domain.errors import Conflict, Gone, NotFound
from jiesu.domain.ticket import REPLY_OUTCOME_LABELS_ZH, Satisfaction
from jiesu.storage.tables import return_visits as rv
from jiesu.storage.tables import tickets

from . import visits
from .actions import VisitInput


class Answers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contacted: bool = Field(description="承办单位是否联系了您")
    solved: bool = Field(description="问题是否解决")
    satisfaction: Satisfaction = Field(description="满意 / 基本满意 / 不满意")
    comment: str = Field(default="", max_length=2000)


def checked(ctx: Context, visit_id: int, exp: int, sig: str):
    """The visit behind a genuine, unexpired link."""
    row = visits.visit_row(ctx, visit_id) if visits.link_ok(visit_id, exp, sig) else None
    if row is None:
        raise NotFound("visit.bad_link", "回访链接无效", "This evaluation link is not valid")
    if datetime.fromtimestamp(exp, UTC) < ctx.now():
        raise Gone("visit.link_expired", "回访链接已过期", "This evaluation link has expired")
    return row


def view(ctx: Context, row) -> dict[str, Any]:
    """What the requester is shown: the ticket's number, the unit and its reply."""
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


def show(ctx: Context, visit_id: int, exp: int, sig: str) -> dict[str, Any]:
    return view(ctx, checked(ctx, visit_id, exp, sig))


def answer(
    ctx: Context, visit_id: int, exp: int, sig: str, data: Answers, channel: str = "sms"
) -> dict[str, Any]:
    """Record the requester's answers, once: by the SMS's link (``sms``) or from the
    tracking page (``web``)."""
    row = checked(ctx, visit_id, exp, sig)
    if row.status != "pending":
        raise Conflict(
            "visit.already_answered", "您已评价过，感谢您的反馈", "This visit was already answered"
        )
    requester = None
    if row.requester_ticket_id is not None:
        with ctx.engine.connect() as conn:
            requester = conn.execute(
                select(tickets.c.number).where(tickets.c.id == row.requester_ticket_id)
            ).scalar_one()
    run(
        ctx,
        visits.requester_actor(ctx, channel),
        row.ticket_number,
        Action.RECORD_VISIT,
        VisitInput(
            reached=True,
            contacted=data.contacted,
            solved=data.solved,
            satisfaction=data.satisfaction,
            comment=data.comment,
            channel=channel,
            requester_number=requester,
        ),
    )
    return {**view(ctx, visits.visit_row(ctx, visit_id)), "thanks": "感谢您的评价"}


def web_link(ctx: Context, number: str) -> str | None:
    """A fresh evaluation link for the requester of request ``number`` while their return
    visit is pending, for the tracking page (H9): the requester evaluates on the web."""
    with ctx.engine.connect() as conn:
        own = conn.execute(
            select(tickets.c.id, tickets.c.merged_into_id).where(tickets.c.number == number)
        ).first()
        if own is None:
            return None
        merged = own.merged_into_id is not None
        visit_id = conn.execute(
            select(rv.c.id)
            .where(
                rv.c.ticket_id == (own.merged_into_id if merged else own.id),
                rv.c.requester_ticket_id == own.id
                if merged
                else rv.c.requester_ticket_id.is_(None),
                rv.c.status == "pending",
            )
            .order_by(rv.c.id.desc())
        ).scalar()
    if visit_id is None:
        return None
    return visits.link(visit_id, ctx.now() + timedelta(days=1)) + "&via=web"
