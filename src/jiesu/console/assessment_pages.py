"""The assessment office's console pages (A2–A4), under ``/console/assessment/``: the monthly
ranking of each group under a rule set, optionally beside a second rule set; the drill-down
from a unit to the tickets behind its figures; the trend of a unit or a whole group.

The figures are those of the API (``GET /api/assessment/rankings``): the same
:func:`jiesu.assessment.rankings.rankings`; the drill-down and trends come from
:mod:`jiesu.assessment.drilldown` and :mod:`jiesu.assessment.trends`, which count as the
ranking does. Hotline staff only, as the API's ``assessment.forbidden``; a ranked unit (a
street, district, city department or utility) sees its own drill-down (``/mine``).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jiesu import accounts
from jiesu.api.deps import ContextDep
from jiesu.assessment import drilldown as dd
from jiesu.assessment import trends
from jiesu.assessment.rankings import (
    GROUP_LABELS_ZH,
    GROUPS,
    month,
    rankings,
    read,
    rule_sets,
)
from jiesu.domain.errors import JiesuError
from jiesu.domain.roles import HOTLINE_ROLES
from jiesu.storage.types import whole_number

from . import assessment_views as av
from . import views
from .governance_appeal_pages import charge_rows
from .refusals import Problem
from .web import PageSession, render

router = APIRouter(include_in_schema=False)
BASE = "/console/assessment"


def refused(request, session, message: str, code: str, status_code: int) -> Response:
    problem = Problem([message], code)
    return render(request, "error.html", session=session, problem=problem, status_code=status_code)


def office_only(request, session: accounts.LoginSession) -> Response | None:
    """The same rule as the API's ``_office``: the hotline's staff read the assessment."""
    if session.user.role in HOTLINE_ROLES:
        return None
    return refused(request, session, "考评结果由热线考评办查看", "assessment.forbidden", 403)


def _choices(ctx, params) -> dict:
    """Group, month, rule set and the rule set to compare, from the query; what was not
    understood falls back to the default and is named in ``problems``."""
    problems: list[str] = []
    group = params.get("group") or "district"
    if group not in GROUPS:
        problems.append(f"没有“{group[:20]}”这个排名分组，已显示区的排名")
        group = "district"
    label, error = av.chosen_month(ctx, params.get("month"))
    if error:
        problems.append(error)
    sets = rule_sets(ctx.city)
    rules = params.get("rules") or "standard"
    if rules not in sets:
        problems.append(f"没有名为“{rules[:20]}”的考评规则，已按标准规则计算")
        rules = "standard"
    compare = params.get("compare") or ""
    if compare and (compare not in sets or compare == rules):
        if compare not in sets:
            problems.append(f"没有名为“{compare[:20]}”的考评规则，未作对比")
        compare = ""
    return {"group": group, "month": label, "rules": rules, "compare": compare,
            "sets": sets, "problems": problems}  # fmt: skip


def _problem(c: dict) -> Problem | None:
    return Problem(c["problems"], "assessment.bad_query") if c["problems"] else None


@router.get(BASE + "/rankings", response_class=HTMLResponse)
def rankings_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    denied = office_only(request, session)
    if denied:
        return denied
    c = _choices(ctx, request.query_params)
    period = month(c["month"], ctx.city.tz)
    readings = read(ctx, period)  # the counts once, for both rule sets
    main = rankings(ctx, period, c["group"], c["rules"], readings)
    other = rankings(ctx, period, c["group"], c["compare"], readings) if c["compare"] else None
    rows = main["units"]
    return render(
        request,
        "assessment/rankings.html",
        session=session,
        c=c,
        r=main,
        rows=rows,
        other=av.compared(rows, other["units"] if other else None),
        other_rules=other["rules"] if other else None,
        tabs=av.GROUP_TABS,
        prev_month=av.shift_month(c["month"], -1),
        next_month=av.shift_month(c["month"], 1),
        talks=sum(1 for u in rows if u["talk"]),
        base_label=av.BASE_LABELS_ZH[main["base"]["kind"]],
        av=av,
        q=dict(request.query_params),
        problem=_problem(c),
        status_code=422 if c["problems"] else 200,
    )


def _own_group(ctx, session) -> str | None:
    """The ranked group of the user's own unit, if it is ranked on its own."""
    unit = ctx.city.unit(session.user.unit_code)
    return next((g for g, kind in GROUPS.items() if unit and unit.kind is kind), None)


@router.get(BASE + "/mine", response_class=HTMLResponse)
def own_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    """A unit's own figures and the tickets behind them (A2, A6): where it lost points,
    and so what it might appeal."""
    if session.user.role in HOTLINE_ROLES:
        return RedirectResponse(BASE + "/rankings", status_code=303)
    group = _own_group(ctx, session)
    if group is None:
        return _own_charges_page(request, ctx, session)
    query = {k: v for k, v in request.query_params.items() if k != "group"}
    path = f"{BASE}/units/{quote(session.user.unit_code)}"
    return RedirectResponse(path + views.query_string(query, group=group), status_code=303)


def _ranked_above(city, code: str) -> str | None:
    """The nearest unit above ``code`` that is ranked (a community's street, a district
    department's district)."""
    kinds = set(GROUPS.values())
    unit = city.unit(code)
    parent = city.unit(unit.parent) if unit and unit.parent else None
    while parent is not None and parent.kind not in kinds:
        parent = city.unit(parent.parent) if parent.parent else None
    return parent.code if parent else None


def _own_charges_page(request: Request, ctx, session) -> Response:
    """A unit not ranked on its own (a district's department, a community): its orders and
    points count for the unit above it, but its own proactive governance charges are its
    to appeal (A6)."""
    c = _choices(ctx, request.query_params)
    code = session.user.unit_code
    answers_to = views.unit_name(ctx.city, _ranked_above(ctx.city, code) or code)
    period = month(c["month"], ctx.city.tz)
    return render(
        request,
        "assessment/own_charges.html",
        session=session,
        c=c,
        unit=views.unit_name(ctx.city, code),
        answers_to=answers_to,
        charges=charge_rows(ctx, period, None, code, code),
        appeal_window=ctx.city.appeal_policy.window_days,
        problem=_problem(c),
        status_code=422 if c["problems"] else 200,
    )


@router.get(BASE + "/units/{code}", response_class=HTMLResponse)
def unit_page(code: str, request: Request, ctx: ContextDep, session: PageSession) -> Response:
    office = session.user.role in HOTLINE_ROLES
    if not office and (code != session.user.unit_code or _own_group(ctx, session) is None):
        return office_only(request, session)  # a unit sees its own figures only
    params = request.query_params
    c = _choices(ctx, params)
    if not office:
        c["group"] = _own_group(ctx, session)
    only = params.get("only") or ""
    only = only if only in dd.FILTERS else ""
    raw_page = params.get("page") or "1"
    page = max(1, whole_number(raw_page) or 1)
    period = month(c["month"], ctx.city.tz)
    try:
        found = dd.drilldown(ctx, period, c["group"], code, only=only, page=page)
    except JiesuError as exc:
        return refused(request, session, exc.message_zh, exc.code, exc.status)
    ranked = rankings(ctx, period, c["group"], c["rules"])
    mine = next((u for u in ranked["units"] if u["unit_code"] == code), None)
    pages = max(1, -(-found.matching // dd.PAGE_SIZE))
    return render(
        request,
        "assessment/unit.html",
        session=session,
        c=c,
        code=code,
        unit=views.unit_name(ctx.city, code),
        d=found,
        totals=vars(found.totals),
        mine=mine,
        rules=ranked["rules"],
        rows=[av.contribution_row(r, ctx.city) for r in found.rows],
        charges=charge_rows(ctx, period, c["group"], code, session.user.unit_code),
        appeal_window=ctx.city.appeal_policy.window_days,
        filters=list(dd.FILTERS.items()),
        only=only,
        page=min(page, pages),
        pages=pages,
        av=av,
        q=dict(params),
        office=office,
        problem=_problem(c),
        status_code=422 if c["problems"] else 200,
    )


@router.get(BASE + "/trends", response_class=HTMLResponse)
def trends_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    denied = office_only(request, session)
    if denied:
        return denied
    params = request.query_params
    c = _choices(ctx, params)
    unit = params.get("unit") or None
    if unit is not None:
        try:
            dd.member_codes(ctx, c["group"], unit)
        except JiesuError as exc:
            return refused(request, session, exc.message_zh, exc.code, exc.status)
    points = trends.series(ctx, c["group"], unit, c["rules"], c["month"])
    group_zh = GROUP_LABELS_ZH[c["group"]]
    units = [(u.code, u.name) for u in ctx.city.units if u.kind is GROUPS[c["group"]]]
    return render(
        request,
        "assessment/trends.html",
        session=session,
        c=c,
        unit=unit,
        unit_label=views.unit_name(ctx.city, unit) if unit else f"全部{group_zh}",
        group_zh=group_zh,
        units=units,
        points=points,
        chart=av.trend_chart(points),
        tabs=av.GROUP_TABS,
        av=av,
        q=dict(params),
        problem=_problem(c),
        status_code=422 if c["problems"] else 200,
    )
