"""Monthly topics in the console (每月一题, G2), under ``/console/governance/topics``.

The list page shows every topic with its tasks and recorded progress, the candidates the
data suggests (:mod:`jiesu.governance.topic_candidates`), and, for organisers, the form to
propose one (prefilled from a candidate). A topic's page shows its plan, three lists,
units, monthly figures, where the requests come from and its timeline, with the forms each
reader may use: the lead unit writes the plan and lists, a task's unit reports it done,
organisers launch, close, withdraw and choose units. Every form works without JS; a
refusal comes back as the page again with the Chinese message and its code.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jiesu.api.deps import ContextDep
from jiesu.assessment.trends import last_full_month
from jiesu.city.units import UNIT_KIND_LABELS_ZH, UnitKind
from jiesu.domain.errors import InvalidInput, JiesuError, NotFound
from jiesu.domain.topics import (
    ITEM_LIST_LABELS_ZH,
    TOPIC_ACTION_LABELS_ZH,
    TOPIC_STATE_LABELS_ZH,
    ItemList,
    TopicState,
    TrackingRule,
)
from jiesu.governance import topic_candidates as tc
from jiesu.governance import topic_reading as tr
from jiesu.governance import topics as gt
from jiesu.storage.types import whole_number

from .refusals import Problem, refusal
from .web import PageSession, PostedForm, PostSession, redirect, render

router = APIRouter(include_in_schema=False)
BASE = "/console/governance/topics"
PICKED_KINDS = (UnitKind.CITY_DEPARTMENT, UnitKind.DISTRICT, UnitKind.DISTRICT_DEPARTMENT,
                UnitKind.UTILITY, UnitKind.STREET)  # fmt: skip


def unit_choices(city) -> list[tuple[str, list[tuple[str, str]]]]:
    """The units a topic may name, grouped by kind (communities are never lead units and
    are far too many to list)."""
    return [
        (UNIT_KIND_LABELS_ZH[kind], [(u.code, u.name) for u in city.units if u.kind is kind])
        for kind in PICKED_KINDS
    ]


def _list_page(request, ctx, session, *, form=None, problem=None, status_code=200):
    actor = session.user.actor
    state = request.query_params.get("state") or None
    if state not in (None, *TopicState):
        state = None
    picked = form or {"categories": [c for c in request.query_params.getlist("category")][:20]}
    return render(
        request, "governance/topics.html", session=session, topics=tr.list_topics(ctx, state),
        state=state, states=TOPIC_STATE_LABELS_ZH, found=tc.candidates(ctx),
        may_propose=actor.role in gt.ORGANISER_ROLES or _district(ctx, actor) is not None,
        district=_district(ctx, actor), scopes=_scopes(ctx, actor), units=unit_choices(ctx.city),
        categories=[c.code for c in ctx.city.categories], form=picked,
        default_month=last_full_month(ctx), problem=problem, status_code=status_code,
    )  # fmt: skip


def _scopes(ctx, actor) -> list[tuple[str, str]]:
    """The territories a topic of the actor's may cover: its district's for a district
    government, every district and street for the hotline."""
    district = _district(ctx, actor)
    units = ctx.city.unit_and_below(district.code) if district else ctx.city.units
    kinds = (UnitKind.DISTRICT, UnitKind.STREET)
    return [(u.code, u.name) for u in units if u.kind in kinds]


def _district(ctx, actor):
    unit = ctx.city.unit(actor.unit_code)
    return unit if unit is not None and unit.kind is UnitKind.DISTRICT else None


@router.get(BASE, response_class=HTMLResponse)
def topics_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    return _list_page(request, ctx, session)


def _number(form, name: str, default, kind=int):
    raw = str(form.get(name) or "").strip()
    try:
        return kind(raw) if raw else default
    except ValueError:
        raise InvalidInput(
            "input.invalid", f"“{raw[:20]}”不是数字", f"{name} is not a number"
        ) from None


@router.post(BASE)
def propose(request: Request, ctx: ContextDep, session: PostSession, form: PostedForm) -> Response:
    fields = {
        "title": str(form.get("title") or ""), "summary": str(form.get("summary") or ""),
        "month": str(form.get("month") or "")[:16],
        "categories": [str(c) for c in form.getlist("categories")][:50],
        "keywords": str(form.get("keywords") or "").replace("，", ",").split(","),
        "scope_code": str(form.get("scope_code") or "") or None,
        "lead_unit_code": str(form.get("lead_unit_code") or ""),
        "co_unit_codes": [str(c) for c in form.getlist("co_unit_codes")][:200],
    }  # fmt: skip
    try:
        rule = TrackingRule(
            _number(form, "baseline_days", 90), _number(form, "target_drop_percent", 30, float) / 100,
            _number(form, "sustained_months", 2),
        )  # fmt: skip
        topic_id = gt.propose(ctx, session.user.actor, gt.Proposal(**fields, rule=rule))
    except JiesuError as exc:
        return _list_page(request, ctx, session, form=fields, **refusal(exc))
    return redirect(f"{BASE}/{topic_id}", flash="已立题，请主责单位制定方案和三清单")


def topic_number(raw: str) -> int:
    """A path's topic id; anything else names no topic (0: not found)."""
    return whole_number(raw) or 0


def _detail_page(request, ctx, session, topic_id: int, *, problem=None, status_code=200):
    try:
        d = tr.detail(ctx, session.user.actor, topic_id)
    except NotFound as exc:
        return render(request, "error.html", session=session, problem=Problem.of(exc),
                      status_code=404)  # fmt: skip
    return render(
        request, "governance/topic.html", session=session, d=d, t=d.row, city=ctx.city,
        states=TOPIC_STATE_LABELS_ZH, lists=ITEM_LIST_LABELS_ZH, actions=TOPIC_ACTION_LABELS_ZH,
        units=unit_choices(ctx.city), open=d.row.state in ("planned", "active"),
        may_write=d.organiser or d.lead_member, today=ctx.now().astimezone(ctx.city.tz).date(),
        unit_code=session.user.unit_code, problem=problem, status_code=status_code,
    )  # fmt: skip


@router.get(BASE + "/{topic_id}", response_class=HTMLResponse)
def topic_page(topic_id: str, request: Request, ctx: ContextDep, session: PageSession) -> Response:
    return _detail_page(request, ctx, session, topic_number(topic_id))


def _act(request, ctx, session, topic_id: int, action, flash: str) -> Response:
    try:
        action()
    except JiesuError as exc:
        return _detail_page(request, ctx, session, topic_id, **refusal(exc))
    return redirect(f"{BASE}/{topic_id}", flash=flash)


@router.post(BASE + "/{topic}/plan")
def edit_plan(topic: str, request: Request, ctx: ContextDep, session: PostSession,
              form: PostedForm) -> Response:  # fmt: skip
    topic_id = topic_number(topic)
    return _act(request, ctx, session, topic_id, lambda: gt.edit_plan(
        ctx, session.user.actor, topic_id, str(form.get("plan") or ""),
        _number(form, "version", 0), str(form.get("reason") or "")), "已保存工作方案")  # fmt: skip


@router.post(BASE + "/{topic}/items")
def add_item(topic: str, request: Request, ctx: ContextDep, session: PostSession,
             form: PostedForm) -> Response:  # fmt: skip
    topic_id = topic_number(topic)

    def add():
        raw = str(form.get("due_on") or "")
        try:
            due = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise InvalidInput("input.invalid", "完成时限应为日期", "due_on is a date") from None
        gt.add_item(ctx, session.user.actor, topic_id, str(form.get("list") or ""),
                    str(form.get("text") or ""), str(form.get("unit_code") or "") or None, due)  # fmt: skip

    kind = str(form.get("list") or "")
    label = ITEM_LIST_LABELS_ZH.get(ItemList(kind), "清单") if kind in set(ItemList) else "清单"
    return _act(request, ctx, session, topic_id, add, f"已加入{label}")


@router.post(BASE + "/{topic}/items/{item}/finish")
def finish_task(topic: str, item: str, request: Request, ctx: ContextDep,
                session: PostSession, form: PostedForm) -> Response:  # fmt: skip
    topic_id, item_id = topic_number(topic), topic_number(item)
    return _act(request, ctx, session, topic_id, lambda: gt.finish_task(
        ctx, session.user.actor, topic_id, item_id, str(form.get("outcome") or "")),
        "已报告任务完成")  # fmt: skip


@router.post(BASE + "/{topic}/units")
def set_units(topic: str, request: Request, ctx: ContextDep, session: PostSession,
              form: PostedForm) -> Response:  # fmt: skip
    topic_id = topic_number(topic)
    return _act(request, ctx, session, topic_id, lambda: gt.set_units(
        ctx, session.user.actor, topic_id, str(form.get("lead_unit_code") or ""),
        [str(c) for c in form.getlist("co_unit_codes")][:200], str(form.get("reason") or "")),
        "已调整主责和配合单位")  # fmt: skip


@router.post(BASE + "/{topic}/{verb}")
def change_state(topic: str, verb: str, request: Request, ctx: ContextDep,
                 session: PostSession, form: PostedForm) -> Response:  # fmt: skip
    topic_id = topic_number(topic)
    actor, reason = session.user.actor, str(form.get("reason") or "")
    actions = {
        "launch": (lambda: gt.launch(ctx, actor, topic_id), "已启动，主责和配合单位已收到通知"),
        "close": (lambda: gt.close(ctx, actor, topic_id, reason), "已销号"),
        "withdraw": (lambda: gt.withdraw(ctx, actor, topic_id, reason), "已撤销"),
    }
    if verb not in actions:
        return _detail_page(request, ctx, session, topic_id, **refusal(InvalidInput(
            "input.invalid", "未知的操作", f"Unknown action {verb[:20]!r}")))  # fmt: skip
    return _act(request, ctx, session, topic_id, *actions[verb])
