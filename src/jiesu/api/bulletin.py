"""The public monthly bulletin (G6): ``GET /api/public/bulletin?month=YYYY-MM`` (JSON) and
``GET /bulletin/YYYY-MM`` (a page). No login; aggregates only (see
:mod:`jiesu.assessment.bulletin`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from jiesu.assessment.bulletin import bulletin
from jiesu.assessment.rankings import month

from .deps import ContextDep

router = APIRouter(tags=["public bulletin"])
_TEMPLATES = Path(__file__).parent.parent / "console" / "templates" / "public"
_env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape())
_env.globals["pct"] = lambda r: f"{r * 100:.1f}%" if r is not None else "—"


@router.get("/api/public/bulletin", summary="月度公报 The monthly bulletin")
def bulletin_json(ctx: ContextDep, month_: Annotated[str, Query(alias="month")]) -> dict[str, Any]:
    return bulletin(ctx, month(month_, ctx.city.tz))


@router.get("/bulletin/{label}", response_class=HTMLResponse, include_in_schema=False)
def bulletin_page(ctx: ContextDep, label: str) -> HTMLResponse:
    data = bulletin(ctx, month(label, ctx.city.tz))
    return HTMLResponse(_env.get_template("bulletin.html").render(b=data))
