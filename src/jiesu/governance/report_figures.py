"""Parts of the monthly work report (G4) shaped from figures computed elsewhere: the rates
and the units marked for a talk (from the month's assessment), the weekly warnings of the
month, the monthly topics; and the recommendations drawn from the whole content by the
pure rules of :mod:`jiesu.domain.recommendations`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from jiesu.assessment.rankings import Period, owner, rule_sets
from jiesu.assessment.trends import months_between
from jiesu.city.config import CityConfig
from jiesu.city.units import Unit, UnitKind
from jiesu.context import Context
from jiesu.domain import recommendations as rec
from jiesu.domain.assessment import UnitCounts, rates
from jiesu.domain.hotspots import WARNING_KIND_LABELS_ZH, WarningKind, week_label
from jiesu.domain.roles import Actor
from jiesu.domain.topics import TOPIC_STATE_LABELS_ZH, TopicState
from jiesu.storage import tables

from . import topic_reading as tr
from . import warnings as gw
from .topic_figures import month_label

#: A group complaint (群体诉求): one place, one matter, one week, this many different people.
GROUP_MIN_REQUESTERS = 5
LISTED = 30  # warnings and group complaints listed in full; the counts cover all


def _rates(counts: UnitCounts, city: CityConfig) -> dict[str, Any]:
    r = rates(counts, rule_sets(city)["standard"])
    return {"orders": counts.orders, "response_rate": r.response,
            "resolution_rate": r.resolution, "satisfaction_rate": r.satisfaction,
            "score": r.score}  # fmt: skip


def _row_rates(row: dict | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"orders": row["counts"]["orders"], "response_rate": row["response_rate"],
            "resolution_rate": row["resolution_rate"],
            "satisfaction_rate": row["satisfaction_rate"], "score": row["score"]}  # fmt: skip


def _in_scope(city: CityConfig, group: str, code: str, scope: Unit | None) -> bool:
    if scope is None:
        return True
    if group == "district":
        return code == scope.code
    return group == "street" and owner(city, code, UnitKind.DISTRICT) == scope.code


def assessment_part(city: CityConfig, now: dict, before: dict, readings, scope: Unit | None):
    """The scope's three rates and score this month and the month before (the city: all
    units' counts together, as the bulletin adds them; a district: its ranked row), its
    rank, and the units of the scope marked for a talk, with whether they were last month."""
    if scope is None:
        mine = _rates(sum(readings.now.values(), UnitCounts()), city)
        previous = _rates(sum(readings.before.values(), UnitCounts()), city)
        rank = None
    else:
        row = next((r for r in now["district"]["units"] if r["unit_code"] == scope.code), None)
        old = next((r for r in before["district"]["units"] if r["unit_code"] == scope.code), None)
        mine, previous = _row_rates(row), _row_rates(old)
        ranked = sum(1 for r in now["district"]["units"] if r["rank"] is not None)
        rank = {"rank": row["rank"] if row else None, "of": ranked,
                "previous_rank": row["previous_rank"] if row else None}  # fmt: skip
    talks = []
    for group, data in now.items():
        talked = {r["unit_code"] for r in before[group]["units"] if r["talk"]}
        talks += [
            {"group": group, "group_zh": data["group_zh"], "unit_code": r["unit_code"],
             "unit_name": r["unit_name"], "rank": r["rank"], "score": r["score"],
             "talk_before": r["unit_code"] in talked}
            for r in data["units"] if r["talk"] and _in_scope(city, group, r["unit_code"], scope)
        ]  # fmt: skip
    return {"rules": "standard", "now": mine, "previous": previous, "rank": rank, "talks": talks}


def _overdue(ctx: Context, ids: list[int]) -> set[int]:
    """The warnings among ``ids`` not answered within ``warning_policy.answer_days`` (none
    yet and the time is up, or answered late): what the assessment charges. A warning
    still within its days is not overdue, whether answered or not."""
    if not ids:
        return set()
    days = timedelta(days=ctx.city.warning_policy.answer_days)
    hw = tables.hotspot_warnings.c
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(hw.id, hw.issued_at, hw.responded_at).where(hw.id.in_(ids))
        ).all()
    now = ctx.now()
    return {
        r.id
        for r in rows
        if (r.responded_at is None and now > r.issued_at + days)
        or (r.responded_at is not None and r.responded_at > r.issued_at + days)
    }


def _weeks_ended_in(period: Period) -> list:
    tz = period.start.tzinfo
    first = period.start.astimezone(tz).date()
    last = (period.end - timedelta(seconds=1)).astimezone(tz).date()
    sunday = first + timedelta(days=(6 - first.weekday()) % 7)
    mondays = []
    while sunday <= last:
        mondays.append(sunday - timedelta(days=6))
        sunday += timedelta(days=7)
    return mondays


def warnings_part(ctx: Context, period: Period, actor: Actor) -> dict[str, Any]:
    """The warnings of the weeks that ended in the month, as the scope's reader sees them:
    whether each was answered and whether next week's requests fell."""
    weeks, rows = [], []
    for monday in _weeks_ended_in(period):
        label = week_label(monday)
        record = gw.week_record(ctx, label)
        found = gw.week_warnings(ctx, actor, label)
        weeks.append({"week": label, "examined": record is not None, "warnings": len(found),
                      "baseline_weeks": record.baseline_weeks if record else None})  # fmt: skip
        rows += found
    fell = lambda r: None if r.next_week is None else r.next_week < r.received  # noqa: E731
    overdue = _overdue(ctx, [r.id for r in rows])  # as the assessment charges (A2)
    streets: dict[str, list[int]] = {}
    for r in rows:
        s = streets.setdefault(r.street.name, [0, 0, 0])
        s[0] += 1
        s[1] += r.id in overdue
        s[2] += r.response is not None and fell(r) is False
    items = [
        {"id": r.id, "week": r.week, "place": r.place.name, "street": r.street.name,
         "category": r.category, "kind": r.kind,
         "kind_zh": WARNING_KIND_LABELS_ZH[WarningKind(r.kind)], "received": r.received,
         "requesters": r.requesters, "expected": round(r.expected, 1),
         "answered": r.response is not None, "overdue": r.id in overdue,
         "next_week": r.next_week, "fell": fell(r)}
        for r in rows
    ]  # fmt: skip
    items.sort(key=lambda x: (x["answered"], -x["received"], x["id"]))
    group = sorted((x for x in items if x["requesters"] >= GROUP_MIN_REQUESTERS),
                   key=lambda x: (-x["requesters"], x["id"]))  # fmt: skip
    return {
        "weeks": weeks,
        "total": len(items),
        "surge": sum(x["kind"] == "surge" for x in items),
        "persistent": sum(x["kind"] == "persistent" for x in items),
        "answered": sum(x["answered"] for x in items),
        "fell": sum(x["fell"] is True for x in items),
        "not_fallen": sum(x["fell"] is False for x in items),
        "by_street": [{"street": k, "warnings": v[0], "unanswered": v[1], "not_fallen": v[2]}
                      for k, v in sorted(streets.items(), key=lambda kv: (-kv[1][0], kv[0]))],
        "items": items[:LISTED],
        "group_complaints": group[:LISTED],
        "group_min_requesters": GROUP_MIN_REQUESTERS,
    }  # fmt: skip


def topics_part(city: CityConfig, topics: list[tr.Summary], scope: Unit | None) -> list[dict]:
    """The planned and active topics (a district: those scoped in it or led from it)."""
    out = []
    for x in topics:
        if x.state not in (TopicState.PLANNED, TopicState.ACTIVE):
            continue
        where = [city.district_of(u.code) for u in (x.scope, x.lead) if u is not None]
        if scope is not None and not any(d is not None and d.code == scope.code for d in where):
            continue
        p = x.progress
        recorded = 0
        if x.launched_at and p.latest:
            recorded = months_between(month_label(x.launched_at, city.tz), p.latest.label)
        out.append({
            "id": x.id, "title": x.title, "state": str(x.state),
            "state_zh": TOPIC_STATE_LABELS_ZH[x.state], "categories": x.categories,
            "lead": x.lead.name, "lead_code": x.lead.code,
            "launched_at": x.launched_at.isoformat() if x.launched_at else None,
            "months_recorded": recorded, "baseline_per_day": p.baseline_per_day,
            "target_per_day": p.target_per_day, "latest_month": p.latest.label if p.latest else None,
            "latest_per_day": p.latest.per_day if p.latest else None, "change": p.change,
            "met": p.met, "reason_zh": p.reason_zh,
            "tasks": {"total": x.tasks.total, "done": x.tasks.done, "overdue": x.tasks.overdue},
        })  # fmt: skip
    return out


def figures(content: dict[str, Any], previous_days: float) -> rec.Figures:
    """The content's figures as the recommendation rules take them."""
    h, a = content["history"], content["assessment"]
    full = h["coverage"]["previous"] == "full"
    matters = [rec.MatterFigure(m["category"], m["count"], m["previous"] if full else None,
                                h["covered_days"], previous_days)
               for m in content["analysis"]["matters"]]  # fmt: skip
    now, before = a["now"] or {}, a["previous"] or {}
    district = content["scope"]["code"] is not None
    return rec.Figures(
        matters=matters,
        seasonal=[rec.SeasonFigure(s["category"], s["expected"], s["recent"], s["last_year"],
                                   s["periodic"]) for s in content["seasonal"]["items"]],
        candidates=[rec.CandidateFigure(c["category"], c["requests"], c["unsolved"],
                                        c["resolution"], content["candidates"]["city_resolution"],
                                        c["persistent_warnings"], len(c["open_topics"]))
                    for c in content["candidates"]["items"]],
        warnings=[rec.StreetWarnings(s["street"], s["warnings"], s["unanswered"], s["not_fallen"])
                  for s in content["warnings"]["by_street"]],
        topics=[rec.TopicFigure(x["id"], x["title"], x["lead"], x["months_recorded"], x["change"],
                                x["met"], x["tasks"]["overdue"]) for x in content["topics"]],
        talks=[rec.TalkFigure(x["unit_code"], x["unit_name"], x["group_zh"], x["rank"], x["score"],
                              x["talk_before"]) for x in a["talks"]],
        rates=[rec.RateFigure(k, now.get(f"{k}_rate"), before.get(f"{k}_rate"))
               for k in ("response", "resolution", "satisfaction")],
        local_categories=frozenset(m.category for m in matters) if district else None,
    )  # fmt: skip


def recommendations(content: dict[str, Any], period: Period,
                    thresholds: rec.Thresholds) -> list[dict[str, Any]]:  # fmt: skip
    tz = period.start.tzinfo
    previous = period.previous(tz)
    days = (previous.end - previous.start) / timedelta(days=1)
    return [
        {"rank": i, "kind": r.kind, "kind_zh": rec.KIND_LABELS_ZH[r.kind], "title_zh": r.title_zh,
         "reason_zh": r.reason_zh, "figures": r.figures}
        for i, r in enumerate(rec.recommend(figures(content, days), thresholds), start=1)
    ]  # fmt: skip
