"""The FastAPI application: API, console and static assets, all served by jiesu (no CDN)."""

from __future__ import annotations

from fastapi import FastAPI

from jiesu import __version__
from jiesu.context import Context

from . import errors, meta, tickets


def create_app(ctx: Context) -> FastAPI:
    app = FastAPI(
        title="jiesu 接诉即办",
        version=__version__,
        description="12345 市民服务热线接诉即办平台 API. Errors carry a stable `code` "
        "and messages in Chinese and English.",
    )
    app.state.context = ctx
    errors.install(app)
    app.include_router(meta.router)
    app.include_router(tickets.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        return {"status": "ok"}

    from jiesu.console.routes import install as install_console

    install_console(app)
    return app
