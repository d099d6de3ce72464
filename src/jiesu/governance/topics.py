"""Monthly topics (每月一题, G2; BJ Art. 24): proposing a topic, writing its plan and three
lists, launching it, and closing it once the requests on it have fallen.

Who may do what:

- **organisers** — hotline supervisors and admins for any topic; a district government's
  staff for a topic within their district (BJ Art. 24: 市、区人民政府) — propose topics,
  choose the lead unit and co-units, launch, close and withdraw;
- the **lead unit** (主责单位) writes the plan and the lists with the organisers;
- a task's **unit** (a co-unit, 配合单位) reports it done, as may the lead unit.

Every change goes through :func:`jiesu.domain.topics.transition` and leaves one row in the
append-only ``topic_events`` (who, when, what, why; S2). A change is made only if the topic
has not changed since it was read (its ``version``); otherwise 409 ``topic.conflict``.
The lead unit and co-units get an outbox message (``governance.topic``) when the topic is
launched, and a task's unit when a task is given to it on a launched topic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from jiesu.city.catalogue import under
from jiesu.city.config import CityConfig
from jiesu.city.units import UnitKind
from jiesu.context import Context
from jiesu.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from jiesu.domain.roles import Actor, Role
from jiesu.domain.topics import (
    ItemList,
    TopicAction,
    TopicState,
    TrackingRule,
    missing_for_launch,
    transition,
)
from jiesu.storage import tables
from jiesu.storage.repository import queue_message
from jiesu.storage.types import is_row_number
from jiesu.storage.uow import UnitOfWork

from . import topic_figures

MESSAGE_TOPIC = "governance.topic"
T = tables.topics.c
I = tables.topic_items.c  # noqa: E741
ORGANISER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
TEXT_MAX, PLAN_MAX, REASON_MAX = 2000, 20000, 2000
NO_LEAD = frozenset({UnitKind.COMMUNITY, UnitKind.HOTLINE})


@dataclass
class Proposal:
    title: str
    month: str  # YYYY-MM
    categories: list[str]
    lead_unit_code: str
    summary: str = ""
    keywords: list[str] = field(default_factory=list)
    scope_code: str | None = None
    co_unit_codes: list[str] = field(default_factory=list)
    rule: TrackingRule = field(default_factory=TrackingRule)


def _bad(code: str, zh: str, en: str, **details: Any) -> InvalidInput:
    return InvalidInput(f"topic.{code}", zh, en, **details)


def _text(value: str, name_zh: str, name: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if (required and not value) or len(value) > limit:
        raise _bad("bad_text", f"请填写{name_zh}（{int(required)}–{limit} 字）",
                   f"{name} must be {int(required)}-{limit} characters", field=name)  # fmt: skip
    return value


def _checked_month(value: str) -> str:
    try:
        year, month = (int(x) for x in value.split("-"))
        date(year, month, 1)
        if len(value) != 7 or not 2000 <= year <= 2999:
            raise ValueError
    except ValueError:
        raise _bad("bad_month", f"“{value[:20]}”不是月份，应写作 2026-11",
                   f"{value[:20]!r} is not a month such as 2026-11") from None  # fmt: skip
    return value


def _checked_categories(city: CityConfig, categories: list[str]) -> list[str]:
    found = sorted({c.strip() for c in categories if c and c.strip()})
    if not 1 <= len(found) <= 20:
        raise _bad("bad_categories", "请选择 1–20 个诉求类别", "Choose 1-20 categories")
    codes = city.category_codes
    unknown = [c for c in found if not any(under(code, c) for code in codes)]
    if unknown:
        raise _bad("unknown_category", f"未知的诉求类别：{'、'.join(unknown)[:200]}",
                   "Unknown categories", categories=unknown[:20])  # fmt: skip
    return found


def _checked_keywords(keywords: list[str]) -> list[str]:
    found = sorted({k.strip() for k in keywords if k and k.strip()})
    if len(found) > 20 or any(len(k) > 20 for k in found):
        raise _bad("bad_keywords", "关键词至多 20 个，每个至多 20 字",
                   "At most 20 keywords of at most 20 characters")  # fmt: skip
    return found


def _checked_unit(city: CityConfig, code: str | None, role_zh: str):
    unit = city.unit(code or "")
    if unit is None:
        raise _bad("unknown_unit", f"{role_zh}“{(code or '')[:64]}”不是本市单位",
                   f"{(code or '')[:64]!r} is not a unit of the city", unit=(code or "")[:64])  # fmt: skip
    return unit


def _checked_units(city: CityConfig, lead: str, co: list[str]) -> list[str]:
    unit = _checked_unit(city, lead, "主责单位")
    if unit.kind in NO_LEAD:
        raise _bad("bad_lead", "社区村和热线中心不能作为每月一题的主责单位",
                   "A community or the hotline cannot lead a topic")  # fmt: skip
    co = sorted(set(co) - {lead})
    if len(co) > 100:
        raise _bad("too_many_units", "配合单位至多 100 个", "At most 100 co-units")
    for code in co:
        _checked_unit(city, code, "配合单位")
    return co


def _checked_scope(city: CityConfig, code: str | None) -> str | None:
    if not code:
        return None
    unit = _checked_unit(city, code, "属地范围")
    if unit.kind not in (UnitKind.DISTRICT, UnitKind.STREET):
        raise _bad("bad_scope", "属地范围应为区或街道乡镇", "The scope is a district or street")
    return code


def organises(city: CityConfig, actor: Actor, scope_code: str | None) -> bool:
    """Hotline supervisors and admins organise any topic; a district government's staff
    those within their district."""
    if actor.role in ORGANISER_ROLES:
        return True
    unit = city.unit(actor.unit_code)
    if unit is None or unit.kind is not UnitKind.DISTRICT or not scope_code:
        return False
    district = city.district_of(scope_code)
    return district is not None and district.code == unit.code


def _forbidden(zh: str, en: str) -> Forbidden:
    return Forbidden("topic.forbidden", zh, en)


def propose(ctx: Context, actor: Actor, p: Proposal) -> int:
    """A new topic, planned; its id."""
    city = ctx.city
    title = _text(p.title, "题目", "title", 200)
    summary = _text(p.summary, "简介", "summary", TEXT_MAX, required=False)
    scope = _checked_scope(city, p.scope_code)
    if not organises(city, actor, scope):
        raise _forbidden("只有热线督办、管理员或所在区政府可以立题",
                         "Only hotline supervisors, admins or the district may propose topics")  # fmt: skip
    values = dict(
        title=title, summary=summary, month=_checked_month(p.month), state=TopicState.PLANNED,
        categories=_checked_categories(city, p.categories),
        keywords=_checked_keywords(p.keywords), scope_code=scope,
        lead_unit_code=p.lead_unit_code, plan="", baseline_days=p.rule.baseline_days,
        target_drop=p.rule.target_drop, sustained_months=p.rule.sustained_months, version=1,
        created_at=ctx.now(), created_by=actor.username,
    )  # fmt: skip
    co = _checked_units(city, p.lead_unit_code, p.co_unit_codes)
    with UnitOfWork(ctx.engine) as uow:
        s = uow.session
        topic_id = s.execute(insert(tables.topics).values(**values)).inserted_primary_key[0]
        _add_co_units(s, topic_id, co)
        _event(s, ctx, actor, topic_id, TopicAction.PROPOSE, None, TopicState.PLANNED, "",
               {"title": title, "lead": p.lead_unit_code, "co": co,
                "categories": values["categories"], "keywords": values["keywords"]})  # fmt: skip
        uow.commit()
    return topic_id


def _add_co_units(s: Session, topic_id: int, co: list[str]) -> None:
    if co:
        s.execute(insert(tables.topic_units), [{"topic_id": topic_id, "unit_code": c} for c in co])


def _event(s, ctx, actor, topic_id, action, before, after, reason, detail) -> None:
    s.execute(
        insert(tables.topic_events).values(
            topic_id=topic_id, at=ctx.now(), action=str(action), actor_username=actor.username,
            actor_role=str(actor.role), actor_unit_code=actor.unit_code,
            from_state=str(before) if before else None, to_state=str(after), reason=reason,
            detail=detail,
        )
    )  # fmt: skip


def not_found(topic_id: int) -> NotFound:
    return NotFound("topic.not_found", f"每月一题 {topic_id} 不存在", f"Topic {topic_id} not found")


def _load(s: Session, topic_id: int):
    row = None
    if is_row_number(topic_id):
        row = s.execute(select(tables.topics).where(T.id == topic_id)).first()
    if row is None:
        raise not_found(topic_id)
    return row


def _change(s, ctx, actor, row, action, *, reason="", detail=None, values=None) -> TopicState:
    """Apply ``action`` to the topic read as ``row``: its state through the state machine,
    ``values`` on the row, one timeline event; refused if the topic changed meanwhile."""
    before = TopicState(row.state)
    after = transition(before, action)
    done = s.execute(
        update(tables.topics)
        .where(T.id == row.id, T.version == row.version)
        .values(state=after, version=row.version + 1, **(values or {}))
    )
    if done.rowcount != 1:
        raise Conflict("topic.conflict", "题目已被他人修改，请刷新后重试",
                       "The topic was changed meanwhile; reload and retry")  # fmt: skip
    _event(s, ctx, actor, row.id, action, before, after, reason, detail or {})
    return after


def _may_write(city: CityConfig, actor: Actor, row) -> bool:
    return organises(city, actor, row.scope_code) or actor.unit_code == row.lead_unit_code


def edit_plan(ctx: Context, actor: Actor, topic_id: int, plan: str, version: int,
              reason: str = "") -> None:  # fmt: skip
    """Replace the plan (工作方案); ``version`` is the topic's as the editor read it."""
    plan = _text(plan, "工作方案", "plan", PLAN_MAX)
    with UnitOfWork(ctx.engine) as uow:
        s = uow.session
        row = _load(s, topic_id)
        if not _may_write(ctx.city, actor, row):
            raise _forbidden("只有主责单位或组织者可以修改方案",
                             "Only the lead unit or the organisers may edit the plan")  # fmt: skip
        if row.version != version:
            raise Conflict("topic.conflict", "题目已被他人修改，请刷新后重试",
                           "The topic was changed meanwhile; reload and retry")  # fmt: skip
        _change(s, ctx, actor, row, TopicAction.EDIT_PLAN, reason=reason[:REASON_MAX],
                detail={"plan": plan}, values={"plan": plan})  # fmt: skip
        uow.commit()


def set_units(ctx: Context, actor: Actor, topic_id: int, lead: str, co: list[str],
              reason: str) -> None:  # fmt: skip
    """Choose the lead unit and co-units again, with a reason."""
    reason = _text(reason, "调整理由", "reason", REASON_MAX)
    co = _checked_units(ctx.city, lead, co)
    with UnitOfWork(ctx.engine) as uow:
        s = uow.session
        row = _load(s, topic_id)
        if not organises(ctx.city, actor, row.scope_code):
            raise _forbidden("只有组织者可以调整主责和配合单位",
                             "Only the organisers may change the units")  # fmt: skip
        tu = tables.topic_units
        was = sorted(s.execute(select(tu.c.unit_code).where(tu.c.topic_id == row.id)).scalars())
        _change(s, ctx, actor, row, TopicAction.SET_UNITS, reason=reason,
                detail={"lead": [row.lead_unit_code, lead], "co": [was, co]},
                values={"lead_unit_code": lead})  # fmt: skip
        s.execute(delete(tu).where(tu.c.topic_id == row.id))
        _add_co_units(s, row.id, co)
        uow.commit()


def co_units(s: Session, topic_id: int) -> list[str]:
    tu = tables.topic_units.c
    return sorted(s.execute(select(tu.unit_code).where(tu.topic_id == topic_id)).scalars())


def add_item(ctx: Context, actor: Actor, topic_id: int, kind: str, text: str,
             unit_code: str | None = None, due_on: date | None = None) -> int:  # fmt: skip
    """Add a problem, task or duty to the topic's lists; a task names its unit (the lead
    unit or a co-unit) and may have a due date; a duty names its unit."""
    try:
        which = ItemList(kind)
    except ValueError:
        raise _bad("bad_list", "清单应为问题清单、任务清单或责任清单",
                   "The list is problem, task or duty") from None  # fmt: skip
    text = _text(text, "事项内容", "text", TEXT_MAX)
    if which is ItemList.PROBLEM:
        unit_code, due_on = None, None
    with UnitOfWork(ctx.engine) as uow:
        s = uow.session
        row = _load(s, topic_id)
        if not _may_write(ctx.city, actor, row):
            raise _forbidden("只有主责单位或组织者可以修改清单",
                             "Only the lead unit or the organisers may edit the lists")  # fmt: skip
        if which is not ItemList.PROBLEM and unit_code not in {row.lead_unit_code,
                                                               *co_units(s, row.id)}:  # fmt: skip
            raise _bad("unit_not_in_topic", "任务和责任须落实到主责单位或配合单位",
                       "A task or duty belongs to the lead unit or a co-unit")  # fmt: skip
        now = ctx.now()
        item_id = s.execute(
            insert(tables.topic_items).values(
                topic_id=row.id, list=str(which), text=text, unit_code=unit_code, due_on=due_on,
                created_at=now, created_by=actor.username,
            )
        ).inserted_primary_key[0]  # fmt: skip
        state = _change(s, ctx, actor, row, TopicAction.ADD_ITEM,
                        detail={"item": item_id, "list": str(which), "text": text,
                                "unit": unit_code, "due_on": due_on and due_on.isoformat()})  # fmt: skip
        if which is ItemList.TASK and state is TopicState.ACTIVE:
            _notify(s, row, [unit_code], "topic.task", now, text=text, item=item_id)
        uow.commit()
    return item_id


def finish_task(ctx: Context, actor: Actor, topic_id: int, item_id: int, outcome: str) -> None:
    """The task's unit (or the lead unit) reports it done, with what was done."""
    outcome = _text(outcome, "完成情况", "outcome", TEXT_MAX)
    with UnitOfWork(ctx.engine) as uow:
        s = uow.session
        row = _load(s, topic_id)
        item = None
        if is_row_number(item_id):
            item = s.execute(
                select(tables.topic_items).where(I.id == item_id, I.topic_id == row.id)
            ).first()
        if item is None or item.list != ItemList.TASK:
            raise NotFound("topic.item_not_found", f"任务 {item_id} 不存在",
                           f"Task {item_id} not found")  # fmt: skip
        if actor.unit_code not in {item.unit_code, row.lead_unit_code}:
            raise _forbidden("只有承担任务的单位或主责单位可以报告完成",
                             "Only the task's unit or the lead unit may report it done")  # fmt: skip
        if item.done_at is not None:
            raise _bad("task_done", "该任务已报告完成", "This task was reported done already")
        now = ctx.now()
        s.execute(
            update(tables.topic_items)
            .where(I.id == item.id)
            .values(done_at=now, done_by=actor.username, outcome=outcome)
        )
        _change(s, ctx, actor, row, TopicAction.FINISH_TASK,
                detail={"item": item.id, "outcome": outcome})  # fmt: skip
        uow.commit()


def launch(ctx: Context, actor: Actor, topic_id: int) -> None:
    """Start the topic once its plan and three lists are written; its baseline (the
    requests per day before launch) is fixed now."""
    with UnitOfWork(ctx.engine) as uow:
        s = uow.session
        row = _load(s, topic_id)
        _organiser_only(ctx, actor, row)
        lists = set(s.execute(select(I.list).where(I.topic_id == row.id).distinct()).scalars())
        missing = missing_for_launch(row.plan, {ItemList(k) for k in lists})
        if missing and row.state == TopicState.PLANNED:
            raise _bad("incomplete_plan", f"启动前须制定一方案三清单，尚缺：{'、'.join(missing)}",
                       "The plan and the three lists come before launch", missing=missing)  # fmt: skip
        now = ctx.now()
        base = topic_figures.baseline(s, ctx.city, row, now)
        _change(s, ctx, actor, row, TopicAction.LAUNCH,
                detail={"baseline_requests": base.requests, "baseline_days": round(base.days, 2)},
                values={"launched_at": now, "baseline_requests": base.requests,
                        "baseline_span": base.days})  # fmt: skip
        _notify(s, row, [row.lead_unit_code, *co_units(s, row.id)], "topic.launched", now)
        uow.commit()


def _organiser_only(ctx: Context, actor: Actor, row) -> None:
    if not organises(ctx.city, actor, row.scope_code):
        raise _forbidden("只有组织者（热线督办、管理员或所在区政府）可以这样做",
                         "Only the organisers may do this")  # fmt: skip


def _closable(s: Session, row) -> None:
    """Refused unless every task is done and the requests fell as the topic's rule asks (an
    active topic; any other is refused by the state machine)."""
    if row.state != TopicState.ACTIVE:
        return
    open_tasks = (
        s.execute(
            select(I.id).where(I.topic_id == row.id, I.list == ItemList.TASK, I.done_at.is_(None))
        )
        .scalars()
        .all()
    )
    if open_tasks:
        raise _bad("tasks_open", f"尚有 {len(open_tasks)} 项任务未完成，不能销号",
                   "Tasks remain open", tasks=list(open_tasks))  # fmt: skip
    progress = topic_figures.progress(s, row)
    if not progress.met:
        raise _bad("not_fallen", f"诉求量尚未达到下降目标，不能销号：{progress.reason_zh}",
                   "The requests have not fallen as the topic's rule asks")  # fmt: skip


def _end(ctx: Context, actor: Actor, topic_id: int, action: TopicAction, reason: str,
         reason_zh: str) -> None:  # fmt: skip
    reason = _text(reason, reason_zh, "reason", REASON_MAX)
    with UnitOfWork(ctx.engine) as uow:
        s = uow.session
        row = _load(s, topic_id)
        _organiser_only(ctx, actor, row)
        if action is TopicAction.CLOSE:
            _closable(s, row)
        _change(s, ctx, actor, row, action, reason=reason,
                values={"ended_at": ctx.now(), "end_reason": reason})  # fmt: skip
        uow.commit()


def close(ctx: Context, actor: Actor, topic_id: int, reason: str) -> None:
    """销号: once every task is done and the requests have fallen as the topic's rule asks."""
    _end(ctx, actor, topic_id, TopicAction.CLOSE, reason, "销号说明")


def withdraw(ctx: Context, actor: Actor, topic_id: int, reason: str) -> None:
    """撤销 a planned or active topic, with a reason (merged into another, mis-chosen …)."""
    _end(ctx, actor, topic_id, TopicAction.WITHDRAW, reason, "撤销理由")


def _notify(s, row, units, template: str, now, **extra) -> None:
    for code in sorted({u for u in units if u}):
        payload = {"template": template, "unit": code, "topic": row.id, "title": row.title,
                   "month": row.month, **extra}  # fmt: skip
        key = f"{MESSAGE_TOPIC}:{row.id}:{template}:{code}:{extra.get('item', '')}"
        queue_message(s, topic=MESSAGE_TOPIC, ticket_id=None, payload=payload, key=key, now=now)
