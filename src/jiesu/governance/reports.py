"""Monthly work reports (月度工作报告与建议, G4; BJ Art. 24, 28): issued, stored as issued,
read by whom they are for.

Once a local month has ended, the worker (:func:`issue_due`) issues its report for the whole
city and for each district (its territory); supervisors and admins may issue one at once.
A report is kept as issued (``work_reports``: its JSON content, month, scope, who, when):
October's report stays what was sent when October's tickets change later. Issuing a report
that exists returns it unchanged; **regenerating** it is explicit, needs a reason, and adds
the next version — the earlier versions stay readable, the newest is the current one. Two
workers issuing the same version at once add it once (the unique key on month, scope and
version).

Each version issued is one outbox message (``governance.report``) to the hotline office,
and for a district's report also to the district government. Hotline staff read every
report; a district government its own district's; no other unit any (S1: the city's
report names frequent requesters, masked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from jiesu.assessment.rankings import month
from jiesu.assessment.trends import last_full_month, month_label
from jiesu.city.units import Unit, UnitKind
from jiesu.context import Context
from jiesu.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from jiesu.domain.roles import HOTLINE_ROLES, Actor
from jiesu.storage import tables
from jiesu.storage.repository import queue_message
from jiesu.storage.types import is_row_number
from jiesu.storage.uow import UnitOfWork

from .report_content import MonthData, compose, prepare
from .weekly import first_received

TOPIC = "governance.report"
CITY = "city"
REASON_MAX = 500
R = tables.work_reports.c


def report_month(ctx: Context, label: str | None) -> str:
    """``label`` (YYYY-MM) once the month has ended; by default the last ended month."""
    latest = last_full_month(ctx)
    if not label:
        return latest
    month_label(label, "report.bad_month")
    if label > latest:
        raise InvalidInput("report.month_not_over", f"{label} 尚未结束，月度报告在月末后生成",
                           f"{label} has not ended yet; a month is reported once it is over")  # fmt: skip
    return label


def scope_unit(ctx: Context, scope: str | None) -> Unit | None:
    """``city`` (or nothing): None; a district's code: that district."""
    if not scope or scope == CITY:
        return None
    unit = ctx.city.unit(scope)
    if unit is None or unit.kind is not UnitKind.DISTRICT:
        raise InvalidInput("report.bad_scope", "报告范围须为全市（city）或一个区的代码",
                           f"The scope is 'city' or a district's code, not {scope[:64]!r}")  # fmt: skip
    return unit


def scopes(ctx: Context) -> list[Unit | None]:
    return [None] + [u for u in ctx.city.units if u.kind is UnitKind.DISTRICT]


def _key(scope: Unit | None) -> str:
    return scope.code if scope else CITY


def readable_scopes(actor: Actor) -> set[str] | None:
    """The scopes whose reports ``actor`` reads: None for every one (hotline staff)."""
    return None if actor.role in HOTLINE_ROLES else {actor.unit_code}


@dataclass(frozen=True)
class Issued:
    id: int
    month: str
    scope: str
    version: int
    new: bool


def _latest(s, label: str, scope: str) -> tuple[int, int] | None:
    row = s.execute(
        select(R.id, R.version).where(R.month == label, R.scope == scope)
        .order_by(R.version.desc()).limit(1)
    ).first()  # fmt: skip
    return (row.id, row.version) if row else None


def issue(ctx: Context, label: str | None, scope: str | None = None, *, by: str = "system",
          regenerate: bool = False, reason: str = "", data: MonthData | None = None) -> Issued:  # fmt: skip
    """Issue the report of month ``label`` for ``scope``; an existing one is returned as it
    is unless ``regenerate`` (with a reason) adds its next version."""
    label = report_month(ctx, label)
    unit = scope_unit(ctx, scope)
    key, reason = _key(unit), (reason or "").strip()
    if regenerate and not 0 < len(reason) <= REASON_MAX:
        raise InvalidInput("report.reason_required", f"重新生成须说明理由（1–{REASON_MAX} 字）",
                           f"Say why the report is regenerated (1–{REASON_MAX} characters)")  # fmt: skip
    with UnitOfWork(ctx.engine, write=False) as uow:
        have = _latest(uow.session, label, key)
        first = first_received(uow.session)
    if have and not regenerate:
        return Issued(have[0], label, key, have[1], False)
    if first is None or label < first.astimezone(ctx.city.tz).strftime("%Y-%m"):
        raise InvalidInput("report.no_history", f"{label} 早于第一条诉求记录，没有可报告的内容",
                           f"{label} is before the first request recorded: nothing to report")  # fmt: skip
    content = compose(ctx, data or prepare(ctx, label), unit)
    version, now = (have[1] + 1 if have else 1), ctx.now()
    try:
        with UnitOfWork(ctx.engine) as uow:
            s = uow.session
            report_id = s.execute(
                tables.work_reports.insert().values(
                    month=label, scope=key, version=version, issued_at=now, issued_by=by,
                    reason=reason if have else "", content=content,
                ).returning(R.id)
            ).scalar_one()  # fmt: skip
            _notify(s, ctx, report_id, content, key, version, now)
            uow.commit()
    except IntegrityError as exc:  # another worker issued this version at the same moment
        if regenerate:  # someone else's regeneration won: this one's reason is not lost quietly
            raise Conflict("report.concurrent", "该报告正被他人重新生成，请刷新后再试",
                           "Someone else regenerated this report just now; reload and retry") from exc  # fmt: skip
        with UnitOfWork(ctx.engine, write=False) as again:
            found = _latest(again.session, label, key)
        assert found is not None
        return Issued(found[0], label, key, found[1], False)
    return Issued(report_id, label, key, version, True)


def _notify(s, ctx: Context, report_id: int, content: dict, scope: str, version: int,
            now: datetime) -> None:  # fmt: skip
    units = [ctx.hotline_unit.code] + ([scope] if scope != CITY else [])
    top = [r["title_zh"] for r in content["recommendations"][:5]]
    for unit in units:
        payload = {"template": "work.report", "unit": unit, "report": report_id,
                   "month": content["month"], "scope": scope, "scope_name": content["scope"]["name"],
                   "version": version, "recommendations": top,
                   "link": f"/console/governance/reports/{report_id}"}  # fmt: skip
        queue_message(s, topic=TOPIC, ticket_id=None, payload=payload,
                      key=f"{TOPIC}:{report_id}:{unit}", now=now)  # fmt: skip


def issue_due(ctx: Context) -> list[Issued]:
    """The worker's duty: issue the last ended month's report for the city and each
    district where none is issued yet, once the history reaches into that month; the
    month's shared figures are read once."""
    label = last_full_month(ctx)
    with UnitOfWork(ctx.engine, write=False) as uow:
        done = set(uow.session.execute(select(R.scope).where(R.month == label)).scalars())
        first = first_received(uow.session)
    missing = [u for u in scopes(ctx) if _key(u) not in done]
    if not missing or first is None or first >= month(label, ctx.city.tz).end:
        return []  # a month before the first request ever received is not reported
    data = prepare(ctx, label)
    return [issue(ctx, label, _key(u), data=data) for u in missing]


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    id: int
    month: str
    scope: str
    scope_name: str
    version: int
    current: bool  # the newest version of its month and scope
    issued_at: datetime
    issued_by: str
    reason: str
    recommendations: int
    content: dict[str, Any] | None  # only when one report is read


def _not_found(report_id: object) -> NotFound:
    return NotFound("report.not_found", f"报告 {str(report_id)[:20]} 不存在",
                    f"Report {str(report_id)[:20]} not found")  # fmt: skip


def _may_read(actor: Actor, ctx: Context) -> set[str] | None:
    allowed = readable_scopes(actor)
    unit = ctx.city.unit(actor.unit_code)
    if allowed is not None and (unit is None or unit.kind is not UnitKind.DISTRICT):
        raise Forbidden("report.forbidden", "月度工作报告只供热线和区政府阅读",
                        "Work reports are for the hotline and the district governments")  # fmt: skip
    return allowed


def _rows(ctx: Context, query, with_content: bool) -> list[Report]:
    newest = (
        select(R.month, R.scope, func.max(R.version).label("v")).group_by(R.month, R.scope)
    ).subquery()
    with UnitOfWork(ctx.engine, write=False) as uow:
        rows = uow.session.execute(
            query.join(newest, (newest.c.month == R.month) & (newest.c.scope == R.scope))
            .add_columns(newest.c.v)
        ).all()  # fmt: skip
    return [
        Report(r.id, r.month, r.scope, r.content["scope"]["name"], r.version, r.version == r.v,
               r.issued_at, r.issued_by, r.reason, len(r.content["recommendations"]),
               r.content if with_content else None)
        for r in rows
    ]  # fmt: skip


def list_reports(ctx: Context, actor: Actor, label: str | None = None,
                 scope: str | None = None) -> list[Report]:  # fmt: skip
    """The reports the actor reads, newest month first, the city before the districts,
    every version (the newest first)."""
    allowed = _may_read(actor, ctx)
    query = select(tables.work_reports)
    if label:
        query = query.where(R.month == report_month(ctx, label))
    if scope:
        key = _key(scope_unit(ctx, scope))
        if allowed is not None and key not in allowed:
            raise Forbidden("report.forbidden", "只能阅读本区的月度工作报告",
                            "A district reads its own district's reports only")  # fmt: skip
        query = query.where(R.scope == key)
    if allowed is not None:
        query = query.where(R.scope.in_(sorted(allowed)))
    order = (R.month.desc(), (R.scope != CITY), R.scope, R.version.desc())
    return _rows(ctx, query.order_by(*order), False)


def get_report(ctx: Context, actor: Actor, report_id: int) -> Report:
    """One report in full; one the actor may not read does not exist (``report.not_found``)."""
    allowed = _may_read(actor, ctx)
    if not is_row_number(report_id):
        raise _not_found(report_id)
    query = select(tables.work_reports).where(R.id == report_id)
    if allowed is not None:
        query = query.where(R.scope.in_(sorted(allowed)))
    found = _rows(ctx, query, True)
    if not found:
        raise _not_found(report_id)
    return found[0]


def versions(ctx: Context, report: Report) -> list[Report]:
    """Every version of the report's month and scope, the newest first."""
    query = select(tables.work_reports).where(R.month == report.month, R.scope == report.scope)
    return _rows(ctx, query.order_by(R.version.desc()), False)
