"""The console's plumbing: templates, static assets, the login cookie, CSRF and flash messages."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from jiesu import accounts
from jiesu.api.deps import SESSION_COOKIE, ContextDep
from jiesu.domain.errors import Unauthenticated
from jiesu.domain.roles import HOTLINE_ROLES, ROLE_LABELS_ZH, Role

from . import pickers, views

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
FLASH_COOKIE = "jiesu_flash"
LOGIN_CSRF_COOKIE = "jiesu_login_csrf"
#: Roles that may record a new request (the lifecycle's hotline desk decides; this only shows the link).
RECEIVING_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN})

# Every asset comes from jiesu itself: no inline script or style, no other origin.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _asset_versions() -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:10]
        for p in STATIC_DIR.iterdir()
        if p.is_file()
    }


_VERSIONS = _asset_versions()


def static_url(name: str) -> str:
    return f"/static/{name}?v={_VERSIONS.get(name, '0')}"


env.globals.update(static=static_url, views=views, pickers=pickers)


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefused(Exception):
    """A POST without the session's CSRF token; answered with a 403 page."""


def safe_next(value: str | None) -> str:
    """Only local paths: ``/tickets/…`` yes, ``//evil.example`` or ``https://…`` no."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def current_session(request: Request, ctx: ContextDep) -> accounts.LoginSession:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            return accounts.session_for(ctx.engine, token, ctx.now())
        except Unauthenticated:
            pass
    raise LoginRequired(_return_to(request))


def _return_to(request: Request) -> str:
    """Where to go after logging in: this page, or for a refused POST the page that posted."""
    path = request.url.path
    if request.method == "GET":
        return path + (f"?{request.url.query}" if request.url.query else "")
    if "/actions/" in path:
        return path.split("/actions/")[0]
    if path.startswith(("/console/dispatch/", "/console/handling/")):
        return "/".join(path.split("/")[:4])  # the dispatch or handling page that posted
    return "/tickets/new" if path.startswith("/tickets/new") else "/"


PageSession = Annotated[accounts.LoginSession, Depends(current_session)]


async def posted_form(request: Request) -> FormData:
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


def checked_session(session: PageSession, form: PostedForm) -> accounts.LoginSession:
    """The session of a POST whose form carries that session's CSRF token."""
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not secrets.compare_digest(
        sent.encode(),
        session.csrf_token.encode(),  # bytes: any text is just a wrong token
    ):
        raise CsrfRefused()
    return session


PostSession = Annotated[accounts.LoginSession, Depends(checked_session)]


def render(
    request: Request,
    template: str,
    *,
    session: accounts.LoginSession | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    ctx = request.app.state.context
    flash = request.cookies.get(FLASH_COOKIE)
    page: dict[str, Any] = {"request": request, "flash": unquote(flash) if flash else None}
    page["now_iso"] = ctx.now().isoformat(timespec="milliseconds")
    if session is not None:
        user = session.user
        page.update(
            user=user,
            role_label=ROLE_LABELS_ZH.get(user.role, str(user.role)),
            unit_label=views.unit_name(ctx.city, user.unit_code),
            csrf_token=session.csrf_token,
            may_receive=user.role in RECEIVING_ROLES,
            hotline_staff=user.role in HOTLINE_ROLES,
        )
    page.update(context)
    html = env.get_template(template).render(page)
    response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(url: str, *, flash: str | None = None) -> RedirectResponse:
    """POST/redirect/GET, with an optional message shown once on the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE, quote(flash), max_age=60, path="/", httponly=True, samesite="lax"
        )
    return response


def set_login_cookie(request: Request, response: Response, session: accounts.LoginSession) -> None:
    ctx = request.app.state.context
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=max(0, int((session.expires_at - ctx.now()).total_seconds())),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
