"""Monthly topics API (每月一题, G2), under ``/api/governance/topics``.

Anyone logged in reads the topics; organisers (hotline supervisors and admins, or a district
government within its district) propose, choose units, launch, close and withdraw; the lead
unit writes the plan and the three lists; a task's unit reports it done. See
``docs/governance.md`` for the rules and error codes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from jiesu.domain.topics import (
    ITEM_LIST_LABELS_ZH,
    TOPIC_STATE_LABELS_ZH,
    ItemList,
    Progress,
    TopicState,
    TrackingRule,
)
from jiesu.governance import topic_candidates as tc
from jiesu.governance import topic_reading as tr
from jiesu.governance import topics as gt
from jiesu.storage.types import MAX_INT

from .deps import ActorDep, ContextDep

router = APIRouter(prefix="/api/governance/topics", tags=["governance"])
TopicId = Annotated[int, Path(ge=1, le=MAX_INT)]
Code = Annotated[str, Field(max_length=64)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProposeIn(_In):
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=gt.TEXT_MAX)
    month: str = Field(max_length=7, description="the month it is scheduled for, 2026-11")
    categories: list[Annotated[str, Field(max_length=128)]] = Field(max_length=20)
    keywords: list[Annotated[str, Field(max_length=20)]] = Field(default=[], max_length=20)
    scope_code: Code | None = None
    lead_unit_code: Code
    co_unit_codes: list[Code] = Field(default=[], max_length=100)
    baseline_days: int = Field(default=90, ge=7, le=730)
    target_drop: float = Field(default=0.3, gt=0, lt=1)
    sustained_months: int = Field(default=2, ge=1, le=12)


class ProgressOut(BaseModel):
    baseline_per_day: float | None
    target_per_day: float | None
    latest_month: str | None
    latest_per_day: float | None
    change: float | None
    months_at_target: int
    met: bool
    reason_zh: str


def progress_out(p: Progress) -> ProgressOut:
    r = lambda x: None if x is None else round(x, 3)  # noqa: E731
    return ProgressOut(
        baseline_per_day=r(p.baseline_per_day), target_per_day=r(p.target_per_day),
        latest_month=p.latest.label if p.latest else None,
        latest_per_day=r(p.latest.per_day) if p.latest else None, change=r(p.change),
        months_at_target=p.months_at_target, met=p.met, reason_zh=p.reason_zh,
    )  # fmt: skip


class SummaryOut(BaseModel):
    id: int
    title: str
    month: str
    state: str
    state_zh: str
    categories: list[str]
    lead_unit_code: str
    lead_unit_name: str
    co_units: int
    scope_code: str | None
    launched_at: datetime | None
    tasks: dict[str, int]
    progress: ProgressOut


def summary_out(x: tr.Summary) -> SummaryOut:
    return SummaryOut(
        id=x.id, title=x.title, month=x.month, state=x.state,
        state_zh=TOPIC_STATE_LABELS_ZH[x.state], categories=x.categories,
        lead_unit_code=x.lead.code, lead_unit_name=x.lead.name, co_units=x.co_units,
        scope_code=x.scope.code if x.scope else None, launched_at=x.launched_at,
        tasks=vars(x.tasks), progress=progress_out(x.progress),
    )  # fmt: skip


@router.get("", summary="每月一题 The topics")
def list_topics(
    ctx: ContextDep,
    actor: ActorDep,
    state: Annotated[str | None, Query(max_length=16)] = None,
) -> list[SummaryOut]:
    return [summary_out(x) for x in tr.list_topics(ctx, state)]


@router.post("", status_code=201, summary="立题 Propose a topic")
def propose(ctx: ContextDep, actor: ActorDep, body: ProposeIn) -> dict:
    rule = TrackingRule(body.baseline_days, body.target_drop, body.sustained_months)
    topic_id = gt.propose(
        ctx, actor,
        gt.Proposal(body.title, body.month, body.categories, body.lead_unit_code, body.summary,
                    body.keywords, body.scope_code, body.co_unit_codes, rule),
    )  # fmt: skip
    return {"id": topic_id, "state": TopicState.PLANNED}


@router.get("/candidates", summary="候选题目 Long-running, hard matters")
def candidates(ctx: ContextDep, actor: ActorDep) -> dict:
    found = tc.candidates(ctx)
    return {
        "months": found.months,
        "resolution": found.resolution,
        "candidates": [vars(c) for c in found.items],
    }


@router.get("/{topic_id}", summary="题目详情 One topic in full")
def get_topic(ctx: ContextDep, actor: ActorDep, topic_id: TopicId) -> dict:
    d = tr.detail(ctx, actor, topic_id)
    row = d.row
    return {
        "id": row.id, "title": row.title, "summary": row.summary, "month": row.month,
        "state": row.state, "state_zh": TOPIC_STATE_LABELS_ZH[TopicState(row.state)],
        "version": row.version, "categories": row.categories, "keywords": row.keywords,
        "scope_code": row.scope_code, "lead_unit_code": d.lead.code,
        "lead_unit_name": d.lead.name,
        "co_units": [{"code": u.code, "name": u.name} for u in d.co_units],
        "plan": row.plan,
        "rule": {"baseline_days": row.baseline_days, "target_drop": row.target_drop,
                 "sustained_months": row.sustained_months},
        "created_at": row.created_at, "created_by": row.created_by,
        "launched_at": row.launched_at, "ended_at": row.ended_at, "end_reason": row.end_reason,
        "baseline": None if row.baseline_requests is None else
            {"requests": row.baseline_requests, "days": round(row.baseline_span, 2)},
        "lists": {str(k): [_item(i) for i in v] for k, v in d.items.items()},
        "progress": progress_out(d.progress),
        "months": [
            {"month": m.label, "phase": m.phase, "partial": m.partial, **vars(m.counts),
             "days": round(m.days, 2), "per_day": None if m.per_day is None else round(m.per_day, 3),
             "resolution": m.resolution, "satisfaction": m.satisfaction}
            for m in d.months
        ],
        "places_since": d.places_since,
        "places": [{"street_code": p.street.code, "street_name": p.street.name,
                    "requests": p.requests} for p in d.places],
        "events": [vars(e) for e in d.events],
    }  # fmt: skip


def _item(i: tr.Item) -> dict:
    return {
        "id": i.id, "list": i.list, "list_zh": ITEM_LIST_LABELS_ZH[i.list], "text": i.text,
        "unit_code": i.unit.code if i.unit else None, "unit_name": i.unit.name if i.unit else None,
        "due_on": i.due_on, "created_at": i.created_at, "created_by": i.created_by,
        "done_at": i.done_at, "done_by": i.done_by, "outcome": i.outcome, "overdue": i.overdue,
    }  # fmt: skip


class PlanIn(_In):
    plan: str = Field(max_length=gt.PLAN_MAX)
    version: int = Field(ge=1, le=MAX_INT)
    reason: str = Field(default="", max_length=gt.REASON_MAX)


@router.put("/{topic_id}/plan", summary="修改工作方案 Write the plan")
def edit_plan(ctx: ContextDep, actor: ActorDep, topic_id: TopicId, body: PlanIn) -> dict:
    gt.edit_plan(ctx, actor, topic_id, body.plan, body.version, body.reason)
    return {"id": topic_id}


class UnitsIn(_In):
    lead_unit_code: Code
    co_unit_codes: list[Code] = Field(default=[], max_length=100)
    reason: str = Field(max_length=gt.REASON_MAX)


@router.put("/{topic_id}/units", summary="调整主责和配合单位 Choose the units")
def set_units(ctx: ContextDep, actor: ActorDep, topic_id: TopicId, body: UnitsIn) -> dict:
    gt.set_units(ctx, actor, topic_id, body.lead_unit_code, body.co_unit_codes, body.reason)
    return {"id": topic_id}


class ItemIn(_In):
    list: ItemList
    text: str = Field(max_length=gt.TEXT_MAX)
    unit_code: Code | None = None
    due_on: date | None = None


@router.post("/{topic_id}/items", status_code=201, summary="增加清单事项 Add to a list")
def add_item(ctx: ContextDep, actor: ActorDep, topic_id: TopicId, body: ItemIn) -> dict:
    item_id = gt.add_item(ctx, actor, topic_id, body.list, body.text, body.unit_code, body.due_on)
    return {"id": item_id}


class FinishIn(_In):
    outcome: str = Field(max_length=gt.TEXT_MAX)


@router.post("/{topic_id}/items/{item_id}/finish", summary="报告任务完成 Report a task done")
def finish_task(
    ctx: ContextDep,
    actor: ActorDep,
    topic_id: TopicId,
    item_id: Annotated[int, Path(ge=1, le=MAX_INT)],
    body: FinishIn,
) -> dict:
    gt.finish_task(ctx, actor, topic_id, item_id, body.outcome)
    return {"id": item_id, "done": True}


class ReasonIn(_In):
    reason: str = Field(max_length=gt.REASON_MAX)


@router.post("/{topic_id}/launch", summary="启动 Launch")
def launch(ctx: ContextDep, actor: ActorDep, topic_id: TopicId) -> dict:
    gt.launch(ctx, actor, topic_id)
    return {"id": topic_id, "state": TopicState.ACTIVE}


@router.post("/{topic_id}/close", summary="销号 Close once the requests fell")
def close(ctx: ContextDep, actor: ActorDep, topic_id: TopicId, body: ReasonIn) -> dict:
    gt.close(ctx, actor, topic_id, body.reason)
    return {"id": topic_id, "state": TopicState.CLOSED}


@router.post("/{topic_id}/withdraw", summary="撤销 Withdraw")
def withdraw(ctx: ContextDep, actor: ActorDep, topic_id: TopicId, body: ReasonIn) -> dict:
    gt.withdraw(ctx, actor, topic_id, body.reason)
    return {"id": topic_id, "state": TopicState.WITHDRAWN}
