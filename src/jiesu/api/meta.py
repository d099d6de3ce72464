"""Login, the current user, units and the vocabularies (with Chinese labels) for clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import or_, select

from jiesu import accounts
from jiesu.city.config import UNIT_KIND_LABELS_ZH, UnitKind
from jiesu.domain.commands import ACTION_LABELS_ZH, REFERRAL_REASON_LABELS_ZH
from jiesu.domain.ticket import (
    CHANNEL_LABELS_ZH,
    REPLY_OUTCOME_LABELS_ZH,
    REQUEST_TYPE_LABELS_ZH,
    SATISFACTION_LABELS_ZH,
    STATUS_LABELS_ZH,
)
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

from .deps import ActorDep, ContextDep, SessionDep
from .schemas import LoginIn, LoginOut, UserOut

router = APIRouter(prefix="/api", tags=["meta"])


@router.post("/auth/login", response_model=LoginOut, summary="登录 Log in")
def login(data: LoginIn, ctx: ContextDep) -> LoginOut:
    session = accounts.login(ctx.engine, data.username, data.password, ctx.now())
    return LoginOut(
        token=session.token,
        expires_at=session.expires_at,
        user=UserOut(**{k: getattr(session.user, k) for k in UserOut.model_fields}),
    )


@router.post("/auth/logout", status_code=204, summary="退出 Log out")
def logout(session: SessionDep, ctx: ContextDep) -> Response:
    accounts.logout(ctx.engine, session.token)
    return Response(status_code=204)


@router.get("/me", response_model=UserOut, summary="当前用户 Who am I")
def me(session: SessionDep) -> UserOut:
    return UserOut(**{k: getattr(session.user, k) for k in UserOut.model_fields})


@router.get("/units", summary="承办单位 Units")
def units(
    ctx: ContextDep,
    actor: ActorDep,
    kind: UnitKind | None = None,
    parent: str | None = None,
    q: Annotated[str | None, Query(max_length=50)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict]:
    u = tables.units.c
    stmt = select(u.code, u.name, u.kind, u.parent_code, u.population, u.around_the_clock)
    if kind:
        stmt = stmt.where(u.kind == str(kind))
    if parent:
        stmt = stmt.where(u.parent_code == parent)
    if q:
        stmt = stmt.where(or_(u.name.like(f"%{q}%"), u.code == q))
    with UnitOfWork(ctx.engine, write=False) as uow:
        rows = uow.session.execute(stmt.order_by(u.code).limit(limit)).all()
    return [r._asdict() for r in rows]


@router.get("/vocabulary", summary="代码表 Codes and their Chinese labels")
def vocabulary(ctx: ContextDep) -> dict:
    return {
        "statuses": STATUS_LABELS_ZH,
        "actions": ACTION_LABELS_ZH,
        "channels": CHANNEL_LABELS_ZH,
        "request_types": REQUEST_TYPE_LABELS_ZH,
        "reply_outcomes": REPLY_OUTCOME_LABELS_ZH,
        "satisfaction": SATISFACTION_LABELS_ZH,
        "referral_reasons": REFERRAL_REASON_LABELS_ZH,
        "unit_kinds": UNIT_KIND_LABELS_ZH,
        "categories": [c.model_dump() for c in ctx.city.categories],
        "merged_hotlines": ctx.city.merged_hotlines,
    }
