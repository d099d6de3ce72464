"""What a monthly work report says (月度工作报告, G4; BJ Art. 24, 28), for the city or one
district, composed from the functions that compute each part elsewhere — nothing is
counted twice in two ways:

- volume by request type and channel against the month before and a year before (one
  grouped count, on the territory of :func:`jiesu.governance.analysis.territory`);
- the three rates and the score (:func:`jiesu.assessment.rankings.assess`, read once for
  every scope of the month) and the units marked for a talk;
- hot matters, hot areas, frequent requesters (:func:`jiesu.governance.analysis.analyse`);
- the weekly warnings of the weeks that ended in the month, answered or not, fallen or not
  (:func:`jiesu.governance.warnings.week_warnings`), and the group complaints among them;
- the monthly topics (:func:`jiesu.governance.topic_reading.list_topics`) and the topic
  candidates (:func:`jiesu.governance.topic_candidates.candidates`);
- the next month's seasonal outlook (:func:`jiesu.governance.seasonal.seasonal`);
- the recommendations (:func:`jiesu.domain.recommendations.recommend`, see
  :mod:`.report_figures`).

The content is plain JSON, stored as issued (:mod:`.reports`). What the history cannot say
(a month not fully recorded, no month before, no year before) is said in ``history.notes``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from jiesu.assessment.rankings import Period, assess, month, read
from jiesu.assessment.trends import shift_month
from jiesu.city.units import Unit
from jiesu.context import Context
from jiesu.domain.roles import Actor, Role
from jiesu.domain.ticket import REQUEST_TYPE_LABELS_ZH
from jiesu.domain.ticket_values import CHANNEL_LABELS_ZH
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

from . import analysis as ga
from . import seasonal as gs
from . import topic_candidates as tc
from . import topic_reading as tr
from .report_figures import assessment_part, recommendations, topics_part, warnings_part
from .weekly import first_received

SCHEMA = 1  # the content's layout; a reader of stored reports branches on it
RULES = "standard"
t = tables.tickets.c


@dataclass(frozen=True)
class MonthData:
    """What every scope's report of one month shares, read once."""

    label: str
    period: Period
    previous: Period
    year_before: Period
    first: datetime | None  # the first request ever received
    now: dict[str, dict[str, Any]]  # the month's assessment, per group
    before: dict[str, dict[str, Any]]  # the month before's
    readings: Any
    candidates: tc.Candidates
    topics: list[tr.Summary]


def prepare(ctx: Context, label: str) -> MonthData:
    tz = ctx.city.tz
    period = month(label, tz)
    previous = period.previous(tz)
    readings = read(ctx, period)
    with UnitOfWork(ctx.engine, write=False) as uow:
        first = first_received(uow.session)
    return MonthData(
        label, period, previous, period.year_before(tz), first,
        assess(ctx, period, RULES, readings=readings), assess(ctx, previous, RULES), readings,
        tc.candidates(ctx, latest=label), tr.list_topics(ctx),
    )  # fmt: skip


def actor_for(ctx: Context, scope: Unit | None) -> Actor:
    """Who the report reads as: the hotline (the whole city) or the district's government
    (its territory), so that each part sees what that reader would."""
    if scope is None:
        return Actor.system(ctx.hotline_unit.code)
    return Actor(user_id=None, username="system", role=Role.UNIT_HANDLER, unit_code=scope.code)


def _coverage(first: datetime | None, p: Period) -> str:
    if first is None or first >= p.end:
        return "none"
    return "partial" if first > p.start else "full"


def history(m: MonthData) -> dict[str, Any]:
    covered = {k: _coverage(m.first, p) for k, p in
               (("month", m.period), ("previous", m.previous), ("year_before", m.year_before))}  # fmt: skip
    days = (m.period.end - m.period.start) / timedelta(days=1)
    start = max(m.period.start, m.first) if m.first else m.period.end
    notes = []
    if covered["month"] == "none":
        notes.append("本月没有诉求记录，各项数字均为零。")
    elif covered["month"] == "partial":
        notes.append(f"诉求记录始于 {m.first.astimezone(m.period.start.tzinfo):%Y-%m-%d}，"  # type: ignore[union-attr]
                     f"本月仅含 {(m.period.end - start) / timedelta(days=1):.0f} 天的数据。")  # fmt: skip
    if covered["previous"] != "full":
        notes.append("上月数据不完整或没有，环比仅供参考，不据此判断诉求上升。")
    if covered["year_before"] != "full":
        notes.append("历史记录不足一年，没有去年同期可比（同比）。")
    return {"first_received": m.first.isoformat() if m.first else None, "coverage": covered,
            "month_days": days, "covered_days": round((m.period.end - start) / timedelta(days=1), 2),
            "notes": notes}  # fmt: skip


def volume(ctx: Context, m: MonthData, places: set[str] | None, h: dict) -> dict[str, Any]:
    """Requests received by request type and by channel: the month, the month before, the
    same month a year before (None where the history does not reach)."""
    spans = {"now": m.period, "previous": m.previous, "year_before": m.year_before}
    bucket = case(*(((t.received_at >= p.start) & (t.received_at < p.end), k)
                    for k, p in spans.items()))  # fmt: skip
    earliest = min(p.start for p in spans.values())  # a range the received-at index serves
    where = [t.received_at >= earliest, t.received_at < m.period.end, bucket.is_not(None)]
    if places is not None:
        where.append(t.location_unit_code.in_(sorted(places)))
    by: dict[str, dict[str, dict[str, int]]] = {"type": defaultdict(dict), "channel": defaultdict(dict)}  # fmt: skip
    with UnitOfWork(ctx.engine, write=False) as uow:
        rows = uow.session.execute(
            select(t.request_type, t.channel, bucket, func.count())
            .where(*where).group_by(t.request_type, t.channel, bucket)
        ).all()  # fmt: skip
    for kind, channel, span, n in rows:
        for key, code in (("type", kind), ("channel", channel)):
            by[key][code][span] = by[key][code].get(span, 0) + int(n)
    known = {"now": True, "previous": h["coverage"]["previous"] != "none",
             "year_before": h["coverage"]["year_before"] != "none"}  # fmt: skip

    def line(counts: dict[str, int]) -> dict[str, int | None]:
        return {k: counts.get(k, 0) if known[k] else None for k in spans}

    labels = {"type": REQUEST_TYPE_LABELS_ZH, "channel": CHANNEL_LABELS_ZH}
    out: dict[str, Any] = {"total": line({k: sum(c.get(k, 0) for c in by["type"].values())
                                          for k in spans})}  # fmt: skip
    for key in ("type", "channel"):
        out[f"by_{key}"] = sorted(
            ({"code": code, "label_zh": labels[key].get(code, code), **line(c)}  # type: ignore[call-overload]
             for code, c in by[key].items()),
            key=lambda x: (-(x["now"] or 0), x["code"]),
        )  # fmt: skip
    return out


def analysis_part(ctx: Context, m: MonthData, actor: Actor) -> dict[str, Any]:
    a = ga.analyse(ctx, actor, m.period)
    return {
        "matters": [vars(x) for x in a.matters],
        "areas": [{"street_code": x.street.code, "street_name": x.street.name, "count": x.count,
                   "previous": x.previous, "top_category": x.top_category,
                   "top_count": x.top_count} for x in a.areas],
        "frequent_requesters": None if a.frequent is None else [
            {"name": f.name, "phone": f.phone, "count": f.count, "categories": f.categories,
             "top_category": f.top_category} for f in a.frequent],
        "frequent_threshold": a.threshold,
    }  # fmt: skip


def seasonal_part(ctx: Context, m: MonthData, actor: Actor) -> dict[str, Any]:
    s = gs.seasonal(ctx, actor, shift_month(m.label, 1), latest=m.label)
    return {"month": s.month, "known": s.known, "items": [
        {"category": e.category, "expected": round(e.outlook.expected, 1),
         "recent": round(e.outlook.recent, 1), "last_year": e.outlook.last_year,
         "rise": round(e.outlook.rise, 2), "trend": round(e.outlook.trend, 2),
         "periodic": e.outlook.years_risen >= 2} for e in s.items]}  # fmt: skip


def candidates_part(m: MonthData) -> dict[str, Any]:
    c = m.candidates
    return {"months": c.months, "city_resolution": c.resolution, "items": [
        {"category": x.category, "requests": x.requests, "unsolved": x.unsolved,
         "resolution": x.resolution, "persistent_warnings": x.persistent_warnings,
         "open_topics": x.open_topics} for x in c.items]}  # fmt: skip


def compose(ctx: Context, m: MonthData, scope: Unit | None) -> dict[str, Any]:
    """The report of month ``m`` for ``scope`` (None: the whole city), as JSON."""
    actor = actor_for(ctx, scope)
    _, places = ga.territory(ctx.city, actor)
    h = history(m)
    content: dict[str, Any] = {
        "schema": SCHEMA,
        "city": ctx.city.city.name,
        "month": m.label,
        "previous_month": m.previous.label,
        "next_month": shift_month(m.label, 1),
        "scope": {
            "code": scope.code if scope else None,  # the place, not its government
            "name": scope.name.removesuffix("人民政府") if scope else ctx.city.city.name,
        },  # fmt: skip
        "history": h,
        "volume": volume(ctx, m, places, h),
        "assessment": assessment_part(ctx.city, m.now, m.before, m.readings, scope),
        "analysis": analysis_part(ctx, m, actor),
        "warnings": warnings_part(ctx, m.period, actor),
        "topics": topics_part(ctx.city, m.topics, scope),
        "seasonal": seasonal_part(ctx, m, actor),
        "candidates": candidates_part(m),
    }
    if not content["seasonal"]["known"]:
        h["notes"].append("历史记录不足一年零三个月，无法做下月的季节预判。")
    thresholds = ctx.city.report_policy.thresholds()
    content["recommendations"] = recommendations(content, m.period, thresholds)
    content["thresholds"] = asdict(thresholds)  # what the recommendations were judged by
    return content
