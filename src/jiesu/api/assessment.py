"""Assessment API (A2–A4): rankings per group for a month or a period, under any rule set.

``GET /api/assessment/rankings?month=2026-11&group=street&rules=standard`` — or ``start``
and ``end`` (with time zones) instead of ``month``. Hotline staff only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from jiesu.assessment.rankings import Period, month, rankings, rule_sets
from jiesu.domain.errors import Forbidden, InvalidInput
from jiesu.domain.roles import HOTLINE_ROLES, Actor

from .deps import ContextDep, get_actor

router = APIRouter(prefix="/api/assessment", tags=["assessment"])


def _office(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
    if actor.role not in HOTLINE_ROLES:
        raise Forbidden(
            "assessment.forbidden", "考评结果由热线考评办查看", "The assessment is the office's"
        )
    return actor


@router.get("/rules", summary="考评规则 Rule sets")
def rules(ctx: ContextDep, actor: Annotated[Actor, Depends(_office)]) -> list[dict[str, Any]]:
    return [vars(r) | {"unreachable": str(r.unreachable)} for r in rule_sets(ctx.city).values()]


@router.get("/rankings", summary="分级分类排名 Rankings")
def get_rankings(
    ctx: ContextDep,
    actor: Annotated[Actor, Depends(_office)],
    group: Annotated[str, Query()] = "district",
    rules: Annotated[str, Query()] = "standard",
    month_: Annotated[str | None, Query(alias="month", pattern=r"^\d{4}-\d{2}$")] = None,
    start: Annotated[datetime | None, Query()] = None,
    end: Annotated[datetime | None, Query()] = None,
) -> dict[str, Any]:
    if month_:
        period = month(month_, ctx.city.tz)
    elif start and end and start.tzinfo and end.tzinfo and start < end:
        period = Period(start, end, "period")
    else:
        raise InvalidInput(
            "assessment.bad_period",
            "请给出统计月份，或带时区的起止时间（开始早于结束）",
            "Give a month, or a start and end with time zones, the start first",
        )
    return rankings(ctx, period, group, rules)
