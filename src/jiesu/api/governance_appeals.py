"""Proactive governance charges and their appeals (A2, A6): a unit reads what cost it
points in a period and contests a charge; the assessment office decides.

``GET /api/assessment/governance-charges?month=`` (a unit: its own; hotline staff: all),
``POST /api/assessment/governance-appeals``, ``GET …/governance-appeals[?all=true]``,
``GET …/governance-appeals/{id}``, ``POST …/governance-appeals/{id}/decide``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from jiesu.assessment import governance_appeals as gap
from jiesu.assessment.governance import charges
from jiesu.domain.roles import HOTLINE_ROLES
from jiesu.storage.types import RowNumber

from .assessment import AnyActor, DecisionIn, PeriodQ
from .deps import ContextDep

router = APIRouter(prefix="/api/assessment", tags=["assessment"])


class ChargeAppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["task", "warning"]
    item_id: RowNumber
    reason: str = Field(min_length=1, max_length=gap.REASON_MAX)


@router.get("/governance-charges", summary="主动治理扣分事项 Proactive governance charges")
def list_charges(ctx: ContextDep, actor: AnyActor, period: PeriodQ) -> list[dict[str, Any]]:
    found = charges(ctx, period.start, period.end)
    if actor.role not in HOTLINE_ROLES:
        found = [c for c in found if c.unit_code == actor.unit_code]
    return [asdict(c) for c in found]


@router.post("/governance-appeals", status_code=201, summary="就扣分申诉 Appeal a charge")
def file_appeal(ctx: ContextDep, actor: AnyActor, data: ChargeAppealIn) -> dict[str, Any]:
    return gap.file(ctx, actor, data.kind, data.item_id, data.reason)


@router.get("/governance-appeals", summary="扣分申诉 Appeals against charges")
def list_appeals(
    ctx: ContextDep, actor: AnyActor, all_: Annotated[bool, Query(alias="all")] = False
) -> list[dict[str, Any]]:
    return gap.listing(ctx, actor, pending_only=not all_)


@router.get("/governance-appeals/{appeal_id}", summary="一件扣分申诉 One appeal")
def read_appeal(ctx: ContextDep, actor: AnyActor, appeal_id: RowNumber) -> dict[str, Any]:
    return gap.get(ctx, actor, appeal_id)


@router.post("/governance-appeals/{appeal_id}/decide", summary="审核扣分申诉 Decide")
def decide_appeal(
    ctx: ContextDep, actor: AnyActor, appeal_id: RowNumber, data: DecisionIn
) -> dict[str, Any]:
    return gap.decide(ctx, actor, appeal_id, data.upheld, data.reason)
