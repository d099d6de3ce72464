"""The FastAPI application: API, console and static assets, all served by jiesu (no CDN)."""

from __future__ import annotations

import swagger_ui_bundle
from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from jiesu import __version__
from jiesu.context import Context
from jiesu.knowledge import api as knowledge_api

from . import (
    assessment,
    assist,
    bulletin,
    dispatch,
    errors,
    governance,
    governance_appeals,
    handling,
    meta,
    open311,
    open_data,
    places,
    public_intake,
    reports,
    requesters,
    tickets,
    topics,
    tracking,
    unit_data,
    visits,
)
from .storable import storable_request


def create_app(ctx: Context) -> FastAPI:
    app = FastAPI(
        docs_url=None,  # served below from local files: no CDN
        dependencies=[Depends(storable_request)],  # no text a database cannot store
        redoc_url=None,
        title="jiesu 接诉即办",
        version=__version__,
        description="12345 市民服务热线接诉即办平台 API. Errors carry a stable `code` "
        "and messages in Chinese and English.",
    )
    app.state.context = ctx
    errors.install(app)
    app.include_router(meta.router)
    app.include_router(tickets.router)
    app.include_router(assist.router)
    app.include_router(public_intake.router)
    app.include_router(public_intake.staff_router)
    app.include_router(open311.router)
    app.include_router(requesters.router)
    app.include_router(places.router)
    app.include_router(dispatch.router)
    app.include_router(tracking.router)
    app.include_router(handling.router)
    app.include_router(visits.router)
    app.include_router(assessment.router)
    app.include_router(governance_appeals.router)
    app.include_router(bulletin.router)
    app.include_router(governance.router)
    app.include_router(open_data.router)
    app.include_router(topics.router)
    app.include_router(reports.router)
    app.include_router(unit_data.router)
    app.include_router(knowledge_api.router)
    app.include_router(knowledge_api.public_router)

    app.mount(
        "/docs-assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets"
    )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="jiesu API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        return {"status": "ok"}

    from jiesu.console.routes import install as install_console

    install_console(app)
    return app
