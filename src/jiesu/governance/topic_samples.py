"""The demo's monthly topics (G2), chosen from its simulated history: one launched ten days
ago (a third of a shorter history) on the demo district's commonest matter, with its plan and three lists and a task for
the demo street; one planned on the city's next commonest matter, for the demo's
supervisor to finish and launch."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from jiesu.assessment.trends import shift_month
from jiesu.city.units import UnitKind
from jiesu.context import Context
from jiesu.domain.roles import Actor, Role
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

from . import topics as gt
from .topic_figures import places
from .weekly import first_received

t = tables.tickets.c


def _commonest(ctx: Context, places_in: list[str] | None, skip: set[str]) -> str | None:
    query = select(t.category).group_by(t.category).order_by(func.count().desc(), t.category)
    if places_in is not None:
        query = query.where(t.location_unit_code.in_(places_in))
    with UnitOfWork(ctx.engine, write=False) as uow:
        return next((c for c in uow.session.execute(query).scalars() if c not in skip), None)


def _lead_for(ctx: Context, category: str, district=None) -> str:
    """Who leads a topic on ``category``: for a district's topic, the district department
    that led most of its tickets there (else the district government); for the city's, the
    city department of the kind of department that led most of them."""
    city = ctx.city
    query = (
        select(t.lead_unit_code)
        .where(t.category == category, t.lead_unit_code.is_not(None))
        .group_by(t.lead_unit_code)
        .order_by(func.count().desc(), t.lead_unit_code)
    )
    if district is not None:
        query = query.where(t.location_unit_code.in_(_territory(ctx, district.code)))
    with UnitOfWork(ctx.engine, write=False) as uow:
        leads = [city.unit(code) for code in uow.session.execute(query).scalars()]
    for unit in leads:
        if unit is None:
            continue
        if district is not None:
            if unit.kind is UnitKind.DISTRICT_DEPARTMENT and unit.parent == district.code:
                return unit.code
        elif unit.kind in (UnitKind.CITY_DEPARTMENT, UnitKind.UTILITY):
            return unit.code
        elif unit.department:
            same = _city_department(city, unit.department)
            if same is not None:
                return same
    if district is not None:
        return district.code
    return next(u.code for u in city.units if u.kind is UnitKind.CITY_DEPARTMENT)


def _city_department(city, department: str) -> str | None:
    return next((u.code for u in city.units
                 if u.kind is UnitKind.CITY_DEPARTMENT and u.department == department), None)  # fmt: skip


def _territory(ctx: Context, code: str) -> list[str]:
    return [u.code for u in ctx.city.unit_and_below(code)]


def seed_demo_topics(ctx: Context, street_code: str) -> int:
    """Two topics, once; the number added."""
    with UnitOfWork(ctx.engine, write=False) as uow:
        if uow.session.execute(select(func.count()).select_from(tables.topics)).scalar_one():
            return 0
    city = ctx.city
    street = city.units_by_code[street_code]
    district = city.unit(street.parent or "") or street
    area = district.name.removesuffix("人民政府")
    supervisor = Actor(None, "supervisor", Role.SUPERVISOR, city.city.hotline_unit)
    first = _commonest(ctx, _territory(ctx, district.code), set())
    if first is None:
        return 0
    lead = _lead_for(ctx, first, district)
    with UnitOfWork(ctx.engine, write=False) as uow:
        history = ctx.now() - (first_received(uow.session) or ctx.now())
    launched = ctx.now() - min(timedelta(days=10), history / 3)  # a baseline twice as long
    earlier = replace(ctx, clock=lambda: launched)
    month = earlier.now().astimezone(city.tz).strftime("%Y-%m")
    topic_id = gt.propose(earlier, supervisor, gt.Proposal(
        f"{area}{first.split('/')[-1]}问题专项治理", month, [first], lead,
        f"{area}近一个月{first}诉求居高不下，列为本月“每月一题”", scope_code=district.code,
        co_unit_codes=sorted({district.code, street.code} - {lead})))  # fmt: skip
    lead_actor = Actor(None, "demo", Role.UNIT_HANDLER, lead)
    gt.edit_plan(earlier, lead_actor, topic_id, (
        f"一、目标：{area}{first}诉求日均下降三成。\n"
        "二、措施：摸清问题点位，建立台账；主责单位牵头制定整改标准，属地街道逐点落实；"
        "每周调度一次进展。\n三、时限：两个月内完成整改，第三个月巩固。"), 1)  # fmt: skip
    with UnitOfWork(ctx.engine, write=False) as uow:
        row = uow.session.execute(
            select(tables.topics).where(tables.topics.c.id == topic_id)
        ).first()
        _, hot = places(uow.session, city, row, ctx.now())
    for name in [p.street.name for p in hot[:3]] or [street.name]:
        gt.add_item(earlier, lead_actor, topic_id, "problem", f"{name}：{first}诉求集中")
    due = (ctx.now() + timedelta(days=20)).astimezone(city.tz).date()
    gt.add_item(earlier, lead_actor, topic_id, "task", f"摸排{street.name}问题点位并建立台账",
                street.code, due)  # fmt: skip
    # A task left undone past its due day: a charge in the assessment, to appeal (A2, A6).
    overdue = (ctx.now() - timedelta(days=3)).astimezone(city.tz).date()
    gt.add_item(earlier, lead_actor, topic_id, "task", f"上报{street.name}首批整改点位清单",
                street.code, overdue)  # fmt: skip
    gt.add_item(earlier, lead_actor, topic_id, "duty", f"牵头制定{first}整改标准并督促落实", lead)
    if district.code != lead:
        gt.add_item(
            earlier, lead_actor, topic_id, "duty", "统筹属地街道乡镇落实整改", district.code
        )
    gt.launch(earlier, supervisor, topic_id)

    second = _commonest(ctx, None, {first})
    if second is None:
        return 1
    lead2 = _lead_for(ctx, second)
    next_month = shift_month(ctx.now().astimezone(city.tz).strftime("%Y-%m"), 1)
    planned = gt.propose(ctx, supervisor, gt.Proposal(
        f"{second.split('/')[-1]}难题攻坚", next_month,
        [second], lead2, f"全市{second}诉求量大、解决率偏低，拟列入下月“每月一题”"))  # fmt: skip
    gt.edit_plan(ctx, Actor(None, "demo", Role.UNIT_HANDLER, lead2), planned,
                 f"摸清{second}诉求的主要成因，提出政策完善建议，待三清单制定后启动。", 1)  # fmt: skip
    return 2
