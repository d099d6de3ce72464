"""Monthly work reports API (月度工作报告, G4), under ``/api/governance/reports``.

``GET /api/governance/reports?month=2026-10&scope=city`` lists the reports the caller reads
(hotline staff every one, a district government its own district's, no other unit any);
``GET /api/governance/reports/{id}`` gives one as issued, with its content;
``GET /api/governance/reports/{id}.md`` the same as a Markdown document;
``POST /api/governance/reports`` issues one now (supervisors and admins; the worker issues
every ended month's by itself) or, with ``regenerate`` and a reason, its next version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from jiesu.domain.roles import Actor, Role
from jiesu.governance import reports as gr
from jiesu.governance.report_markdown import markdown
from jiesu.storage.types import MAX_INT

from .deps import ActorDep, ContextDep, role_guard

router = APIRouter(prefix="/api/governance/reports", tags=["governance"])
ReportId = Annotated[int, Path(ge=1, le=MAX_INT)]
_issuer = role_guard(
    frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "report.issue_forbidden",
    "只有热线督办或管理员可以生成月度工作报告",
    "Only hotline supervisors and admins may issue a work report",
)


class ReportOut(BaseModel):
    id: int
    month: str
    scope: str = Field(description="`city` or the district's code")
    scope_name: str
    version: int
    current: bool = Field(description="the newest version of its month and scope")
    issued_at: datetime
    issued_by: str
    reason: str = Field(description="why this version was regenerated (empty for the first)")
    recommendations: int


class ReportFull(ReportOut):
    content: dict[str, Any]


def report_out(r: gr.Report) -> ReportOut:
    return ReportOut(id=r.id, month=r.month, scope=r.scope, scope_name=r.scope_name,
                     version=r.version, current=r.current, issued_at=r.issued_at,
                     issued_by=r.issued_by, reason=r.reason,
                     recommendations=r.recommendations)  # fmt: skip


@router.get("", summary="月度工作报告 The work reports")
def list_reports(
    ctx: ContextDep,
    actor: ActorDep,
    month_: Annotated[str | None, Query(alias="month", max_length=16)] = None,
    scope: Annotated[str | None, Query(max_length=64)] = None,
) -> list[ReportOut]:
    return [report_out(r) for r in gr.list_reports(ctx, actor, month_, scope)]


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    month: str | None = Field(default=None, max_length=16, description="default: the last ended")
    scope: str = Field(default=gr.CITY, max_length=64)
    regenerate: bool = False
    reason: str = Field(default="", max_length=gr.REASON_MAX)


class IssuedOut(BaseModel):
    id: int
    month: str
    scope: str
    version: int
    new: bool = Field(description="false: the report existed and is returned as it was")


@router.post("", summary="生成月度工作报告 Issue (or regenerate) a report", status_code=201)
def issue(
    ctx: ContextDep,
    response: Response,
    actor: Annotated[Actor, Depends(_issuer)],
    body: IssueIn | None = None,
) -> IssuedOut:
    body = body or IssueIn()
    done = gr.issue(ctx, body.month, body.scope, by=actor.username,
                    regenerate=body.regenerate, reason=body.reason)  # fmt: skip
    if not done.new:
        response.status_code = 200
    return IssuedOut(id=done.id, month=done.month, scope=done.scope, version=done.version,
                     new=done.new)  # fmt: skip


@router.get("/{report_id}.md", summary="月度工作报告（Markdown）A report as Markdown")
def report_markdown(ctx: ContextDep, actor: ActorDep, report_id: ReportId) -> Response:
    r = gr.get_report(ctx, actor, report_id)
    name = f"jiesu-report-{r.month}-{r.scope}-v{r.version}.md"
    return Response(markdown(r), media_type="text/markdown; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@router.get("/{report_id}", summary="一份月度工作报告 One report, as issued")
def get_report(ctx: ContextDep, actor: ActorDep, report_id: ReportId) -> ReportFull:
    r = gr.get_report(ctx, actor, report_id)
    assert r.content is not None
    return ReportFull(**report_out(r).model_dump(), content=r.content)
