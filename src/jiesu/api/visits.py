"""Return visits (A1): the requester's evaluation page behind the SMS link, and the
operators' queue of visits due. See :mod:`jiesu.followup.visits` and
:mod:`jiesu.followup.links`.

``GET /api/visit/{id}?exp=&sig=`` shows what the unit replied and asks the three questions;
``POST`` the same URL answers them, once. No login: the signed link is the key. A forged
link is ``visit.bad_link`` (404), an expired one ``visit.link_expired`` (410), a second
answer ``visit.already_answered`` (409); nothing is written then.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from jiesu.domain.roles import HOTLINE_ROLES, Actor
from jiesu.followup import links, visits
from jiesu.storage.types import RowNumber

from .deps import ContextDep, role_guard

router = APIRouter(prefix="/api", tags=["return visits"])


Sig = Annotated[str, Query(max_length=64)]


@router.get("/visit/{visit_id}", summary="回访评价页 The evaluation behind the SMS link")
def show(visit_id: RowNumber, ctx: ContextDep, exp: int, sig: Sig) -> dict[str, Any]:
    return links.show(ctx, visit_id, exp, sig)


@router.post("/visit/{visit_id}", summary="提交回访评价 Answer the return visit")
def answer(
    visit_id: RowNumber,
    data: links.Answers,
    ctx: ContextDep,
    exp: int,
    sig: Sig,
    via: Annotated[Literal["sms", "web"], Query(description="短信链接或网页")] = "sms",
) -> dict[str, Any]:
    return links.answer(ctx, visit_id, exp, sig, data, via)


_hotline = role_guard(
    HOTLINE_ROLES, "visit.forbidden", "回访由热线工作人员进行", "Return visits are the hotline's"
)


@router.get("/visits/due", summary="待回访 Return visits due")
def due(ctx: ContextDep, actor: Annotated[Actor, Depends(_hotline)]) -> list[dict[str, Any]]:
    return visits.due_visits(ctx)
