"""Requesters for the hotline desk: who is calling, how often, and the persuasion on record (I8).

Only hotline staff reach these endpoints; handling units never see requesters
beyond what a ticket shows them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from jiesu.domain.errors import NotFound
from jiesu.domain.roles import HOTLINE_ROLES, Actor
from jiesu.intake import requesters as rq
from jiesu.storage import repository as repo
from jiesu.storage.types import RowNumber
from jiesu.storage.uow import UnitOfWork

from .deps import ContextDep, role_guard

router = APIRouter(prefix="/api/requesters", tags=["requesters"])


hotline_actor = role_guard(
    HOTLINE_ROLES,
    "requester.forbidden",
    "只有热线工作人员可以查看诉求人信息",
    "Only hotline staff may look up requesters",
)


HotlineActor = Annotated[Actor, Depends(hotline_actor)]


class WindowOut(BaseModel):
    days: int
    threshold: int
    count: int
    flagged: bool


class RequesterOut(BaseModel):
    requester_id: int
    name: str
    phone: str
    first_seen_at: datetime
    last_seen_at: datetime
    flagged: bool
    windows: list[WindowOut]
    recent: list[dict]
    notes: list[dict]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["persuasion", "warning", "note"] = "persuasion"
    note: str = Field(min_length=1, max_length=2000)
    ticket_number: str | None = Field(default=None, max_length=32)


def _out(s: rq.RequesterSummary) -> RequesterOut:
    return RequesterOut(
        requester_id=s.requester_id,
        name=s.name,
        phone=s.phone,
        first_seen_at=s.first_seen_at,
        last_seen_at=s.last_seen_at,
        flagged=s.flagged,
        windows=[WindowOut(**w.__dict__, flagged=w.flagged) for w in s.windows],
        recent=s.recent,
        notes=s.notes,
    )


def _not_found() -> NotFound:
    return NotFound("requester.not_found", "没有该诉求人的记录", "No such requester on record")


@router.get("/lookup", response_model=RequesterOut, summary="来电人查询 Look up a caller")
def lookup(
    ctx: ContextDep, actor: HotlineActor, phone: Annotated[str, Query(min_length=3, max_length=32)]
) -> RequesterOut:
    with UnitOfWork(ctx.engine, write=False) as uow:
        requester_id = rq.find_by_phone(uow.session, phone)
        found = requester_id and rq.summary(
            uow.session, requester_id, ctx.now(), ctx.city.intake_policy.frequent_requester_windows
        )
    if not found:
        raise _not_found()
    return _out(found)


@router.get("/{requester_id}", response_model=RequesterOut, summary="诉求人 A requester")
def read(ctx: ContextDep, actor: HotlineActor, requester_id: RowNumber) -> RequesterOut:
    with UnitOfWork(ctx.engine, write=False) as uow:
        found = rq.summary(
            uow.session, requester_id, ctx.now(), ctx.city.intake_policy.frequent_requester_windows
        )
    if found is None:
        raise _not_found()
    return _out(found)


@router.post(
    "/{requester_id}/notes",
    status_code=201,
    response_model=RequesterOut,
    summary="记录劝导 Record persuasion",
)
def add_note(
    ctx: ContextDep, actor: HotlineActor, requester_id: RowNumber, data: NoteIn
) -> RequesterOut:
    now = ctx.now()
    windows = ctx.city.intake_policy.frequent_requester_windows
    with UnitOfWork(ctx.engine) as uow:
        if rq.summary(uow.session, requester_id, now, windows) is None:
            raise _not_found()
        ticket_id = (
            repo.get_ticket(uow.session, data.ticket_number).id if data.ticket_number else None
        )
        rq.add_note(
            uow.session,
            requester_id,
            kind=data.kind,
            note=data.note,
            ticket_id=ticket_id,
            user_id=actor.user_id,
            username=actor.username,
            now=now,
        )
        uow.commit()
    with UnitOfWork(ctx.engine, write=False) as uow:
        found = rq.summary(uow.session, requester_id, now, windows)
    assert found is not None
    return _out(found)
