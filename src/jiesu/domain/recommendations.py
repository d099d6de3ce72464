"""Recommendations of the monthly work report (工作报告的建议, G4; BJ Art. 24, 28) — pure rules.

The report gathers a month's figures (volume, the three rates, hot matters, the weekly
warnings, the monthly topics, the seasonal outlook, the units marked for a talk); these
rules turn them into a short ranked list of what the leadership should act on, each with
its reason and the figures behind it, so that a reader can check it:

- **talk_again**: a unit marked for a talk (lowest of its group) this month and the month
  before (A3: the lowest are called in);
- **rate_drop**: a core rate fell by at least ``rate_drop`` (5 points) against the month before;
- **warnings_unanswered**: weekly warnings of the month left without measures (G5);
- **topic_overdue**: a monthly topic with tasks past their due date (G2);
- **topic_stalled**: a topic that after ``stall_months`` recorded months fell by less than
  ``stall_fall`` (10 %) from its baseline, and has not met its target;
- **warnings_not_fallen**: answered warnings whose place's requests did not fall next week;
- **rising**: a matter whose requests per day rose at least ``rise_ratio`` (1.5) times the
  month before, by at least ``rise_min`` (10) requests — only when the month before is known
  in full;
- **seasonal**: a matter expected to rise next month (G3) by at least ``seasonal_min`` (10);
- **talk**: a unit marked for a talk this month for the first time;
- **candidate**: a topic candidate (long-running, hard) that no open topic covers yet —
  for a district, only among the district's own hot matters.

Kinds are ranked in that order (the weight); within a kind, the larger figure first; at most
``per_kind`` of one kind and ``max_items`` in all. No web or database here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .assessment import percent as _pct
from .month_figures import (
    CandidateFigure,
    Figures,
    MatterFigure,
    RateFigure,
    SeasonFigure,
    StreetWarnings,
    TalkFigure,
    TopicFigure,
)

__all__ = [
    "CandidateFigure",
    "Figures",
    "MatterFigure",
    "RateFigure",
    "Recommendation",
    "SeasonFigure",
    "StreetWarnings",
    "TalkFigure",
    "Thresholds",
    "TopicFigure",
    "recommend",
]


@dataclass(frozen=True)
class Thresholds:
    rise_ratio: float = 1.5  # requests per day against the month before
    rise_min: int = 10  # added requests for a rise to count
    seasonal_min: float = 10.0  # added requests expected next month
    rate_drop: float = 0.05  # a rate falling this much (5 points) against the month before
    stall_months: int = 2  # recorded months after launch before a topic may be stalled
    stall_fall: float = 0.10  # ... having fallen less than this from its baseline
    per_kind: int = 3
    max_items: int = 8

    def __post_init__(self) -> None:
        if self.rise_ratio <= 1 or self.rise_min < 1 or self.seasonal_min < 0:
            raise ValueError("a rise must be more than the month before")
        if not 0 < self.rate_drop < 1 or not 0 <= self.stall_fall < 1 or self.stall_months < 1:
            raise ValueError("rate_drop, stall_fall and stall_months out of range")
        if self.per_kind < 1 or self.max_items < 1:
            raise ValueError("per_kind and max_items must be positive")


@dataclass(frozen=True)
class Recommendation:
    kind: str
    title_zh: str
    reason_zh: str
    figures: dict[str, Any]
    weight: int
    size: float  # orders recommendations of one kind, the larger first


WEIGHTS = {
    "talk_again": 90,
    "rate_drop": 80,
    "warnings_unanswered": 75,
    "topic_overdue": 70,
    "topic_stalled": 65,
    "warnings_not_fallen": 60,
    "rising": 55,
    "seasonal": 50,
    "talk": 45,
    "candidate": 40,
}
KIND_LABELS_ZH = {
    "talk_again": "连续约谈",
    "rate_drop": "三率下降",
    "warnings_unanswered": "预警未反馈",
    "topic_overdue": "专题任务逾期",
    "topic_stalled": "专题未见成效",
    "warnings_not_fallen": "预警未回落",
    "rising": "诉求上升",
    "seasonal": "季节预判",
    "talk": "约谈",
    "candidate": "建议立题",
}
RATE_LABELS_ZH = {"response": "响应率", "resolution": "解决率", "satisfaction": "满意率"}


def _rec(kind: str, title: str, reason: str, size: float, **figures: Any) -> Recommendation:
    return Recommendation(kind, title, reason, figures, WEIGHTS[kind], size)


def _talks(f: Figures, th: Thresholds) -> list[Recommendation]:
    out = []
    for x in f.talks:
        score = "—" if x.score is None else f"{x.score:.1f}"
        if x.talk_before:
            out.append(_rec("talk_again", f"{x.unit}连续两个月排名靠后，建议约谈",
                            f"本月在{x.group}中排名第 {x.rank}（{score} 分），上月亦列入约谈；"
                            "建议约谈主要负责人，查找办理中的薄弱环节", -(x.score or 0.0),
                            unit_code=x.unit_code, group=x.group, rank=x.rank, score=x.score))  # fmt: skip
        else:
            out.append(_rec("talk", f"约谈{x.unit}",
                            f"本月在{x.group}中排名第 {x.rank}（{score} 分），列入约谈（考评办法：排名"
                            "末位的单位约谈）", -(x.score or 0.0),
                            unit_code=x.unit_code, group=x.group, rank=x.rank, score=x.score))  # fmt: skip
    return out


def _rates(f: Figures, th: Thresholds) -> list[Recommendation]:
    out = []
    for r in f.rates:
        if r.now is None or r.previous is None or r.previous - r.now < th.rate_drop - 1e-9:
            continue
        label = RATE_LABELS_ZH.get(r.name, r.name)
        drop = r.previous - r.now
        out.append(_rec("rate_drop", f"{label}下降 {drop * 100:.1f} 个百分点",
                        f"本月{label} {_pct(r.now)}，上月 {_pct(r.previous)}；建议分析未解决、"
                        "不满意的工单，督促承办单位重新办理", drop,
                        rate=r.name, now=r.now, previous=r.previous))  # fmt: skip
    return out


def _streets(f: Figures, attr: str) -> tuple[int, list[list[Any]]]:
    """How many warnings have ``attr`` in all, and the five streets with most of them."""
    ranked = sorted((w for w in f.warnings if getattr(w, attr)),
                    key=lambda w: (-getattr(w, attr), w.street))  # fmt: skip
    return sum(getattr(w, attr) for w in ranked), [[w.street, getattr(w, attr)] for w in ranked[:5]]


def _warnings(f: Figures, th: Thresholds) -> list[Recommendation]:
    out = []
    total = sum(w.warnings for w in f.warnings)
    n, streets = _streets(f, "unanswered")
    if n:
        named = "、".join(f"{s}（{k}）" for s, k in streets)
        out.append(_rec("warnings_unanswered", f"{n} 条高频预警未按期反馈整改措施",
                        f"本月各周预警 {total} 条，{n} 条未在规定天数内反馈，集中在{named}；"
                        "建议督办街道乡镇限期反馈", n,
                        unanswered=n, total=total, streets=streets))  # fmt: skip
    n, streets = _streets(f, "not_fallen")
    if n:
        named = "、".join(f"{s}（{k}）" for s, k in streets)
        out.append(_rec("warnings_not_fallen", f"{n} 条预警反馈措施后诉求未回落",
                        f"已反馈措施的预警中，{n} 条次周诉求未低于预警周，集中在{named}；"
                        "建议点穴式督办，必要时吹哨相关部门", n,
                        not_fallen=n, streets=streets))  # fmt: skip
    return out


def _topics(f: Figures, th: Thresholds) -> list[Recommendation]:
    out = []
    for x in f.topics:
        if x.tasks_overdue:
            out.append(_rec("topic_overdue", f"每月一题“{x.title}”有 {x.tasks_overdue} 项任务逾期",
                            f"主责单位{x.lead}；任务清单中 {x.tasks_overdue} 项已过完成期限；"
                            "建议督促主责和配合单位按期完成", x.tasks_overdue,
                            topic=x.id, tasks_overdue=x.tasks_overdue))  # fmt: skip
        stalled = x.months_recorded >= th.stall_months and not x.met
        if stalled and (x.change is None or x.change > -th.stall_fall):
            change = "—" if x.change is None else f"{x.change * 100:+.0f}%"
            out.append(_rec("topic_stalled", f"每月一题“{x.title}”诉求未见明显下降",
                            f"启动后已记录 {x.months_recorded} 个整月，最近一月日均诉求较基线 {change}"
                            f"（下降不足 {th.stall_fall:.0%}）；建议主责单位{x.lead}复盘工作方案",
                            -(x.change or 0.0), topic=x.id, months=x.months_recorded,
                            change=x.change))  # fmt: skip
    return out


def _rising(f: Figures, th: Thresholds) -> list[Recommendation]:
    out = []
    for m in f.matters:
        if m.previous is None or m.days <= 0 or m.previous_days <= 0:
            continue
        now, before = m.count / m.days, m.previous / m.previous_days
        if m.count - m.previous < th.rise_min or now < th.rise_ratio * max(before, 1e-9):
            continue
        ratio = now / before if before else None
        times = f"日均为上月的 {ratio:.1f} 倍" if ratio else "上月没有"
        out.append(_rec("rising", f"“{m.category}”诉求明显上升",
                        f"本月 {m.count} 件，上月 {m.previous} 件（{times}）；建议分析原因，"
                        "研判是否开展重点领域治理", m.count - m.previous,
                        category=m.category, count=m.count, previous=m.previous,
                        ratio=None if ratio is None else round(ratio, 2)))  # fmt: skip
    return out


def _seasonal(f: Figures, th: Thresholds) -> list[Recommendation]:
    out = []
    for s in f.seasonal:
        added = s.expected - s.recent
        if added < th.seasonal_min:
            continue
        periodic = "，且连续两年同期上升（周期性）" if s.periodic else ""
        out.append(_rec("seasonal", f"下月“{s.category}”预计季节性上升",
                        f"去年同月 {s.last_year} 件，预计 {s.expected:.0f} 件，近三个月月均 "
                        f"{s.recent:.0f} 件{periodic}；建议相关单位提前制定工作预案（条例第二十五条）",
                        added, category=s.category, expected=round(s.expected, 1),
                        recent=round(s.recent, 1), last_year=s.last_year,
                        periodic=s.periodic))  # fmt: skip
    return out


def _candidates(f: Figures, th: Thresholds) -> list[Recommendation]:
    out = []
    for c in f.candidates:
        if c.open_topics or (f.local_categories is not None and
                             c.category not in f.local_categories):  # fmt: skip
            continue
        warned = f"，周预警持续高发 {c.persistent_warnings} 次" if c.persistent_warnings else ""
        out.append(_rec("candidate", f"建议将“{c.category}”列为每月一题",
                        f"近六个月每月持续有诉求，共 {c.requests} 件，回访未解决 {c.unsolved} 件，"
                        f"解决率 {_pct(c.resolution)}（全市 {_pct(c.city_resolution)}）{warned}；"
                        "尚无在办专题", c.unsolved,
                        category=c.category, requests=c.requests, unsolved=c.unsolved,
                        resolution=c.resolution))  # fmt: skip
    return out


RULES = (_talks, _rates, _warnings, _topics, _rising, _seasonal, _candidates)


def recommend(figures: Figures, thresholds: Thresholds | None = None) -> list[Recommendation]:
    """The ranked recommendations: by kind (weight), then the larger figure; at most
    ``per_kind`` of a kind and ``max_items`` in all."""
    th = thresholds or Thresholds()
    found = [r for rule in RULES for r in rule(figures, th)]
    found.sort(key=lambda r: (-r.weight, -r.size, r.title_zh))
    kept: list[Recommendation] = []
    per: Counter[str] = Counter()
    for r in found:
        if per[r.kind] < th.per_kind and len(kept) < th.max_items:
            per[r.kind] += 1
            kept.append(r)
    return kept
