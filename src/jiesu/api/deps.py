"""Dependencies: the context and the logged-in user (Bearer token or the console's cookie)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jiesu import accounts
from jiesu.context import Context
from jiesu.domain.errors import Unauthenticated
from jiesu.domain.roles import Actor

SESSION_COOKIE = "jiesu_session"


def get_context(request: Request) -> Context:
    return request.app.state.context


ContextDep = Annotated[Context, Depends(get_context)]


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def get_session(request: Request, ctx: ContextDep) -> accounts.LoginSession:
    token = _token(request)
    if not token:
        raise Unauthenticated("auth.required", "请先登录", "Please log in")
    return accounts.session_for(ctx.engine, token, ctx.now())


SessionDep = Annotated[accounts.LoginSession, Depends(get_session)]


def get_actor(session: SessionDep) -> Actor:
    return session.user.actor


ActorDep = Annotated[Actor, Depends(get_actor)]
