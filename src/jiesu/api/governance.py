"""Governance API (G5, G1): the weekly warning of hotspots, and the street's answer; a
month's comprehensive analysis.

``GET /api/governance/warnings?week=2026-W47`` lists a week's warnings (by default the last
ended week) as the caller may see them: hotline staff all, a district government its
district's, a street those addressed to it, a community those about it.
``GET /api/governance/warnings/{id}/tickets`` lists the tickets behind one warning (to those
who may see it; never the requester); ``POST /api/governance/warnings/{id}/respond`` records
the measures the street took;
``POST /api/governance/warnings/issue`` examines a week at once (supervisors and admins; the
worker does it by itself once a week has ended). ``GET /api/governance/analysis?month=2026-11``
gives the month's hot matters, hot areas and (hotline staff only) frequent requesters;
``GET /api/governance/seasonal?month=2026-12`` the matters expected to rise that month, as the
same time of past years rose (G3); ``GET /api/governance/open-data/2026-10.csv`` a month's
requests desensitised for the open-data portal (G6; supervisors and admins).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from jiesu.assessment.rankings import month
from jiesu.assessment.trends import last_full_month
from jiesu.domain.hotspots import WARNING_KIND_LABELS_ZH, WarningKind, week_label
from jiesu.domain.roles import Actor, Role
from jiesu.domain.ticket import STATUS_LABELS_ZH
from jiesu.governance import analysis as ga
from jiesu.governance import open_data as od
from jiesu.governance import seasonal as gs
from jiesu.governance import warning_tickets as gt
from jiesu.governance import warnings as gw
from jiesu.storage.types import MAX_INT

from .deps import ActorDep, ContextDep, role_guard

router = APIRouter(prefix="/api/governance", tags=["governance"])

_issuer = role_guard(
    frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "warning.issue_forbidden",
    "只有热线督办或管理员可以发布周预警",
    "Only hotline supervisors and admins may issue the weekly warning",
)
WeekQ = Annotated[str | None, Query(max_length=16, description="ISO week, e.g. 2026-W47")]


class WarningOut(BaseModel):
    id: int
    week: str
    place_code: str
    place_name: str
    street_code: str
    street_name: str
    category: str
    kind: str
    kind_zh: str
    received: int
    requesters: int
    expected: float
    ratio: float
    p_value: float
    response: str | None
    responded_at: datetime | None
    responded_by: str | None
    next_week: int | None = Field(description="the same place's requests the week after")


class WeekOut(BaseModel):
    week: str
    examined_at: datetime | None
    baseline_weeks: int | None
    warnings: list[WarningOut]


def warning_out(r: gw.WarningRow) -> WarningOut:
    return WarningOut(
        id=r.id, week=r.week, place_code=r.place.code, place_name=r.place.name,
        street_code=r.street.code, street_name=r.street.name, category=r.category,
        kind=r.kind, kind_zh=WARNING_KIND_LABELS_ZH[WarningKind(r.kind)], received=r.received,
        requesters=r.requesters, expected=round(r.expected, 2), ratio=round(r.ratio, 2),
        p_value=r.p_value, response=r.response, responded_at=r.responded_at,
        responded_by=r.responded_by, next_week=r.next_week,
    )  # fmt: skip


@router.get("/warnings", summary="周预警 The week's hotspot warnings")
def list_warnings(ctx: ContextDep, actor: ActorDep, week: WeekQ = None) -> WeekOut:
    label = week_label(gw.week_monday(week, ctx))
    record = gw.week_record(ctx, label)
    return WeekOut(
        week=label,
        examined_at=record.issued_at if record else None,
        baseline_weeks=record.baseline_weeks if record else None,
        warnings=[warning_out(r) for r in gw.week_warnings(ctx, actor, label)],
    )


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    week: str | None = Field(default=None, max_length=16)


class IssuedOut(BaseModel):
    week: str
    new: int
    total: int
    baseline_weeks: int


@router.post("/warnings/issue", summary="发布周预警 Examine a week now")
def issue(
    ctx: ContextDep, actor: Annotated[Actor, Depends(_issuer)], body: IssueIn | None = None
) -> IssuedOut:
    done = gw.issue(ctx, body.week if body else None, by=actor.username)
    return IssuedOut(week=done.week, new=done.new, total=done.total,
                     baseline_weeks=done.baseline_weeks)  # fmt: skip


WarningId = Annotated[int, Path(ge=1, le=MAX_INT)]


class WarningTicketOut(BaseModel):
    id: int
    number: str
    received_at: datetime
    title: str = Field(description="“（保密）” for a confidential ticket the caller may not open")
    confidential: bool
    status: str
    status_zh: str
    lead_unit_code: str | None
    lead_unit_name: str | None
    may_open: bool = Field(description="the caller may open the ticket (GET /api/tickets/{number})")


class WarningTicketsOut(BaseModel):
    warning: WarningOut
    total: int = Field(description="the tickets behind the warning, all of them")
    limit: int
    capped: bool = Field(description="more than `limit`: only the earliest are listed")
    tickets: list[WarningTicketOut]


@router.get("/warnings/{warning_id}/tickets", summary="预警涉及的工单 The tickets behind a warning")
def warning_tickets(ctx: ContextDep, actor: ActorDep, warning_id: WarningId) -> WarningTicketsOut:
    got = gt.behind(ctx, actor, warning_id)
    return WarningTicketsOut(
        warning=warning_out(got.warning),
        total=got.total,
        limit=got.limit,
        capped=got.capped,
        tickets=[
            WarningTicketOut(
                id=x.id, number=x.number, received_at=x.received_at, title=x.title,
                confidential=x.confidential, status=x.status,
                status_zh=STATUS_LABELS_ZH.get(x.status, x.status),
                lead_unit_code=x.lead_unit_code, lead_unit_name=x.lead_unit_name,
                may_open=x.may_open,
            )
            for x in got.tickets
        ],
    )  # fmt: skip


class RespondIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    response: str = Field(max_length=gw.RESPONSE_MAX)


@router.post("/warnings/{warning_id}/respond", summary="反馈整改措施 Answer a warning")
def respond(
    ctx: ContextDep,
    actor: ActorDep,
    warning_id: WarningId,
    body: RespondIn,
) -> dict:
    gw.respond(ctx, actor, warning_id, body.response)
    return {"id": warning_id, "responded": True}


@router.get("/analysis", summary="综合分析 Hot matters, hot areas, frequent requesters")
def get_analysis(
    ctx: ContextDep,
    actor: ActorDep,
    month_: Annotated[str | None, Query(alias="month", pattern=r"^\d{4}-\d{2}$")] = None,
) -> dict:
    a = ga.analyse(ctx, actor, month(month_ or last_full_month(ctx), ctx.city.tz))
    return {
        "month": a.period.label,
        "previous": a.previous.label,
        "scope": a.scope.code if a.scope else None,
        "matters": [vars(m) for m in a.matters],
        "areas": [
            {
                "street_code": x.street.code,
                "street_name": x.street.name,
                "count": x.count,
                "previous": x.previous,
                "top_category": x.top_category,
                "top_count": x.top_count,
            }
            for x in a.areas
        ],  # fmt: skip
        "frequent_requesters": None if a.frequent is None else [vars(f) for f in a.frequent],
        "frequent_threshold": a.threshold,
    }


@router.get("/seasonal", summary="季节性预判 Matters expected to rise next month")
def get_seasonal(
    ctx: ContextDep,
    actor: ActorDep,
    month_: Annotated[str | None, Query(alias="month", pattern=r"^\d{4}-\d{2}$")] = None,
) -> dict:
    if month_:
        month(month_, ctx.city.tz)  # a month that exists, else assessment.bad_period
    found = gs.seasonal(ctx, actor, month_)
    return {
        "month": found.month,
        "recent_months": found.recent,
        "history_known": found.known,
        "scope": found.scope.code if found.scope else None,
        "expected": [
            {"category": e.category, **{k: round(v, 3) if isinstance(v, float) else v
                                        for k, v in vars(e.outlook).items()}}
            for e in found.items
        ],
    }  # fmt: skip


_publisher = role_guard(
    frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "open_data.forbidden",
    "只有热线督办或管理员可以导出开放数据",
    "Only hotline supervisors and admins may export open data",
)


@router.get("/open-data/{month_}.csv", summary="开放数据 A month's requests, desensitised (CSV)")
def open_data_csv(
    ctx: ContextDep,
    actor: Annotated[Actor, Depends(_publisher)],
    month_: Annotated[str, Path(pattern=r"^\d{4}-\d{2}$")],
    k: Annotated[int, Query(ge=2, le=100)] = od.K,
) -> Response:
    month(month_, ctx.city.tz)  # a month that exists, else assessment.bad_period
    data = od.open_data(ctx, month_, k)
    d = data.disclosed
    headers = {
        "Content-Disposition": f'attachment; filename="jiesu-open-data-{month_}.csv"',
        "X-Open-Data-Received": str(data.received),
        "X-Open-Data-Confidential": str(data.confidential),
        "X-Open-Data-Suppressed": str(d.suppressed),
        "X-Open-Data-Levels": ",".join(str(n) for n in d.by_level),
    }
    body = "\ufeff" + data.csv()  # the BOM: spreadsheets then read the Chinese as UTF-8
    return Response(body.encode(), media_type="text/csv; charset=utf-8", headers=headers)
