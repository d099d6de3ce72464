"""Assessment API (A2–A4): rankings per group for a month or a period, under any rule set.

``GET /api/assessment/rankings?month=2026-11&group=street&rules=standard`` — or ``start``
and ``end`` (with time zones) instead of ``month``. Hotline staff only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from jiesu.assessment import appeals, indicators
from jiesu.assessment.appeals import Grounds
from jiesu.assessment.export import workbook
from jiesu.assessment.rankings import Period, checked, month, rankings, rule_json, rule_sets
from jiesu.domain.errors import InvalidInput, NotFound
from jiesu.domain.roles import HOTLINE_ROLES, Actor
from jiesu.storage.types import EARLIEST_YEAR, LATEST_YEAR, InstantOrNone, RowNumber

from .deps import ContextDep, get_actor, role_guard

router = APIRouter(prefix="/api/assessment", tags=["assessment"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_office = role_guard(
    HOTLINE_ROLES,
    "assessment.forbidden",
    "考评结果由热线考评办查看",
    "The assessment is the office's",
)


@router.get("/rules", summary="考评规则 Rule sets")
def rules(ctx: ContextDep, actor: Annotated[Actor, Depends(_office)]) -> list[dict[str, Any]]:
    return [rule_json(r) for r in rule_sets(ctx.city).values()]


MonthQ = Annotated[str | None, Query(alias="month", pattern=r"^\d{4}-\d{2}$")]
TimeQ = Annotated[InstantOrNone, Query()]


def _period(
    ctx: ContextDep, month_: MonthQ = None, start: TimeQ = None, end: TimeQ = None
) -> Period:
    """The period asked for: ``month`` (YYYY-MM in the city's zone), or ``start`` and ``end``;
    like every time sent from outside, in the years ``EARLIEST_YEAR`` to ``LATEST_YEAR``."""
    if month_ and EARLIEST_YEAR <= int(month_[:4]) <= LATEST_YEAR:
        return month(month_, ctx.city.tz)
    if not month_ and start and end and start.tzinfo and end.tzinfo and start < end:
        return Period(start, end, "period")
    raise InvalidInput(
        "assessment.bad_period",
        "请给出统计月份，或带时区的起止时间（开始早于结束）",
        "Give a month, or a start and end with time zones, the start first",
    )


PeriodQ = Annotated[Period, Depends(_period)]
RulesQ = Annotated[str, Query()]


@router.get("/rankings", summary="分级分类排名 Rankings")
def get_rankings(
    ctx: ContextDep,
    actor: Annotated[Actor, Depends(_office)],
    period: PeriodQ,
    group: Annotated[str, Query()] = "district",
    rules: RulesQ = "standard",
) -> dict[str, Any]:
    return rankings(ctx, period, group, rules)


@router.get(
    "/export.xlsx",
    summary="月度考评结果 Excel 导出 The monthly assessment workbook",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def export(
    ctx: ContextDep,
    actor: Annotated[Actor, Depends(_office)],
    p: PeriodQ,
    rules: RulesQ = "standard",
) -> Response:
    body = workbook(ctx, p, rules)
    name = f"assessment-{p.label}-{rules}.xlsx"
    return Response(
        body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/whistles", summary="吹哨报到双向考评 Whistles: streets and departments")
def whistle_indicators(
    ctx: ContextDep, actor: Annotated[Actor, Depends(_office)], p: PeriodQ
) -> dict[str, Any]:
    return indicators.whistles(ctx, p.start, p.end)


@router.get("/livelihood", summary="七有五性 Indicators per livelihood dimension")
def livelihood_indicators(
    ctx: ContextDep,
    actor: Annotated[Actor, Depends(_office)],
    p: PeriodQ,
    rules: RulesQ = "standard",
) -> list[dict[str, Any]]:
    credit = checked(ctx.city, (), rules).basically_satisfied_credit
    return indicators.livelihood(ctx, p.start, p.end, credit)


# --- appeals (A6) ----------------------------------------------------------------------


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket_number: str = Field(min_length=1, max_length=32)
    grounds: Grounds
    reason: str = Field(min_length=1, max_length=5000)
    evidence: str = Field(default="", max_length=5000)
    attachments: list[str] = Field(default_factory=list, max_length=20)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    upheld: bool
    reason: str = Field(min_length=1, max_length=5000)


AnyActor = Annotated[Actor, Depends(get_actor)]


@router.post("/appeals", status_code=201, summary="考评申诉 Appeal a ticket's effect")
def file_appeal(ctx: ContextDep, actor: AnyActor, data: AppealIn) -> dict[str, Any]:
    return appeals.file(
        ctx, actor, data.ticket_number, data.grounds, data.reason, data.evidence, data.attachments
    )


@router.get("/appeals", summary="申诉 Appeals (pending, or all)")
def list_appeals(
    ctx: ContextDep, actor: AnyActor, all_: Annotated[bool, Query(alias="all")] = False
) -> list[dict[str, Any]]:
    return appeals.listing(ctx, actor, pending_only=not all_)


@router.get("/appeals/{appeal_id}", summary="一件申诉及本工单的申诉记录 An appeal and its history")
def read_appeal(ctx: ContextDep, actor: AnyActor, appeal_id: RowNumber) -> dict[str, Any]:
    found = appeals.get(ctx, appeal_id)
    if actor.role not in HOTLINE_ROLES and found["unit_code"] != actor.unit_code:
        raise NotFound("appeal.not_found", "申诉不存在", "No such appeal")
    return {**found, "history": appeals.history(ctx, found["ticket_id"])}


@router.post("/appeals/{appeal_id}/decide", summary="审核申诉 Decide an appeal")
def decide_appeal(
    ctx: ContextDep, actor: AnyActor, appeal_id: RowNumber, data: DecisionIn
) -> dict[str, Any]:
    return appeals.decide(ctx, actor, appeal_id, data.upheld, data.reason)
