"""Dependencies: the context and the logged-in user (Bearer token or the console's cookie)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request

from jiesu import accounts
from jiesu.context import Context
from jiesu.domain.errors import Forbidden, Unauthenticated
from jiesu.domain.roles import Actor, Role

SESSION_COOKIE = "jiesu_session"


def get_context(request: Request) -> Context:
    return request.app.state.context


ContextDep = Annotated[Context, Depends(get_context)]


CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request, ctx: ContextDep) -> accounts.LoginSession:
    """The caller's session, from ``Authorization: Bearer`` or the console's cookie.

    A browser sends the cookie on its own, so a change made with the cookie
    must also carry the session's CSRF token in ``X-CSRF-Token``.
    """
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return accounts.session_for(ctx.engine, header[7:].strip(), ctx.now())
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthenticated("auth.required", "请先登录", "Please log in")
    session = accounts.session_for(ctx.engine, token, ctx.now())
    # Compared as bytes: a header may carry any Latin-1 text, which compare_digest refuses as str.
    sent = request.headers.get(CSRF_HEADER, "").encode()
    if request.method not in _SAFE_METHODS and not secrets.compare_digest(
        sent, session.csrf_token.encode()
    ):
        raise Forbidden(
            "auth.csrf",
            f"使用登录 Cookie 修改数据须附带 {CSRF_HEADER} 请求头",
            f"Changes made with the session cookie need the {CSRF_HEADER} header",
        )
    return session


SessionDep = Annotated[accounts.LoginSession, Depends(get_session)]


def get_actor(session: SessionDep) -> Actor:
    return session.user.actor


ActorDep = Annotated[Actor, Depends(get_actor)]


def role_guard(roles: frozenset[Role], code: str, zh: str, en: str):
    """A dependency giving the actor when its role is one of ``roles``, else 403 ``code``."""

    def guard(actor: ActorDep) -> Actor:
        if actor.role not in roles:
            raise Forbidden(code, zh, en)
        return actor

    return guard
